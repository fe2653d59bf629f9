#include "services/event_query/store/search.h"

#include <charconv>
#include <cmath>

#include "platform/errors.h"
#include "services/event_query/model/json_fields.h"

namespace ticketly::event_query {

namespace {

constexpr std::int64_t kMaxPageSize = 100;
constexpr std::size_t kMaxSearchTerm = 200;

// Concatenation by appending: g++ 12 at -O3 reports a false -Wrestrict for
// `"literal" + std::string&&` (it inserts at the front), so SQL text is built with this.
template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

// Adds a parameter and returns its placeholder.
struct Params {
  std::vector<db::Encoded> values;
  template <class T>
  std::string add(const T& v) {
    values.push_back(db::encode_param(v));
    return cat("$", std::to_string(values.size()));
  }
};

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

bool has_session_filter(const SearchQuery& q) {
  return q.date_from || q.date_to || q.radius_km || q.price_min_cents || q.price_max_cents;
}

// The price bounds on one tier row `alias` of eq_session_prices (" AND …", or empty).
std::string price_bounds(const SearchQuery& q, Params& p, const std::string& alias) {
  std::string cond;
  if (q.price_min_cents) cond.append(cat(" AND ", alias, ".price_cents >= ", p.add(*q.price_min_cents), "::bigint"));
  if (q.price_max_cents) cond.append(cat(" AND ", alias, ".price_cents <= ", p.add(*q.price_max_cents), "::bigint"));
  return cond;
}

// What one session `s` of event `e` must satisfy: not cancelled, the date and geo bounds,
// and one of its tiers the price bounds. `origin` is the search's point, if any.
std::string session_condition(const SearchQuery& q, Params& p, const std::string& origin) {
  std::string cond = "s.event_id = e.id AND s.status <> 'CANCELLED'";
  if (q.date_from) cond.append(cat(" AND s.start_time >= ", p.add(*q.date_from), "::timestamptz"));
  if (q.date_to) cond.append(cat(" AND s.start_time <= ", p.add(*q.date_to), "::timestamptz"));
  if (q.radius_km) {
    const std::string meters = cat(p.add(*q.radius_km * 1000.0), "::float8");
    cond.append(cat(" AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL AND earth_box(", origin, ", ", meters,
                    ") @> ll_to_earth(s.latitude, s.longitude) AND earth_distance(", origin,
                    ", ll_to_earth(s.latitude, s.longitude)) <= ", meters));
  }
  if (q.price_min_cents || q.price_max_cents) {
    cond.append(cat(" AND EXISTS (SELECT 1 FROM eq_session_prices pr WHERE pr.session_id = s.id",
                    price_bounds(q, p, "pr"), ")"));
  }
  return cond;
}

}  // namespace

std::optional<Timestamp> date_bound(const http::QueryParams& q, std::string_view name, Bound bound) {
  auto v = q.get(name);
  if (!v || v->empty()) return std::nullopt;
  auto t = parse_iso8601(*v);
  if (!t) {
    if (v->size() == 10) t = parse_iso8601(cat(*v, "T00:00:00Z"));
    if (!t) throw bad_request(cat(name, " must be an ISO-8601 date or time, years 1678 to 2261"));
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

asio::awaitable<SearchPage> run_search(db::Database& db, const SearchQuery& q) {
  Params p;
  std::string with;
  std::string where = "NOT e.deleted AND e.status = 'APPROVED'";
  std::string select_extra;
  if (q.text) {
    const std::string tsq = cat("websearch_to_tsquery('english', ", p.add(*q.text), ")");
    where.append(cat(" AND e.search @@ ", tsq));
    select_extra.append(cat(", ts_rank_cd(e.search, ", tsq, ") AS rank"));
  }
  if (q.category_id) {
    with = cat("WITH RECURSIVE cats(id) AS (SELECT ", p.add(*q.category_id),
               "::uuid UNION SELECT k.id FROM eq_categories k JOIN cats ON k.parent_id = cats.id WHERE NOT k.deleted) ");
    where.append(" AND e.category_id IN (SELECT id FROM cats)");
  }
  std::string origin;
  if (q.latitude) {
    origin = cat("ll_to_earth(", p.add(*q.latitude), "::float8, ", p.add(*q.longitude), "::float8)");
  }
  const std::string session_cond = session_condition(q, p, origin);
  if (has_session_filter(q)) where.append(cat(" AND EXISTS (SELECT 1 FROM eq_sessions s WHERE ", session_cond, ")"));
  // Distance and the next start come from the sessions that match, as the filters do: a
  // cancelled session next door, or one outside the dates, must not rank the event.
  if (q.latitude) {
    select_extra.append(cat(", (SELECT min(earth_distance(", origin,
                            ", ll_to_earth(s.latitude, s.longitude))) FROM eq_sessions s WHERE ", session_cond,
                            " AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS distance"));
  }
  // The price likewise: the cheapest tier, within the price bounds, of a matching session.
  // eq_session_prices lists only sellable tiers (not those of RESERVED seats only).
  if (q.sort == "price") {
    select_extra.append(cat(", (SELECT min(tp.price_cents) FROM eq_sessions s JOIN eq_session_prices tp ON ",
                            "tp.session_id = s.id WHERE ", session_cond, price_bounds(q, p, "tp"), ") AS min_price"));
  }
  // Events with an upcoming (matching) session come first; then the requested order.
  const std::string next_start =
      cat("(SELECT min(s.start_time) FROM eq_sessions s WHERE ", session_cond,
          " AND s.start_time > now() AND s.status IN ('SCHEDULED', 'ON_SALE', 'SOLD_OUT'))");
  const std::string dir = q.descending ? " DESC" : " ASC";
  std::string order = "(next_start IS NULL)";
  std::string sort = q.sort;
  if (sort.empty()) sort = q.text ? "relevance" : q.latitude ? "distance" : "date";
  if (sort == "relevance") {
    order.append(q.descending || q.sort.empty() ? ", rank DESC" : ", rank ASC");
  } else if (sort == "distance") {
    order.append(cat(", distance", dir, " NULLS LAST"));
  } else if (sort == "date") {
    order.append(cat(", next_start", dir, " NULLS LAST"));
  } else if (sort == "title") {
    order.append(cat(", lower(e.title)", dir));
  } else if (sort == "price") {
    order.append(cat(", min_price", dir, " NULLS LAST"));
  } else if (sort == "createdAt") {
    order.append(cat(", e.created_at", dir));
  }
  order.append(", e.id");
  const std::string limit = p.add(q.size);
  const std::string offset = p.add(q.page * q.size);
  const std::string sql =
      cat(with, "SELECT id, total FROM (SELECT e.id, e.title, e.created_at, ",
          "count(*) OVER () AS total, ", next_start, " AS next_start", select_extra, " FROM eq_events e WHERE ", where,
          ") AS e ORDER BY ", order, " LIMIT ", limit, " OFFSET ", offset);
  auto r = co_await db.query_encoded(sql, std::move(p.values));
  SearchPage page;
  for (auto row : r) {
    page.ids.push_back(row.get<Uuid>(0));
    page.total = row.get<std::int64_t>(1);
  }
  if (r.empty() && q.page > 0) {
    // Past the last page: the count still matters to the client's pager.
    // Rebuilding the filter for a count is not worth a second code path: re-run page 0.
    SearchQuery first = q;
    first.page = 0;
    auto head = co_await run_search(db, first);
    page.total = head.total;
  }
  co_return page;
}

json::Json page_object(json::Json content, std::int64_t total, std::int64_t page, std::int64_t size) {
  const std::int64_t pages = size > 0 ? (total + size - 1) / size : 0;
  const auto n = static_cast<std::int64_t>(content.size());
  return json::Json{{"content", std::move(content)},
                    {"totalElements", total},
                    {"totalPages", pages},
                    {"number", page},
                    {"size", size},
                    {"numberOfElements", n},
                    {"first", page == 0},
                    {"last", page + 1 >= pages},
                    {"empty", n == 0}};
}

}  // namespace ticketly::event_query
