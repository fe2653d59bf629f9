#include "services/event_query/store/search_query.h"

#include <charconv>

#include "platform/errors.h"
#include "services/event_query/model/json_fields.h"

namespace ticketly::event_query {
namespace {

constexpr std::int64_t kMaxPageSize = 100;
constexpr std::size_t kMaxSearchTerm = 200;

// The code points of `s` if it is valid UTF-8 (shortest forms, no surrogates, at most
// U+10FFFF) without NUL bytes, else nullopt. The term reaches PostgreSQL, which refuses
// invalid UTF-8 and NUL in text: checked here, such a term is the client's 400, not our 500.
std::optional<std::size_t> utf8_code_points(std::string_view s) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == 0) return std::nullopt;
    const std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    char32_t cp = len == 1 ? b : b & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kShortest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += len;
  }
  return count;
}

}  // namespace

std::optional<Timestamp> date_bound(const http::QueryParams& q, std::string_view name, Bound bound) {
  auto v = q.get(name);
  if (!v || v->empty()) return std::nullopt;
  auto t = parse_iso8601(*v);
  if (!t) {
    if (v->size() == 10) t = parse_iso8601(std::string(*v).append("T00:00:00Z"));
    if (!t) throw bad_request(std::string(name).append(" must be an ISO-8601 date or time, years 1678 to 2261"));
    if (bound == Bound::Upper) *t += std::chrono::hours(24) - std::chrono::microseconds(1);
  }
  return t;
}

SearchQuery parse_search_query(const http::QueryParams& q) {
  SearchQuery s;
  if (auto t = q.get("searchTerm"); t && !t->empty()) {
    std::string term(*t);
    auto b = term.find_first_not_of(" \t");
    if (b != std::string::npos) {
      term = term.substr(b, term.find_last_not_of(" \t") - b + 1);
      const auto length = utf8_code_points(term);
      if (!length) throw bad_request("searchTerm must be valid UTF-8 text");
      if (*length > kMaxSearchTerm) throw bad_request("searchTerm must be at most 200 characters");
      s.text = term;
    }
  }
  s.category_id = q.uuid("categoryId");
  s.latitude = q.number("latitude", -90, 90);
  s.longitude = q.number("longitude", -180, 180);
  s.radius_km = q.number("radiusKm", 0.001, 20038);
  if (s.latitude.has_value() != s.longitude.has_value()) {
    throw bad_request("latitude and longitude must be given together");
  }
  if (s.radius_km && !s.latitude) throw bad_request("radiusKm needs latitude and longitude");
  s.date_from = date_bound(q, "dateFrom", Bound::Lower);
  s.date_to = date_bound(q, "dateTo", Bound::Upper);
  if (s.date_from && s.date_to && *s.date_to < *s.date_from) throw bad_request("dateTo must not be before dateFrom");
  if (auto v = q.number("priceMin", 0, 1e12)) s.price_min_cents = fields::cents(*v);
  if (auto v = q.number("priceMax", 0, 1e12)) s.price_max_cents = fields::cents(*v);
  if (s.price_min_cents && s.price_max_cents && *s.price_max_cents < *s.price_min_cents) {
    throw bad_request("priceMax must not be below priceMin");
  }
  s.page = q.integer("page", 0, 100000).value_or(0);
  s.size = q.integer("size", 1, kMaxPageSize).value_or(20);
  if (auto sort = q.get("sort"); sort && !sort->empty()) {
    std::string_view v = *sort;
    std::string_view dir;
    if (auto comma = v.find(','); comma != std::string_view::npos) {
      dir = v.substr(comma + 1);
      v = v.substr(0, comma);
    }
    static const std::string_view kFields[] = {"relevance", "distance", "date", "startTime", "title",
                                               "price", "startingPrice", "createdAt"};
    bool known = false;
    for (auto f : kFields) known = known || f == v;
    if (!known) {
      throw bad_request("sort must be one of relevance, distance, date, title, price, createdAt");
    }
    if (dir != "" && dir != "asc" && dir != "desc") throw bad_request("sort direction must be asc or desc");
    if (v == "relevance" && !s.text) throw bad_request("sort=relevance needs searchTerm");
    if (v == "distance" && !s.latitude) throw bad_request("sort=distance needs latitude and longitude");
    s.sort = v == "startTime" ? "date" : v == "startingPrice" ? "price" : std::string(v);
    // Relevance without a direction means the most relevant first, as when no sort is given.
    s.descending = dir == "desc" || (dir.empty() && v == "relevance");
  }
  return s;
}

namespace {

// Appends one field of a cache key: a tag, then the value or '-' when absent. Built by
// hand, not through a JSON document: every search request computes its key (the key is
// the parsed query's, so spellings of one search share an entry), and a JSON object of
// 13 members cost a quarter of the cached answer's throughput.
void key_field(std::string& k, char tag, const std::optional<double>& v) {
  k += tag;
  if (!v) {
    k += '-';
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *v);  // shortest exact form
  k.append(buf, ec == std::errc() ? end : buf);
}

void key_field(std::string& k, char tag, const std::optional<std::int64_t>& v) {
  k += tag;
  if (v) k += std::to_string(*v); else k += '-';
}

}  // namespace

std::string cache_key(const SearchQuery& q) {
  std::string k = "search:";
  k.reserve(96 + (q.text ? q.text->size() : 0));
  // The text is last and length-prefixed, so no text can imitate other fields.
  k += 'c';
  k += q.category_id ? q.category_id->str() : std::string("-");
  key_field(k, 'a', q.latitude);
  key_field(k, 'g', q.longitude);
  key_field(k, 'r', q.radius_km);
  auto instant = [](const std::optional<Timestamp>& t) -> std::optional<std::int64_t> {
    if (!t) return std::nullopt;
    return t->time_since_epoch().count();
  };
  key_field(k, 'f', instant(q.date_from));
  key_field(k, 'u', instant(q.date_to));
  key_field(k, 'n', q.price_min_cents);
  key_field(k, 'x', q.price_max_cents);
  key_field(k, 'p', std::optional<std::int64_t>(q.page));
  key_field(k, 's', std::optional<std::int64_t>(q.size));
  k += 'd';
  k += q.descending ? '1' : '0';
  k += 'o';
  k += std::to_string(q.sort.size());
  k += ':';
  k += q.sort;
  k += 't';
  if (q.text) {
    k += std::to_string(q.text->size());
    k += ':';
    k += *q.text;
  } else {
    k += '-';
  }
  return k;
}

}  // namespace ticketly::event_query
