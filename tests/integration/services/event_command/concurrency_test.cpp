// Optimistic concurrency and serialised changes: concurrent edits of one event never lose
// an update, and a racing second decision on a PENDING event is a 409.
#include <future>

#include "ec_fixture.h"
#include "support/sql_session.h"

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

// C lies under B. Moving A under C and B under A at once makes A -> C -> B -> A, yet
// each move alone passes the cycle check. (Two moves crossing directly are caught by the
// rows' locks; a longer cycle is not.) A side session holds the outbox, so the first
// move waits to publish after its check; the second then starts. Unless parent changes
// are serialised, its check runs before the first move commits, and both succeed.
TEST_F(EventCommandConcurrency, CrossedCategoryMovesCannotMakeACycle) {
  const std::string tag = Uuid::random().str().substr(0, 8);
  auto create = [this](const std::string& name, const Json& parent) {
    auto r = api().post("/v1/categories", {{"name", name}, {"parentId", parent}}, admin_);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  };
  const std::string a = create("Cycle A " + tag, nullptr), b = create("Cycle B " + tag, nullptr);
  const std::string c = create("Cycle C " + tag, b);
  const std::string url = app_->database_url("event-command");
  auto waiting = [&url](const std::string& n) {
    const std::string query =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
        "AND (query LIKE '%INSERT INTO outbox%' OR query LIKE '%ec.category_tree%' OR query LIKE '%UPDATE categories%')";
    for (int i = 0; i < 400; ++i) {
      if (sql(url, query).at(0).at(0) == n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  };
  auto move = [this](const std::string& id, const std::string& name, const std::string& parent) {
    return std::async(std::launch::async, [this, id, name, parent] {
      return api().put("/v1/categories/" + id, {{"name", name}, {"parentId", parent}}, admin_).status;
    });
  };
  SqlSession hold(url);
  hold.run("BEGIN");
  hold.run("LOCK TABLE outbox IN EXCLUSIVE MODE");
  auto a_under_c = move(a, "Cycle A " + tag, c);
  const bool first_waits = waiting("1");
  auto b_under_a = move(b, "Cycle B " + tag, a);
  const bool both_wait = waiting("2");
  hold.run("COMMIT");
  EXPECT_TRUE(first_waits && both_wait);
  EXPECT_EQ(a_under_c.get(), 200);
  EXPECT_EQ(b_under_a.get(), 400);  // A is now below B
  // The tree reads back finite either way.
  auto tree = api().get("/v1/categories/" + b, owner_);
  EXPECT_EQ(tree.status, 200) << tree.body;
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
