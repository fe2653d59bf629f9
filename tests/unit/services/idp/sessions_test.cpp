#include "services/idp/sessions.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ticketly::idp {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  Timestamp t = Clock::now();
  Now fn() {
    return [this] { return t; };
  }
};

AuthRequest request() { return {"web-frontend", "http://localhost:8090/", "fragment", "st", "n", "openid", ""}; }

TEST(Sessions, CodesAreSingleUseAndExpireAfterSixtySeconds) {
  FakeClock clock;
  SessionStore store({}, clock.fn());
  Session s = store.create(Uuid::random());
  auto code = store.issue_code(request(), s);
  auto redeemed = store.redeem_code(code);
  ASSERT_TRUE(redeemed);
  EXPECT_EQ(redeemed->session_id, s.id);
  EXPECT_EQ(redeemed->request.state, "st");

  auto late = store.issue_code(request(), s);
  clock.t += 61s;
  EXPECT_FALSE(store.redeem_code(late));
  EXPECT_FALSE(store.redeem_code("never-issued"));
}

TEST(Sessions, ReusingACodeEndsItsSession) {
  FakeClock clock;
  SessionStore store({}, clock.fn());
  Session s = store.create(Uuid::random());
  auto code = store.issue_code(request(), s);
  ASSERT_TRUE(store.redeem_code(code));
  EXPECT_TRUE(store.find(s.id));
  EXPECT_FALSE(store.redeem_code(code));
  EXPECT_FALSE(store.find(s.id));  // the tokens issued for the code stop refreshing
}

TEST(Sessions, ExpireWhenIdleAndAtTheirMaximumAge) {
  FakeClock clock;
  SessionLimits limits;
  limits.idle = 1h;
  limits.max = 3h;
  SessionStore store(limits, clock.fn());
  Session s = store.create(Uuid::random());
  EXPECT_EQ(store.find_by_cookie(SessionStore::cookie_value(s))->id, s.id);
  EXPECT_FALSE(store.find_by_cookie(s.id + ".wrong-secret"));
  EXPECT_FALSE(store.find_by_cookie("no-dot"));

  for (int i = 0; i < 5; ++i) {  // refreshes keep it alive up to the maximum age
    clock.t += 50min;
    bool alive = store.touch(s.id);
    EXPECT_EQ(alive, clock.t < s.started + 3h) << i;
  }
  EXPECT_FALSE(store.find(s.id));

  Session idle = store.create(Uuid::random());
  clock.t += 61min;
  EXPECT_FALSE(store.find(idle.id));
  EXPECT_FALSE(store.touch(idle.id));
}

TEST(Sessions, EndedSessionsAreGone) {
  SessionStore store;
  Session s = store.create(Uuid::random());
  store.end(s.id);
  EXPECT_FALSE(store.find(s.id));
  EXPECT_FALSE(store.touch(s.id));
}

TEST(Sessions, PendingLoginsExpireAndFinishOnce) {
  FakeClock clock;
  SessionStore store({}, clock.fn());
  auto login = store.begin_login(request(), "browser", "hint");
  EXPECT_EQ(login.csrf.size(), 43u);
  EXPECT_NE(login.id, login.csrf);
  ASSERT_TRUE(store.find_login(login.id));
  EXPECT_EQ(store.find_login(login.id)->login_hint, "hint");
  EXPECT_TRUE(store.finish_login(login.id));
  EXPECT_FALSE(store.finish_login(login.id));
  auto old = store.begin_login(request(), "browser", "");
  clock.t += 31min;
  EXPECT_FALSE(store.find_login(old.id));
}

TEST(Sessions, StayWithinTheirBounds) {
  SessionLimits limits;
  limits.max_sessions = 100;
  SessionStore store(limits);
  for (int i = 0; i < 1000; ++i) store.create(Uuid::random());
  EXPECT_LE(store.session_count(), 100u);
}

TEST(Sessions, AreSafeToUseFromManyThreads) {
  SessionStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        Session s = store.create(Uuid::random());
        auto code = store.issue_code(request(), s);
        EXPECT_TRUE(store.redeem_code(code));
        EXPECT_TRUE(store.touch(s.id));
        store.end(s.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store.session_count(), 0u);
}

TEST(LoginRateLimiter, BlocksAUsernameAfterTenFailuresInAMinute) {
  FakeClock clock;
  LoginRateLimiter limiter(10, 60s, 10000, clock.fn());
  for (int i = 0; i < 9; ++i) {
    EXPECT_FALSE(limiter.blocked("user@yopmail.com"));
    limiter.record_failure("user@yopmail.com");
    clock.t += 1s;
  }
  EXPECT_FALSE(limiter.blocked("user@yopmail.com"));
  limiter.record_failure("user@yopmail.com");
  auto wait = limiter.blocked("user@yopmail.com");
  ASSERT_TRUE(wait);
  EXPECT_GT(wait->count(), 0);
  EXPECT_LE(wait->count(), 60);
  EXPECT_FALSE(limiter.blocked("admin@yopmail.com"));  // per username
  clock.t += 52s;                                      // the first failure is now older than the window
  EXPECT_FALSE(limiter.blocked("user@yopmail.com"));
}

TEST(LoginRateLimiter, ASuccessfulLoginClearsTheFailures) {
  FakeClock clock;
  LoginRateLimiter limiter(3, 60s, 10000, clock.fn());
  for (int i = 0; i < 3; ++i) limiter.record_failure("u");
  EXPECT_TRUE(limiter.blocked("u"));
  limiter.reset("u");
  EXPECT_FALSE(limiter.blocked("u"));
}

TEST(LoginRateLimiter, RemembersABoundedNumberOfUsernames) {
  FakeClock clock;
  LoginRateLimiter limiter(2, 60s, 100, clock.fn());
  limiter.record_failure("victim");
  limiter.record_failure("victim");
  EXPECT_TRUE(limiter.blocked("victim"));
  for (int i = 0; i < 1000; ++i) {
    clock.t += 1ms;
    limiter.record_failure("name-" + std::to_string(i));
  }
  // Memory stays bounded; the oldest entries are the ones forgotten.
  EXPECT_FALSE(limiter.blocked("victim"));
  EXPECT_FALSE(limiter.blocked("name-998"));
  limiter.record_failure("name-999");
  EXPECT_TRUE(limiter.blocked("name-999"));
}

}  // namespace
}  // namespace ticketly::idp
