#include "platform/db/result.h"

#include <libpq-fe.h>

#include <cstring>
#include <stdexcept>

namespace ticketly::db {

void throw_decode_error(std::string_view type, std::string_view text) {
  constexpr std::size_t kMaxShown = 64;
  std::string shown(text.substr(0, kMaxShown));
  if (text.size() > kMaxShown) shown += "...";
  throw DbError("cannot read \"" + shown + "\" as " + std::string(type),
                std::string(sqlstate::kInvalidTextRepresentation));
}

namespace {

// A cursor over the timestamp text; every reader returns false on a mismatch.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i == s.size(); }
  bool peek(char c) const { return i < s.size() && s[i] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i;
    return true;
  }
  // Exactly `n` digits (n > 0), or at least `n` when `at_least`.
  bool digits(int n, long long& out, bool at_least = false) {
    out = 0;
    int count = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && (at_least || count < n)) {
      if (count >= 12) return false;  // absurd, and would overflow
      out = out * 10 + (s[i] - '0');
      ++i;
      ++count;
    }
    return at_least ? count >= n : count == n;
  }
};

}  // namespace

std::chrono::sys_time<std::chrono::microseconds> parse_timestamp(std::string_view text) {
  using namespace std::chrono;
  using Us = sys_time<microseconds>;
  if (text == "infinity") return Us::max();
  if (text == "-infinity") return Us::min();

  bool bc = false;
  if (text.ends_with(" BC")) {
    bc = true;
    text.remove_suffix(3);
  }
  Cursor c{text};
  long long y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, us = 0;
  auto fail = [&]() -> Us { throw_decode_error("timestamp", text); };

  if (!c.digits(4, y, /*at_least=*/true) || !c.eat('-') || !c.digits(2, mo) || !c.eat('-') || !c.digits(2, d)) {
    return fail();
  }
  long long offset_seconds = 0;
  if (!c.done()) {
    if (!c.eat(' ') && !c.eat('T')) return fail();
    if (!c.digits(2, h) || !c.eat(':') || !c.digits(2, mi)) return fail();
    if (c.eat(':') && !c.digits(2, sec)) return fail();
    if (c.eat('.')) {
      int n = 0;
      while (!c.done() && text[c.i] >= '0' && text[c.i] <= '9') {
        if (n < 6) us = us * 10 + (text[c.i] - '0');  // digits beyond microseconds are dropped
        ++n;
        ++c.i;
      }
      if (n == 0) return fail();
      for (; n < 6; ++n) us *= 10;
    }
    if (c.eat('Z')) {
      // UTC
    } else if (c.peek('+') || c.peek('-')) {
      const int sign = text[c.i++] == '-' ? -1 : 1;
      long long oh = 0, om = 0, os = 0;
      if (!c.digits(2, oh)) return fail();
      if (c.eat(':')) {
        if (!c.digits(2, om)) return fail();
        if (c.eat(':') && !c.digits(2, os)) return fail();
      } else if (!c.done()) {
        if (!c.digits(2, om)) return fail();  // +HHMM
      }
      if (oh > 15 || om > 59 || os > 59) return fail();
      offset_seconds = sign * (oh * 3600 + om * 60 + os);
    }
    if (!c.done()) return fail();
  }
  if (bc) y = 1 - y;  // 1 BC is year 0 in the proleptic Gregorian calendar
  const year_month_day ymd{year{static_cast<int>(y)}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (y > 294276 || y < -4713 || !ymd.ok() || h > 23 || mi > 59 || sec > 59) return fail();
  return Us(sys_days(ymd)) + hours(h) + minutes(mi) + seconds(sec) + microseconds(us) - seconds(offset_seconds);
}

std::vector<std::optional<std::string>> parse_array(std::string_view text) {
  auto fail = [&]() -> std::vector<std::optional<std::string>> { throw_decode_error("array", text); };
  // Arrays with non-default bounds are printed as "[0:2]={...}".
  if (text.starts_with('[')) {
    auto eq = text.find('=');
    if (eq == std::string_view::npos) return fail();
    text.remove_prefix(eq + 1);
  }
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return fail();
  std::vector<std::optional<std::string>> out;
  std::string_view body = text.substr(1, text.size() - 2);
  if (body.empty()) return out;

  std::size_t i = 0;
  auto is_space = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; };
  for (;;) {
    while (i < body.size() && is_space(body[i])) ++i;
    if (i < body.size() && body[i] == '{') return fail();  // multi-dimensional
    std::string element;
    bool quoted = false;
    if (i < body.size() && body[i] == '"') {
      quoted = true;
      ++i;
      for (;;) {
        if (i >= body.size()) return fail();
        char ch = body[i++];
        if (ch == '"') break;
        if (ch == '\\') {
          if (i >= body.size()) return fail();
          ch = body[i++];
        }
        element.push_back(ch);
      }
      while (i < body.size() && is_space(body[i])) ++i;
    } else {
      std::size_t last_non_space = 0;
      while (i < body.size() && body[i] != ',') {
        char ch = body[i++];
        if (ch == '"' || ch == '{' || ch == '}') return fail();
        if (ch == '\\') {
          if (i >= body.size()) return fail();
          ch = body[i++];
          element.push_back(ch);
          last_non_space = element.size();
          continue;
        }
        element.push_back(ch);
        if (!is_space(ch)) last_non_space = element.size();
      }
      element.resize(last_non_space);
      if (element.empty()) return fail();
    }
    if (!quoted && element.size() == 4 && strncasecmp(element.c_str(), "NULL", 4) == 0) {
      out.emplace_back(std::nullopt);
    } else {
      out.emplace_back(std::move(element));
    }
    if (i == body.size()) break;
    if (body[i] != ',') return fail();
    ++i;
  }
  return out;
}

