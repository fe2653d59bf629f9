#include "app/demo/demo_data.h"

#include "platform/types/uuid.h"

namespace ticketly::app::demo {
namespace {

using nlohmann::json;

std::string new_id() { return Uuid::random().str(); }

// Grid row labels as the contract has them: A…Z, AA, AB…
std::string row_label(int index) {
  std::string label;
  for (int n = index + 1; n > 0; n = (n - 1) / 26) label.insert(label.begin(), char('A' + (n - 1) % 26));
  return label;
}

json seat(const std::string& label, const json& tier_id, const char* status = "AVAILABLE") {
  return {{"id", new_id()}, {"label", label}, {"tierId", tier_id}, {"status", status}};
}

json seated_hall(const HallSize& size, const std::string& vip, const std::string& standard) {
  json rows = json::array();
  for (int r = 0; r < size.rows; ++r) {
    const std::string label = row_label(r);
    const bool last_row = r == size.rows - 1;
    json seats = json::array();
    for (int s = 1; s <= size.seats_per_row; ++s) {
      const bool reserved = last_row && (s == 1 || s == size.seats_per_row) && size.reserved_seats > 0;
      if (reserved) {
        seats.push_back(seat(std::to_string(s) + label, nullptr, "RESERVED"));
      } else {
        seats.push_back(seat(std::to_string(s) + label, r < size.vip_rows ? vip : standard));
      }
    }
    rows.push_back({{"id", new_id()}, {"label", label}, {"seats", std::move(seats)}});
  }
  return {{"id", new_id()}, {"name", "Orchestra"}, {"type", "seated_grid"},
          {"position", {{"x", 25}, {"y", 140}}}, {"rows", std::move(rows)}};
}

json standing(const char* name, int capacity, const std::string& tier, int x, int y) {
  json seats = json::array();
  for (int i = 1; i <= capacity; ++i) seats.push_back(seat("Slot " + std::to_string(i), tier));
  return {{"id", new_id()},   {"name", name},    {"type", "standing_capacity"}, {"position", {{"x", x}, {"y", y}}},
          {"capacity", capacity}, {"width", 319}, {"height", 172},             {"seats", std::move(seats)}};
}

json stage() {
  return {{"id", new_id()}, {"name", "Stage"}, {"type", "non_sellable"}, {"position", {{"x", 25}, {"y", 25}}},
          {"width", 674}, {"height", 90}};
}

json session(Timestamp start, std::chrono::hours length, const char* type, json venue, json layout) {
  return {{"id", new_id()},
          {"startTime", format_iso8601(start)},
          {"endTime", format_iso8601(start + length)},
          // Sales would open a week before the session; the seeder opens them at once
          // through the owner's status transition, as an organizer can.
          {"salesStartTime", format_iso8601(start - std::chrono::hours(24 * 7))},
          {"sessionType", type},
          {"venueDetails", std::move(venue)},
          {"layoutData", std::move(layout)}};
}

}  // namespace

nlohmann::json organization_request() {
  return {{"name", kOrganizationName}, {"website", "https://example.org/ticketly-demo"}};
}

nlohmann::json event_request(const std::string& organization_id, const std::string& category_id, Timestamp now,
                             const HallSize& size) {
  using namespace std::chrono;
  const std::string vip = new_id(), standard = new_id(), pit = new_id(), online = new_id();
  json tiers = json::array({
      {{"id", vip}, {"name", "VIP"}, {"color", "#C9A227"}, {"price", 15000}},
      {{"id", standard}, {"name", "Standard"}, {"color", "#2E86DE"}, {"price", 6500}},
      {{"id", pit}, {"name", "Standing"}, {"color", "#27AE60"}, {"price", 4000}},
      {{"id", online}, {"name", "Online"}, {"color", "#8E44AD"}, {"price", 1500}},
  });
  // Whole days ahead, at 19:00 UTC, so the schedule reads naturally.
  const auto today = floor<days>(now);
  const Timestamp hall_start = today + days(14) + hours(19), online_start = today + days(21) + hours(19);

  json hall_layout = {{"name", "Nelum Pokuna Open Air"},
                      {"layout", {{"blocks", json::array({stage(), seated_hall(size, vip, standard),
                                                          standing("GA Pit", size.pit_capacity, pit, 400, 140)})}}}};
  json online_layout = {
      {"name", "Online"},
      {"layout", {{"blocks", json::array({standing("Online Attendees", size.online_capacity, online, 25, 25)})}}}};

  json hall = session(hall_start, hours(3), "PHYSICAL",
                      {{"name", "Nelum Pokuna Open Air Theatre"},
                       {"address", "110 Ananda Coomaraswamy Mawatha, Colombo 7"},
                       {"latitude", 6.9109},
                       {"longitude", 79.8614}},
                      std::move(hall_layout));
  json stream = session(online_start, hours(2), "ONLINE", {{"onlineLink", "https://example.org/ticketly-demo/live"}},
                        std::move(online_layout));

  json discounts = json::array({
      {{"id", new_id()},
       {"code", "EARLYBIRD"},
       {"parameters", {{"type", "PERCENTAGE"}, {"percentage", 10}, {"minSpend", nullptr}, {"maxDiscount", 5000}}},
       {"maxUsage", 100},
       {"active", true},
       {"public", true},
       {"activeFrom", format_iso8601(now - hours(1))},
       {"expiresAt", format_iso8601(hall_start)},
       {"applicableTierIds", json::array()},
       {"applicableSessionIds", json::array()}},
      {{"id", new_id()},
       {"code", "FRIENDS2FOR1"},
       {"parameters", {{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 2}, {"getQuantity", 1}}},
       {"maxUsage", 20},
       {"active", true},
       {"public", false},
       {"activeFrom", format_iso8601(now - hours(1))},
       {"expiresAt", format_iso8601(hall_start)},
       {"applicableTierIds", json::array({standard})},
       {"applicableSessionIds", json::array()}},
  });

  return {{"title", kEventTitle},
          {"description",
           "An evening of Sinhala, Tamil and Western classics by the Colombo Symphony, with a standing pit "
           "by the lake and a live stream a week later. Demo data created by `ticketly seed`."},
          {"overview", "## Programme\n\n- Overture\n- Lakeside suite\n- Finale with fireworks\n"},
          {"organizationId", organization_id},
          {"categoryId", category_id},
          {"tiers", std::move(tiers)},
          {"sessions", json::array({std::move(hall), std::move(stream)})},
          {"discounts", std::move(discounts)}};
}

int sellable_seats(const nlohmann::json& event_request) {
  int n = 0;
  for (const auto& s : event_request.at("sessions")) {
    for (const auto& block : s.at("layoutData").at("layout").at("blocks")) {
      auto count = [&](const json& seats) {
        for (const auto& seat : seats) n += seat.at("status") != "RESERVED" && !seat.at("tierId").is_null();
      };
      if (block.contains("rows")) {
        for (const auto& row : block.at("rows")) count(row.at("seats"));
      }
      if (block.contains("seats")) count(block.at("seats"));
    }
  }
  return n;
}

}  // namespace ticketly::app::demo
