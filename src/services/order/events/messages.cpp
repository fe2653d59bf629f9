#include "services/order/events/messages.h"

#include <algorithm>

#include "platform/types/time.h"
#include "services/order/api/dto.h"

namespace ticketly::order::events {

bus::OutgoingMessage seat_status(const Uuid& session, const std::vector<Uuid>& seats, std::string_view status,
                                 const std::optional<Uuid>& order, std::int64_t seq) {
  json::Json ids = json::Json::array();
  for (const auto& s : seats) ids.push_back(s.str());
  json::Json payload = {{"type", "SeatStatus"},
                        {"session_id", session.str()},
                        {"seat_ids", std::move(ids)},
                        {"status", status},
                        {"order_id", order ? json::Json(order->str()) : json::Json(nullptr)},
                        {"seq", seq},
                        {"occurredAt", format_iso8601(Clock::now(), true)}};
  return {std::string(kSeatStatusTopic), session.str(), payload.dump(), {{"type", "SeatStatus"}}};
}

void SeatStatusBatch::add(const Uuid& session, const std::vector<Uuid>& seats, const Uuid& order, std::int64_t seq) {
  auto& s = sessions_[session];
  s.seats.insert(s.seats.end(), seats.begin(), seats.end());
  s.orders.push_back(order);
  s.seq = std::max(s.seq, seq);
}

std::vector<bus::OutgoingMessage> SeatStatusBatch::messages() const {
  std::vector<bus::OutgoingMessage> out;
  for (const auto& [session, s] : sessions_) {
    std::optional<Uuid> one;
    if (s.orders.size() == 1) one = s.orders.front();
    out.push_back(seat_status(session, s.seats, status_, one, s.seq));
  }
  return out;
}

bus::OutgoingMessage order_snapshot(std::string_view topic, const Order& order) {
  json::Json payload = api::order_json(order);
  payload["type"] = "OrderSnapshot";
  payload["Version"] = order.version;
  payload["ExpiresAt"] = format_iso8601(order.expires_at, true);
  payload["PaymentStatus"] = order.payment_status;
  return {std::string(topic), order.id.str(), payload.dump(), {{"type", "OrderSnapshot"}}};
}

}  // namespace ticketly::order::events
