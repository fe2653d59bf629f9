// The test-support token helpers themselves, so service tests can rely on them.
#include <gtest/gtest.h>

#include "support/tokens.h"

namespace ticketly::testing {
namespace {

TEST(TestTokens, CreatedUsersAreFreeTierAndDistinct) {
  TestApp app;
  auto a = create_user(app);
  auto b = create_user(app);
  ASSERT_FALSE(a.token.empty());
  EXPECT_NE(a.id, b.id);
  auto me = http_request(app.port(), "GET", "/api/event-seating/whoami", "", bearer(a.token));
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.json()["sub"], a.id);
  EXPECT_EQ(me.json()["tier"], "FREE");
  EXPECT_EQ(me.json()["email"], a.email);
}

}  // namespace
}  // namespace ticketly::testing
