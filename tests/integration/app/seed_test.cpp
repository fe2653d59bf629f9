// `ticketly seed` against a running all-in-one server: the demo catalogue goes in
// through the public API (so it is valid by the same rules as any organizer's), and a
// second run changes nothing.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

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
  for (const auto& s : event.json()["sessions"]) EXPECT_EQ(s["status"], "ON_SALE") << s.dump();

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
