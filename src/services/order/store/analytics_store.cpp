#include "services/order/store/analytics_store.h"

#include "services/order/store/order_store.h"

namespace ticketly::order::store {
namespace {

// $1 event, $2 organization, $3 session: each NULL means "any".
#define SCOPE_FILTER                                                                                  \
  " o.status = 'completed' AND ($1::uuid IS NULL OR o.event_id = $1::uuid)"                          \
  " AND ($2::uuid IS NULL OR o.organization_id = $2::uuid) AND ($3::uuid IS NULL OR o.session_id = $3::uuid)"

constexpr db::Statement kTotals{"order.analytics.totals", R"sql(
  SELECT coalesce(sum(o.price), 0)::bigint, coalesce(sum(o.subtotal), 0)::bigint,
         coalesce(sum(cardinality(o.seat_ids)), 0)::bigint
    FROM orders o WHERE)sql" SCOPE_FILTER};
constexpr db::Statement kDaily{"order.analytics.daily", R"sql(
  SELECT to_char(coalesce(o.completed_at, o.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         sum(o.price)::bigint, sum(cardinality(o.seat_ids))::bigint
    FROM orders o WHERE)sql" SCOPE_FILTER R"sql( GROUP BY day ORDER BY day)sql"};
// A completed order's tickets are its items (order_pay_all issues one ticket per item, with
// the same tier, names and amount paid), so the tiers are read from the orders in scope,
// found through their event, organization or session index. Joining tickets instead had
// the planner hash every ticket ever sold to find one event's (docs/PLAN_AUDIT.md).
constexpr db::Statement kByTier{"order.analytics.by_tier", R"sql(
  SELECT it.tier_id, min(coalesce(it.tier_name, '')), min(coalesce(it.tier_color, '')), count(*)::bigint,
         sum(it.paid)::bigint
    FROM orders o, jsonb_to_recordset(o.items) AS it(tier_id uuid, tier_name text, tier_color text, paid bigint)
   WHERE)sql" SCOPE_FILTER R"sql(
   GROUP BY it.tier_id ORDER BY min(coalesce(it.tier_name, '')), it.tier_id)sql"};
constexpr db::Statement kBySession{"order.analytics.by_session", R"sql(
  SELECT o.session_id, sum(o.price)::bigint, sum(o.subtotal)::bigint, sum(cardinality(o.seat_ids))::bigint
    FROM orders o WHERE o.status = 'completed' AND o.event_id = $1
   GROUP BY o.session_id ORDER BY o.session_id)sql"};
constexpr db::Statement kDiscounts{"order.analytics.discounts", R"sql(
  SELECT to_char(coalesce(o.completed_at, o.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         o.discount_code, count(*)::bigint, sum(o.discount_amount)::bigint
    FROM orders o WHERE o.status = 'completed' AND o.event_id = $1 AND o.discount_id IS NOT NULL
   GROUP BY day, o.discount_code ORDER BY day, o.discount_code)sql"};
// Two statements rather than one with a dynamic ORDER BY: every query stays prepared.
#define ORDERS_FILTER                                                                                 \
  " FROM orders o WHERE o.event_id = $1 AND ($2::uuid IS NULL OR o.session_id = $2::uuid)"          \
  " AND ($3::text IS NULL OR o.status = $3::text)"
constexpr db::Statement kOrdersByCreated{"order.analytics.orders_by_created", R"sql(
  SELECT o.id, count(*) OVER ())sql" ORDERS_FILTER R"sql(
   ORDER BY CASE WHEN $4 THEN o.created_at END ASC, CASE WHEN NOT $4 THEN o.created_at END DESC, o.id
   LIMIT $5 OFFSET $6)sql"};
constexpr db::Statement kOrdersByPrice{"order.analytics.orders_by_price", R"sql(
  SELECT o.id, count(*) OVER ())sql" ORDERS_FILTER R"sql(
   ORDER BY CASE WHEN $4 THEN o.price END ASC, CASE WHEN NOT $4 THEN o.price END DESC, o.created_at DESC, o.id
   LIMIT $5 OFFSET $6)sql"};
constexpr db::Statement kCountOrders{"order.analytics.count_orders", "SELECT count(*)" ORDERS_FILTER};
constexpr db::Statement kFindSession{"order.analytics.find_session",
                                     "SELECT event_id, organization_id FROM sessions WHERE id = $1"};

}  // namespace

asio::awaitable<SalesSummary> sales_summary(db::Database& db, const Scope& s) {
  SalesSummary out;
  auto totals = co_await db.execute(kTotals, s.event_id, s.organization_id, s.session_id);
  out.total_revenue = Money::minor(totals[0].get<std::int64_t>(0));
  out.total_before_discounts = Money::minor(totals[0].get<std::int64_t>(1));
  out.total_tickets_sold = totals[0].get<std::int64_t>(2);
  auto daily = co_await db.execute(kDaily, s.event_id, s.organization_id, s.session_id);
  for (auto row : daily) {
    out.daily.push_back({row.get<std::string>(0), Money::minor(row.get<std::int64_t>(1)), row.get<std::int64_t>(2)});
  }
  auto tiers = co_await db.execute(kByTier, s.event_id, s.organization_id, s.session_id);
  for (auto row : tiers) {
    out.by_tier.push_back({row.get<Uuid>(0), row.get<std::string>(1), row.get<std::string>(2),
                           row.get<std::int64_t>(3), Money::minor(row.get<std::int64_t>(4))});
  }
  co_return out;
}

asio::awaitable<std::vector<SessionSales>> sales_by_session(db::Database& db, const Uuid& event_id) {
  std::vector<SessionSales> out;
  auto r = co_await db.execute(kBySession, event_id);
  for (auto row : r) {
    out.push_back({row.get<Uuid>(0), Money::minor(row.get<std::int64_t>(1)), Money::minor(row.get<std::int64_t>(2)),
                   row.get<std::int64_t>(3)});
  }
  co_return out;
}

asio::awaitable<std::vector<DiscountUsage>> discount_usage(db::Database& db, const Uuid& event_id) {
  std::vector<DiscountUsage> out;
  auto r = co_await db.execute(kDiscounts, event_id);
  for (auto row : r) {
    out.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::int64_t>(2),
                   Money::minor(row.get<std::int64_t>(3))});
  }
  co_return out;
}

asio::awaitable<std::pair<std::vector<Order>, std::int64_t>> event_orders(db::Database& db, const OrderQuery& q) {
  const db::Statement& stmt = q.sort_by_price ? kOrdersByPrice : kOrdersByCreated;
  auto r = co_await db.execute(stmt, q.event_id, q.session_id, q.status, q.ascending, q.limit, q.offset);
  std::vector<Uuid> ids;
  std::int64_t total = 0;
  for (auto row : r) {
    ids.push_back(row.get<Uuid>(0));
    total = row.get<std::int64_t>(1);
  }
  if (ids.empty()) {
    // Past the last page: the window count is not there, ask for it.
    total = (co_await db.execute(kCountOrders, q.event_id, q.session_id, q.status)).scalar<std::int64_t>();
  }
  auto orders = co_await load_orders(db, ids);
  co_return std::make_pair(std::move(orders), total);
}

asio::awaitable<std::vector<Ticket>> session_tickets(db::Database& db, const Uuid& session_id) {
  static const std::string sql = std::string("SELECT ") + kTicketColumns +
                                 " FROM tickets t JOIN orders o ON o.id = t.order_id"
                                 " WHERE t.session_id = $1 AND o.status = 'completed' ORDER BY t.seat_label, t.id";
  static const db::Statement stmt{"order.analytics.session_tickets", sql};
  std::vector<Ticket> out;
  auto r = co_await db.execute(stmt, session_id);
  for (auto row : r) out.push_back(ticket_from_row(row));
  co_return out;
}

asio::awaitable<std::optional<SessionRef>> find_session(db::Database& db, const Uuid& session_id) {
  auto r = co_await db.execute(kFindSession, session_id);
  if (r.empty()) co_return std::nullopt;
  co_return SessionRef{r[0].get<Uuid>(0), r[0].get<std::optional<Uuid>>(1)};
}

}  // namespace ticketly::order::store
