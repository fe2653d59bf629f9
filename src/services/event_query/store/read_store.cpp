#include "services/event_query/store/read_store.h"

namespace ticketly::event_query {

namespace {

// One or many events (a single one is a list of one). The last column is
// StoredEvent::starting_price_cents (eq_session_prices holds only sellable tiers: those of
// seats that are not RESERVED, per session).
constexpr db::Statement kEvents{"eq.events", R"sql(
SELECT e.id, e.status, coalesce(e.owner_id, ''), e.doc::text,
       (SELECT min(pr.price_cents) FROM eq_sessions s JOIN eq_session_prices pr ON pr.session_id = s.id
        WHERE s.event_id = e.id AND s.status <> 'CANCELLED')
FROM eq_events e WHERE e.id = ANY($1::uuid[]) AND NOT e.deleted)sql"};

constexpr db::Statement kEventIdOfSession{"eq.event_id_of_session", "SELECT event_id FROM eq_sessions WHERE id = $1"};

constexpr db::Statement kSeatStates{"eq.seat_states",
                                    "SELECT seat_id::text, status FROM eq_seat_status WHERE session_id = $1"};

constexpr db::Statement kCategories{"eq.categories", R"sql(
SELECT c.id::text, coalesce(c.name, ''), c.parent_id::text, p.name
FROM eq_categories c LEFT JOIN eq_categories p ON p.id = c.parent_id AND NOT p.deleted
WHERE NOT c.deleted AND ($1 = false OR c.parent_id IS NULL)
ORDER BY c.name, c.id)sql"};

// Statements without parameters are sent unprepared, planned on each run: a prepared one
// keeps the plan of its first run (plan_cache_mode does not apply without parameters),
// and one made while the tables were small joined them by nested loops over full scans
// (20 s at 20k sessions, where a fresh plan takes 10 ms).
constexpr db::Statement kSessionCount{"eq.session_count", R"sql(
SELECT count(*) FROM eq_sessions s JOIN eq_events e ON e.id = s.event_id
WHERE NOT e.deleted AND e.status IN ('APPROVED', 'COMPLETED'))sql"};

constexpr db::Statement kOrdersOfEvent{"eq.orders_of_event", R"sql(
SELECT coalesce(session_id::text, ''), status, subtotal_cents, price_cents, tickets::text
FROM eq_orders WHERE event_id = $1)sql"};

constexpr db::Statement kAddView{"eq.add_view", R"sql(
INSERT INTO eq_page_views (event_id, views) VALUES ($1, 1)
ON CONFLICT (event_id) DO UPDATE SET views = eq_page_views.views + 1
RETURNING views)sql"};

// score = views + 10 · tickets sold + 5 · sell-out % (API.md §2), over public events.
// The sell-out is that of the sessions on offer, as in the event's analytics
// (analytics::event_summary): tickets of sessions not cancelled over their capacity. A
// cancelled session's capacity would understate it; its tickets (and those of a removed
// session, which has no row) still count as tickets sold.
constexpr db::Statement kRecomputeTrending{"eq.recompute_trending", R"sql(
WITH sold AS (
  SELECT o.event_id, sum(jsonb_array_length(o.tickets)) AS tickets,
         coalesce(sum(jsonb_array_length(o.tickets)) FILTER (WHERE s.id IS NOT NULL), 0) AS offered_tickets
  FROM eq_orders o
  LEFT JOIN eq_sessions s ON s.id = o.session_id AND s.event_id = o.event_id AND s.status <> 'CANCELLED'
  WHERE o.status = 'completed' GROUP BY o.event_id),
cap AS (SELECT event_id, sum(capacity) AS capacity FROM eq_sessions WHERE status <> 'CANCELLED' GROUP BY event_id),
scored AS (
  SELECT e.id,
         coalesce(v.views, 0) + 10 * coalesce(s.tickets, 0)
           + 5 * CASE WHEN coalesce(c.capacity, 0) > 0
                      THEN least(100.0, 100.0 * coalesce(s.offered_tickets, 0) / c.capacity) ELSE 0 END AS score
  FROM eq_events e
  LEFT JOIN eq_page_views v ON v.event_id = e.id
  LEFT JOIN sold s ON s.event_id = e.id
  LEFT JOIN cap c ON c.event_id = e.id
  WHERE NOT e.deleted AND e.status = 'APPROVED'),
cleared AS (DELETE FROM eq_trending WHERE event_id NOT IN (SELECT id FROM scored))
INSERT INTO eq_trending (event_id, score, computed_at)
SELECT id, score, now() FROM scored
ON CONFLICT (event_id) DO UPDATE SET score = EXCLUDED.score, computed_at = EXCLUDED.computed_at)sql"};

constexpr db::Statement kTrendingComputedAt{"eq.trending_computed_at", "SELECT max(computed_at) FROM eq_trending"};

constexpr db::Statement kTrending{"eq.trending", R"sql(
SELECT e.id FROM eq_trending t JOIN eq_events e ON e.id = t.event_id
WHERE NOT e.deleted AND e.status = 'APPROVED'
ORDER BY t.score DESC, e.title, e.id LIMIT $1)sql"};


}  // namespace

asio::awaitable<std::optional<StoredEvent>> ReadStore::event(const Uuid& id) {
  const std::vector<Uuid> ids{id};
  auto rows = co_await events(ids);
  if (rows.empty()) co_return std::nullopt;
  co_return std::move(rows.front().second);
}

asio::awaitable<std::vector<std::pair<Uuid, StoredEvent>>> ReadStore::events(const std::vector<Uuid>& ids) {
  std::vector<std::pair<Uuid, StoredEvent>> out;
  if (ids.empty()) co_return out;
  auto r = co_await db_.execute(kEvents, ids);
  for (auto row : r) {
    const auto text = row.get<std::string_view>(3);
    out.emplace_back(row.get<Uuid>(0), StoredEvent{row.get<std::string>(1), row.get<std::string>(2),
                                                   json::Json::parse(text), row.get<std::optional<std::int64_t>>(4),
                                                   text.size()});
  }
  co_return out;
}

asio::awaitable<std::optional<Uuid>> ReadStore::event_id_of_session(const Uuid& session_id) {
  auto r = co_await db_.execute(kEventIdOfSession, session_id);
  auto row = r.first();
  if (!row) co_return std::nullopt;
  co_return row->get<Uuid>(0);
}

asio::awaitable<std::map<std::string, std::string>> ReadStore::seat_states(const Uuid& session_id) {
  auto r = co_await db_.execute(kSeatStates, session_id);
  std::map<std::string, std::string> out;
  for (auto row : r) out.emplace(row.get<std::string>(0), row.get<std::string>(1));
  co_return out;
}

asio::awaitable<std::vector<Category>> ReadStore::categories(bool parents_only) {
  auto r = co_await db_.execute(kCategories, parents_only);
  std::vector<Category> out;
  for (auto row : r) {
    out.push_back(Category{row.get<std::string>(0), row.get<std::string>(1),
                           row.get<std::optional<std::string>>(2), row.get<std::optional<std::string>>(3)});
  }
  co_return out;
}

asio::awaitable<std::int64_t> ReadStore::session_count() {
  auto r = co_await db_.query(kSessionCount.sql);  // no parameters: see kSessionCount
  co_return r.scalar<std::int64_t>();
}

asio::awaitable<std::vector<StoredOrder>> ReadStore::orders_of_event(const Uuid& event_id) {
  auto r = co_await db_.execute(kOrdersOfEvent, event_id);
  std::vector<StoredOrder> out;
  for (auto row : r) {
    out.push_back(StoredOrder{row.get<std::string>(0), row.get<std::string>(1), row.get<std::int64_t>(2),
                              row.get<std::int64_t>(3), json::Json::parse(row.get<std::string_view>(4))});
  }
  co_return out;
}

asio::awaitable<std::int64_t> ReadStore::add_view(const Uuid& event_id) {
  auto r = co_await db_.execute(kAddView, event_id);
  co_return r.scalar<std::int64_t>();
}

asio::awaitable<std::int64_t> ReadStore::recompute_trending() {
  auto r = co_await db_.query(kRecomputeTrending.sql);  // no parameters: see kSessionCount
  co_return r.affected_rows();
}

asio::awaitable<std::optional<Timestamp>> ReadStore::trending_computed_at() {
  auto r = co_await db_.execute(kTrendingComputedAt);
  co_return r.one().get<std::optional<Timestamp>>(0);
}

asio::awaitable<std::vector<Uuid>> ReadStore::trending(std::int64_t limit) {
  auto r = co_await db_.execute(kTrending, limit);
  std::vector<Uuid> out;
  for (auto row : r) out.push_back(row.get<Uuid>(0));
  co_return out;
}

}  // namespace ticketly::event_query
