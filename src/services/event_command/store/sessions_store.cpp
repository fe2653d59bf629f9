#include "services/event_command/store/sessions_store.h"

#include "platform/db/error.h"
#include "platform/errors.h"

namespace ticketly::event_command::store {
namespace {

#define SESSION_COLUMNS \
  "s.id, s.event_id, s.start_time, s.end_time, s.sales_start_time, s.session_type, s.status, s.venue"

constexpr db::Statement kInsert{"ec.session.insert", R"sql(
  INSERT INTO sessions (id, event_id, start_time, end_time, sales_start_time, session_type, status, venue)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8))sql"};
constexpr db::Statement kInsertLayout{"ec.session.insert_layout", R"sql(
  INSERT INTO session_layouts (session_id, layout, seat_count, sellable_seats, tier_ids)
  VALUES ($1, $2, $3, $4, $5))sql"};
constexpr db::Statement kOfEvent{"ec.session.of_event", "SELECT " SESSION_COLUMNS
                                                        ", l.layout FROM sessions s LEFT JOIN session_layouts l "
                                                        "ON l.session_id = s.id WHERE s.event_id = $1 "
                                                        "ORDER BY s.start_time, s.id"};
constexpr db::Statement kFind{"ec.session.find", "SELECT " SESSION_COLUMNS
                                                 ", l.layout FROM sessions s LEFT JOIN session_layouts l "
                                                 "ON l.session_id = s.id WHERE s.id = $1"};
constexpr db::Statement kEventOf{"ec.session.event_of", "SELECT event_id FROM sessions WHERE id = $1"};
constexpr db::Statement kStatuses{"ec.session.statuses", "SELECT status FROM sessions WHERE event_id = $1"};
constexpr db::Statement kIds{"ec.session.ids", "SELECT id FROM sessions WHERE event_id = $1"};
constexpr db::Statement kCount{"ec.session.count", "SELECT count(*) FROM sessions WHERE event_id = $1"};
constexpr db::Statement kSchedule{"ec.session.schedule", R"sql(
  UPDATE sessions SET start_time = $2, end_time = $3, sales_start_time = $4, updated_at = now() WHERE id = $1)sql"};
constexpr db::Statement kStatus{"ec.session.status",
                                "UPDATE sessions SET status = $2, updated_at = now() WHERE id = $1"};
constexpr db::Statement kVenue{"ec.session.venue",
                               "UPDATE sessions SET session_type = $2, venue = $3, updated_at = now() WHERE id = $1"};
constexpr db::Statement kLayout{"ec.session.layout", R"sql(
  INSERT INTO session_layouts (session_id, layout, seat_count, sellable_seats, tier_ids, updated_at)
  VALUES ($1, $2, $3, $4, $5, now())
  ON CONFLICT (session_id) DO UPDATE SET layout = EXCLUDED.layout, seat_count = EXCLUDED.seat_count,
    sellable_seats = EXCLUDED.sellable_seats, tier_ids = EXCLUDED.tier_ids, updated_at = now())sql"};
constexpr db::Statement kDelete{"ec.session.delete", "DELETE FROM sessions WHERE id = $1"};

constexpr db::Statement kEventsOf{"ec.session.events_of",
                                  "SELECT id, event_id FROM sessions WHERE id = ANY ($1::uuid[])"};
constexpr db::Statement kCountOrders{"ec.sales.count_orders", R"sql(
  INSERT INTO counted_orders (order_id, session_id, discount_id)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
  ON CONFLICT (order_id) DO NOTHING
  RETURNING order_id)sql"};
constexpr db::Statement kBook{"ec.sales.book", R"sql(
  INSERT INTO seat_sales (session_id, seat_id, order_id)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
  ON CONFLICT (session_id, seat_id) DO NOTHING)sql"};
constexpr db::Statement kSoldOut{"ec.sales.sold_out", R"sql(
  SELECT l.sellable_seats > 0 AND
         (SELECT count(*) FROM seat_sales b WHERE b.session_id = l.session_id) >= l.sellable_seats
    FROM session_layouts l WHERE l.session_id = $1)sql"};
constexpr db::Statement kBooked{"ec.sales.booked", "SELECT seat_id FROM seat_sales WHERE session_id = $1"};

constexpr db::Statement kStatusCounts{"ec.analytics.status_counts", R"sql(
  SELECT s.status, count(*) FROM sessions s JOIN events e ON e.id = s.event_id
   WHERE e.organization_id = $1 AND ($2::uuid IS NULL OR e.id = $2)
   GROUP BY s.status)sql"};
constexpr db::Statement kOrgSessions{"ec.analytics.org_sessions", "SELECT " SESSION_COLUMNS R"sql(,
         NULL::jsonb, e.title, e.status, c.name
    FROM sessions s JOIN events e ON e.id = s.event_id JOIN categories c ON c.id = e.category_id
   WHERE e.organization_id = $1 AND ($2::text IS NULL OR s.status = $2)
   ORDER BY s.start_time, s.id LIMIT $3 OFFSET $4)sql"};
constexpr db::Statement kOrgSessionsCount{"ec.analytics.org_sessions_count", R"sql(
  SELECT count(*) FROM sessions s JOIN events e ON e.id = s.event_id
   WHERE e.organization_id = $1 AND ($2::text IS NULL OR s.status = $2))sql"};

Session session_from(const db::Row& r) {
  Session s;
  s.id = r.get<Uuid>(0);
  s.event_id = r.get<Uuid>(1);
  s.schedule = {r.get<Timestamp>(2), r.get<Timestamp>(3), r.get<Timestamp>(4)};
  s.type = parse_session_type(r.get<std::string_view>(5)).value_or(SessionType::Physical);
  s.status = parse_session_status(r.get<std::string_view>(6)).value_or(SessionStatus::Scheduled);
  s.venue = venue_from_json(r.get<Json>(7));
  s.layout = r.get<std::optional<Json>>(8).value_or(Json::object());
  return s;
}

std::vector<Uuid> uuids(const db::Result& r) {
  std::vector<Uuid> out;
  for (auto row : r) out.push_back(row.get<Uuid>(0));
  return out;
}

}  // namespace

