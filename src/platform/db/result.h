#pragma once
// Query results and the decoding of text-format columns into C++ values.
//
//   auto r = co_await db.query("SELECT id, name, starts_at FROM events WHERE org = $1", org);
//   for (auto row : r) {
//     auto name = row.get<std::string>("name");
//     auto starts = row.get<std::optional<Timestamp>>(2);   // NULL -> nullopt
//   }
//
// Rows and string_views obtained from a Result are valid while the Result lives.
// Supported column types: std::string, std::string_view, integers, floating point,
// bool, system_clock time points (timestamptz as the session prints it with
// TimeZone=UTC; timestamp and date are read as UTC), nlohmann::json, ticketly::Uuid,
// std::optional<T> of these, and std::vector<T> for one-dimensional arrays. Other types
// opt in by specialising `ticketly::db::FieldTraits<T>` with `static T decode(std::string_view)`.
#include <charconv>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ratio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/db/error.h"
#include "platform/types/uuid.h"

struct pg_result;  // libpq's PGresult

namespace ticketly::db {

// ---- building blocks (result.cpp), public for tests and custom traits ----

// Throws DbError 22P02 naming the target type and the offending text.
[[noreturn]] void throw_decode_error(std::string_view type, std::string_view text);

// Reads "2024-03-01 12:30:05.123456+00" (timestamptz, as PostgreSQL prints it), with an
// optional fraction, any "+HH[:MM[:SS]]" offset, or none (timestamp: read as UTC), a
// date alone ("2024-03-01": midnight UTC), the ISO forms with `T` and `Z`, and
// "infinity" / "-infinity" (the extremes of the type). Throws DbError on anything else.
std::chrono::sys_time<std::chrono::microseconds> parse_timestamp(std::string_view text);

// Splits a one-dimensional array as PostgreSQL prints it ({a,"b c",NULL}) into its
// unescaped elements; NULL elements are nullopt. Throws DbError when malformed or nested.
std::vector<std::optional<std::string>> parse_array(std::string_view text);

// ---- the traits ----

template <class T, class = void>
struct FieldTraits;  // no decoding for this type: specialise FieldTraits<T> to add one

template <>
struct FieldTraits<std::string> {
  static std::string decode(std::string_view t) { return std::string(t); }
};
template <>
struct FieldTraits<std::string_view> {
  static std::string_view decode(std::string_view t) { return t; }
};

template <>
struct FieldTraits<bool> {
  static bool decode(std::string_view t) {
    if (t == "t" || t == "true") return true;
    if (t == "f" || t == "false") return false;
    throw_decode_error("bool", t);
  }
};

template <class T>
struct FieldTraits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool> &&
                                       !std::is_same_v<T, char>>> {
  static T decode(std::string_view t) {
    T v{};
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) throw_decode_error("integer", t);
    return v;
  }
};

template <std::floating_point T>
struct FieldTraits<T> {
  static T decode(std::string_view t) {
    // from_chars reads "NaN", "Infinity" and "-Infinity" as PostgreSQL prints them.
    T v{};
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || end != t.data() + t.size()) throw_decode_error("floating point", t);
    return v;
  }
};

template <class Duration>
struct FieldTraits<std::chrono::time_point<std::chrono::system_clock, Duration>> {
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;
  static TimePoint decode(std::string_view t) {
    using std::chrono::microseconds;
    using std::chrono::sys_time;
    auto us = parse_timestamp(t);
    if (us == sys_time<microseconds>::max()) return TimePoint::max();
    if (us == sys_time<microseconds>::min()) return TimePoint::min();
    if constexpr (std::ratio_less_v<typename Duration::period, std::micro>) {
      // Finer than PostgreSQL (system_clock::time_point counts nanoseconds): the
      // type spans only 1677..2262, so the value must be checked before scaling.
      constexpr auto kScale = std::chrono::duration_cast<Duration>(microseconds(1)).count();
      const auto v = us.time_since_epoch().count();
      if (v > Duration::max().count() / kScale || v < Duration::min().count() / kScale) {
        throw_decode_error("time point (out of range)", t);
      }
      return TimePoint(Duration(v * kScale));
    } else {
      return TimePoint(std::chrono::floor<Duration>(us.time_since_epoch()));
    }
  }
};

