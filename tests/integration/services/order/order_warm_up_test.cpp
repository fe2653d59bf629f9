// order_warm_up() (migrations/order/0008): every new connection of the order database runs
// it before its first use (ServiceDescriptor::warm_up), so that a sale's first holds and
// payments find their plans ready. It takes holds and payments through their paths on a
// throwaway session and must leave nothing behind.
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderWarmUp = OrderSuite<DefaultEnv>;

// The rows of every table the warm-up writes to.
std::string row_counts() {
  return OrderWarmUp::app().scalar(
      "SELECT concat_ws(',', (SELECT count(*) FROM catalog_events), (SELECT count(*) FROM sessions), "
      "(SELECT count(*) FROM seats), (SELECT count(*) FROM orders), (SELECT count(*) FROM order_pending_slots), "
      "(SELECT count(*) FROM tickets), (SELECT count(*) FROM payment_events), (SELECT count(*) FROM discount_usage))");
}

TEST_F(OrderWarmUp, TheServiceWarmsItsConnectionsAtStart) {
  // Nothing has been sold in this app, yet holds and payments have run: the seat-status
  // sequence, the one thing a rollback does not undo, has moved.
  EXPECT_TRUE(wait_until([] { return app().scalar("SELECT is_called FROM seat_status_seq") == "t"; },
                         std::chrono::seconds(5)));
  EXPECT_EQ(app().scalar("SELECT count(*) FROM orders"), "0");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM payment_events"), "0");
}

TEST_F(OrderWarmUp, LeavesNothingBehindAndNoRealSeatChanged) {
  auto setup = published_event(4);
  const auto& e = setup.event;
  const std::string before = row_counts();
  const std::string seq_before = app().scalar("SELECT last_value FROM seat_status_seq");
  for (int i = 0; i < 3; ++i) app().scalar("SELECT order_warm_up()::text");
  EXPECT_EQ(row_counts(), before);
  for (const auto& seat : e.seats) EXPECT_EQ(seat_state(e, seat.id), "AVAILABLE");
  EXPECT_GT(std::stoll(app().scalar("SELECT last_value FROM seat_status_seq")), std::stoll(seq_before));

  // The session still sells: a hold through the public API takes its seat.
  const auto buyer = app().new_user("buyer");
  const auto placed = app().place(buyer.token, e, {e.seats[0].id});
  EXPECT_EQ(placed.status, 201) << placed.body;
  EXPECT_EQ(seat_state(e, e.seats[0].id), "LOCKED");
}

}  // namespace
}  // namespace ticketly::testing
