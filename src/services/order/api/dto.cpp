#include "services/order/api/dto.h"

#include <algorithm>
#include <cmath>

#include "platform/errors.h"
#include "platform/json/reader.h"

namespace ticketly::order::api {

json::Json money_json(Money m) {
  if (m.units() % 100 == 0) return m.units() / 100;  // whole amounts print as integers
  return std::round(m.major() * 100.0) / 100.0;
}

json::Json ticket_json(const Ticket& t, const Order& o, const QrRenderer& qr) {
  json::Json j = {{"ticket_id", t.id.str()},
                  {"order_id", t.order_id.str()},
                  {"seat_id", t.seat_id.str()},
                  {"seat_label", t.seat_label},
                  {"colour", t.colour},
                  {"tier_id", t.tier_id.str()},
                  {"tier_name", t.tier_name},
                  {"price_at_purchase", money_json(t.price_at_purchase)},
                  {"issued_at", format_iso8601(t.issued_at)},
                  {"checked_in", t.checked_in},
                  {"checked_in_time", t.checked_in_at ? format_iso8601(*t.checked_in_at, true) : kNeverCheckedIn}};
  if (qr) j["qr_code"] = qr(t, o);
  return j;
}

json::Json order_json(const Order& o, const QrRenderer& qr) {
  json::Json tickets = json::Json::array();
  for (const auto& t : o.tickets) tickets.push_back(ticket_json(t, o, qr));
  return {{"OrderID", o.id.str()},
          {"UserID", o.user_id},
          {"EventID", o.event_id.str()},
          {"OrganizationID", o.organization_id.str()},
          {"SessionID", o.session_id.str()},
          {"Status", std::string(to_string(o.status))},
          {"SubTotal", money_json(o.subtotal)},
          {"DiscountID", o.discount_id ? o.discount_id->str() : ""},
          {"DiscountCode", o.discount_code},
          {"DiscountAmount", money_json(o.discount_amount)},
          {"Price", money_json(o.price)},
          {"CreatedAt", format_iso8601(o.created_at, true)},
          {"PaymentIntentID", o.payment_intent_id},
          {"tickets", std::move(tickets)}};
}

json::Json placed_json(const Order& o) {
  json::Json seats = json::Json::array();
  for (const auto& i : o.items) seats.push_back(i.seat_id.str());
  return {{"order_id", o.id.str()},
          {"session_id", o.session_id.str()},
          {"organization_id", o.organization_id.str()},
          {"event_id", o.event_id.str()},
          {"seat_ids", std::move(seats)},
          {"user_id", o.user_id},
          {"subtotal", money_json(o.subtotal)},
          {"discount_amount", money_json(o.discount_amount)},
          {"price", money_json(o.price)},
          {"expires_at", format_iso8601(o.expires_at, true)}};
}

json::Json checkout_json(const Order& o) {
  json::Json tickets = json::Json::array();
  for (const auto& t : o.tickets) tickets.push_back(ticket_json(t, o));
  return {{"order_id", o.id.str()},
          {"event_id", o.event_id.str()},
          {"organization_id", o.organization_id.str()},
          {"session_id", o.session_id.str()},
          {"status", std::string(to_string(o.status))},
          {"subtotal", money_json(o.subtotal)},
          {"discount_amount", money_json(o.discount_amount)},
          {"price", money_json(o.price)},
          {"created_at", format_iso8601(o.created_at, true)},
          {"tickets", std::move(tickets)}};
}

PlaceOrderBody parse_place_order(const json::Json& body, std::size_t max_seats) {
  if (!body.is_object()) throw bad_request("request body must be a JSON object");
  json::ObjectReader r(body);
  PlaceOrderBody out;
  out.event_id = r.required_uuid("event_id");
  out.session_id = r.required_uuid("session_id");
  out.organization_id = r.required_uuid("organization_id");
  out.discount_id = r.optional_uuid("discount_id");
  const json::Json& seats = r.required_array("seat_ids", 100000);
  if (seats.empty()) throw bad_request("seat_ids must name at least one seat");
  if (seats.size() > max_seats) {
    throw bad_request("at most " + std::to_string(max_seats) + " seats per order (got " +
                      std::to_string(seats.size()) + ")");
  }
  out.seat_ids = r.uuid_list("seat_ids", max_seats, true);
  auto sorted = out.seat_ids;
  std::sort(sorted.begin(), sorted.end());
  if (auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end()) {
    throw bad_request("seat_ids names seat " + dup->str() + " more than once");
  }
  return out;
}

}  // namespace ticketly::order::api