// ---- Row ----

bool Row::is_null(int col) const {
  if (col < 0 || col >= PQnfields(result_)) throw std::out_of_range("column index " + std::to_string(col) + " out of range");
  return PQgetisnull(result_, row_, col) != 0;
}

std::string_view Row::raw(int col) const {
  return std::string_view(PQgetvalue(result_, row_, col), static_cast<std::size_t>(PQgetlength(result_, row_, col)));
}

int Row::columns() const { return PQnfields(result_); }

int Row::column_index(std::string_view column) const {
  const int n = PQnfields(result_);
  for (int i = 0; i < n; ++i) {
    if (column == PQfname(result_, i)) return i;
  }
  throw std::out_of_range("result has no column named \"" + std::string(column) + "\"");
}

void Row::throw_null(int col) const {
  throw DbError(std::string("column \"") + PQfname(result_, col) + "\" is NULL; read it as std::optional",
                std::string(sqlstate::kNullValueNotAllowed));
}

void Row::rethrow_for_column(int col, const DbError& e) const {
  throw DbError(std::string("column \"") + PQfname(result_, col) + "\": " + e.what(), e.sqlstate());
}

// ---- Result ----

void Result::Clear::operator()(pg_result* r) const { PQclear(r); }

Result::Result(pg_result* owned) : result_(owned) {}

int Result::size() const { return result_ ? PQntuples(result_.get()) : 0; }

int Result::columns() const { return result_ ? PQnfields(result_.get()) : 0; }

std::string_view Result::column_name(int col) const {
  if (col < 0 || col >= columns()) throw std::out_of_range("column index " + std::to_string(col) + " out of range");
  return PQfname(result_.get(), col);
}

int Result::column_index(std::string_view column) const {
  if (!result_) throw std::out_of_range("empty result has no column \"" + std::string(column) + "\"");
  return Row(result_.get(), 0).column_index(column);
}

std::int64_t Result::affected_rows() const {
  if (!result_) return 0;
  const char* s = PQcmdTuples(result_.get());
  std::int64_t n = 0;
  std::from_chars(s, s + std::strlen(s), n);  // "" (no count) leaves 0
  return n;
}

std::string_view Result::command_status() const { return result_ ? PQcmdStatus(result_.get()) : ""; }

Row Result::at(int row) const {
  if (row < 0 || row >= size()) throw std::out_of_range("row " + std::to_string(row) + " out of range");
  return (*this)[row];
}

Row Result::one() const {
  if (size() != 1) {
    // PL/pgSQL's codes for the same situation: no_data_found, too_many_rows.
    throw DbError("expected exactly one row, got " + std::to_string(size()), empty() ? "P0002" : "P0003");
  }
  return (*this)[0];
}

std::optional<Row> Result::first() const {
  if (empty()) return std::nullopt;
  return (*this)[0];
}

}  // namespace ticketly::db
