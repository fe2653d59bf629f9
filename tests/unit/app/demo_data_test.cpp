// The demo catalogue must satisfy the contract's creation rules (API.md §1), or
// `make run` would greet every new developer with a 400.
#include <gtest/gtest.h>

#include <set>

#include "app/demo/demo_data.h"
#include "platform/types/uuid.h"

namespace ticketly::app::demo {
namespace {

using nlohmann::json;

const Timestamp kNow = *parse_iso8601("2026-11-27T10:15:00Z");

json request() { return event_request("8d0c2c0e-2f7b-4d8e-9f53-0b8f2a2b7c11", "1b9e7a52-0f3d-4a55-8a43-6d1c1e5d9a02", kNow); }

TEST(DemoData, SessionsMeetTheCreationRules) {
  const auto r = request();
  ASSERT_EQ(r.at("sessions").size(), 2u);
  for (const auto& s : r.at("sessions")) {
    const auto start = *parse_iso8601(s.at("startTime").get<std::string>());
    const auto end = *parse_iso8601(s.at("endTime").get<std::string>());
    const auto sales = *parse_iso8601(s.at("salesStartTime").get<std::string>());
    EXPECT_GT(start, kNow);
    EXPECT_LT(sales, start);
    EXPECT_GE(end - start, std::chrono::minutes(30));
    EXPECT_LE(end - start, std::chrono::hours(12));
    const auto& venue = s.at("venueDetails");
    if (s.at("sessionType") == "ONLINE") {
      EXPECT_FALSE(venue.value("onlineLink", "").empty());
    } else {
      EXPECT_FALSE(venue.value("name", "").empty());
    }
  }
}

TEST(DemoData, EveryIdIsAUniqueUuidAndEverySellableSeatHasATierOfTheEvent) {
  const auto r = request();
  std::set<std::string> tiers, ids;
  auto add_id = [&](const json& thing) {
    const auto id = thing.at("id").get<std::string>();
    EXPECT_TRUE(Uuid::parse(id)) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
  };
  for (const auto& t : r.at("tiers")) {
    add_id(t);
    tiers.insert(t.at("id").get<std::string>());
    EXPECT_GE(t.at("price").get<double>(), 0);
  }
  int reserved = 0;
  auto check_seat = [&](const json& seat) {
    add_id(seat);
    if (seat.at("status") == "RESERVED") {
      ++reserved;
      EXPECT_TRUE(seat.at("tierId").is_null());
    } else {
      EXPECT_TRUE(tiers.count(seat.at("tierId").get<std::string>())) << seat.dump();
    }
  };
  for (const auto& s : r.at("sessions")) {
    add_id(s);
    for (const auto& b : s.at("layoutData").at("layout").at("blocks")) {
      add_id(b);
      if (b.at("type") == "seated_grid") {
        for (const auto& row : b.at("rows")) {
          add_id(row);
          for (const auto& seat : row.at("seats")) check_seat(seat);
        }
      } else if (b.at("type") == "standing_capacity") {
        EXPECT_EQ(b.at("seats").size(), b.at("capacity").get<std::size_t>());
        for (const auto& seat : b.at("seats")) check_seat(seat);
      }
    }
  }
  for (const auto& d : r.at("discounts")) {
    add_id(d);
    for (const auto& t : d.at("applicableTierIds")) EXPECT_TRUE(tiers.count(t.get<std::string>()));
  }
  const HallSize size;
  EXPECT_EQ(reserved, size.reserved_seats);
  EXPECT_EQ(sellable_seats(r),
            size.rows * size.seats_per_row - size.reserved_seats + size.pit_capacity + size.online_capacity);
}

TEST(DemoData, GridRowsAndSeatsAreLabelledAsTheContractSays) {
  HallSize size;
  size.rows = 28;  // past Z
  const auto r = event_request("8d0c2c0e-2f7b-4d8e-9f53-0b8f2a2b7c11", "1b9e7a52-0f3d-4a55-8a43-6d1c1e5d9a02", kNow,
                               size);
  const auto& blocks = r.at("sessions")[0].at("layoutData").at("layout").at("blocks");
  const json* grid = nullptr;
  for (const auto& b : blocks) {
    if (b.at("type") == "seated_grid") grid = &b;
  }
  ASSERT_NE(grid, nullptr);
  const auto& rows = grid->at("rows");
  ASSERT_EQ(rows.size(), 28u);
  EXPECT_EQ(rows[0].at("label"), "A");
  EXPECT_EQ(rows[25].at("label"), "Z");
  EXPECT_EQ(rows[26].at("label"), "AA");
  EXPECT_EQ(rows[27].at("label"), "AB");
  EXPECT_EQ(rows[0].at("seats")[0].at("label"), "1A");
  EXPECT_EQ(rows[26].at("seats")[19].at("label"), "20AA");
}

}  // namespace
}  // namespace ticketly::app::demo