asio::awaitable<void> insert_session(db::Connection& c, const Session& s, const NormalizedLayout& layout) {
  try {
    co_await c.execute(kInsert, s.id, s.event_id, s.schedule.start, s.schedule.end, s.schedule.sales_start,
                       std::string(to_string(s.type)), std::string(to_string(s.status)), venue_to_json(s.venue));
  } catch (const db::DbError& e) {
    if (!e.is_unique_violation()) throw;
    throw conflict("The session id " + s.id.str() + " is already in use");
  }
  co_await c.execute(kInsertLayout, s.id, layout.data, static_cast<std::int64_t>(layout.seat_count),
                     static_cast<std::int64_t>(layout.sellable_seats), layout.tier_ids);
}

asio::awaitable<std::vector<Session>> sessions_of_event(db::Connection& c, const Uuid& event_id) {
  auto r = co_await c.execute(kOfEvent, event_id);
  std::vector<Session> out;
  for (auto row : r) out.push_back(session_from(row));
  co_return out;
}

asio::awaitable<std::optional<Session>> find_session(db::Connection& c, const Uuid& id) {
  auto r = co_await c.execute(kFind, id);
  if (r.empty()) co_return std::nullopt;
  co_return session_from(r[0]);
}

asio::awaitable<std::optional<Uuid>> event_of_session(db::Connection& c, const Uuid& id) {
  auto r = co_await c.execute(kEventOf, id);
  if (r.empty()) co_return std::nullopt;
  co_return r[0].get<Uuid>(0);
}

asio::awaitable<std::vector<Uuid>> session_ids_of_event(db::Connection& c, const Uuid& event_id) {
  auto r = co_await c.execute(kIds, event_id);
  co_return uuids(r);
}

asio::awaitable<std::vector<SessionStatus>> session_statuses(db::Connection& c, const Uuid& event_id) {
  auto r = co_await c.execute(kStatuses, event_id);
  std::vector<SessionStatus> out;
  for (auto row : r) out.push_back(parse_session_status(row.get<std::string_view>(0)).value_or(SessionStatus::Scheduled));
  co_return out;
}

asio::awaitable<std::int64_t> count_sessions(db::Connection& c, const Uuid& event_id) {
  co_return (co_await c.execute(kCount, event_id)).scalar<std::int64_t>();
}

asio::awaitable<void> update_schedule(db::Connection& c, const Uuid& id, const Schedule& s) {
  co_await c.execute(kSchedule, id, s.start, s.end, s.sales_start);
}

