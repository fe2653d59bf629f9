// Optimistic concurrency and serialised changes: concurrent edits of one event never lose
// an update, and a racing second decision on a PENDING event is a 409.
#include <future>

#include "ec_fixture.h"

namespace ticketly::testing::ec {
namespace {

class EventCommandConcurrency : public EcSuite {};

TEST_F(EventCommandConcurrency, ConcurrentTierCreationsAreAllKept) {
  auto c = create_event();
  const long before = api().get("/v1/events/" + c.event, owner_).json()["version"].get<long>();
  constexpr int kWriters = 8;
  std::vector<std::future<int>> results;
  for (int i = 0; i < kWriters; ++i) {
    results.push_back(std::async(std::launch::async, [this, i, &c] {
      Json tier = {{"name", "Tier " + std::to_string(i)}, {"color", "#123456"}, {"price", 100 + i}};
      return api().post("/v1/events/" + c.event + "/tiers", tier, owner_).status;
    }));
  }
  for (auto& r : results) EXPECT_EQ(r.get(), 201);
  auto detail = api().get("/v1/events/" + c.event, owner_).json();
  EXPECT_EQ(detail["tiers"].size(), 2u + kWriters);
  EXPECT_EQ(detail["version"].get<long>(), before + kWriters);
  // Every change went out as its own snapshot, versions strictly increasing.
  ASSERT_TRUE(wait_published("ticketly.catalog.events", c.event, 1 + kWriters));
  auto snapshots = published(*app_, "ticketly.catalog.events", c.event);
  for (std::size_t i = 1; i < snapshots.size(); ++i) {
    EXPECT_GT(snapshots[i]["version"].get<long>(), snapshots[i - 1]["version"].get<long>());
  }
  EXPECT_EQ(snapshots.back()["event"]["tiers"].size(), 2u + kWriters);
}

TEST_F(EventCommandConcurrency, RacingApprovalAndRejectionDecideOnce) {
  auto c = create_event();
  auto approve = std::async(std::launch::async, [this, &c] {
    return api().post("/v1/events/" + c.event + "/approve", Json::object(), admin_).status;
  });
  auto reject = std::async(std::launch::async, [this, &c] {
    return api().post("/v1/events/" + c.event + "/reject", {{"reason", "Duplicate"}}, admin_).status;
  });
  const int a = approve.get(), r = reject.get();
  EXPECT_TRUE((a == 200 && r == 409) || (a == 409 && r == 200)) << a << " " << r;
  const std::string status = api().get("/v1/events/" + c.event, owner_).json()["status"];
  EXPECT_EQ(status, a == 200 ? "APPROVED" : "REJECTED");
}

TEST_F(EventCommandConcurrency, StaleVersionIsRefusedOnEveryAggregate) {
  auto c = create_event();
  const auto v = api().get("/v1/events/" + c.event, owner_).json()["version"].get<long>();
  Headers stale = {{"If-Match", "\"" + std::to_string(v) + "\""}};
  ASSERT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "First writer"}}, owner_, stale).status, 200);
  EXPECT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "Second writer"}}, owner_, stale).status, 409);
  // The version may also travel in the body.
  EXPECT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "Body writer"}, {"version", v}}, owner_).status, 409);
  EXPECT_EQ(api().put("/v1/events/" + c.event + "/update", {{"title", "Bad"}}, owner_, {{"If-Match", "abc"}}).status, 400);
  EXPECT_EQ(api().get("/v1/events/" + c.event, owner_).json()["title"], "First writer");
}

}  // namespace
}  // namespace ticketly::testing::ec
