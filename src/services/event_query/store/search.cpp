#include "services/event_query/store/search.h"

namespace ticketly::event_query {

namespace {

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

// What one session `s` of event `e` must satisfy apart from the prices: not cancelled, the
// date and geo bounds. `origin` is the search's point, if any.
std::string session_bounds(const SearchQuery& q, Params& p, const std::string& origin) {
  std::string cond = "s.event_id = e.id AND s.status <> 'CANCELLED'";
  if (q.date_from) cond.append(cat(" AND s.start_time >= ", p.add(*q.date_from), "::timestamptz"));
  if (q.date_to) cond.append(cat(" AND s.start_time <= ", p.add(*q.date_to), "::timestamptz"));
  if (q.radius_km) {
    const std::string meters = cat(p.add(*q.radius_km * 1000.0), "::float8");
    cond.append(cat(" AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL AND earth_box(", origin, ", ", meters,
                    ") @> ll_to_earth(s.latitude, s.longitude) AND earth_distance(", origin,
                    ", ll_to_earth(s.latitude, s.longitude)) <= ", meters));
  }
  return cond;
}

// ... and that one of its tiers is within the price bounds (" AND …", or empty).
std::string session_price_condition(const SearchQuery& q, Params& p) {
  if (!q.price_min_cents && !q.price_max_cents) return {};
  return cat(" AND EXISTS (SELECT 1 FROM eq_session_prices pr WHERE pr.session_id = s.id", price_bounds(q, p, "pr"),
             ")");
}

}  // namespace

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
  const std::string bounds = session_bounds(q, p, origin);
  const std::string session_cond = cat(bounds, session_price_condition(q, p));
  if (has_session_filter(q)) where.append(cat(" AND EXISTS (SELECT 1 FROM eq_sessions s WHERE ", session_cond, ")"));
  // Distance and the next start come from the sessions that match, as the filters do: a
  // cancelled session next door, or one outside the dates, must not rank the event.
  if (q.latitude) {
    select_extra.append(cat(", (SELECT min(earth_distance(", origin,
                            ", ll_to_earth(s.latitude, s.longitude))) FROM eq_sessions s WHERE ", session_cond,
                            " AND s.latitude IS NOT NULL AND s.longitude IS NOT NULL) AS distance"));
  }
  // The price likewise: the cheapest tier, within the price bounds, of a matching session
  // (the tier within the bounds is the session's price match, so no EXISTS is needed here).
  // eq_session_prices lists only sellable tiers (not those of RESERVED seats only).
  if (q.sort == "price") {
    select_extra.append(cat(", (SELECT min(tp.price_cents) FROM eq_sessions s JOIN eq_session_prices tp ON ",
                            "tp.session_id = s.id WHERE ", bounds, price_bounds(q, p, "tp"), ") AS min_price"));
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
