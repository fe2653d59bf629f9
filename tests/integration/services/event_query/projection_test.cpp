// The projection: messages on the bus → the read model behind the public views.
#include <gtest/gtest.h>

#include <memory>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"

namespace ticketly::testing {
namespace {

constexpr const char* kEvents = "ticketly.catalog.events";

class EventQueryProjection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query"});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  std::uint16_t port() const { return app_->port(); }
  std::string basic(const EventBuilder& b) { return "/api/event-query/v1/events/" + b.id() + "/basic-info"; }
  HttpResult wait_title(const EventBuilder& b, const std::string& title) {
    return poll_get(port(), basic(b), [&](const HttpResult& r) { return r.status == 200 && r.json()["title"] == title; });
  }

  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQueryProjection::app_;
std::unique_ptr<BusPublisher> EventQueryProjection::bus_;

TEST_F(EventQueryProjection, SnapshotBecomesBasicInfo) {
  EventBuilder b;
  b.title("Colombo Jazz Festival").category(Uuid::random().str(), "Jazz", Uuid::random().str(), "Music");
  b.discount(percentage_discount("JAZZ10", 10));
  b.discount(percentage_discount("SECRET", 20, false));
  b.session();
  bus_->event(b.snapshot(1));
  auto r = wait_title(b, "Colombo Jazz Festival");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("content-type"), "application/json");
  auto j = r.json();
  EXPECT_EQ(j["id"], b.id());
  EXPECT_EQ(j["description"], "An evening of classical music in the open air.");
  EXPECT_EQ(j["organization"]["name"], "Colombo Philharmonic");
  EXPECT_EQ(j["category"]["name"], "Jazz");
  EXPECT_EQ(j["category"]["parentName"], "Music");
  ASSERT_EQ(j["tiers"].size(), 2u);
  EXPECT_EQ(j["tiers"][1]["price"], 1500.5);
  ASSERT_EQ(j["availableDiscounts"].size(), 1u);  // the private one is not advertised
  EXPECT_EQ(j["availableDiscounts"][0]["code"], "JAZZ10");
  EXPECT_EQ(j["coverPhotos"].size(), 1u);
}

TEST_F(EventQueryProjection, NewerSnapshotReplacesOlderAndStaleOnesAreIgnored) {
  EventBuilder b;
  b.session();
  const auto before = handled_messages(port(), kEvents);
  b.title("Version Two");
  bus_->event(b.snapshot(2));
  b.title("Version One");
  bus_->event(b.snapshot(1));  // arrives late: older than what is held
  b.title("Version Two");
  bus_->event(b.snapshot(2));  // a redelivery
  ASSERT_TRUE(wait_handled(port(), kEvents, before + 3));
  auto r = http_request(port(), "GET", basic(b));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json()["title"], "Version Two");
  b.title("Version Three");
  bus_->event(b.snapshot(3));
  EXPECT_EQ(wait_title(b, "Version Three").json()["title"], "Version Three");
}

TEST_F(EventQueryProjection, OnlyApprovedOrCompletedEventsArePublic) {
  EventBuilder b;
  b.status("PENDING").title("Not Yet");
  b.session();
  const auto before = handled_messages(port(), kEvents);
  bus_->event(b.snapshot(1));
  ASSERT_TRUE(wait_handled(port(), kEvents, before + 1));
  auto r = http_request(port(), "GET", basic(b));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.json()["status"], 404);
  auto s = http_request(port(), "GET", "/api/event-query/v1/sessions/" + b.sessions()[0].id + "/basic-info");
  EXPECT_EQ(s.status, 404);
  b.status("APPROVED");
  bus_->event(b.snapshot(2));
  EXPECT_EQ(wait_title(b, "Not Yet").status, 200);
  b.status("COMPLETED");
  bus_->event(b.snapshot(3));
  EXPECT_EQ(poll_get(port(), basic(b), [](const HttpResult&) { return true; }).status, 200);
}

TEST_F(EventQueryProjection, DeletionIsATombstoneThatOlderSnapshotsCannotUndo) {
  EventBuilder b;
  b.title("Soon Gone");
  const auto s = b.session();
  bus_->event(b.snapshot(4));
  ASSERT_EQ(wait_title(b, "Soon Gone").status, 200);
  const auto before = handled_messages(port(), kEvents);
  bus_->event(b.deleted(5));
  bus_->event(b.snapshot(4));  // a late redelivery of the last snapshot
  ASSERT_TRUE(wait_handled(port(), kEvents, before + 2));
  EXPECT_EQ(http_request(port(), "GET", basic(b)).status, 404);
  EXPECT_EQ(http_request(port(), "GET", "/api/event-query/v1/sessions/" + s.id + "/seating-map").status, 404);
}

TEST_F(EventQueryProjection, MalformedMessageIsParkedAndDoesNotBlockTheTopic) {
  EventBuilder bad;
  auto broken = bad.snapshot(1);
  broken["event"]["sessions"] = json::Json::array({{{"id", "x"}}});
  bus_->publish(kEvents, bad.id(), broken);
  EventBuilder good;
  good.title("After The Poison");
  good.session();
  bus_->event(good.snapshot(1));
  EXPECT_EQ(wait_title(good, "After The Poison").status, 200);
}

TEST_F(EventQueryProjection, CategoriesFromSnapshotsAndCategoryMessages) {
  const std::string music = Uuid::random().str();
  const std::string rock = Uuid::random().str();
  bus_->category(category_snapshot(music, "Music Projection", std::nullopt, 1));
  bus_->category(category_snapshot(rock, "Rock Projection", music, 1));
  // The two messages have different keys, so they may be applied in either order: wait
  // for both (the child names its parent once the parent is there).
  auto r = poll_get(port(), "/api/event-query/v1/categories", [&](const HttpResult& res) {
    return res.status == 200 && res.body.find(rock) != std::string::npos &&
           res.body.find("\"parentName\":\"Music Projection\"") != std::string::npos;
  });
  ASSERT_EQ(r.status, 200);
  bool found = false;
  for (const auto& c : r.json()) {
    if (c["id"] == rock) {
      found = true;
      EXPECT_EQ(c["parentId"], music);
      EXPECT_EQ(c["parentName"], "Music Projection");
    }
  }
  EXPECT_TRUE(found);
  auto parents = http_request(port(), "GET", "/api/event-query/v1/categories/parents").json();
  for (const auto& c : parents) EXPECT_TRUE(c["parentId"].is_null());
  EXPECT_NE(parents.dump().find(music), std::string::npos);
  EXPECT_EQ(parents.dump().find(rock), std::string::npos);
  // A rename with an older version changes nothing; a newer one does.
  const auto before = handled_messages(port(), "ticketly.catalog.categories");
  bus_->category(category_snapshot(rock, "Stale Name", music, 0));
  bus_->category(category_snapshot(rock, "Hard Rock Projection", music, 2));
  ASSERT_TRUE(wait_handled(port(), "ticketly.catalog.categories", before + 2));
  auto after = poll_get(port(), "/api/event-query/v1/categories", [](const HttpResult& res) {
    return res.body.find("Hard Rock Projection") != std::string::npos;
  });
  EXPECT_NE(after.body.find("Hard Rock Projection"), std::string::npos);
  EXPECT_EQ(after.body.find("Stale Name"), std::string::npos);
}

}  // namespace
}  // namespace ticketly::testing