asio::awaitable<void> update_status(db::Connection& c, const Uuid& id, SessionStatus status) {
  co_await c.execute(kStatus, id, std::string(to_string(status)));
}

asio::awaitable<void> update_venue(db::Connection& c, const Uuid& id, SessionType type, const Venue& venue) {
  co_await c.execute(kVenue, id, std::string(to_string(type)), venue_to_json(venue));
}

asio::awaitable<void> update_layout(db::Connection& c, const Uuid& id, const NormalizedLayout& layout) {
  co_await c.execute(kLayout, id, layout.data, static_cast<std::int64_t>(layout.seat_count),
                     static_cast<std::int64_t>(layout.sellable_seats), layout.tier_ids);
}

asio::awaitable<void> delete_session(db::Connection& c, const Uuid& id) { co_await c.execute(kDelete, id); }

asio::awaitable<std::unordered_map<Uuid, Uuid>> events_of_sessions(db::Connection& c,
                                                                   const std::vector<Uuid>& session_ids) {
  std::unordered_map<Uuid, Uuid> out;
  if (session_ids.empty()) co_return out;
  auto r = co_await c.execute(kEventsOf, session_ids);
  for (auto row : r) out.emplace(row.get<Uuid>(0), row.get<Uuid>(1));
  co_return out;
}

asio::awaitable<std::unordered_set<Uuid>> count_orders(db::Connection& c, const std::vector<OrderToCount>& orders) {
  std::unordered_set<Uuid> out;
  if (orders.empty()) co_return out;
  std::vector<Uuid> ids, sessions;
  std::vector<std::optional<Uuid>> discounts;
  for (const auto& o : orders) {
    ids.push_back(o.order_id);
    sessions.push_back(o.session_id);
    discounts.push_back(o.discount_id);
  }
  auto r = co_await c.execute(kCountOrders, ids, sessions, discounts);
  for (auto row : r) out.insert(row.get<Uuid>(0));
  co_return out;
}

void SeatSales::add(const Uuid& session_id, const std::vector<Uuid>& seats, const Uuid& order_id) {
  for (const auto& seat : seats) {
    session_ids.push_back(session_id);
    seat_ids.push_back(seat);
    order_ids.push_back(order_id);
  }
}

asio::awaitable<void> book_seats(db::Connection& c, const SeatSales& sales) {
  if (sales.empty()) co_return;
  co_await c.execute(kBook, sales.session_ids, sales.seat_ids, sales.order_ids);
}

asio::awaitable<bool> sold_out(db::Connection& c, const Uuid& session_id) {
  auto r = co_await c.execute(kSoldOut, session_id);
  co_return !r.empty() && r[0].get<bool>(0);
}

asio::awaitable<std::vector<Uuid>> booked_seats(db::Connection& c, const Uuid& session_id) {
  auto r = co_await c.execute(kBooked, session_id);
  co_return uuids(r);
}

asio::awaitable<std::vector<StatusCount>> session_counts(db::Connection& c, const Uuid& organization_id,
                                                         const std::optional<Uuid>& event_id) {
  auto r = co_await c.execute(kStatusCounts, organization_id, event_id);
  std::vector<StatusCount> out;
  for (auto row : r) {
    auto status = parse_session_status(row.get<std::string_view>(0));
    if (status) out.push_back({*status, row.get<std::int64_t>(1)});
  }
  co_return out;
}

asio::awaitable<Page<SessionListing>> sessions_of_organization(db::Connection& c, const Uuid& organization_id,
                                                               const std::optional<SessionStatus>& status,
                                                               PageRequest page) {
  std::optional<std::string> status_text;
  if (status) status_text = std::string(to_string(*status));
  auto rows = co_await c.execute(kOrgSessions, organization_id, status_text, page.size, page.offset());
  auto total = co_await c.execute(kOrgSessionsCount, organization_id, status_text);
  Page<SessionListing> out{{}, total.scalar<std::int64_t>(), page};
  for (auto row : rows) {
    SessionListing l;
    l.session = session_from(row);
    l.event_title = row.get<std::string>(9);
    l.event_status = parse_event_status(row.get<std::string_view>(10)).value_or(EventStatus::Pending);
    l.category_name = row.get<std::string>(11);
    out.items.push_back(std::move(l));
  }
  co_return out;
}

}  // namespace ticketly::event_command::store
