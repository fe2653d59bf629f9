#include <gtest/gtest.h>

#include "services/event_query/model/event_snapshot.h"
#include "support/event_query_support.h"

namespace ticketly::event_query {
namespace {

using testing::EventBuilder;
using testing::SessionSpec;

TEST(EventQuerySnapshot, ExtractsSearchColumnsAndSessionPrices) {
  EventBuilder b;
  b.title("Jazz Night").category("11111111-1111-4111-8111-111111111111", "Jazz");
  SessionSpec spec;
  spec.rows = 3;
  spec.seats_per_row = 4;
  spec.reserved_seats = {"1A"};
  const auto& s = b.session(spec);
  auto snap = parse_event_snapshot(b.snapshot(7));
  EXPECT_EQ(snap.version, 7);
  EXPECT_EQ(snap.id.str(), b.id());
  EXPECT_EQ(snap.title, "Jazz Night");
  EXPECT_EQ(snap.status, "APPROVED");
  ASSERT_TRUE(snap.category.has_value());
  EXPECT_EQ(snap.category->name, "Jazz");
  ASSERT_EQ(snap.sessions.size(), 1u);
  EXPECT_EQ(snap.sessions[0].id.str(), s.id);
  EXPECT_EQ(snap.sessions[0].capacity, 11);  // 12 seats, one reserved
  ASSERT_TRUE(snap.sessions[0].latitude.has_value());
  // Rows alternate VIP (5000) and Regular (1500.5): both tiers are sold here, in minor units.
  ASSERT_EQ(snap.sessions[0].prices.size(), 2u);
  std::int64_t total = 0;
  for (auto& [tier, price] : snap.sessions[0].prices) total += price;
  EXPECT_EQ(total, 500000 + 150050);
}

// API.md §0: PENDING and CANCELED are accepted for sessions; the read model, columns and
// the document the views read alike, holds SCHEDULED and CANCELLED.
TEST(EventQuerySnapshot, SessionStatusesAreStoredByTheirCanonicalNames) {
  EventBuilder b;
  SessionSpec pending, canceled, on_sale;
  pending.status = "PENDING";
  canceled.status = "CANCELED";
  b.session(pending);
  b.session(canceled);
  b.session(on_sale);
  auto snap = parse_event_snapshot(b.snapshot(1));
  ASSERT_EQ(snap.sessions.size(), 3u);
  const auto& docs = snap.doc["sessions"];
  const char* expected[] = {"SCHEDULED", "CANCELLED", "ON_SALE"};
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(snap.sessions[i].status, expected[i]);
    EXPECT_EQ(docs[i]["status"], expected[i]);
  }
}

TEST(EventQuerySnapshot, OnlyTiersUsedBySeatsArePricedForASession) {
  EventBuilder b;
  const auto vip = b.tier("VIP", 9000);
  b.tier("Cheap", 100);
  SessionSpec spec;
  spec.row_tiers = {vip, ""};  // second row has no tier: not sellable
  b.session(spec);
  auto snap = parse_event_snapshot(b.snapshot(1));
  ASSERT_EQ(snap.sessions[0].prices.size(), 1u);
  EXPECT_EQ(snap.sessions[0].prices[0].second, 900000);
  EXPECT_EQ(snap.sessions[0].capacity, 5);
}

// Only RESERVED seats use the VIP tier: nobody can buy it, so price filters must not see it.
TEST(EventQuerySnapshot, TiersOfReservedSeatsOnlyAreNotPriced) {
  EventBuilder b;
  const auto cheap = b.tier("Cheap", 100);
  const auto vip = b.tier("VIP", 9000);
  SessionSpec spec;
  spec.rows = 2;
  spec.seats_per_row = 2;
  spec.row_tiers = {cheap, vip};
  spec.reserved_seats = {"1B", "2B"};
  b.session(spec);
  auto snap = parse_event_snapshot(b.snapshot(1));
  ASSERT_EQ(snap.sessions[0].prices.size(), 1u);
  EXPECT_EQ(snap.sessions[0].prices[0].first.str(), cheap);
  EXPECT_EQ(snap.sessions[0].capacity, 2);
}

// The map fingerprint changes with what the seating map shows (layout, tiers), not with a
// session's status or dates: the sale opening must not send every watcher to re-fetch.
TEST(EventQuerySnapshot, TheMapFingerprintFollowsLayoutAndTiersOnly) {
  EventBuilder b;
  b.session();
  b.session();
  auto hash = [&](std::size_t i) { return parse_event_snapshot(b.snapshot(1)).sessions.at(i).map_hash; };
  const std::string first = hash(0), second = hash(1);
  EXPECT_FALSE(first.empty());
  EXPECT_NE(first, second);  // other seats
  b.event()["sessions"][0]["status"] = "SOLD_OUT";
  b.event()["sessions"][0]["salesStartTime"] = "2026-01-01T00:00:00Z";
  b.event()["title"] = "Renamed";
  EXPECT_EQ(hash(0), first);
  b.event()["tiers"][0]["price"] = 1.0;
  EXPECT_NE(hash(0), first);  // the map shows tier prices
  const std::string repriced = hash(0);
  b.event()["sessions"][0]["layoutData"]["layout"]["blocks"][0]["name"] = "Orchestra pit";
  EXPECT_NE(hash(0), repriced);
}

TEST(EventQuerySnapshot, RejectsPayloadsThatBreakTheContract) {
  EventBuilder b;
  auto missing_version = b.snapshot(1);
  missing_version.erase("version");
  EXPECT_THROW(parse_event_snapshot(missing_version), std::invalid_argument);
  auto bad_id = b.snapshot(1);
  bad_id["event"]["id"] = "not-a-uuid";
  EXPECT_THROW(parse_event_snapshot(bad_id), std::invalid_argument);
  auto bad_time = b.snapshot(1);
  b.session();
  bad_time = b.snapshot(2);
  bad_time["event"]["sessions"][0]["startTime"] = "yesterday";
  EXPECT_THROW(parse_event_snapshot(bad_time), std::invalid_argument);
}

TEST(EventQuerySnapshot, StandingSlotsCountAsSeats) {
  EventBuilder b;
  SessionSpec spec;
  spec.rows = 0;
  spec.standing = 7;
  b.session(spec);
  auto snap = parse_event_snapshot(b.snapshot(1));
  EXPECT_EQ(snap.sessions[0].capacity, 7);
}

}  // namespace
}  // namespace ticketly::event_query
