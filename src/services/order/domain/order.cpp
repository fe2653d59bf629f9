#include "services/order/domain/order.h"

namespace ticketly::order {

std::string_view to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::Pending:
      return "pending";
    case OrderStatus::Completed:
      return "completed";
    case OrderStatus::Cancelled:
      return "cancelled";
  }
  return "pending";
}

std::optional<OrderStatus> parse_order_status(std::string_view s) {
  if (s == "pending") return OrderStatus::Pending;
  if (s == "completed") return OrderStatus::Completed;
  if (s == "cancelled" || s == "canceled") return OrderStatus::Cancelled;
  return std::nullopt;
}

std::vector<Uuid> Order::seat_ids() const {
  std::vector<Uuid> out;
  out.reserve(items.size());
  for (const auto& i : items) out.push_back(i.seat_id);
  return out;
}

}  // namespace ticketly::order
