#pragma once
// HTTP ↔ domain for the order API (API.md §3). The Order JSON keeps the reference's
// PascalCase keys and the Ticket JSON its snake_case ones, because the web client reads
// them; the same shapes travel on ticketly.order.* (docs/EVENTS.md).
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "services/order/domain/order.h"

namespace ticketly::order::api {

// Money on the wire: a number in major units (two decimals at most).
json::Json money_json(Money m);

// "0001-01-01T00:00:00Z" when never checked in (what the client expects).
inline constexpr const char* kNeverCheckedIn = "0001-01-01T00:00:00Z";

// `qr`: renders a ticket's qr_code (base64 PNG); without it the field is left out.
using QrRenderer = std::function<std::string(const Ticket&, const Order&)>;

json::Json ticket_json(const Ticket& t, const Order& o, const QrRenderer& qr = {});
json::Json order_json(const Order& o, const QrRenderer& qr = {});
// The 201 answer of POST /api/order.
json::Json placed_json(const Order& o);
// An order as a CHECKOUT server-sent event's data (snake_case, API.md §3).
json::Json checkout_json(const Order& o);

struct PlaceOrderBody {
  Uuid event_id;
  Uuid session_id;
  Uuid organization_id;
  std::vector<Uuid> seat_ids;
  std::optional<Uuid> discount_id;
};
// Throws ticketly::Error(400) naming the problem: malformed ids, no seats, a seat twice,
// more than `max_seats`.
PlaceOrderBody parse_place_order(const json::Json& body, std::size_t max_seats);

}  // namespace ticketly::order::api
