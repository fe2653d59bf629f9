// Event, session, discount and seat-map views, fed through the bus.
#include <gtest/gtest.h>

#include <memory>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"
#include "support/tokens.h"

namespace ticketly::testing {
namespace {

class EventQueryViews : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query", "idp"});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  std::uint16_t port() const { return app_->port(); }
  // Publishes and waits until the event is visible.
  void publish(const EventBuilder& b, std::int64_t version) {
    bus_->event(b.snapshot(version));
    auto r = poll_get(port(), "/api/event-query/v1/events/" + b.id() + "/basic-info",
                      [&](const HttpResult& res) { return res.status == 200; });
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpResult get(const std::string& path, const Headers& h = {}) {
    return http_request(port(), "GET", "/api/event-query" + path, "", h);
  }

  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQueryViews::app_;
std::unique_ptr<BusPublisher> EventQueryViews::bus_;

TEST_F(EventQueryViews, SessionsArePagedInStartOrder) {
  EventBuilder b;
  const auto now = Clock::now();
  std::vector<std::string> ids(5);
  for (int i : {3, 1, 4, 0, 2}) {
    SessionSpec s;
    s.start = now + std::chrono::hours(24 * (i + 1));
    ids[static_cast<std::size_t>(i)] = b.session(s).id;
  }
  publish(b, 1);
  auto p0 = get("/v1/events/" + b.id() + "/sessions?page=0&size=2").json();
  EXPECT_EQ(p0["totalElements"], 5);
  EXPECT_EQ(p0["totalPages"], 3);
  ASSERT_EQ(p0["content"].size(), 2u);
  EXPECT_EQ(p0["content"][0]["id"], ids[0]);
  EXPECT_EQ(p0["content"][1]["id"], ids[1]);
  EXPECT_EQ(p0["content"][0]["eventId"], b.id());
  EXPECT_EQ(p0["content"][0]["status"], "ON_SALE");
  EXPECT_EQ(p0["content"][0]["venueDetails"]["location"]["type"], "Point");
  auto p2 = get("/v1/events/" + b.id() + "/sessions?page=2&size=2").json();
  ASSERT_EQ(p2["content"].size(), 1u);
  EXPECT_EQ(p2["content"][0]["id"], ids[4]);
  EXPECT_EQ(p2["last"], true);
  auto latest = get("/v1/events/" + b.id() + "/sessions?page=0&size=2&sort=startTime,desc").json();
  ASSERT_EQ(latest["content"].size(), 2u);
  EXPECT_EQ(latest["content"][0]["id"], ids[4]);
  EXPECT_EQ(latest["content"][1]["id"], ids[3]);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions?sort=startTime,asc").json()["content"][0]["id"], ids[0]);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions?sort=title").status, 400);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions?sort=startTime,sideways").status, 400);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions?size=0").status, 400);
  EXPECT_EQ(get("/v1/events/not-a-uuid/sessions").status, 400);
  EXPECT_EQ(get("/v1/events/" + Uuid::random().str() + "/sessions").status, 404);

  const std::string from = format_iso8601(now + std::chrono::hours(24 * 2) - std::chrono::minutes(1));
  const std::string to = format_iso8601(now + std::chrono::hours(24 * 4) + std::chrono::minutes(1));
  auto range = get("/v1/events/" + b.id() + "/sessions/sessions-in-range?fromDate=" + from + "&toDate=" + to);
  ASSERT_EQ(range.status, 200) << range.body;
  auto r = range.json();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0]["id"], ids[1]);
  EXPECT_EQ(r[2]["id"], ids[3]);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions/sessions-in-range?fromDate=soon").status, 400);
  // Bare dates mean whole days (UTC), as in search: the last day's sessions are in range.
  const std::string day2 = format_iso8601(now + std::chrono::hours(24 * 2)).substr(0, 10);
  const std::string day4 = format_iso8601(now + std::chrono::hours(24 * 4)).substr(0, 10);
  auto days = get("/v1/events/" + b.id() + "/sessions/sessions-in-range?fromDate=" + day2 + "&toDate=" + day4);
  ASSERT_EQ(days.status, 200) << days.body;
  ASSERT_EQ(days.json().size(), 3u) << days.body;
  EXPECT_EQ(days.json()[0]["id"], ids[1]);
  EXPECT_EQ(days.json()[2]["id"], ids[3]);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions/sessions-in-range?fromDate=" + day4 + "&toDate=" + day2).status,
            400);
  EXPECT_EQ(get("/v1/events/" + Uuid::random().str() + "/sessions/sessions-in-range?fromDate=" + day2).status, 404);
}

