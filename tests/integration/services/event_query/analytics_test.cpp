// Organizer analytics from order events, and trending from page views and sales.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <thread>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"
#include "support/tokens.h"

namespace ticketly::testing {
namespace {

class EventQueryAnalytics : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query", "idp"}, {}, {{"TICKETLY_EVENT_QUERY_VIEWS_PER_CLIENT", "3"}});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  std::uint16_t port() const { return app_->port(); }
  void publish(const EventBuilder& b) {
    bus_->event(b.snapshot(1));
    auto r = poll_get(port(), "/api/event-query/v1/events/" + b.id() + "/basic-info",
                      [](const HttpResult& res) { return res.status == 200; });
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpResult get(const std::string& path, const std::string& token = "") {
    return http_request(port(), "GET", "/api/event-query" + path, "", token.empty() ? Headers{} : bearer(token));
  }

  // Trending recomputed (as an administrator), then read back: titles by rank, 0 first.
  // Fails fatally when either call is refused: call it through ASSERT_NO_FATAL_FAILURE.
  void recalculated_trending(json::Json& events, std::map<std::string, std::size_t>& rank_of_title) {
    const auto admin = user_token(port(), kAdminUser, kAdminPassword);
    auto recalc = http_request(port(), "POST", "/api/event-query/v1/events/trending/recalculate", "", bearer(admin));
    ASSERT_EQ(recalc.status, 200) << recalc.body;
    auto trending = get("/v1/events/trending?limit=50");
    ASSERT_EQ(trending.status, 200) << trending.body;
    events = trending.json();
    for (std::size_t i = 0; i < events.size(); ++i) rank_of_title[events[i]["title"]] = i;
  }

  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQueryAnalytics::app_;
std::unique_ptr<BusPublisher> EventQueryAnalytics::bus_;

TEST_F(EventQueryAnalytics, FiguresFromOrderEventsUseWhatWasPaid) {
  const auto owner = create_user(*app_);
  const auto stranger = create_user(*app_);
  EventBuilder b;
  b.owner(owner.id);
  const auto a = b.tier("A", 100);
  b.tier("B", 50);
  const auto s1 = b.session();
  const auto s2 = b.session();
  publish(b);
  const auto o1 = Uuid::random().str();
  // Order 1: pending, then completed with 30 off (two tickets: 100 + 50, paid 120).
  bus_->order("created", order_snapshot(o1, b.id(), s1.id, "pending",
                                        {{s1.seat_ids[0], a, 100}, {s1.seat_ids[5], s1.seat_tiers[5], 50}}, 30, 1));
  bus_->order("updated", order_snapshot(o1, b.id(), s1.id, "completed",
                                        {{s1.seat_ids[0], a, 100}, {s1.seat_ids[5], s1.seat_tiers[5], 50}}, 30, 2));
  bus_->order("created", order_snapshot(Uuid::random().str(), b.id(), s2.id, "completed", {{s2.seat_ids[0], a, 100}},
                                        0, 1));
  const auto o3 = Uuid::random().str();
  bus_->order("created", order_snapshot(o3, b.id(), s2.id, "pending", {{s2.seat_ids[1], a, 100}}, 0, 1));
  bus_->order("cancelled", order_snapshot(o3, b.id(), s2.id, "cancelled", {{s2.seat_ids[1], a, 100}}, 0, 2));
  const std::string path = "/v1/analytics/events/" + b.id();
  auto r = poll_get(port(), "/api/event-query" + path, [](const HttpResult& res) {
    return res.status == 200 && res.json()["totalTicketsSold"] == 3;
  }, std::chrono::seconds(10), bearer(owner.token));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["totalRevenue"], 220);
  EXPECT_EQ(j["totalEventCapacity"], 20);
  EXPECT_DOUBLE_EQ(j["overallSellOutPercentage"].get<double>(), 15.0);
  EXPECT_EQ(j["salesByTier"][0]["totalRevenue"], 180);
  EXPECT_EQ(j["sessionStatusBreakdown"]["ON_SALE"], 2);

  auto sessions = get(path + "/sessions", owner.token);
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  EXPECT_EQ(sessions.json()[0]["sessionRevenue"], 120);
  EXPECT_EQ(sessions.json()[1]["sessionRevenue"], 100);

  bus_->seats(seat_status_message(s1.id, {s1.seat_ids[0], s1.seat_ids[5]}, "BOOKED", 1, o1));
  auto detail = poll_get(port(), "/api/event-query" + path + "/sessions/" + s1.id + "/summary",
                         [](const HttpResult& res) {
                           return res.status == 200 && res.json()["seatStatusBreakdown"]["BOOKED"] == 2;
                         }, std::chrono::seconds(10), bearer(owner.token));
  ASSERT_EQ(detail.status, 200) << detail.body;
  EXPECT_EQ(detail.json()["occupancyByBlock"][1]["seatsSold"], 2);
  EXPECT_EQ(detail.json()["timeUntilStart"].get<std::string>().rfind("PT", 0), 0u);
  EXPECT_EQ(get(path + "/sessions/" + s1.id, owner.token).status, 200);

  EXPECT_EQ(get(path).status, 401);
  EXPECT_EQ(get(path, stranger.token).status, 403);
  EXPECT_EQ(get(path + "/sessions", stranger.token).status, 403);
  for (const auto& owner_only : {path + "/sessions", path + "/sessions/" + s1.id, path + "/sessions/" + s1.id + "/summary"}) {
    EXPECT_EQ(get(owner_only).status, 401) << owner_only;
    EXPECT_EQ(get(owner_only, stranger.token).status, 403) << owner_only;
  }
  const auto admin = user_token(port(), kAdminUser, kAdminPassword);
  EXPECT_EQ(get(path, admin).status, 200);
  EXPECT_EQ(get(path + "/sessions", admin).status, 403);  // the owner's alone (API.md §2)
  EXPECT_EQ(get("/v1/analytics/events/" + Uuid::random().str(), owner.token).status, 404);
  EXPECT_EQ(get(path + "/sessions/" + Uuid::random().str(), owner.token).status, 404);
}

TEST_F(EventQueryAnalytics, TrendingRanksViewsAndSales) {
  EventBuilder viewed;
  viewed.title("Much Viewed");
  viewed.session();
  EventBuilder sold;
  sold.title("Well Sold");
  const auto s = sold.session();
  EventBuilder quiet;
  quiet.title("Quiet One");
  quiet.session();
  publish(viewed);
  publish(sold);
  publish(quiet);
  // 1 view counts once per client per window.
  auto v1 = http_request(port(), "POST", "/api/event-query/v1/events/" + viewed.id() + "/views");
  ASSERT_EQ(v1.status, 200) << v1.body;
  EXPECT_EQ(v1.json()["counted"], true);
  EXPECT_EQ(http_request(port(), "POST", "/api/event-query/v1/events/" + viewed.id() + "/views").json()["counted"],
            false);
  EXPECT_EQ(http_request(port(), "POST", "/api/event-query/v1/events/" + Uuid::random().str() + "/views").status,
            404);
  // The third request of this client in the window counts; the fourth is over its budget.
  EXPECT_EQ(http_request(port(), "POST", "/api/event-query/v1/events/" + sold.id() + "/views").json()["counted"], true);
  auto limited = http_request(port(), "POST", "/api/event-query/v1/events/" + sold.id() + "/views");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.header("retry-after"), "60");
  // Two tickets sold of 10 seats and a view: 10·2 + 5·20 % + 1 = 121 > 1 view > nothing.
  const auto before = handled_messages(port(), "ticketly.order.updated");
  bus_->order("updated", order_snapshot(Uuid::random().str(), sold.id(), s.id, "completed",
                                        {{s.seat_ids[0], s.seat_tiers[0], 10}, {s.seat_ids[1], s.seat_tiers[1], 10}},
                                        0, 1));
  ASSERT_TRUE(wait_handled(port(), "ticketly.order.updated", before + 1));
  EXPECT_EQ(http_request(port(), "POST", "/api/event-query/v1/events/trending/recalculate").status, 401);
  json::Json t;
  std::map<std::string, std::size_t> rank;
  ASSERT_NO_FATAL_FAILURE(recalculated_trending(t, rank));
  ASSERT_TRUE(rank.contains("Well Sold") && rank.contains("Much Viewed") && rank.contains("Quiet One")) << t.dump();
  EXPECT_EQ(rank["Well Sold"], 0u);
  EXPECT_LT(rank["Much Viewed"], rank["Quiet One"]);
  EXPECT_EQ(get("/v1/events/trending?limit=1").json().size(), 1u);
  EXPECT_EQ(get("/v1/events/trending?limit=0").status, 400);
}

// The tests below sell more than TrendingRanksViewsAndSales's "Well Sold" (score 121) and
// come after it: it expects to rank first among the events that exist when it runs.

// A session cancelled after one ticket was sold: the event's capacity and sell-out are
// those of the session still on offer (2 of 10 sold: 20 %, not 3 of 20); tickets and
// revenue keep everything paid; the cancelled session's own row keeps its own figures.
TEST_F(EventQueryAnalytics, SellOutLeavesOutCancelledSessions) {
  const auto owner = create_user(*app_);
  EventBuilder b;
  b.owner(owner.id);
  b.title("Analytics With A Cancelled Session");
  const auto a = b.tier("A", 100);
  b.tier("B", 50);
  const auto on = b.session();
  SessionSpec cancelled;
  cancelled.status = "CANCELLED";
  const auto off = b.session(cancelled);
  publish(b);
  bus_->order("updated", order_snapshot(Uuid::random().str(), b.id(), on.id, "completed",
                                        {{on.seat_ids[0], a, 100}, {on.seat_ids[1], a, 100}}, 0, 1));
  bus_->order("updated", order_snapshot(Uuid::random().str(), b.id(), off.id, "completed", {{off.seat_ids[0], a, 100}},
                                        0, 1));
  const std::string path = "/v1/analytics/events/" + b.id();
  auto r = poll_get(port(), "/api/event-query" + path, [](const HttpResult& res) {
    return res.status == 200 && res.json()["totalTicketsSold"] == 3;
  }, std::chrono::seconds(10), bearer(owner.token));
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.json();
  EXPECT_EQ(j["totalEventCapacity"], 10);
  EXPECT_DOUBLE_EQ(j["overallSellOutPercentage"].get<double>(), 20.0);
  EXPECT_EQ(j["totalRevenue"], 300);
  EXPECT_EQ(j["salesByTier"][0]["tierCapacity"], 5);
  EXPECT_EQ(j["sessionStatusBreakdown"]["CANCELLED"], 1);
  auto sessions = get(path + "/sessions", owner.token);
  ASSERT_EQ(sessions.status, 200) << sessions.body;
  ASSERT_EQ(sessions.json().size(), 2u);
  EXPECT_EQ(sessions.json()[1]["sessionStatus"], "CANCELLED");
  EXPECT_EQ(sessions.json()[1]["sessionCapacity"], 10);
  EXPECT_DOUBLE_EQ(sessions.json()[1]["sellOutPercentage"].get<double>(), 10.0);
  auto summary = get(path + "/sessions/" + off.id + "/summary", owner.token);
  ASSERT_EQ(summary.status, 200) << summary.body;
  EXPECT_EQ(summary.json()["sessionCapacity"], 10);
  EXPECT_EQ(summary.json()["occupancyByBlock"][1]["totalCapacity"], 10);
}

// Trending's sell-out component too. Half Cancelled: 5 sold of the 10 seats on offer (its
// other session of 10 is cancelled) → 10·5 + 5·50 = 300; Steady Seller: 4 of 10 → 40 + 200
// = 240. Counting the cancelled seats made it 50 + 5·25 = 175, below Steady Seller.
TEST_F(EventQueryAnalytics, TrendingSellOutLeavesOutCancelledSessions) {
  EventBuilder half;
  half.title("Half Cancelled");
  const auto on = half.session();
  SessionSpec cancelled;
  cancelled.status = "CANCELLED";
  half.session(cancelled);
  EventBuilder steady;
  steady.title("Steady Seller");
  const auto s = steady.session();
  publish(half);
  publish(steady);
  auto sell = [&](const EventBuilder& e, const BuiltSession& session, std::size_t n) {
    std::vector<OrderTicket> tickets;
    for (std::size_t i = 0; i < n; ++i) tickets.push_back({session.seat_ids[i], session.seat_tiers[i], 10});
    bus_->order("updated", order_snapshot(Uuid::random().str(), e.id(), session.id, "completed", tickets, 0, 1));
  };
  const auto before = handled_messages(port(), "ticketly.order.updated");
  sell(half, on, 5);
  sell(steady, s, 4);
  ASSERT_TRUE(wait_handled(port(), "ticketly.order.updated", before + 2));
  json::Json t;
  std::map<std::string, std::size_t> rank;
  ASSERT_NO_FATAL_FAILURE(recalculated_trending(t, rank));
  ASSERT_TRUE(rank.contains("Half Cancelled") && rank.contains("Steady Seller")) << t.dump();
  EXPECT_LT(rank["Half Cancelled"], rank["Steady Seller"]);
}

// A deleted event leaves a tombstone without its document (title, tiers, sessions, owner):
// its analytics answer 404 like every other view of it, and it leaves trending. Its paid
// orders stay in the read model (docs/services/event-query.md, "Deleted events").
TEST_F(EventQueryAnalytics, ADeletedEventsAnalyticsAre404) {
  const auto owner = create_user(*app_);
  EventBuilder b;
  b.owner(owner.id);
  b.title("Deleted After Sales");
  const auto s = b.session();
  publish(b);
  bus_->order("updated", order_snapshot(Uuid::random().str(), b.id(), s.id, "completed",
                                        {{s.seat_ids[0], s.seat_tiers[0], 10}}, 0, 1));
  const std::string path = "/v1/analytics/events/" + b.id();
  auto sold = poll_get(port(), "/api/event-query" + path, [](const HttpResult& res) {
    return res.status == 200 && res.json()["totalTicketsSold"] == 1;
  }, std::chrono::seconds(10), bearer(owner.token));
  ASSERT_EQ(sold.status, 200) << sold.body;
  bus_->event(b.deleted(2));
  auto gone = poll_get(port(), "/api/event-query" + path, [](const HttpResult& res) { return res.status == 404; },
                       std::chrono::seconds(10), bearer(owner.token));
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(get(path + "/sessions", owner.token).status, 404);
  EXPECT_EQ(get(path + "/sessions/" + s.id + "/summary", owner.token).status, 404);
  const auto admin = user_token(port(), kAdminUser, kAdminPassword);
  EXPECT_EQ(get(path, admin).status, 404);
  json::Json trending;
  std::map<std::string, std::size_t> rank;
  ASSERT_NO_FATAL_FAILURE(recalculated_trending(trending, rank));
  for (const auto& e : trending) EXPECT_NE(e["id"], b.id());
}

}  // namespace
}  // namespace ticketly::testing