template <>
struct FieldTraits<nlohmann::json> {
  static nlohmann::json decode(std::string_view t) {
    auto j = nlohmann::json::parse(t, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) throw_decode_error("json", t);
    return j;
  }
};

template <>
struct FieldTraits<ticketly::Uuid> {
  static ticketly::Uuid decode(std::string_view t) {
    auto u = ticketly::Uuid::parse(t);
    if (!u) throw_decode_error("uuid", t);
    return *u;
  }
};

template <class T>
struct FieldTraits<std::optional<T>> {
  // Only reached for non-NULL text; Row::get and array decoding handle NULL.
  static std::optional<T> decode(std::string_view t) { return FieldTraits<T>::decode(t); }
};

namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
}  // namespace detail

template <class T, class A>
struct FieldTraits<std::vector<T, A>> {
  static_assert(!std::is_same_v<T, std::string_view>, "array elements are unescaped copies: use std::string");
  static std::vector<T, A> decode(std::string_view t) {
    std::vector<T, A> out;
    auto elements = parse_array(t);
    out.reserve(elements.size());
    for (auto& e : elements) {
      if (!e) {
        if constexpr (detail::is_optional<T>::value) {
          out.emplace_back(std::nullopt);
          continue;
        } else {
          throw DbError("NULL array element read into a non-optional element type",
                        std::string(sqlstate::kNullValueNotAllowed));
        }
      }
      out.push_back(FieldTraits<T>::decode(*e));
    }
    return out;
  }
};

// ---- rows and results ----

class Row {
 public:
  Row(const pg_result* result, int row) : result_(result), row_(row) {}

  // The value of column `col` (0-based). NULL into std::optional<T> is nullopt; NULL into
  // anything else, or text that does not parse as T, throws DbError naming the column.
  template <class T>
  T get(int col) const {
    if (is_null(col)) {
      if constexpr (detail::is_optional<T>::value) {
        return std::nullopt;
      } else {
        throw_null(col);
      }
    }
    try {
      return FieldTraits<T>::decode(raw(col));
    } catch (const DbError& e) {
      rethrow_for_column(col, e);
    }
  }
  template <class T>
  T get(std::string_view column) const {
    return get<T>(column_index(column));
  }

  bool is_null(int col) const;
  bool is_null(std::string_view column) const { return is_null(column_index(column)); }
  // The column's text as sent by the server ("" for NULL).
  std::string_view raw(int col) const;
  int columns() const;
  int index() const { return row_; }
  // Throws std::out_of_range for an unknown name (an exact, case-sensitive match).
  int column_index(std::string_view column) const;

 private:
  [[noreturn]] void throw_null(int col) const;
  [[noreturn]] void rethrow_for_column(int col, const DbError& e) const;

  const pg_result* result_;
  int row_;
};

class Result {
 public:
  Result() = default;
  explicit Result(pg_result* owned);  // takes ownership (PQclear on destruction)

  int size() const;
  bool empty() const { return size() == 0; }
  int columns() const;
  std::string_view column_name(int col) const;
  int column_index(std::string_view column) const;  // std::out_of_range if unknown
  // Rows inserted/updated/deleted/selected by the command (PQcmdTuples), 0 if none.
  std::int64_t affected_rows() const;
  // The command tag, e.g. "INSERT 0 1".
  std::string_view command_status() const;

  Row operator[](int row) const { return Row(result_.get(), row); }
  Row at(int row) const;  // std::out_of_range if out of range
  // The only row; throws DbError when there is none or more than one.
  Row one() const;
  std::optional<Row> first() const;
  // First column of the only row, e.g. `co_await db.query("SELECT count(*) ...")).scalar<int64_t>()`.
  template <class T>
  T scalar() const {
    return one().get<T>(0);
  }

  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Row;
    using difference_type = std::ptrdiff_t;
    using reference = Row;
    using pointer = void;
    iterator() = default;
    iterator(const pg_result* r, int i) : r_(r), i_(i) {}
    Row operator*() const { return Row(r_, i_); }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_ && a.r_ == b.r_; }

   private:
    const pg_result* r_ = nullptr;
    int i_ = 0;
  };
  iterator begin() const { return iterator(result_.get(), 0); }
  iterator end() const { return iterator(result_.get(), size()); }

  const pg_result* native() const { return result_.get(); }

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

}  // namespace ticketly::db
