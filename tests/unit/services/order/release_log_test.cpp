#include "services/order/inventory/release_log.h"

#include <gtest/gtest.h>

#include <optional>

namespace ticketly::order::inventory {
namespace {

TEST(OrderReleaseLog, ALoadRacesOnlyReleasesOfItsSessionThatWereNotOverBeforeItBegan) {
  ReleaseLog log;
  const Uuid a = Uuid::random(), b = Uuid::random();
  {
    const ReleaseLog::Scope done(log, {a});  // committed before any load below
  }
  std::optional<ReleaseLog::Scope> in_flight;
  in_flight.emplace(log, std::vector<Uuid>{b});
  const ReleaseLog::Load before(log);  // begins while b's release is under way
  EXPECT_FALSE(before.raced(a));
  EXPECT_TRUE(before.raced(b));
  in_flight.reset();  // b's release commits
  EXPECT_TRUE(before.raced(b));
  const ReleaseLog::Load after(log);  // begins after: it reads the committed release
  EXPECT_FALSE(after.raced(b));
  {
    const ReleaseLog::Scope later(log, {a});  // begins and ends while both loads read
  }
  EXPECT_TRUE(before.raced(a));
  EXPECT_TRUE(after.raced(a));
}

TEST(OrderReleaseLog, EntriesArePrunedOnceNoLoadCanNeedThem) {
  ReleaseLog log;
  const Uuid a = Uuid::random(), b = Uuid::random();
  {
    const ReleaseLog::Scope done(log, {a, b});
  }
  EXPECT_EQ(log.tracked_sessions(), 0u);  // no load was reading
  std::optional<ReleaseLog::Load> load;
  load.emplace(log);
  {
    const ReleaseLog::Scope during(log, {a});
  }
  EXPECT_EQ(log.tracked_sessions(), 1u);  // the load still needs it
  EXPECT_TRUE(load->raced(a));
  load.reset();
  EXPECT_EQ(log.tracked_sessions(), 0u);
}

}  // namespace
}  // namespace ticketly::order::inventory
