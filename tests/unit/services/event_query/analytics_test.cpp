#include <gtest/gtest.h>

#include "services/event_query/model/analytics.h"
#include "services/event_query/model/views.h"
#include "support/event_query_support.h"

namespace ticketly::event_query {
namespace {

using testing::EventBuilder;
using testing::SessionSpec;

// Two sessions of 10 seats (a row of tier A at 100, a row of tier B at 50); three sold
// tickets: order 1 (A + B, 30 off → 120 paid) in session 1, order 2 (A, 100 paid) in session 2.
struct Dataset {
  EventBuilder b;
  std::string a, bt;
  testing::BuiltSession s1, s2;
  std::vector<StoredOrder> orders;

  Dataset() {
    a = b.tier("A", 100);
    bt = b.tier("B", 50);
    s1 = b.session();
    s2 = b.session();
    auto order = [&](const testing::BuiltSession& s, std::string status, std::vector<std::pair<int, double>> seats,
                     std::int64_t discount_cents) {
      StoredOrder o{s.id, std::move(status), 0, 0, json::Json::array()};
      for (auto [i, price] : seats) {
        o.tickets.push_back({{"seat_id", s.seat_ids[static_cast<std::size_t>(i)]},
                             {"tier_id", s.seat_tiers[static_cast<std::size_t>(i)]},
                             {"price_cents", static_cast<std::int64_t>(price * 100)}});
        o.subtotal_cents += static_cast<std::int64_t>(price * 100);
      }
      o.price_cents = o.subtotal_cents - discount_cents;
      orders.push_back(o);
    };
    order(s1, "completed", {{0, 100}, {5, 50}}, 3000);
    order(s2, "completed", {{0, 100}}, 0);
    order(s1, "pending", {{6, 50}}, 0);
    order(s1, "cancelled", {{7, 50}}, 0);
  }
};

TEST(EventQueryAnalytics, EventSummaryUsesRevenueActuallyPaid) {
  Dataset d;
  const json::Json doc = d.b.snapshot(1)["event"];
  auto j = analytics::event_summary(doc, d.orders);
  EXPECT_EQ(j["totalRevenue"], 220);
  EXPECT_EQ(j["totalTicketsSold"], 3);
  EXPECT_DOUBLE_EQ(j["averageRevenuePerTicket"].get<double>(), 73.33);
  EXPECT_EQ(j["totalEventCapacity"], 20);
  EXPECT_DOUBLE_EQ(j["overallSellOutPercentage"].get<double>(), 15.0);
  EXPECT_EQ(j["sessionStatusBreakdown"]["ON_SALE"], 2);
  ASSERT_EQ(j["salesByTier"].size(), 2u);
  auto tier_a = j["salesByTier"][0];
  EXPECT_EQ(tier_a["tierId"], d.a);
  EXPECT_EQ(tier_a["ticketsSold"], 2);
  EXPECT_EQ(tier_a["tierCapacity"], 10);
  EXPECT_EQ(tier_a["totalRevenue"], 180);  // 80 (its share of order 1) + 100
  EXPECT_DOUBLE_EQ(tier_a["percentageOfTotalSales"].get<double>(), 66.67);
  auto tier_b = j["salesByTier"][1];
  EXPECT_EQ(tier_b["ticketsSold"], 1);
  EXPECT_EQ(tier_b["totalRevenue"], 40);
}

TEST(EventQueryAnalytics, PerSessionFigures) {
  Dataset d;
  const json::Json doc = d.b.snapshot(1)["event"];
  auto list = analytics::sessions_summary(doc, d.orders);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["sessionId"], d.s1.id);
  EXPECT_EQ(list[0]["ticketsSold"], 2);
  EXPECT_EQ(list[0]["sessionRevenue"], 120);
  EXPECT_EQ(list[0]["sessionCapacity"], 10);
  EXPECT_DOUBLE_EQ(list[0]["sellOutPercentage"].get<double>(), 20.0);
  EXPECT_EQ(list[1]["sessionRevenue"], 100);
}

TEST(EventQueryAnalytics, SessionDetailBreaksDownSeatsAndBlocks) {
  Dataset d;
  const json::Json doc = d.b.snapshot(1)["event"];
  std::map<std::string, std::string> live{
      {d.s1.seat_ids[0], "BOOKED"}, {d.s1.seat_ids[5], "BOOKED"}, {d.s1.seat_ids[6], "LOCKED"}};
  const auto now = parse_iso8601(doc["sessions"][0]["startTime"].get<std::string>()).value() - std::chrono::hours(26) -
                   std::chrono::minutes(3);
  auto j = analytics::session_detail(doc, *views::find_session(doc, d.s1.id), d.orders, live, now);
  EXPECT_EQ(j["seatStatusBreakdown"]["BOOKED"], 2);
  EXPECT_EQ(j["seatStatusBreakdown"]["LOCKED"], 1);
  EXPECT_EQ(j["seatStatusBreakdown"]["AVAILABLE"], 7);
  EXPECT_EQ(j["timeUntilStart"], "PT26H3M");
  ASSERT_EQ(j["occupancyByBlock"].size(), 2u);
  auto grid = j["occupancyByBlock"][1];
  EXPECT_EQ(grid["blockType"], "seated_grid");
  EXPECT_EQ(grid["totalCapacity"], 10);
  EXPECT_EQ(grid["seatsSold"], 2);
  EXPECT_DOUBLE_EQ(grid["occupancyPercentage"].get<double>(), 20.0);
  EXPECT_EQ(j["salesByTier"][0]["ticketsSold"], 1);
}

// Session 2 cancelled after its one ticket (tier A, 100 paid) was sold: the event's
// capacity is session 1's 10 seats, of which 2 are sold; the ticket of session 2 is still
// sold and paid for. Before, the cancelled session's 10 seats halved the sell-out (15 %).
TEST(EventQueryAnalytics, EventSellOutLeavesOutCancelledSessions) {
  Dataset d;
  json::Json doc = d.b.snapshot(1)["event"];
  doc["sessions"][1]["status"] = "CANCELLED";
  auto j = analytics::event_summary(doc, d.orders);
  EXPECT_EQ(j["totalEventCapacity"], 10);
  EXPECT_DOUBLE_EQ(j["overallSellOutPercentage"].get<double>(), 20.0);
  EXPECT_EQ(j["totalTicketsSold"], 3);
  EXPECT_EQ(j["totalRevenue"], 220);
  EXPECT_EQ(j["sessionStatusBreakdown"]["CANCELLED"], 1);
  EXPECT_EQ(j["sessionStatusBreakdown"]["ON_SALE"], 1);
  ASSERT_EQ(j["salesByTier"].size(), 2u);
  EXPECT_EQ(j["salesByTier"][0]["tierCapacity"], 5);
  EXPECT_EQ(j["salesByTier"][0]["ticketsSold"], 2);
  EXPECT_EQ(j["salesByTier"][1]["tierCapacity"], 5);
}

// Sold out but for a cancelled session (one of its two seats sold before): 100 %, not
// 75 % (3 of 4 seats), nor 150 % (the cancelled session's ticket counted against the
// capacity left).
TEST(EventQueryAnalytics, EventSoldOutButForACancelledSessionIsAHundredPercent) {
  EventBuilder b;
  const auto a = b.tier("A", 10);
  SessionSpec spec;
  spec.rows = 1;
  spec.seats_per_row = 2;
  const auto on = b.session(spec);
  const auto off = b.session(spec);
  json::Json doc = b.snapshot(1)["event"];
  doc["sessions"][1]["status"] = "CANCELLED";
  std::vector<StoredOrder> orders;
  auto sell = [&](const testing::BuiltSession& s, std::size_t seats) {
    StoredOrder o{s.id, "completed", 0, 0, json::Json::array()};
    for (std::size_t i = 0; i < seats; ++i) {
      o.tickets.push_back({{"seat_id", s.seat_ids[i]}, {"tier_id", a}, {"price_cents", 1000}});
      o.subtotal_cents += 1000;
    }
    o.price_cents = o.subtotal_cents;
    orders.push_back(o);
  };
  sell(on, 2);
  sell(off, 1);
  auto j = analytics::event_summary(doc, orders);
  EXPECT_EQ(j["totalEventCapacity"], 2);
  EXPECT_EQ(j["totalTicketsSold"], 3);
  EXPECT_EQ(j["totalRevenue"], 30);
  EXPECT_DOUBLE_EQ(j["overallSellOutPercentage"].get<double>(), 100.0);
}

// A cancelled session's own figures (the sessions list, its summary) stay its own: what
// its seats were and what of them had been sold when it was cancelled.
TEST(EventQueryAnalytics, ACancelledSessionKeepsItsOwnFigures) {
  Dataset d;
  json::Json doc = d.b.snapshot(1)["event"];
  doc["sessions"][1]["status"] = "CANCELLED";
  auto list = analytics::sessions_summary(doc, d.orders);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["sessionStatus"], "CANCELLED");
  EXPECT_EQ(list[1]["sessionCapacity"], 10);
  EXPECT_EQ(list[1]["ticketsSold"], 1);
  EXPECT_DOUBLE_EQ(list[1]["sellOutPercentage"].get<double>(), 10.0);
  const auto now = Clock::now();
  auto detail = analytics::session_detail(doc, doc["sessions"][1], d.orders, {}, now);
  EXPECT_EQ(detail["sessionCapacity"], 10);
  EXPECT_EQ(detail["salesByTier"][0]["tierCapacity"], 5);
  ASSERT_EQ(detail["occupancyByBlock"].size(), 2u);
  EXPECT_EQ(detail["occupancyByBlock"][1]["totalCapacity"], 10);
  EXPECT_EQ(detail["occupancyByBlock"][1]["seatsSold"], 1);
}

TEST(EventQueryAnalytics, IsoDurations) {
  using namespace std::chrono;
  EXPECT_EQ(analytics::iso_duration(seconds(0)), "PT0S");
  EXPECT_EQ(analytics::iso_duration(hours(26) + minutes(3)), "PT26H3M");
  EXPECT_EQ(analytics::iso_duration(-minutes(5)), "-PT5M");
  EXPECT_EQ(analytics::iso_duration(seconds(61)), "PT1M1S");
}

}  // namespace
}  // namespace ticketly::event_query
