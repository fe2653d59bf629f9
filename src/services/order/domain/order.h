#pragma once
// Orders and tickets as the service holds them, and the order state machine:
//
//   pending ──payment succeeded──▶ completed      (tickets issued, seats BOOKED)
//      │  └──owner cancels / hold expires──▶ cancelled   (seats released)
//   cancelled (hold expired) ──late payment, seats still free, session still on──▶ completed
//                                                       (re-held, then booked)
//   cancelled ──any other late payment (a seat gone, the session gone, cancelled by its
//               owner)──▶ cancelled + refund
//
// completed and a refunded cancellation are final. A failed payment changes nothing but
// the payment state: the order stays pending until it is paid or its hold expires. The
// transitions are made in the database, by the functions of migrations/order (order_place,
// order_pay, order_pay_all) and the releases (inventory/releaser.cpp), each atomically.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/time.h"
#include "platform/types/uuid.h"
#include "services/order/domain/money.h"

namespace ticketly::order {

enum class OrderStatus { Pending, Completed, Cancelled };

std::string_view to_string(OrderStatus s);                  // "pending" | "completed" | "cancelled"
std::optional<OrderStatus> parse_order_status(std::string_view s);

// One seat of an order, priced when the order was placed.
struct OrderItem {
  Uuid seat_id;
  std::string seat_label;
  Uuid tier_id;
  std::string tier_name;
  std::string tier_color;
  Money price;  // the tier's price when the order was placed
  Money paid;   // after the order's discount
};

struct Ticket {
  Uuid id;
  Uuid order_id;
  Uuid seat_id;
  std::string seat_label;
  std::string colour;
  Uuid tier_id;
  std::string tier_name;
  Money price_at_purchase;
  Timestamp issued_at{};
  bool checked_in = false;
  std::optional<Timestamp> checked_in_at;
  std::string qr_payload;  // the signed QR text (domain/qr.h)
};

struct Order {
  Uuid id;
  std::string user_id;
  Uuid event_id;
  Uuid organization_id;
  Uuid session_id;
  OrderStatus status = OrderStatus::Pending;
  std::vector<OrderItem> items;
  Money subtotal;
  std::optional<Uuid> discount_id;
  std::string discount_code;
  Money discount_amount;
  Money price;
  Timestamp created_at{};
  Timestamp expires_at{};
  std::string payment_intent_id;
  std::string payment_status;  // "", requires_payment, failed, succeeded, refund_pending, refunded, refund_failed
  std::int64_t version = 1;
  std::vector<Ticket> tickets;

  std::vector<Uuid> seat_ids() const;
};

}  // namespace ticketly::order
