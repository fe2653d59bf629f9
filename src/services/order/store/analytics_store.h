#pragma once
// SQL of the organizer analytics (API.md §3 "analytics"): revenue counts what was paid
// (completed orders, after discounts), never list prices.
#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "platform/db/database.h"
#include "services/order/domain/order.h"

namespace ticketly::order::store {

namespace asio = boost::asio;

// Which completed orders a summary covers: any combination (nullopt = no filter).
struct Scope {
  std::optional<Uuid> event_id;
  std::optional<Uuid> organization_id;
  std::optional<Uuid> session_id;
};

struct DailySales {
  std::string date;  // YYYY-MM-DD (UTC)
  Money revenue;
  std::int64_t tickets_sold = 0;
};

struct TierSales {
  Uuid tier_id;
  std::string tier_name;
  std::string tier_color;
  std::int64_t tickets_sold = 0;
  Money revenue;
};

struct SalesSummary {
  Money total_revenue;
  Money total_before_discounts;
  std::int64_t total_tickets_sold = 0;
  std::vector<DailySales> daily;
  std::vector<TierSales> by_tier;
};

asio::awaitable<SalesSummary> sales_summary(db::Database& db, const Scope& scope);

struct SessionSales {
  Uuid session_id;
  Money total_revenue;
  Money total_before_discounts;
  std::int64_t total_tickets_sold = 0;
};
asio::awaitable<std::vector<SessionSales>> sales_by_session(db::Database& db, const Uuid& event_id);

struct DiscountUsage {
  std::string date;
  std::string discount_code;
  std::int64_t usage_count = 0;
  Money total_discount_amount;
};
asio::awaitable<std::vector<DiscountUsage>> discount_usage(db::Database& db, const Uuid& event_id);

struct OrderQuery {
  Uuid event_id;
  std::optional<Uuid> session_id;
  std::optional<std::string> status;  // pending | completed | cancelled
  bool sort_by_price = false;         // else created_at
  bool ascending = false;
  int limit = 50;
  int offset = 0;
};
// The page of orders (with tickets) and the total number matching.
asio::awaitable<std::pair<std::vector<Order>, std::int64_t>> event_orders(db::Database& db, const OrderQuery& q);

// Tickets of completed orders of a session, with their order's session.
asio::awaitable<std::vector<Ticket>> session_tickets(db::Database& db, const Uuid& session_id);

struct SessionRef {
  Uuid event_id;
  std::optional<Uuid> organization_id;
};
asio::awaitable<std::optional<SessionRef>> find_session(db::Database& db, const Uuid& session_id);

}  // namespace ticketly::order::store
