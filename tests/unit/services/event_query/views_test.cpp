#include <gtest/gtest.h>

#include "services/event_query/model/views.h"
#include "support/event_query_support.h"

namespace ticketly::event_query {
namespace {

using testing::EventBuilder;
using testing::SessionSpec;

std::map<std::string, json::Json> seats_by_id(const json::Json& map) {
  std::map<std::string, json::Json> out;
  for (const auto& block : map["layout"]["blocks"]) {
    if (block.contains("rows")) {
      for (const auto& row : block["rows"]) {
        for (const auto& seat : row["seats"]) out[seat["id"]] = seat;
      }
    }
    if (block.contains("seats")) {
      for (const auto& seat : block["seats"]) out[seat["id"]] = seat;
    }
  }
  return out;
}

TEST(EventQueryViews, SeatingMapCarriesLiveStatusAndTierObjects) {
  EventBuilder b;
  SessionSpec spec;
  spec.reserved_seats = {"2A"};
  spec.standing = 2;
  const auto s = b.session(spec);
  const json::Json doc = b.snapshot(1)["event"];
  std::map<std::string, std::string> live{{s.seat_ids[0], "LOCKED"}, {s.seat_ids[2], "BOOKED"},
                                          {s.seat_ids[1], "BOOKED"},  // 2A is the organizer's: stays RESERVED
                                          {s.seat_ids[3], "AVAILABLE"}};
  auto map = views::seating_map(doc, *views::find_session(doc, s.id), live);
  auto seats = seats_by_id(map);
  ASSERT_EQ(seats.size(), s.seat_ids.size());
  EXPECT_EQ(seats[s.seat_ids[0]]["status"], "LOCKED");
  EXPECT_EQ(seats[s.seat_ids[1]]["status"], "RESERVED");
  EXPECT_EQ(seats[s.seat_ids[2]]["status"], "BOOKED");
  EXPECT_EQ(seats[s.seat_ids[3]]["status"], "AVAILABLE");
  EXPECT_EQ(seats[s.seat_ids[4]]["status"], "AVAILABLE");
  EXPECT_FALSE(seats[s.seat_ids[0]].contains("tierId"));
  EXPECT_EQ(seats[s.seat_ids[0]]["tier"]["id"], b.tier_ids()[0]);
  EXPECT_EQ(seats[s.seat_ids[0]]["tier"]["price"], 5000.0);
  EXPECT_EQ(seats[s.seat_ids[0]]["tier"]["name"], "VIP");
  EXPECT_EQ(map["name"], "Main Hall");
}

TEST(EventQueryViews, SeatWithoutTierHasNullTier) {
  EventBuilder b;
  SessionSpec spec;
  spec.row_tiers = {""};
  spec.rows = 1;
  const auto s = b.session(spec);
  const json::Json doc = b.snapshot(1)["event"];
  auto seats = seats_by_id(views::seating_map(doc, *views::find_session(doc, s.id), {}));
  EXPECT_TRUE(seats[s.seat_ids[0]]["tier"].is_null());
}

TEST(EventQueryViews, PublicDiscountsAreActivePublicInWindowAndNotUsedUp) {
  EventBuilder b;
  const auto s1 = b.session();
  const auto s2 = b.session();
  auto ok = testing::percentage_discount("OK10", 10);
  auto priv = testing::percentage_discount("PRIVATE", 10, false);
  auto inactive = testing::percentage_discount("OFF", 10);
  inactive["active"] = false;
  auto expired = testing::percentage_discount("OLD", 10);
  expired["expiresAt"] = format_iso8601(Clock::now() - std::chrono::hours(1));
  auto future = testing::percentage_discount("SOON", 10);
  future["activeFrom"] = format_iso8601(Clock::now() + std::chrono::hours(1));
  auto used = testing::percentage_discount("USED", 10);
  used["currentUsage"] = 100;
  auto other_session = testing::percentage_discount("S2ONLY", 10);
  other_session["applicableSessionIds"] = json::Json::array({s2.id});
  for (auto* d : {&ok, &priv, &inactive, &expired, &future, &used, &other_session}) b.discount(*d);
  const json::Json doc = b.snapshot(1)["event"];
  auto list = views::public_discounts(doc, s1.id, Clock::now());
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["code"], "OK10");
  EXPECT_EQ(list[0]["public"], true);
  EXPECT_EQ(views::public_discounts(doc, s2.id, Clock::now()).size(), 2u);
  // By code: private ones too, case-insensitive, but never unusable ones.
  EXPECT_TRUE(views::discount_by_code(doc, s1.id, "private", Clock::now()).has_value());
  EXPECT_FALSE(views::discount_by_code(doc, s1.id, "OLD", Clock::now()).has_value());
  EXPECT_FALSE(views::discount_by_code(doc, s1.id, "used", Clock::now()).has_value());
  EXPECT_FALSE(views::discount_by_code(doc, s1.id, "S2ONLY", Clock::now()).has_value());
  EXPECT_TRUE(views::discount_by_code(doc, s2.id, "s2only", Clock::now()).has_value());
  EXPECT_FALSE(views::discount_by_code(doc, s1.id, "NOPE", Clock::now()).has_value());
}

TEST(EventQueryViews, ThumbnailShowsEarliestUpcomingSessionAndLowestPrice) {
  EventBuilder b;
  SessionSpec past;
  past.start = Clock::now() - std::chrono::hours(48);
  past.venue.name = "Old Hall";
  b.session(past);
  SessionSpec later;
  later.start = Clock::now() + std::chrono::hours(72);
  later.venue.name = "Later Hall";
  b.session(later);
  SessionSpec soon;
  soon.start = Clock::now() + std::chrono::hours(24);
  soon.venue.name = std::nullopt;
  soon.venue.address = "12 Galle Road, Kandy";
  b.session(soon);
  const json::Json doc = b.snapshot(1)["event"];
  auto t = views::thumbnail(doc, Clock::now(), 150050);
  EXPECT_EQ(t["earliestSession"]["venueName"], "Online");
  EXPECT_EQ(t["earliestSession"]["city"], "Kandy");
  EXPECT_EQ(t["startingPrice"], 1500.5);  // minor units from the read model, shown in major
  EXPECT_TRUE(views::thumbnail(doc, Clock::now(), std::nullopt)["startingPrice"].is_null());  // nothing on sale
  EXPECT_EQ(t["organizationName"], "Colombo Philharmonic");
  EXPECT_TRUE(t["coverPhotoUrl"].is_string());
}

TEST(EventQueryViews, SessionInfoHasGeoJsonLocation) {
  EventBuilder b;
  const auto s = b.session();
  SessionSpec online;
  online.type = "ONLINE";
  online.venue = testing::VenueSpec{std::nullopt, std::nullopt, std::nullopt, std::nullopt, "https://meet.example/x"};
  const auto o = b.session(online);
  const json::Json doc = b.snapshot(1)["event"];
  auto info = views::session_info(doc, *views::find_session(doc, s.id), Clock::now());
  EXPECT_EQ(info["venueDetails"]["location"]["type"], "Point");
  EXPECT_EQ(info["venueDetails"]["location"]["coordinates"][0], 79.8630);
  EXPECT_EQ(info["venueDetails"]["location"]["coordinates"][1], 6.9103);
  EXPECT_EQ(info["eventId"], b.id());
  auto oi = views::session_info(doc, *views::find_session(doc, o.id), Clock::now());
  EXPECT_TRUE(oi["venueDetails"]["location"].is_null());
  EXPECT_EQ(oi["venueDetails"]["onlineLink"], "https://meet.example/x");
}

}  // namespace
}  // namespace ticketly::event_query
