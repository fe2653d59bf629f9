#include "services/order/store/catalog_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

namespace ticketly::order::store {
namespace {

constexpr db::Statement kUpsertEvent{"order.catalog.upsert_event", R"sql(
  INSERT INTO catalog_events AS e (id, version, deleted, status, owner_id, organization_id, title, snapshot, updated_at)
  VALUES ($1, $2, false, $3, $4, $5, $6, $7::jsonb, now())
  ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = false, status = EXCLUDED.status,
     owner_id = EXCLUDED.owner_id, organization_id = EXCLUDED.organization_id, title = EXCLUDED.title,
     snapshot = EXCLUDED.snapshot, updated_at = now()
   WHERE e.version < EXCLUDED.version)sql"};
constexpr db::Statement kDeleteEvent{"order.catalog.delete_event", R"sql(
  INSERT INTO catalog_events AS e (id, version, deleted, status, snapshot)
  VALUES ($1, $2, true, 'DELETED', '{}'::jsonb)
  ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = true, updated_at = now()
   WHERE e.version < EXCLUDED.version)sql"};
// FOR NO KEY UPDATE, not FOR UPDATE: it serialises catalog writers of the session without
// conflicting with the FOR KEY SHARE that a hold's order row takes on it (its foreign key).
// A hold locks its seats first and its session last; FOR UPDATE here waited for one while
// the hold waited for the other: a deadlock, broken after deadlock_timeout by aborting one.
constexpr db::Statement kSessionHash{"order.catalog.session_hash",
                                     "SELECT layout_hash FROM sessions WHERE id = $1 FOR NO KEY UPDATE"};
// A hold in flight has locked its seats but its order may not be visible yet: waiting for
// the seats' locks lets a second has-orders check see every committed hold. In seat-id
// order, as order_place locks them (sessions, too, are taken in id order).
constexpr db::Statement kLockSeats{"order.catalog.lock_seats", R"sql(
  SELECT count(*) FROM (SELECT 1 FROM seats WHERE session_id = $1 ORDER BY seat_id FOR UPDATE) l)sql"};
constexpr db::Statement kUpsertSession{"order.catalog.upsert_session", R"sql(
  INSERT INTO sessions (id, event_id, organization_id, status, start_time, end_time, sales_start, layout_hash, removed)
  VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7::timestamptz, $8, false)
  ON CONFLICT (id) DO UPDATE SET event_id = EXCLUDED.event_id, organization_id = EXCLUDED.organization_id,
     status = EXCLUDED.status, start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
     sales_start = EXCLUDED.sales_start, removed = false)sql"};
constexpr db::Statement kSessionHasOrders{"order.catalog.session_has_orders",
                                          "SELECT EXISTS (SELECT 1 FROM orders WHERE session_id = $1)"};
constexpr db::Statement kDeleteSeats{"order.catalog.delete_seats", "DELETE FROM seats WHERE session_id = $1"};
constexpr db::Statement kInsertSeats{"order.catalog.insert_seats", R"sql(
  INSERT INTO seats (session_id, seat_id, label, tier_id, price, block_id, block_name, block_type)
  SELECT $1, u.seat_id, u.label, u.tier_id, t.price, u.block_id, u.block_name, u.block_type
    FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::text[])
         AS u(seat_id, label, tier_id, block_id, block_name, block_type)
    JOIN unnest($8::uuid[], $9::bigint[]) AS t(tier_id, price) ON t.tier_id = u.tier_id)sql"};
constexpr db::Statement kSetHash{"order.catalog.set_hash", "UPDATE sessions SET layout_hash = $2 WHERE id = $1"};
constexpr db::Statement kReprice{"order.catalog.reprice", R"sql(
  UPDATE seats s SET price = t.price
    FROM unnest($2::uuid[], $3::bigint[]) AS t(tier_id, price)
   WHERE s.session_id = $1 AND s.tier_id = t.tier_id AND s.price <> t.price)sql"};
constexpr db::Statement kRemoveOtherSessions{"order.catalog.remove_sessions", R"sql(
  UPDATE sessions SET removed = true WHERE event_id = $1 AND NOT (id = ANY ($2::uuid[])) AND NOT removed)sql"};
constexpr db::Statement kSessionsOfEvent{"order.catalog.sessions_of_event",
                                         "SELECT id FROM sessions WHERE event_id = $1"};

