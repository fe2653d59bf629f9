#include "services/event_command/domain/model.h"

namespace ticketly::event_command {

std::string_view to_string(EventStatus s) {
  switch (s) {
    case EventStatus::Pending: return "PENDING";
    case EventStatus::Approved: return "APPROVED";
    case EventStatus::Rejected: return "REJECTED";
    case EventStatus::Completed: return "COMPLETED";
  }
  return "PENDING";
}

std::string_view to_string(SessionStatus s) {
  switch (s) {
    case SessionStatus::Scheduled: return "SCHEDULED";
    case SessionStatus::OnSale: return "ON_SALE";
    case SessionStatus::SoldOut: return "SOLD_OUT";
    case SessionStatus::Closed: return "CLOSED";
    case SessionStatus::Cancelled: return "CANCELLED";
  }
  return "SCHEDULED";
}

std::string_view to_string(SessionType t) { return t == SessionType::Online ? "ONLINE" : "PHYSICAL"; }

std::string_view to_string(DiscountType t) {
  switch (t) {
    case DiscountType::Percentage: return "PERCENTAGE";
    case DiscountType::FlatOff: return "FLAT_OFF";
    case DiscountType::BuyNGetNFree: return "BUY_N_GET_N_FREE";
  }
  return "PERCENTAGE";
}

std::optional<EventStatus> parse_event_status(std::string_view s) {
  if (s == "PENDING") return EventStatus::Pending;
  if (s == "APPROVED") return EventStatus::Approved;
  if (s == "REJECTED") return EventStatus::Rejected;
  if (s == "COMPLETED") return EventStatus::Completed;
  return std::nullopt;
}

std::optional<SessionStatus> parse_session_status(std::string_view s) {
  // The reference's clients send PENDING for a scheduled session and CANCELED (one L).
  if (s == "SCHEDULED" || s == "PENDING") return SessionStatus::Scheduled;
  if (s == "ON_SALE") return SessionStatus::OnSale;
  if (s == "SOLD_OUT") return SessionStatus::SoldOut;
  if (s == "CLOSED") return SessionStatus::Closed;
  if (s == "CANCELLED" || s == "CANCELED") return SessionStatus::Cancelled;
  return std::nullopt;
}

std::optional<SessionType> parse_session_type(std::string_view s) {
  if (s == "PHYSICAL") return SessionType::Physical;
  if (s == "ONLINE") return SessionType::Online;
  return std::nullopt;
}

std::optional<DiscountType> parse_discount_type(std::string_view s) {
  if (s == "PERCENTAGE") return DiscountType::Percentage;
  if (s == "FLAT_OFF") return DiscountType::FlatOff;
  if (s == "BUY_N_GET_N_FREE") return DiscountType::BuyNGetNFree;
  return std::nullopt;
}

Json venue_to_json(const Venue& v) {
  auto text = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
  auto number = [](const std::optional<double>& d) { return d ? Json(*d) : Json(nullptr); };
  return {{"name", text(v.name)},
          {"address", text(v.address)},
          {"latitude", number(v.latitude)},
          {"longitude", number(v.longitude)},
          {"onlineLink", text(v.online_link)}};
}

Venue venue_from_json(const Json& j) {
  Venue v;
  if (!j.is_object()) return v;
  auto text = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto number = [&](const char* key) -> std::optional<double> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  };
  v.name = text("name");
  v.address = text("address");
  v.online_link = text("onlineLink");
  v.latitude = number("latitude");
  v.longitude = number("longitude");
  return v;
}

}  // namespace ticketly::event_command
