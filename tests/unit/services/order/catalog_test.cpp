#include "services/order/domain/catalog.h"

#include <gtest/gtest.h>

namespace ticketly::order {
namespace {

const char* kTierA = "11111111-1111-4111-8111-111111111111";
const char* kEvent = "22222222-2222-4222-8222-222222222222";
const char* kSession = "33333333-3333-4333-8333-333333333333";
const char* kSeat1 = "44444444-4444-4444-8444-444444444441";
const char* kSeat2 = "44444444-4444-4444-8444-444444444442";
const char* kSeat3 = "44444444-4444-4444-8444-444444444443";
const char* kSlot = "44444444-4444-4444-8444-444444444444";

json::Json snapshot(json::Json seats) {
  return {{"type", "EventSnapshot"},
          {"version", 3},
          {"event",
           {{"id", kEvent},
            {"status", "APPROVED"},
            {"ownerId", "owner-1"},
            {"organization", {{"id", kTierA}, {"name", "Org"}}},
            {"tiers", json::Json::array({{{"id", kTierA}, {"name", "A"}, {"color", "#000000"}, {"price", 1234.5}}})},
            {"sessions",
             json::Json::array({{{"id", kSession},
                                 {"status", "CANCELED"},
                                 {"layoutData",
                                  {{"name", "Hall"},
                                   {"layout",
                                    {{"blocks",
                                      json::Json::array(
                                          {{{"id", "b1"},
                                            {"type", "seated_grid"},
                                            {"rows", json::Json::array({{{"label", "A"}, {"seats", seats}}})}},
                                           {{"id", "b2"},
                                            {"type", "standing_capacity"},
                                            {"seats", json::Json::array({{{"id", kSlot},
                                                                          {"label", "Slot 1"},
                                                                          {"tierId", kTierA},
                                                                          {"status", "AVAILABLE"}}})}},
                                           {{"id", "stage"}, {"type", "non_sellable"}}})}}}}}}})},
            {"discounts",
             json::Json::array({{{"id", kSeat3},
                                 {"code", "B2G1"},
                                 {"parameters", {{"type", "BUY_N_GET_N_FREE"}, {"buyQuantity", 2}, {"getQuantity", 1}}},
                                 {"maxUsage", 5},
                                 {"active", true}}})}}}};
}

TEST(OrderCatalog, OnlySeatsWithATierOfTheEventAndNotReservedAreSellable) {
  auto e = parse_event_snapshot(snapshot(json::Json::array({
      {{"id", kSeat1}, {"label", "1A"}, {"tierId", kTierA}, {"status", "AVAILABLE"}},
      {{"id", kSeat2}, {"label", "2A"}, {"tierId", kTierA}, {"status", "RESERVED"}},
      {{"id", kSeat3}, {"label", "3A"}, {"tierId", nullptr}, {"status", "AVAILABLE"}},
  })));
  EXPECT_EQ(e.version, 3);
  EXPECT_EQ(e.owner_id, "owner-1");
  ASSERT_EQ(e.tiers.size(), 1u);
  EXPECT_EQ(e.tiers[0].price.units(), 123450);
  ASSERT_EQ(e.sessions.size(), 1u);
  EXPECT_EQ(e.sessions[0].status, "CANCELLED");  // CANCELED accepted on input
  ASSERT_EQ(e.sessions[0].seats.size(), 2u);     // 1A and the standing slot
  EXPECT_EQ(e.sessions[0].seats[0].id.str(), kSeat1);
  EXPECT_EQ(e.sessions[0].seats[1].id.str(), kSlot);
  ASSERT_EQ(e.discounts.size(), 1u);
  EXPECT_EQ(e.discounts[0].type, DiscountType::BuyNGetNFree);
  EXPECT_EQ(e.discounts[0].max_usage, 5);
}

TEST(OrderCatalog, LayoutHashChangesWithTheSellableLayoutOnly) {
  auto seats = json::Json::array({{{"id", kSeat1}, {"label", "1A"}, {"tierId", kTierA}}});
  auto a = parse_event_snapshot(snapshot(seats));
  auto m = snapshot(seats);
  m["event"]["tiers"][0]["price"] = 99;  // a price change is not a layout change
  auto b = parse_event_snapshot(m);
  EXPECT_EQ(a.sessions[0].layout_hash, b.sessions[0].layout_hash);
  seats[0]["label"] = "1B";
  auto c = parse_event_snapshot(snapshot(seats));
  EXPECT_NE(a.sessions[0].layout_hash, c.sessions[0].layout_hash);
}

TEST(OrderCatalog, MalformedSnapshotsAreRejected) {
  EXPECT_THROW(parse_event_snapshot(json::Json::array()), std::invalid_argument);
  auto m = snapshot(json::Json::array());
  m["event"]["id"] = "not-a-uuid";
  EXPECT_THROW(parse_event_snapshot(m), std::invalid_argument);
  m = snapshot(json::Json::array());
  m["event"]["tiers"][0]["price"] = "12";
  EXPECT_THROW(parse_event_snapshot(m), std::invalid_argument);
  m = snapshot(json::Json::array());
  m.erase("version");
  EXPECT_THROW(parse_event_snapshot(m), std::invalid_argument);
}

TEST(OrderCatalog, OrganizationStaffRoles) {
  json::Json m = {{"type", "OrganizationSnapshot"},
                  {"version", 2},
                  {"organization",
                   {{"id", kEvent},
                    {"ownerId", "owner"},
                    {"staff", json::Json::array({{{"userId", "s1"}, {"roles", {"SCANNER"}}, {"active", true}},
                                                 {{"userId", "s2"}, {"roles", {"SCANNER"}}, {"active", false}}})}}}};
  auto o = parse_organization_snapshot(m);
  EXPECT_TRUE(o.is_owner("owner"));
  EXPECT_FALSE(o.is_owner("s1"));
  EXPECT_TRUE(o.has_active_role("s1", "SCANNER"));
  EXPECT_FALSE(o.has_active_role("s2", "SCANNER"));
  EXPECT_FALSE(o.has_active_role("owner", "SCANNER"));
}

TEST(OrderCatalog, StripLayoutsRemovesOnlyLayouts) {
  auto m = snapshot(json::Json::array({{{"id", kSeat1}, {"label", "1A"}, {"tierId", kTierA}}}));
  auto stripped = strip_layouts(m);
  EXPECT_FALSE(stripped["event"]["sessions"][0].contains("layoutData"));
  auto back = parse_event_snapshot(stripped);
  EXPECT_EQ(back.tiers.size(), 1u);
  EXPECT_EQ(back.discounts.size(), 1u);
}

}  // namespace
}  // namespace ticketly::order