TEST_F(EventQueryViews, SessionBasicAndExtendedInfo) {
  EventBuilder b;
  b.title("Extended Info Event");
  b.discount(percentage_discount("SESSION5", 5));
  const auto s = b.session();
  publish(b, 1);
  auto info = get("/v1/sessions/" + s.id + "/basic-info");
  ASSERT_EQ(info.status, 200) << info.body;
  auto j = info.json();
  EXPECT_EQ(j["id"], s.id);
  EXPECT_EQ(j["eventId"], b.id());
  EXPECT_TRUE(j["organizationId"].is_string());
  EXPECT_EQ(j["sessionType"], "PHYSICAL");
  EXPECT_EQ(j["venueDetails"]["name"], "Nelum Pokuna Theatre");
  ASSERT_EQ(j["discounts"].size(), 1u);
  auto ext = get("/v1/events/sessions/" + s.id + "/extended-info").json();
  EXPECT_EQ(ext["sessionId"], s.id);
  EXPECT_EQ(ext["eventTitle"], "Extended Info Event");
  EXPECT_EQ(ext["status"], "ON_SALE");
  EXPECT_EQ(get("/v1/sessions/" + Uuid::random().str() + "/basic-info").status, 404);
  EXPECT_EQ(get("/v1/events/sessions/" + Uuid::random().str() + "/extended-info").status, 404);
  EXPECT_EQ(get("/v1/events/sessions/not-a-uuid/extended-info").status, 400);
}

TEST_F(EventQueryViews, DiscountsPublicAndByCode) {
  EventBuilder b;
  const auto s = b.session();
  const auto other_session = b.session();
  b.discount(percentage_discount("Public10", 10));
  b.discount(percentage_discount("Members20", 20, false));
  auto expired = percentage_discount("Expired", 10);
  expired["expiresAt"] = format_iso8601(Clock::now() - std::chrono::hours(1));
  b.discount(expired);
  // Unusable in the other ways API.md lists: inactive, used up, for another session.
  auto inactive = percentage_discount("Paused", 10, false);
  inactive["active"] = false;
  b.discount(inactive);
  auto used_up = percentage_discount("Gone", 10, false);
  used_up["currentUsage"] = used_up["maxUsage"];
  b.discount(used_up);
  auto elsewhere = percentage_discount("Matinee", 10);
  elsewhere["applicableSessionIds"] = json::Json::array({other_session.id});
  b.discount(elsewhere);
  publish(b, 1);
  const std::string base = "/v1/events/" + b.id() + "/sessions/" + s.id + "/discounts";
  auto pub = get(base + "/public").json();
  ASSERT_EQ(pub.size(), 1u);
  EXPECT_EQ(pub[0]["code"], "Public10");
  EXPECT_EQ(pub[0]["parameters"]["type"], "PERCENTAGE");
  EXPECT_EQ(get(base + "/code/members20").status, 401);
  const auto user = create_user(*app_);
  auto code = get(base + "/code/members20", bearer(user.token));
  ASSERT_EQ(code.status, 200) << code.body;
  EXPECT_EQ(code.json()["code"], "Members20");
  EXPECT_EQ(code.json()["public"], false);
  EXPECT_EQ(get(base + "/code/EXPIRED", bearer(user.token)).status, 404);
  EXPECT_EQ(get(base + "/code/NOSUCH", bearer(user.token)).status, 404);
  for (const char* unusable : {"paused", "GONE", "matinee"}) {
    EXPECT_EQ(get(base + "/code/" + unusable, bearer(user.token)).status, 404) << unusable;
  }
  const std::string there = "/v1/events/" + b.id() + "/sessions/" + other_session.id + "/discounts";
  EXPECT_EQ(get(there + "/code/matinee", bearer(user.token)).status, 200);
  EXPECT_EQ(get(there + "/public").json().size(), 2u);  // Public10 (all sessions) and Matinee
  EXPECT_EQ(get(base + "/code/" + std::string(65, 'X'), bearer(user.token)).status, 400);
  // A session of another event, under this one.
  EventBuilder another;
  const auto foreign = another.session();
  publish(another, 1);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions/" + foreign.id + "/discounts/public").status, 404);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions/" + foreign.id + "/discounts/code/Public10", bearer(user.token))
                .status,
            404);
  EXPECT_EQ(get("/v1/events/" + b.id() + "/sessions/" + Uuid::random().str() + "/discounts/code/Public10",
                bearer(user.token))
                .status,
            404);
}

TEST_F(EventQueryViews, SessionCountCountsPublicSessions) {
  const auto before = get("/v1/events/sessions/count").json()["totalSessions"].get<std::int64_t>();
  EventBuilder b;
  b.session();
  b.session();
  EventBuilder hidden;
  hidden.status("REJECTED");
  hidden.session();
  bus_->event(hidden.snapshot(1));
  publish(b, 1);
  auto r = poll_get(port(), "/api/event-query/v1/events/sessions/count", [&](const HttpResult& res) {
    return res.json()["totalSessions"].get<std::int64_t>() >= before + 2;
  });
  EXPECT_EQ(r.json()["totalSessions"].get<std::int64_t>(), before + 2);
}

}  // namespace
}  // namespace ticketly::testing
