#include "services/order/store/order_store.h"

#include <unordered_map>

namespace ticketly::order::store {
namespace {

#define ORDER_COLUMNS                                                                                          \
  "o.id, o.user_id, o.event_id, o.organization_id, o.session_id, o.status, o.items::text, o.subtotal, "      \
  "o.discount_id, o.discount_code, o.discount_amount, o.price, o.created_at, o.expires_at, "                  \
  "coalesce(o.payment_intent_id, ''), o.payment_status, o.version"

#define TICKET_COLUMNS                                                                                          \
  "t.id, t.order_id, t.seat_id, t.seat_label, t.colour, t.tier_id, t.tier_name, t.price_at_purchase, "        \
  "t.issued_at, t.checked_in, t.checked_in_at"

constexpr db::Statement kPlace{"order.place", "SELECT order_place($1::jsonb)::text"};
constexpr db::Statement kPayAll{"order.pay_all", "SELECT order_pay_all($1::jsonb)::text"};
constexpr db::Statement kFindOrder{"order.find", "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.id = $1"};
// An order with its tickets in one round trip (a row per ticket; ticket columns from 17).
constexpr db::Statement kFindOrderWithTickets{"order.find_with_tickets", "SELECT " ORDER_COLUMNS ", " TICKET_COLUMNS R"sql(
   FROM orders o LEFT JOIN tickets t ON t.order_id = o.id WHERE o.id = $1 ORDER BY t.seat_label, t.id)sql"};
constexpr int kTicketColumnsAt = 17;
constexpr db::Statement kOrdersOfUser{"order.of_user", "SELECT " ORDER_COLUMNS R"sql(
   FROM orders o WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id LIMIT $2)sql"};
// Through order_tickets_of (migrations/order/0005): by the order index, whatever the statistics.
constexpr db::Statement kTicketsOf{"order.tickets_of", "SELECT " TICKET_COLUMNS R"sql(
   FROM order_tickets_of($1::uuid[]) t ORDER BY t.order_id, t.seat_label, t.id)sql"};
constexpr db::Statement kOrdersByIds{"order.by_ids", "SELECT " ORDER_COLUMNS R"sql(
   FROM orders o WHERE o.id = ANY ($1::uuid[]))sql"};
constexpr db::Statement kCountTickets{"order.count_tickets", "SELECT count(*) FROM tickets"};

// Expired holds through the pending slots' expiry index (orders has none, so that paying
// an order is a HOT update; migrations/order/0003). The ids come first, as an array, so
// orders is always read by its key: as a join, a plan made while many holds were pending
// hashed the whole table on every sweep (12 ms at 20k orders, bench/order (c)).
constexpr db::Statement kLockExpired{"order.lock_expired", R"sql(
  SELECT o.id, o.session_id, o.seat_ids
    FROM orders o
   WHERE o.id = ANY (ARRAY(SELECT p.order_id FROM order_pending_slots p
                            WHERE p.expires_at <= now() ORDER BY p.expires_at LIMIT $1))
     AND o.status = 'pending'
   ORDER BY o.expires_at
     FOR UPDATE SKIP LOCKED)sql"};

// One statement: the orders, their seats and their discount uses. Seats are matched by
// order id, so a release never frees a seat another order holds.
constexpr db::Statement kRelease{"order.release", R"sql(
  WITH o AS (
    UPDATE orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = $2, version = version + 1
     WHERE id = ANY ($1::uuid[]) AND status = 'pending' AND (NOT $3::boolean OR expires_at <= now())
    RETURNING id, session_id, discount_id, seat_ids
  ), seq AS (
    SELECT nextval('seat_status_seq') AS v
  ), freed AS (
    -- Through the primary key (session_id, seat_id), never a scan of the session.
    UPDATE seats s SET state = 'AVAILABLE', order_id = NULL, seq = (SELECT v FROM seq)
      FROM o
     WHERE s.session_id = o.session_id AND s.seat_id = ANY (o.seat_ids) AND s.order_id = o.id
    RETURNING o.id AS order_id, s.seat_id
  ), uses AS (
    UPDATE discount_usage d SET used = greatest(d.used - x.n, 0)
      FROM (SELECT discount_id, count(*)::integer AS n FROM o WHERE discount_id IS NOT NULL GROUP BY 1) x
     WHERE d.discount_id = x.discount_id
  )
  SELECT o.id, o.session_id,
         coalesce((SELECT array_agg(f.seat_id) FROM freed f WHERE f.order_id = o.id), '{}'::uuid[]),
         (SELECT v FROM seq)
    FROM o)sql"};

// Records intents on pending orders that have none (group-committed: payments/intent_writer.h)
// and returns the updated orders; callers sort by order id, like every writer that locks orders.
constexpr db::Statement kAttachIntents{"order.attach_intents", R"sql(
  UPDATE orders o SET payment_intent_id = w.intent_id, client_secret = w.client_secret,
                      payment_status = 'requires_payment', version = o.version + 1
    FROM unnest($1::uuid[], $2::text[], $3::text[]) AS w(id, intent_id, client_secret)
   WHERE o.id = w.id AND o.status = 'pending' AND o.payment_intent_id IS NULL
  RETURNING )sql" ORDER_COLUMNS};
constexpr db::Statement kClientSecret{"order.client_secret",
                                      "SELECT coalesce(client_secret, '') FROM orders WHERE id = $1"};

constexpr db::Statement kPaymentEvent{"order.payment_event", R"sql(
  INSERT INTO payment_events (event_id, type, intent_id, order_id, outcome)
  VALUES ($1, 'payment_intent.payment_failed', $2, $3, 'failed')
  ON CONFLICT (event_id) DO NOTHING)sql"};
constexpr db::Statement kPaymentFailed{"order.payment_failed", R"sql(
  UPDATE orders SET payment_status = 'failed', version = version + 1
   WHERE id = $1 AND status = 'pending' AND payment_status NOT IN ('succeeded', 'refund_pending', 'refunded', 'refund_failed')
  RETURNING version)sql"};

#define REFUND_COLUMNS "id, order_id, payment_intent_id, amount, reason, attempts, provider_refund_id"
constexpr db::Statement kClaimRefunds{"order.claim_refunds", R"sql(
  UPDATE refunds SET next_attempt_at = now() + interval '1 minute'
   WHERE id IN (SELECT id FROM refunds WHERE status = 'pending' AND next_attempt_at <= now()
                 ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING )sql" REFUND_COLUMNS};
constexpr db::Statement kClaimRefundOfIntent{"order.claim_refund_of_intent", R"sql(
  UPDATE refunds SET next_attempt_at = now() + interval '1 minute'
   WHERE payment_intent_id = $1 AND status = 'pending' AND next_attempt_at <= now()
  RETURNING )sql" REFUND_COLUMNS};
constexpr db::Statement kFinishRefund{"order.finish_refund", R"sql(
  WITH r AS (
    UPDATE refunds SET status = 'succeeded', provider_refund_id = $2, attempts = attempts + 1, last_error = NULL
     WHERE id = $1 AND status = 'pending'
    RETURNING order_id
  )
  UPDATE orders SET payment_status = 'refunded', version = version + 1
   WHERE id = (SELECT order_id FROM r) AND status <> 'completed'
  RETURNING id)sql"};
// The next attempt after the backoff; $3, when set, is the provider's id of a refund it
// accepted but has not settled.
constexpr db::Statement kRetryRefund{"order.retry_refund", R"sql(
  UPDATE refunds SET attempts = attempts + 1, last_error = $2, provider_refund_id = coalesce($3, provider_refund_id),
                     next_attempt_at = now() + least(interval '1 hour', interval '5 seconds' * power(2, least(attempts, 12)))
   WHERE id = $1 AND status = 'pending')sql"};
constexpr db::Statement kFailRefund{"order.fail_refund", R"sql(
  WITH r AS (
    UPDATE refunds SET status = 'failed', attempts = attempts + 1, last_error = $2
     WHERE id = $1 AND status = 'pending'
    RETURNING order_id
  )
  UPDATE orders SET payment_status = 'refund_failed', version = version + 1
   WHERE id = (SELECT order_id FROM r) AND status <> 'completed'
  RETURNING id)sql"};

// called_off: the session was cancelled or removed, or its event deleted (a CLOSED
// session has only stopped selling: its doors are still to open).
constexpr db::Statement kFindTicket{"order.find_ticket", "SELECT " TICKET_COLUMNS R"sql(,
       t.session_id, t.event_id, t.organization_id, o.status,
       coalesce(s.status = 'CANCELLED' OR s.removed OR e.deleted, false) AS called_off
   FROM tickets t JOIN orders o ON o.id = t.order_id
   LEFT JOIN sessions s ON s.id = t.session_id
   LEFT JOIN catalog_events e ON e.id = t.event_id
  WHERE t.id = $1)sql"};
constexpr db::Statement kCheckIn{"order.check_in", R"sql(
  UPDATE tickets t SET checked_in = true, checked_in_at = now(), checked_in_by = $2
   WHERE t.id = $1 AND NOT t.checked_in
     AND EXISTS (SELECT 1 FROM orders o WHERE o.id = t.order_id AND o.status = 'completed')
  RETURNING )sql" TICKET_COLUMNS};

constexpr db::Statement kBumpVersion{"order.bump_version", "UPDATE orders SET version = version + 1 WHERE id = $1"};

Order order_from(const db::Row& row) {
  Order o;
  o.id = row.get<Uuid>(0);
  o.user_id = row.get<std::string>(1);
  o.event_id = row.get<Uuid>(2);
  o.organization_id = row.get<Uuid>(3);
  o.session_id = row.get<Uuid>(4);
  o.status = parse_order_status(row.get<std::string>(5)).value_or(OrderStatus::Pending);
  o.items = items_from_json(json::Json::parse(row.raw(6), nullptr, false));
  o.subtotal = Money::minor(row.get<std::int64_t>(7));
  o.discount_id = row.get<std::optional<Uuid>>(8);
  o.discount_code = row.get<std::string>(9);
  o.discount_amount = Money::minor(row.get<std::int64_t>(10));
  o.price = Money::minor(row.get<std::int64_t>(11));
  o.created_at = row.get<Timestamp>(12);
  o.expires_at = row.get<Timestamp>(13);
  o.payment_intent_id = row.get<std::string>(14);
  o.payment_status = row.get<std::string>(15);
  o.version = row.get<std::int64_t>(16);
  return o;
}

Ticket ticket_from(const db::Row& row, int at = 0) {
  Ticket t;
  t.id = row.get<Uuid>(at + 0);
  t.order_id = row.get<Uuid>(at + 1);
  t.seat_id = row.get<Uuid>(at + 2);
  t.seat_label = row.get<std::string>(at + 3);
  t.colour = row.get<std::string>(at + 4);
  t.tier_id = row.get<Uuid>(at + 5);
  t.tier_name = row.get<std::string>(at + 6);
  t.price_at_purchase = Money::minor(row.get<std::int64_t>(at + 7));
  t.issued_at = row.get<Timestamp>(at + 8);
  t.checked_in = row.get<bool>(at + 9);
  t.checked_in_at = row.get<std::optional<Timestamp>>(at + 10);
  return t;
}

Refund refund_from(const db::Row& row) {
  Refund r;
  r.id = row.get<Uuid>(0);
  r.order_id = row.get<Uuid>(1);
  r.payment_intent_id = row.get<std::string>(2);
  r.amount = Money::minor(row.get<std::int64_t>(3));
  r.reason = row.get<std::string>(4);
  r.attempts = row.get<int>(5);
  r.provider_refund_id = row.get<std::optional<std::string>>(6).value_or("");
  return r;
}

void attach_tickets(std::vector<Order>& orders, const db::Result& rows) {
  std::unordered_map<Uuid, Order*> by_id;
  for (auto& o : orders) by_id[o.id] = &o;
  for (auto row : rows) {
    auto t = ticket_from(row);
    if (auto it = by_id.find(t.order_id); it != by_id.end()) it->second->tickets.push_back(std::move(t));
  }
}

template <class Db>
asio::awaitable<std::optional<Order>> find_order_on(Db& db, const Uuid& id, bool with_tickets) {
  if (!with_tickets) {
    auto r = co_await db.execute(kFindOrder, id);
    if (r.empty()) co_return std::nullopt;
    co_return order_from(r[0]);
  }
  auto r = co_await db.execute(kFindOrderWithTickets, id);
  if (r.empty()) co_return std::nullopt;
  Order order = order_from(r[0]);
  if (order.status == OrderStatus::Completed) {  // only a completed order's tickets are valid
    for (auto row : r) {
      if (!row.is_null(kTicketColumnsAt)) order.tickets.push_back(ticket_from(row, kTicketColumnsAt));
    }
  }
  co_return order;
}

}  // namespace

std::vector<OrderItem> items_from_json(const json::Json& items) {
  std::vector<OrderItem> out;
  if (!items.is_array()) return out;
  out.reserve(items.size());
  for (const auto& i : items) {
    OrderItem item;
    item.seat_id = Uuid::parse(i.value("seat_id", "")).value_or(Uuid());
    item.seat_label = i.value("seat_label", "");
    item.tier_id = Uuid::parse(i.value("tier_id", "")).value_or(Uuid());
    item.tier_name = i.value("tier_name", "");
    item.tier_color = i.value("tier_color", "");
    item.price = Money::minor(i.value("price", std::int64_t{0}));
    item.paid = Money::minor(i.value("paid", std::int64_t{0}));
    out.push_back(std::move(item));
  }
  return out;
}

json::Json items_to_json(const std::vector<OrderItem>& items) {
  json::Json out = json::Json::array();
  for (const auto& i : items) {
    out.push_back({{"seat_id", i.seat_id.str()},
                   {"seat_label", i.seat_label},
                   {"tier_id", i.tier_id.str()},
                   {"tier_name", i.tier_name},
                   {"tier_color", i.tier_color},
                   {"price", i.price.units()},
                   {"paid", i.paid.units()}});
  }
  return out;
}

asio::awaitable<std::vector<PlaceResult>> place_orders(db::Connection& tx, const json::Json& requests) {
  const std::string text = requests.dump();
  auto r = co_await tx.execute(kPlace, text);
  auto results = json::Json::parse(r.one().raw(0));
  std::vector<PlaceResult> out;
  out.reserve(results.size());
  for (const auto& j : results) {
    PlaceResult p;
    const std::string kind = j.value("result", "");
    if (kind == "held") {
      p.kind = PlaceResult::Kind::Held;
      p.seq = j.value("seq", std::int64_t{0});
    } else if (kind == "taken") {
      p.kind = PlaceResult::Kind::Taken;
      for (const auto& s : j.at("seats")) {
        p.taken.push_back({Uuid::parse(s.value("seat_id", "")).value_or(Uuid()), s.value("state", "")});
      }
    } else if (kind == "limit") {
      p.kind = PlaceResult::Kind::Limit;
    } else if (kind == "discount_used_up") {
      p.kind = PlaceResult::Kind::DiscountUsedUp;
    } else {
      p.kind = PlaceResult::Kind::Stale;
    }
    out.push_back(std::move(p));
  }
  co_return out;
}

asio::awaitable<std::optional<Order>> find_order(db::Database& db, const Uuid& id, bool with_tickets) {
  co_return co_await find_order_on(db, id, with_tickets);
}

asio::awaitable<std::optional<Order>> find_order(db::Connection& tx, const Uuid& id, bool with_tickets) {
  co_return co_await find_order_on(tx, id, with_tickets);
}

asio::awaitable<std::vector<Order>> orders_of_user(db::Database& db, const std::string& user_id, int limit) {
  auto r = co_await db.execute(kOrdersOfUser, user_id, limit);
  std::vector<Order> out;
  std::vector<Uuid> completed;
  for (auto row : r) {
    out.push_back(order_from(row));
    if (out.back().status == OrderStatus::Completed) completed.push_back(out.back().id);
  }
  if (!completed.empty()) {
    auto t = co_await db.execute(kTicketsOf, completed);
    attach_tickets(out, t);
  }
  co_return out;
}

const char* const kTicketColumns = TICKET_COLUMNS;

Ticket ticket_from_row(const db::Row& row) { return ticket_from(row); }

namespace {
// On a pool (any connection) or inside a transaction: Database and Connection both execute.
template <typename Executor>
asio::awaitable<std::vector<Order>> load_orders_on(Executor& db, const std::vector<Uuid>& ids) {
  std::vector<Order> out;
  if (ids.empty()) co_return out;
  auto r = co_await db.execute(kOrdersByIds, ids);
  std::unordered_map<Uuid, Order> by_id;
  std::vector<Uuid> completed;
  for (auto row : r) {
    auto o = order_from(row);
    if (o.status == OrderStatus::Completed) completed.push_back(o.id);
    by_id.emplace(o.id, std::move(o));
  }
  for (const auto& id : ids) {
    if (auto it = by_id.find(id); it != by_id.end()) out.push_back(std::move(it->second));
  }
  if (!completed.empty()) {
    auto t = co_await db.execute(kTicketsOf, completed);
    attach_tickets(out, t);
  }
  co_return out;
}
}  // namespace

asio::awaitable<std::vector<Order>> load_orders(db::Database& db, const std::vector<Uuid>& ids) {
  co_return co_await load_orders_on(db, ids);
}

asio::awaitable<std::vector<Order>> load_orders(db::Connection& tx, const std::vector<Uuid>& ids) {
  co_return co_await load_orders_on(tx, ids);
}

asio::awaitable<std::int64_t> count_tickets(db::Database& db) {
  // Unprepared: without parameters a prepared plan would be the one of its first run.
  co_return (co_await db.query(kCountTickets.sql)).scalar<std::int64_t>();
}

asio::awaitable<std::vector<Expiring>> lock_expired_orders(db::Connection& tx, int limit) {
  auto r = co_await tx.execute(kLockExpired, limit);
  std::vector<Expiring> out;
  for (auto row : r) out.push_back({row.get<Uuid>(0), row.get<Uuid>(1), row.get<std::vector<Uuid>>(2)});
  co_return out;
}

asio::awaitable<std::vector<Released>> release_orders(db::Connection& tx, const std::vector<Uuid>& orders,
                                                      const std::string& reason, bool expired_only) {
  std::vector<Released> out;
  if (orders.empty()) co_return out;
  auto r = co_await tx.execute(kRelease, orders, reason, expired_only);
  for (auto row : r) {
    out.push_back({row.get<Uuid>(0), row.get<Uuid>(1), row.get<std::vector<Uuid>>(2), row.get<std::int64_t>(3)});
  }
  co_return out;
}

asio::awaitable<std::vector<std::optional<Order>>> attach_payment_intents(db::Connection& tx,
                                                                         const std::vector<IntentToAttach>& intents) {
  std::vector<Uuid> ids;
  std::vector<std::string> intent_ids, secrets;
  for (const auto& i : intents) {
    ids.push_back(i.order_id);
    intent_ids.push_back(i.intent_id);
    secrets.push_back(i.client_secret);
  }
  std::unordered_map<Uuid, Order> stored;
  auto updated = co_await tx.execute(kAttachIntents, ids, intent_ids, secrets);
  for (auto row : updated) {
    auto o = order_from(row);
    stored.emplace(o.id, std::move(o));
  }
  // Orders left as they were (cancelled, or an intent already recorded): as they are now.
  std::vector<Uuid> unchanged;
  for (const auto& id : ids) {
    if (!stored.contains(id)) unchanged.push_back(id);
  }
  auto current = co_await load_orders_on(tx, unchanged);
  for (auto& o : current) stored.emplace(o.id, std::move(o));
  std::vector<std::optional<Order>> out;
  out.reserve(ids.size());
  for (const auto& id : ids) {
    auto it = stored.find(id);
    out.push_back(it == stored.end() ? std::nullopt : std::optional<Order>(it->second));
  }
  co_return out;
}

asio::awaitable<std::string> client_secret_of(db::Database& db, const Uuid& order_id) {
  auto r = co_await db.execute(kClientSecret, order_id);
  co_return r.empty() ? std::string() : r[0].get<std::string>(0);
}

asio::awaitable<std::vector<PayResult>> apply_payments(db::Connection& tx, const json::Json& payments) {
  const std::string text = payments.dump();
  auto r = co_await tx.execute(kPayAll, text);
  auto results = json::Json::parse(r.one().raw(0));
  std::vector<PayResult> out;
  out.reserve(results.size());
  for (const auto& j : results) {
    PayResult p;
    p.result = j.value("result", "");
    p.seq = j.value("seq", std::int64_t{0});
    p.reacquired = j.value("reacquired", false);
    p.reason = j.value("reason", "");
    out.push_back(std::move(p));
  }
  co_return out;
}

asio::awaitable<std::optional<std::int64_t>> record_payment_failure(db::Connection& tx, const std::string& event_id,
                                                                    const std::string& intent_id,
                                                                    const Uuid& order_id) {
  auto inserted = co_await tx.execute(kPaymentEvent, event_id, intent_id, order_id);
  if (inserted.affected_rows() == 0) co_return std::nullopt;
  auto r = co_await tx.execute(kPaymentFailed, order_id);
  if (r.empty()) co_return std::nullopt;
  co_return r[0].get<std::int64_t>(0);
}

asio::awaitable<std::vector<Refund>> claim_due_refunds(db::Database& db, int limit) {
  auto r = co_await db.execute(kClaimRefunds, limit);
  std::vector<Refund> out;
  for (auto row : r) out.push_back(refund_from(row));
  co_return out;
}

asio::awaitable<std::vector<Refund>> claim_refund_of_intent(db::Database& db, const std::string& intent_id) {
  auto r = co_await db.execute(kClaimRefundOfIntent, intent_id);
  std::vector<Refund> out;
  for (auto row : r) out.push_back(refund_from(row));
  co_return out;
}

asio::awaitable<std::optional<Uuid>> finish_refund(db::Connection& tx, const Refund& refund,
                                                   const std::string& provider_refund_id) {
  auto r = co_await tx.execute(kFinishRefund, refund.id, provider_refund_id);
  if (r.empty()) co_return std::nullopt;
  co_return r[0].get<Uuid>(0);
}

asio::awaitable<void> retry_refund_later(db::Database& db, const Refund& refund, const std::string& error) {
  const std::optional<std::string> no_provider_id;
  co_await db.execute(kRetryRefund, refund.id, error, no_provider_id);
}

asio::awaitable<void> refund_pending_at_provider(db::Database& db, const Refund& refund,
                                                 const std::string& provider_refund_id) {
  const std::string note = "pending at the provider";
  co_await db.execute(kRetryRefund, refund.id, note, provider_refund_id);
}

asio::awaitable<std::optional<Uuid>> fail_refund(db::Connection& tx, const Refund& refund, const std::string& error) {
  auto r = co_await tx.execute(kFailRefund, refund.id, error);
  if (r.empty()) co_return std::nullopt;
  co_return r[0].get<Uuid>(0);
}

asio::awaitable<std::optional<CheckinTicket>> find_ticket(db::Database& db, const Uuid& ticket_id) {
  auto r = co_await db.execute(kFindTicket, ticket_id);
  if (r.empty()) co_return std::nullopt;
  CheckinTicket c;
  c.ticket = ticket_from(r[0]);
  c.session_id = r[0].get<Uuid>(11);
  c.event_id = r[0].get<Uuid>(12);
  c.organization_id = r[0].get<Uuid>(13);
  c.order_status = r[0].get<std::string>(14);
  c.session_called_off = r[0].get<bool>(15);
  co_return c;
}

asio::awaitable<std::optional<Ticket>> check_in(db::Connection& tx, const Uuid& ticket_id, const std::string& by) {
  auto r = co_await tx.execute(kCheckIn, ticket_id, by);
  if (r.empty()) co_return std::nullopt;
  auto ticket = ticket_from(r[0]);
  co_await tx.execute(kBumpVersion, ticket.order_id);  // the order changed: its snapshot is newer
  co_return ticket;
}

}  // namespace ticketly::order::store
