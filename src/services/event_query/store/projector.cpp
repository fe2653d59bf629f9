#include "services/event_query/store/projector.h"

#include <map>
#include <optional>
#include <stdexcept>
#include <string>

#include "platform/bus/consumer.h"
#include "platform/text/ascii.h"
#include "services/event_query/model/event_snapshot.h"
#include "services/event_query/model/json_fields.h"

namespace ticketly::event_query {

namespace {

constexpr db::Statement kUpsertEvent{"eq.upsert_event", R"sql(
INSERT INTO eq_events (id, version, deleted, status, owner_id, organization_id, category_id, title,
                       created_at, doc, search, applied_at)
VALUES ($1, $2, false, $3, $4, $5, $6, $7, $8, $9::jsonb,
        setweight(to_tsvector('english', coalesce($7, '')), 'A') ||
        setweight(to_tsvector('english', coalesce($10::text, '')), 'B'), now())
ON CONFLICT (id) DO UPDATE SET
  version = EXCLUDED.version, deleted = false, status = EXCLUDED.status, owner_id = EXCLUDED.owner_id,
  organization_id = EXCLUDED.organization_id, category_id = EXCLUDED.category_id, title = EXCLUDED.title,
  created_at = EXCLUDED.created_at, doc = EXCLUDED.doc, search = EXCLUDED.search, applied_at = now()
WHERE eq_events.version < EXCLUDED.version
RETURNING id)sql"};

constexpr db::Statement kTombstoneEvent{"eq.tombstone_event", R"sql(
INSERT INTO eq_events (id, version, deleted) VALUES ($1, $2, true)
ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = true, status = NULL, doc = NULL,
  search = NULL, title = NULL, applied_at = now()
WHERE eq_events.version < EXCLUDED.version
RETURNING id)sql"};

// Returns what was there, so the snapshot can tell which sessions' maps it changes.
constexpr db::Statement kDeleteSessions{"eq.delete_sessions",
                                        "DELETE FROM eq_sessions WHERE event_id = $1 RETURNING id, map_hash"};

constexpr db::Statement kInsertSession{"eq.insert_session", R"sql(
INSERT INTO eq_sessions (id, event_id, start_time, end_time, sales_start_time, status, session_type,
                         latitude, longitude, capacity, map_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE SET event_id = EXCLUDED.event_id, start_time = EXCLUDED.start_time,
  end_time = EXCLUDED.end_time, sales_start_time = EXCLUDED.sales_start_time, status = EXCLUDED.status,
  session_type = EXCLUDED.session_type, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
  capacity = EXCLUDED.capacity, map_hash = EXCLUDED.map_hash)sql"};

constexpr db::Statement kInsertPrices{"eq.insert_prices", R"sql(
INSERT INTO eq_session_prices (session_id, tier_id, price_cents)
SELECT $1::uuid, t, p FROM unnest($2::uuid[], $3::bigint[]) AS x(t, p)
ON CONFLICT DO NOTHING)sql"};

// A category known only from an event snapshot: version 0, so any CategorySnapshot wins.
constexpr db::Statement kSeedCategory{"eq.seed_category", R"sql(
INSERT INTO eq_categories (id, version, name, parent_id) VALUES ($1, 0, $2, $3)
ON CONFLICT (id) DO NOTHING)sql"};

constexpr db::Statement kUpsertCategory{"eq.upsert_category", R"sql(
INSERT INTO eq_categories (id, version, deleted, name, parent_id) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, deleted = EXCLUDED.deleted,
  name = COALESCE(EXCLUDED.name, eq_categories.name), parent_id = EXCLUDED.parent_id
WHERE eq_categories.version < EXCLUDED.version
RETURNING id)sql"};

constexpr db::Statement kUpsertSeats{"eq.upsert_seats", R"sql(
INSERT INTO eq_seat_status (session_id, seat_id, status, order_id, seq)
SELECT $1::uuid, s, $3::text, $4::uuid, $5::bigint FROM unnest($2::uuid[]) AS x(s)
ON CONFLICT (session_id, seat_id) DO UPDATE SET status = EXCLUDED.status, order_id = EXCLUDED.order_id,
  seq = EXCLUDED.seq
WHERE eq_seat_status.seq < EXCLUDED.seq
RETURNING seat_id)sql"};

// Order snapshots, one row per order (in id order: Projector::upsert_orders); a row only
// replaces an older version.
constexpr db::Statement kUpsertOrders{"eq.upsert_orders", R"sql(
INSERT INTO eq_orders (id, version, event_id, session_id, status, subtotal_cents, discount_cents, price_cents,
                       created_at, tickets)
SELECT * FROM unnest($1::uuid[], $2::int8[], $3::uuid[], $4::uuid[], $5::text[], $6::int8[], $7::int8[], $8::int8[],
                     $9::timestamptz[], $10::jsonb[])
ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, event_id = EXCLUDED.event_id,
  session_id = EXCLUDED.session_id, status = EXCLUDED.status, subtotal_cents = EXCLUDED.subtotal_cents,
  discount_cents = EXCLUDED.discount_cents, price_cents = EXCLUDED.price_cents,
  created_at = EXCLUDED.created_at, tickets = EXCLUDED.tickets
WHERE eq_orders.version < EXCLUDED.version)sql"};

constexpr db::Statement kNotify{"eq.notify", "SELECT pg_notify('event_query_changes', $1)"};
// Several notifications in one statement, in array order: the seat changes of a batch.
constexpr db::Statement kNotifyAll{"eq.notify_all",
                                   "SELECT count(pg_notify('event_query_changes', p)) FROM unnest($1::text[]) AS p"};

json::Json parse_payload(const bus::Message& m) {
  auto j = json::Json::parse(m.payload, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) throw std::invalid_argument("payload is not a JSON object");
  return j;
}

}  // namespace

std::string catalog_change_payload(std::string_view event_id) {
  return json::Json{{"k", "c"}, {"e", event_id}}.dump();
}

std::string resync_all_payload() { return json::Json{{"k", "r"}}.dump(); }

namespace {

// NOTIFY payloads must stay under 8000 bytes; a UUID costs 39 in a list. `make` turns each
// chunk of ids (a JSON array) into one payload.
template <class Make>
std::vector<std::string> chunked_payloads(const std::vector<std::string>& ids, Make make) {
  constexpr std::size_t kPerChunk = 150;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < ids.size(); i += kPerChunk) {
    json::Json chunk = json::Json::array();
    for (std::size_t j = i; j < ids.size() && j < i + kPerChunk; ++j) chunk.push_back(ids[j]);
    out.push_back(make(std::move(chunk)).dump());
  }
  return out;
}

// The notifications of an applied event message: the catalog change, then the sessions
// whose map changed.
std::vector<std::string> event_change_payloads(const Uuid& event_id, const std::vector<std::string>& changed_maps) {
  std::vector<std::string> out{catalog_change_payload(event_id.str())};
  for (auto& p : map_change_payloads(changed_maps)) out.push_back(std::move(p));
  return out;
}

}  // namespace

std::vector<std::string> map_change_payloads(const std::vector<std::string>& session_ids) {
  return chunked_payloads(session_ids, [](json::Json ids) { return json::Json{{"k", "m"}, {"ss", std::move(ids)}}; });
}

std::vector<std::string> seat_change_payloads(std::string_view session_id, std::string_view status, std::int64_t seq,
                                              const std::vector<std::string>& seat_ids) {
  return chunked_payloads(seat_ids, [&](json::Json ids) {
    return json::Json{{"k", "s"}, {"s", session_id}, {"st", status}, {"q", seq}, {"ids", std::move(ids)}};
  });
}

asio::awaitable<void> Projector::apply(const bus::Message& message) {
  auto payload = parse_payload(message);
  if (message.topic == kEventsTopic) {
    co_await apply_event_message(payload);
  } else if (message.topic == kCategoriesTopic) {
    co_await apply_category_message(payload);
  } else if (message.topic == kSeatStatusTopic) {
    co_await apply_seat_status(payload);
  } else {
    co_await apply_order(payload);
  }
}

asio::awaitable<void> Projector::apply_event_message(const json::Json& payload) {
  const std::string type = fields::opt_str(payload, "type").value_or("");
  if (type == "EventDeleted") {
    const Uuid id = fields::uuid(payload, "eventId");
    const std::int64_t version = fields::integer(payload, "version");
    auto tx = [&](db::Connection& c) -> asio::awaitable<void> {
      auto r = co_await c.execute(kTombstoneEvent, id, version);
      if (r.empty()) co_return;  // stale
      auto gone = co_await c.execute(kDeleteSessions, id);
      std::vector<std::string> sessions;
      for (auto row : gone) sessions.push_back(row.get<Uuid>(0).str());
      co_await c.execute(kNotifyAll, event_change_payloads(id, sessions));
    };
    co_await db_.transaction(tx);
    co_return;
  }
  if (type != "EventSnapshot") co_return;  // a type added later: not ours to read
  const EventSnapshot snap = parse_event_snapshot(payload);
  const json::Json doc = snap.doc;
  auto tx = [&](db::Connection& c) -> asio::awaitable<void> {
    std::optional<Uuid> category_id;
    if (snap.category) category_id = snap.category->id;
    auto r = co_await c.execute(kUpsertEvent, snap.id, snap.version, snap.status, snap.owner_id, snap.organization_id,
                                category_id, snap.title, snap.created_at, doc, snap.description);
    if (r.empty()) co_return;  // an older or repeated version
    if (snap.category) {
      co_await c.execute(kSeedCategory, snap.category->id, snap.category->name, snap.category->parent_id);
    }
    auto before = co_await c.execute(kDeleteSessions, snap.id);
    std::map<Uuid, std::string> old_maps;  // session -> map fingerprint
    for (auto row : before) old_maps.emplace(row.get<Uuid>(0), row.get<std::string>(1));
    std::vector<std::string> changed_maps;
    for (const auto& s : snap.sessions) {
      if (auto it = old_maps.find(s.id); it != old_maps.end()) {
        // '' = stored before fingerprints existed: unknown, not changed (else the first
        // snapshot after the upgrade, perhaps a sale's opening, would resync everyone).
        if (!it->second.empty() && it->second != s.map_hash) changed_maps.push_back(s.id.str());
        old_maps.erase(it);
      }
      co_await c.execute(kInsertSession, s.id, snap.id, s.start_time, s.end_time, s.sales_start_time, s.status,
                         s.session_type, s.latitude, s.longitude, s.capacity, s.map_hash);
      if (s.prices.empty()) continue;
      std::vector<Uuid> tiers;
      std::vector<std::int64_t> prices;
      for (const auto& [tier, price] : s.prices) {
        tiers.push_back(tier);
        prices.push_back(price);
      }
      co_await c.execute(kInsertPrices, s.id, tiers, prices);
    }
    for (const auto& [removed, _] : old_maps) changed_maps.push_back(removed.str());
    // Only sessions whose map changed: a status flip (the sale opening) must not send every
    // watcher of a 10,000-seat map to fetch it again at the same moment.
    co_await c.execute(kNotifyAll, event_change_payloads(snap.id, changed_maps));
  };
  co_await db_.transaction(tx);
}

asio::awaitable<void> Projector::apply_category_message(const json::Json& payload) {
  const std::string type = fields::opt_str(payload, "type").value_or("");
  const std::int64_t version = fields::integer(payload, "version");
  Uuid id;
  bool deleted = false;
  std::optional<std::string> name;
  std::optional<Uuid> parent;
  if (type == "CategoryDeleted") {
    id = fields::uuid(payload, "categoryId");
    deleted = true;
  } else if (type == "CategorySnapshot") {
    const json::Json* cat = fields::find(payload, "category");
    if (!cat) throw std::invalid_argument("field 'category' is required");
    id = fields::uuid(*cat, "id");
    name = fields::str(*cat, "name");
    parent = fields::opt_uuid(*cat, "parentId");
  } else {
    co_return;
  }
  auto tx = [&](db::Connection& c) -> asio::awaitable<void> {
    auto r = co_await c.execute(kUpsertCategory, id, version, deleted, name, parent);
    if (!r.empty()) co_await c.execute(kNotify, catalog_change_payload(""));
  };
  co_await db_.transaction(tx);
}

namespace {

// A seat-status message as the read model applies it.
struct SeatChange {
  Uuid session;
  std::string status;
  std::int64_t seq = 0;
  std::optional<Uuid> order;
  std::vector<Uuid> seats;
};

SeatChange seat_change(const json::Json& payload) {
  SeatChange c;
  c.session = fields::uuid(payload, "session_id");
  c.status = fields::str(payload, "status");
  if (c.status != "LOCKED" && c.status != "AVAILABLE" && c.status != "BOOKED" && c.status != "RESERVED") {
    throw std::invalid_argument("field 'status' must be LOCKED, AVAILABLE, BOOKED or RESERVED");
  }
  c.seq = fields::integer(payload, "seq");
  c.order = fields::opt_uuid(payload, "order_id");
  for (const auto& s : fields::array(payload, "seat_ids")) {
    auto u = s.is_string() ? Uuid::parse(s.get<std::string>()) : std::nullopt;
    if (!u) throw std::invalid_argument("field 'seat_ids' must hold UUIDs");
    c.seats.push_back(*u);
  }
  return c;
}

// Seats only take a newer status (seq); the SSE listeners hear of the seats that changed,
// through the notifications appended to `notes`.
asio::awaitable<void> write_seat_change(db::Connection& c, const SeatChange& change, std::vector<std::string>& notes) {
  if (change.seats.empty()) co_return;
  auto r = co_await c.execute(kUpsertSeats, change.session, change.seats, change.status, change.order, change.seq);
  std::vector<std::string> changed;
  for (auto row : r) changed.push_back(row.get<std::string>(0));
  for (auto& p : seat_change_payloads(change.session.str(), change.status, change.seq, changed)) {
    notes.push_back(std::move(p));
  }
}

// Seat changes in the partition's order, then their notifications in one statement that
// takes the COMMIT along: a single change costs two round trips (docs/ARCHITECTURE.md,
// "Round trips").
asio::awaitable<void> write_seat_changes(db::Database& db, const std::vector<SeatChange>& changes) {
  std::vector<std::string> notes;
  auto tx = [&](db::Connection& c) -> asio::awaitable<void> {
    notes.clear();  // a retried transaction starts again
    for (const auto& change : changes) co_await write_seat_change(c, change, notes);
    if (notes.empty()) co_return;
    c.commit_with_next();
    co_await c.execute(kNotifyAll, notes);
  };
  co_await db.transaction(tx);
}

}  // namespace

asio::awaitable<void> Projector::apply_seat_status(const json::Json& payload) {
  std::vector<SeatChange> changes;
  changes.push_back(seat_change(payload));
  co_await write_seat_changes(db_, changes);
}

asio::awaitable<void> Projector::apply_seat_statuses(const std::vector<bus::Message>& messages) {
  std::vector<SeatChange> changes;  // all parsed first: a bad payload fails the batch before it writes
  for (const auto& m : messages) changes.push_back(seat_change(parse_payload(m)));
  co_await write_seat_changes(db_, changes);
}

namespace {

// An order snapshot as the read model keeps it (eq_orders).
struct OrderRow {
  Uuid id;
  std::int64_t version = 0;
  std::optional<Uuid> event, session;
  std::string status;
  std::int64_t subtotal = 0, discount = 0, price = 0;
  std::optional<Timestamp> created;
  json::Json tickets;
};

OrderRow order_row(const json::Json& payload) {
  OrderRow o;
  o.id = fields::uuid(payload, "OrderID");
  o.version = fields::find(payload, "Version") ? fields::integer(payload, "Version") : 0;
  o.status = fields::str(payload, "Status");
  o.tickets = json::Json::array();
  for (const auto& t : fields::array(payload, "tickets")) {
    o.tickets.push_back({{"seat_id", fields::opt_str(t, "seat_id").value_or("")},
                         {"tier_id", fields::opt_str(t, "tier_id").value_or("")},
                         {"price_cents", fields::cents_of(t, "price_at_purchase")}});
  }
  o.event = fields::opt_uuid(payload, "EventID");
  o.session = fields::opt_uuid(payload, "SessionID");
  o.subtotal = fields::cents_of(payload, "SubTotal");
  o.discount = fields::cents_of(payload, "DiscountAmount");
  o.price = fields::cents_of(payload, "Price");
  o.created = fields::opt_time(payload, "CreatedAt");
  return o;
}

// The read model keeps completed orders only: analytics and trending count nothing else.
// Nothing is lost by dropping the other snapshots: an order leaves 'pending' once and a
// completed order never changes status again (the order service cancels and expires
// pending orders only), so no later snapshot could turn a kept order into another state.
bool is_completed(const OrderRow& o) { return text::iequals_ascii(o.status, "completed"); }

// Rows in id order: batches of the created/updated/cancelled topics run side by side and
// must not wait on each other in a cycle.
asio::awaitable<void> upsert_orders(db::Database& db, const std::vector<OrderRow>& rows) {
  std::vector<Uuid> ids;
  std::vector<std::int64_t> versions, subtotals, discounts, prices;
  std::vector<std::optional<Uuid>> events, sessions;
  std::vector<std::string> statuses;
  std::vector<std::optional<Timestamp>> created;
  std::vector<json::Json> tickets;
  for (const auto& o : rows) {
    ids.push_back(o.id);
    versions.push_back(o.version);
    events.push_back(o.event);
    sessions.push_back(o.session);
    statuses.push_back(o.status);
    subtotals.push_back(o.subtotal);
    discounts.push_back(o.discount);
    prices.push_back(o.price);
    created.push_back(o.created);
    tickets.push_back(o.tickets);
  }
  auto tx = [&](db::Connection& c) -> asio::awaitable<void> {
    c.commit_with_next();  // BEGIN, the upsert and COMMIT in one round trip
    co_await c.execute(kUpsertOrders, ids, versions, events, sessions, statuses, subtotals, discounts, prices, created,
                       tickets);
  };
  co_await db.transaction(tx);
}

}  // namespace

asio::awaitable<void> Projector::apply_order(const json::Json& payload) {
  OrderRow o = order_row(payload);
  if (!is_completed(o)) co_return;
  std::vector<OrderRow> rows;
  rows.push_back(std::move(o));
  co_await upsert_orders(db_, rows);
}

asio::awaitable<void> Projector::apply_orders(const std::vector<bus::Message>& messages) {
  // Newest snapshot per order: one statement may change a row only once.
  std::map<Uuid, OrderRow> newest;
  for (const auto& m : messages) {
    OrderRow o = order_row(parse_payload(m));  // every payload is checked, kept or not
    if (!is_completed(o)) continue;
    auto [it, inserted] = newest.try_emplace(o.id, o);
    if (!inserted && it->second.version < o.version) it->second = std::move(o);
  }
  if (newest.empty()) co_return;
  std::vector<OrderRow> rows;  // in id order (the map's)
  for (auto& [id, o] : newest) rows.push_back(std::move(o));
  co_await upsert_orders(db_, rows);
}

void Projector::subscribe(bus::ConsumerRuntime& consumer) {
  auto one = [this](const bus::Message& m) { return apply(m); };
  consumer.on(std::string(kEventsTopic), one);
  consumer.on(std::string(kCategoriesTopic), one);
  auto seats = [this](const std::vector<bus::Message>& batch) { return apply_seat_statuses(batch); };
  consumer.on(std::string(kSeatStatusTopic), one, seats);
  auto orders = [this](const std::vector<bus::Message>& batch) { return apply_orders(batch); };
  for (auto topic : kOrderTopics) consumer.on(std::string(topic), one, orders);
}

}  // namespace ticketly::event_query
