// `ticketly seed` against a running all-in-one server: the demo catalogue goes in
// through the public API (so it is valid by the same rules as any organizer's), and a
// second run changes nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "support/child_process.h"
#include "support/tokens.h"

namespace ticketly::testing {
namespace {

TEST(Seed, CreatesAnApprovedEventOnSaleOnceAndOnlyOnce) {
  TestApp app;
  const std::string url = "http://127.0.0.1:" + std::to_string(app.port());
  auto [code, out] = run_command({TICKETLY_BINARY, "seed", "--url", url}, {}, std::chrono::seconds(120));
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("demo data created"), std::string::npos) << out;

  const auto owner = user_token(app.port(), kProUser, kProPassword);
  auto orgs = http_request(app.port(), "GET", "/api/event-seating/v1/organizations/my", "", bearer(owner));
  ASSERT_EQ(orgs.status, 200) << orgs.body;
  ASSERT_EQ(orgs.json().size(), 1u) << orgs.body;
  const std::string org_id = orgs.json()[0]["id"];
  auto events = http_request(app.port(), "GET", "/api/event-seating/v1/events/organization/" + org_id, "",
                             bearer(owner));
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_EQ(events.json()["totalElements"], 1) << events.body;
  const std::string event_id = events.json()["content"][0]["id"];
  auto event = http_request(app.port(), "GET", "/api/event-seating/v1/events/" + event_id, "", bearer(owner));
  ASSERT_EQ(event.status, 200) << event.body;
  EXPECT_EQ(event.json()["status"], "APPROVED");
  ASSERT_EQ(event.json()["sessions"].size(), 2u);
  const auto detail = event.json();
  for (const auto& s : detail["sessions"]) EXPECT_EQ(s["status"], "ON_SALE") << s.dump();

  // The read side learns it from event-command's snapshots on the bus: the contract
  // between the two real services (docs/EVENTS.md), not a test builder's idea of it.
  HttpResult info;
  for (int i = 0; i < 300; ++i) {
    info = http_request(app.port(), "GET", "/api/event-query/v1/events/" + event_id + "/basic-info");
    if (info.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(info.status, 200) << info.body;
  EXPECT_EQ(info.json()["title"], event.json()["title"]);
  EXPECT_EQ(info.json()["tiers"].size(), 4u) << info.body;
  EXPECT_EQ(info.json()["organization"]["id"], org_id);
  const std::string hall = event.json()["sessions"][0]["id"];
  auto map = http_request(app.port(), "GET", "/api/event-query/v1/sessions/" + hall + "/seating-map");
  ASSERT_EQ(map.status, 200) << map.body.substr(0, 300);
  std::size_t seats = 0;
  const auto layout = map.json();  // named: a range-for does not extend a temporary's parent
  for (const auto& block : layout["layout"]["blocks"]) {
    if (block.contains("rows")) {
      for (const auto& row : block["rows"]) seats += row["seats"].size();
    }
    if (block.contains("seats")) seats += block["seats"].size();
  }
  EXPECT_GT(seats, 200u) << map.body.substr(0, 600);
  auto found = http_request(app.port(), "GET", "/api/event-query/v1/events/search?searchTerm=symphony");
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["totalElements"], 1) << found.body;

  auto again = run_command({TICKETLY_BINARY, "seed", "--url", url}, {}, std::chrono::seconds(120));
  ASSERT_EQ(again.first, 0) << again.second;
  EXPECT_NE(again.second.find("already present"), std::string::npos) << again.second;
  orgs = http_request(app.port(), "GET", "/api/event-seating/v1/organizations/my", "", bearer(owner));
  EXPECT_EQ(orgs.json().size(), 1u) << orgs.body;
}

TEST(Seed, ReportsAnUnreachableServerAsAFailure) {
  auto [code, out] = run_command({TICKETLY_BINARY, "seed", "--url", "http://127.0.0.1:1"}, {});
  EXPECT_NE(code, 0);
  EXPECT_NE(out.find("cannot reach http://127.0.0.1:1"), std::string::npos) << out;
}

}  // namespace
}  // namespace ticketly::testing
