#include "services/order/inventory/session_inventory.h"

#include <gtest/gtest.h>

namespace ticketly::order::inventory {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  std::vector<Uuid> ids;
  std::shared_ptr<SessionInventory> inv;
  explicit Fixture(int n) {
    auto c = std::make_shared<SessionCatalog>();
    c->session_id = Uuid::random();
    c->status = "ON_SALE";
    for (int i = 0; i < n; ++i) {
      ids.push_back(Uuid::random());
      c->index.emplace(ids.back(), static_cast<std::uint32_t>(i));
      c->seats.push_back(Seat{ids.back(), std::to_string(i), Uuid::random(), Money::minor(100)});
    }
    inv = std::make_shared<SessionInventory>(c->session_id);
    inv->reset(c, {}, [] { return false; });
  }
};

TEST(OrderSessionInventory, SecondClaimOnASeatWaitsForTheFirstAnswer) {
  Fixture f(4);
  const auto now = SteadyClock::now();
  std::vector<Uuid> a{f.ids[0], f.ids[1]}, b{f.ids[1], f.ids[2]};
  auto first = f.inv->try_claim(a, "u1", now);
  ASSERT_EQ(first.kind, ClaimResult::Kind::Proceed);
  auto second = f.inv->try_claim(b, "u2", now);
  ASSERT_EQ(second.kind, ClaimResult::Kind::Wait);  // overlapping: never both at the database
  f.inv->settle_held(a, "u1");
  EXPECT_EQ(f.inv->mark_of(f.ids[1]), Mark::Locked);
}

TEST(OrderSessionInventory, LockedRejectsOnlyWhileTheFenceIsTrusted) {
  Fixture f(2);
  const auto now = SteadyClock::now();
  std::vector<Uuid> a{f.ids[0]};
  ASSERT_EQ(f.inv->try_claim(a, "u1", now).kind, ClaimResult::Kind::Proceed);
  f.inv->settle_held(a, "u1");
  // Not trusted: the database decides (another process may have released it).
  EXPECT_EQ(f.inv->try_claim(a, "u2", now).kind, ClaimResult::Kind::Proceed);
  f.inv->settle_failed(a, "u2", {}, 0);
  f.inv->mark_free(a);
  ASSERT_EQ(f.inv->try_claim(a, "u1", now).kind, ClaimResult::Kind::Proceed);
  f.inv->settle_held(a, "u1");
  f.inv->trust_until(now + 5s, 1);
  auto r = f.inv->try_claim(a, "u3", now);
  EXPECT_EQ(r.kind, ClaimResult::Kind::Rejected);
  ASSERT_EQ(r.unavailable.size(), 1u);
  EXPECT_EQ(f.inv->try_claim(a, "u3", now + 6s).kind, ClaimResult::Kind::Proceed);
}

TEST(OrderSessionInventory, BookedAlwaysRejectsAndReleasesFreeSeats) {
  Fixture f(3);
  const auto now = SteadyClock::now();
  std::vector<Uuid> a{f.ids[0]}, b{f.ids[1]};
  f.inv->mark_booked(a);
  EXPECT_EQ(f.inv->try_claim(a, "u1", now).kind, ClaimResult::Kind::Rejected);
  ASSERT_EQ(f.inv->try_claim(b, "u1", now).kind, ClaimResult::Kind::Proceed);
  f.inv->settle_held(b, "u1");
  f.inv->trust_until(now + 5s, 1);
  EXPECT_EQ(f.inv->try_claim(b, "u2", now).kind, ClaimResult::Kind::Rejected);
  f.inv->mark_free(b);
  EXPECT_EQ(f.inv->try_claim(b, "u2", now).kind, ClaimResult::Kind::Proceed);
}

TEST(OrderSessionInventory, UnknownSeatIsStale) {
  Fixture f(1);
  std::vector<Uuid> x{Uuid::random()};
  EXPECT_EQ(f.inv->try_claim(x, "u1", SteadyClock::now()).kind, ClaimResult::Kind::Stale);
}

// A load that raced one of our releases must not install the LOCKED states it read: the
// release has already marked those seats Free, and a stale Locked mark would refuse a free
// seat from memory for as long as the fence stays ours.
TEST(OrderSessionInventory, LockedStatesThatMayBeStaleAreLeftToTheDatabase) {
  Fixture f(3);
  auto catalog = f.inv->catalog();
  const std::vector<store::SeatRow> states{
      {f.ids[0], "0", Uuid::random(), Money::minor(100), "LOCKED", Uuid::random()},
      {f.ids[1], "1", Uuid::random(), Money::minor(100), "BOOKED", Uuid::random()}};
  f.inv->reset(catalog, states, [] { return true; });
  EXPECT_EQ(f.inv->mark_of(f.ids[0]), Mark::Free);
  EXPECT_EQ(f.inv->mark_of(f.ids[1]), Mark::Booked);  // final: never stale
  f.inv->reset(catalog, states, [] { return false; });
  EXPECT_EQ(f.inv->mark_of(f.ids[0]), Mark::Locked);
  f.inv->forget_locked();  // a load published after a release that could not see it
  EXPECT_EQ(f.inv->mark_of(f.ids[0]), Mark::Free);
  EXPECT_EQ(f.inv->mark_of(f.ids[1]), Mark::Booked);
}

}  // namespace
}  // namespace ticketly::order::inventory