constexpr db::Statement kUpsertOrg{"order.catalog.upsert_org", R"sql(
  INSERT INTO catalog_organizations AS o (id, version, deleted, name, owner_id, staff, updated_at)
  VALUES ($1, $2, false, $3, $4, $5::jsonb, now())
  ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = false, name = EXCLUDED.name,
     owner_id = EXCLUDED.owner_id, staff = EXCLUDED.staff, updated_at = now()
   WHERE o.version < EXCLUDED.version)sql"};
constexpr db::Statement kDeleteOrg{"order.catalog.delete_org", R"sql(
  INSERT INTO catalog_organizations AS o (id, version, deleted) VALUES ($1, $2, true)
  ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = true, updated_at = now()
   WHERE o.version < EXCLUDED.version)sql"};

constexpr db::Statement kLoadSession{"order.catalog.load_session", R"sql(
  SELECT e.snapshot::text, e.deleted, s.status, s.removed
    FROM sessions s JOIN catalog_events e ON e.id = s.event_id WHERE s.id = $1)sql"};
constexpr db::Statement kLoadSeats{"order.catalog.load_seats", R"sql(
  SELECT seat_id, label, tier_id, price, state, order_id FROM seats WHERE session_id = $1)sql"};
constexpr db::Statement kEventVersion{"order.catalog.event_version",
                                      "SELECT CASE WHEN deleted THEN 0 ELSE version END FROM catalog_events WHERE id = $1"};
constexpr db::Statement kLoadEvent{"order.catalog.load_event",
                                   "SELECT snapshot::text FROM catalog_events WHERE id = $1 AND NOT deleted"};
constexpr db::Statement kLoadOrg{"order.catalog.load_org", R"sql(
  SELECT version, name, owner_id, staff::text FROM catalog_organizations WHERE id = $1 AND NOT deleted)sql"};

std::optional<std::string> iso(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return format_iso8601(*t, true);
}

}  // namespace

