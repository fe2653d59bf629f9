#pragma once
// The demo catalogue `ticketly seed` creates through the public API: one organization,
// one event with a seated hall, a standing pit and an online session, tiers and a
// public discount. Pure builders (no I/O) so tests can check the shapes against the
// API contract (API.md §1 CreateEventRequest).
#include <nlohmann/json.hpp>

#include <string>

#include "platform/types/time.h"

namespace ticketly::app::demo {

inline constexpr const char* kOrganizationName = "Ticketly Demo Productions";
inline constexpr const char* kEventTitle = "Colombo Symphony Under the Stars";

// Sizes of the demo hall, so tests and the printed summary agree with the layout.
struct HallSize {
  int rows = 10;          // A…J
  int seats_per_row = 20;
  int vip_rows = 2;       // A and B
  int reserved_seats = 2; // the aisle ends of the last row, not for sale
  int pit_capacity = 100;
  int online_capacity = 500;
};

nlohmann::json organization_request();

// CreateEventRequest for `organization_id` in `category_id`, with sessions starting
// two and three weeks after `now`. Every id is a fresh UUID the server keeps.
nlohmann::json event_request(const std::string& organization_id, const std::string& category_id, Timestamp now,
                             const HallSize& size = {});

// Sellable seats of the request's sessions (non-RESERVED seats that carry a tier).
int sellable_seats(const nlohmann::json& event_request);

}  // namespace ticketly::app::demo