asio::awaitable<ApplyResult> apply_event(db::Connection& tx, const CatalogEvent& event, const json::Json& stored) {
  ApplyResult out;
  const std::string snapshot = stored.dump();
  auto up = co_await tx.execute(kUpsertEvent, event.id, event.version, event.status, event.owner_id,
                                event.organization_id, event.title, snapshot);
  if (up.affected_rows() == 0) co_return out;  // older or the same version
  out.applied = true;

  std::vector<Uuid> tier_ids;
  std::vector<std::int64_t> tier_prices;
  for (const auto& t : event.tiers) {
    tier_ids.push_back(t.id);
    tier_prices.push_back(t.price.units());
  }
  // In id order: the seats of several sessions are then locked in the order holds use.
  std::vector<const CatalogSession*> sessions;
  for (const auto& s : event.sessions) sessions.push_back(&s);
  std::sort(sessions.begin(), sessions.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
  std::vector<Uuid> session_ids;
  for (const auto* session : sessions) {
    const auto& s = *session;
    session_ids.push_back(s.id);
    auto previous = co_await tx.execute(kSessionHash, s.id);
    const std::string status = s.status;
    const auto start = iso(s.start_time), end = iso(s.end_time), sales = iso(s.sales_start);
    // Named first: g++ 12 miscompiles ?: inside a co_await expression.
    std::string stored_hash = s.layout_hash;
    if (!previous.empty()) stored_hash = previous[0].get<std::string>(0);
    co_await tx.execute(kUpsertSession, s.id, event.id, event.organization_id, status, start, end, sales, stored_hash);
    const bool changed = previous.empty() || stored_hash != s.layout_hash;
    if (changed) {
      // Orders are never deleted, so a committed one settles it without locking anything
      // (a refused layout keeps its old hash: every later snapshot comes through here).
      bool has_orders = (co_await tx.execute(kSessionHasOrders, s.id)).scalar<bool>();
      if (!has_orders) {
        co_await tx.execute(kLockSeats, s.id);
        has_orders = (co_await tx.execute(kSessionHasOrders, s.id)).scalar<bool>();
      }
      if (has_orders) {
        // Orders pin the seats they hold or bought; the layout may change only before sales.
        out.warnings.push_back("session " + s.id.str() + ": layout changed while orders exist; kept the old seats");
      } else {
        co_await tx.execute(kDeleteSeats, s.id);
        std::vector<Uuid> ids, tiers;
        std::vector<std::string> labels, block_ids, block_names, block_types;
        for (const auto& seat : s.seats) {
          ids.push_back(seat.id);
          labels.push_back(seat.label);
          tiers.push_back(seat.tier_id);
          block_ids.push_back(seat.block_id);
          block_names.push_back(seat.block_name);
          block_types.push_back(seat.block_type);
        }
        if (!ids.empty()) {
          co_await tx.execute(kInsertSeats, s.id, ids, labels, tiers, block_ids, block_names, block_types, tier_ids,
                              tier_prices);
        }
        co_await tx.execute(kSetHash, s.id, s.layout_hash);
      }
    }
    if (!tier_ids.empty()) co_await tx.execute(kReprice, s.id, tier_ids, tier_prices);
  }
  co_await tx.execute(kRemoveOtherSessions, event.id, session_ids);
  auto all = co_await tx.execute(kSessionsOfEvent, event.id);
  for (auto row : all) out.sessions.push_back(row.get<Uuid>(0));
  co_return out;
}

asio::awaitable<ApplyResult> delete_event(db::Connection& tx, const Uuid& event_id, std::int64_t version) {
  ApplyResult out;
  auto r = co_await tx.execute(kDeleteEvent, event_id, version);
  if (r.affected_rows() == 0) co_return out;
  out.applied = true;
  const std::vector<Uuid> none;
  co_await tx.execute(kRemoveOtherSessions, event_id, none);
  auto all = co_await tx.execute(kSessionsOfEvent, event_id);
  for (auto row : all) out.sessions.push_back(row.get<Uuid>(0));
  co_return out;
}

asio::awaitable<bool> apply_organization(db::Connection& tx, const CatalogOrganization& org) {
  json::Json staff = json::Json::array();
  for (const auto& m : org.staff) staff.push_back({{"userId", m.user_id}, {"roles", m.roles}, {"active", m.active}});
  const std::string staff_text = staff.dump();
  auto r = co_await tx.execute(kUpsertOrg, org.id, org.version, org.name, org.owner_id, staff_text);
  co_return r.affected_rows() > 0;
}

asio::awaitable<bool> delete_organization(db::Connection& tx, const Uuid& id, std::int64_t version) {
  auto r = co_await tx.execute(kDeleteOrg, id, version);
  co_return r.affected_rows() > 0;
}

asio::awaitable<std::vector<SeatRow>> load_seat_states(db::Database& db, const Uuid& session_id) {
  auto r = co_await db.execute(kLoadSeats, session_id);
  std::vector<SeatRow> out;
  out.reserve(r.size());
  for (auto row : r) {
    out.push_back({row.get<Uuid>(0), row.get<std::string>(1), row.get<Uuid>(2),
                   Money::minor(row.get<std::int64_t>(3)), row.get<std::string>(4), row.get<std::optional<Uuid>>(5)});
  }
  co_return out;
}

asio::awaitable<std::optional<SessionInventoryRows>> load_session(db::Database& db, const Uuid& session_id) {
  auto r = co_await db.execute(kLoadSession, session_id);
  if (r.empty()) co_return std::nullopt;
  SessionInventoryRows out;
  out.event_deleted = r[0].get<bool>(1);
  out.session_status = r[0].get<std::string>(2);
  out.removed = r[0].get<bool>(3);
  if (!out.event_deleted) out.event = parse_event_snapshot(json::Json::parse(r[0].raw(0)));
  out.seats = co_await load_seat_states(db, session_id);
  co_return out;
}

asio::awaitable<std::int64_t> event_version(db::Database& db, const Uuid& event_id) {
  auto r = co_await db.execute(kEventVersion, event_id);
  co_return r.empty() ? 0 : r[0].get<std::int64_t>(0);
}

asio::awaitable<std::optional<CatalogEvent>> load_event(db::Database& db, const Uuid& event_id) {
  auto r = co_await db.execute(kLoadEvent, event_id);
  if (r.empty()) co_return std::nullopt;
  co_return parse_event_snapshot(json::Json::parse(r[0].raw(0)));
}

asio::awaitable<std::optional<CatalogOrganization>> load_organization(db::Database& db, const Uuid& id) {
  auto r = co_await db.execute(kLoadOrg, id);
  if (r.empty()) co_return std::nullopt;
  CatalogOrganization o;
  o.id = id;
  o.version = r[0].get<std::int64_t>(0);
  o.name = r[0].get<std::string>(1);
  o.owner_id = r[0].get<std::string>(2);
  auto staff = json::Json::parse(r[0].raw(3), nullptr, false);
  if (staff.is_array()) {
    for (const auto& m : staff) {
      StaffMember member;
      member.user_id = m.value("userId", "");
      member.active = m.value("active", false);
      if (m.contains("roles") && m.at("roles").is_array()) {
        for (const auto& role : m.at("roles")) {
          if (role.is_string()) member.roles.push_back(role.get<std::string>());
        }
      }
      o.staff.push_back(std::move(member));
    }
  }
  co_return o;
}

}  // namespace ticketly::order::store
