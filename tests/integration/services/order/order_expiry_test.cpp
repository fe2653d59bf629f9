// Hold expiry by the durable sweeper, and payments that arrive after it (DESIGN.md §3):
// the seats are re-held when still free, otherwise the money is refunded.
#include "order_fixture.h"

namespace ticketly::testing {
namespace {

using OrderExpiry = OrderSuite<ShortHoldEnv>;
using namespace std::chrono_literals;

bool wait_status(const std::string& order_id, const std::string& status) {
  return wait_until([&] { return OrderExpiry::order_status(order_id) == status; }, 15s);
}

HttpResult succeed_webhook(const std::string& intent, const std::string& order_id, std::int64_t amount) {
  return deliver_webhook(OrderExpiry::app().port(),
                         stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", intent, order_id, amount));
}

struct Held {
  std::string order_id, intent;
  std::int64_t amount = 0;
};

Held hold_with_intent(const CreatedUser& buyer, const TestEvent& e, const std::vector<std::string>& seats) {
  auto r = OrderExpiry::app().place(buyer.token, e, seats);
  EXPECT_EQ(r.status, 201) << r.body;
  Held h;
  h.order_id = r.json()["order_id"];
  auto pi = http_request(OrderExpiry::app().port(), "POST", "/api/order/" + h.order_id + "/create-payment-intent", "",
                         bearer(buyer.token));
  EXPECT_EQ(pi.status, 200) << pi.body;
  h.intent = pi.json()["paymentIntentId"];
  h.amount = std::llround(pi.json()["order"]["Price"].get<double>() * 100);
  return h;
}

TEST_F(OrderExpiry, ExpiredHoldIsCancelledAndItsSeatsReleased) {
  auto s = published_event(3);
  auto a = app().new_user(), b = app().new_user();
  auto r = app().place(a.token, s.event, {s.event.seats[0].id, s.event.seats[1].id});
  ASSERT_EQ(r.status, 201);
  const std::string id = r.json()["order_id"];
  EXPECT_EQ(app().place(b.token, s.event, {s.event.seats[0].id}).status, 409);
  ASSERT_TRUE(wait_status(id, "cancelled"));
  EXPECT_EQ(app().scalar("SELECT cancel_reason FROM orders WHERE id = '" + id + "'"), "expired");
  EXPECT_TRUE(published("ticketly.order.cancelled", id, {"\"Status\":\"cancelled\"", "\"type\":\"OrderSnapshot\""}));
  EXPECT_TRUE(published("ticketly.seats.status", s.event.session_id,
                        {"\"status\":\"AVAILABLE\"", s.event.seats[0].id, s.event.seats[1].id}));
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "AVAILABLE");
  EXPECT_EQ(seat_state(s.event, s.event.seats[1].id), "AVAILABLE");
  // Free for the next buyer; the expired order can no longer get an intent.
  EXPECT_EQ(app().place(b.token, s.event, {s.event.seats[0].id}).status, 201);
  EXPECT_EQ(http_request(app().port(), "POST", "/api/order/" + id + "/create-payment-intent", "", bearer(a.token)).status,
            409);
}

// Paying an order must stay a HOT update (migrations/order/0003): no index of `orders` may
// name a column that attaching an intent, paying, failing or cancelling changes — expiry
// is found through the pending slots instead.
TEST_F(OrderExpiry, NoIndexOfOrdersNamesAColumnThatPaymentsChange) {
  EXPECT_EQ(app().scalar(R"sql(
    SELECT coalesce(string_agg(pg_get_indexdef(indexrelid), '; '), '') FROM pg_index
     WHERE indrelid = 'orders'::regclass
       AND pg_get_indexdef(indexrelid) ~ '(status|payment_intent_id|client_secret|payment_status|version|completed_at|cancel)')sql"),
            "");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'order_pending_slots_expiry'"), "1");
}

TEST_F(OrderExpiry, PaymentAfterExpiryReholdsSeatsThatAreStillFree) {
  auto s = published_event(2);
  auto a = app().new_user();
  auto h = hold_with_intent(a, s.event, {s.event.seats[0].id});
  ASSERT_TRUE(wait_status(h.order_id, "cancelled"));
  auto r = succeed_webhook(h.intent, h.order_id, h.amount);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(order_status(h.order_id), "completed");
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "BOOKED");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + h.order_id + "'"), "1");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + h.order_id + "'"), "0");
}

TEST_F(OrderExpiry, PaymentAfterExpiryIsRefundedWhenASeatWasSoldMeanwhile) {
  auto s = published_event(2);
  auto a = app().new_user(), b = app().new_user();
  auto h = hold_with_intent(a, s.event, {s.event.seats[0].id, s.event.seats[1].id});
  ASSERT_TRUE(wait_status(h.order_id, "cancelled"));
  auto taken = app().place(b.token, s.event, {s.event.seats[1].id});
  ASSERT_EQ(taken.status, 201);
  auto r = succeed_webhook(h.intent, h.order_id, h.amount);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(order_status(h.order_id), "cancelled");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + h.order_id + "'"), "0");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + h.order_id + "'"), "1");
  // The development provider confirms the refund at once.
  EXPECT_TRUE(wait_until([&] {
    return app().scalar("SELECT status FROM refunds WHERE order_id = '" + h.order_id + "'") == "succeeded";
  }, 10s));
  EXPECT_EQ(seat_state(s.event, s.event.seats[0].id), "AVAILABLE");  // nothing half re-held
  EXPECT_EQ(seat_state(s.event, s.event.seats[1].id), "LOCKED");     // still b's
}

// Late money buys seats only of a session that still takes place: after the event was
// deleted, or the session cancelled or over, it goes back even though the seats are free.
TEST_F(OrderExpiry, PaymentAfterExpiryIsRefundedWhenTheSessionIsGone) {
  auto cancelled = published_event(2), closed = published_event(2), deleted = published_event(2);
  auto a = app().new_user(), b = app().new_user(), c = app().new_user();
  auto in_cancelled = hold_with_intent(a, cancelled.event, {cancelled.event.seats[0].id});
  auto in_closed = hold_with_intent(c, closed.event, {closed.event.seats[0].id});
  auto in_deleted = hold_with_intent(b, deleted.event, {deleted.event.seats[0].id});
  for (const auto* h : {&in_cancelled, &in_closed, &in_deleted}) ASSERT_TRUE(wait_status(h->order_id, "cancelled"));
  cancelled.event.version = 2;
  cancelled.event.session_status = "CANCELLED";
  app().publish_event(cancelled.event);
  closed.event.version = 2;
  closed.event.session_status = "CLOSED";
  app().publish_event(closed.event);
  app().publish("ticketly.catalog.events", deleted.event.id,
                {{"type", "EventDeleted"}, {"version", 2}, {"eventId", deleted.event.id},
                 {"occurredAt", "2026-11-28T08:00:00Z"}});
  ASSERT_TRUE(wait_until(
      [&] { return app().scalar("SELECT deleted FROM catalog_events WHERE id = '" + deleted.event.id + "'") == "t"; },
      10s));
  for (const auto* h : {&in_cancelled, &in_closed, &in_deleted}) {
    auto r = succeed_webhook(h->intent, h->order_id, h->amount);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["result"], "refund") << r.body;
    EXPECT_NE(r.json().value("reason", "").find("no longer"), std::string::npos) << r.body;
    EXPECT_EQ(order_status(h->order_id), "cancelled");
    EXPECT_EQ(app().scalar("SELECT count(*) FROM tickets WHERE order_id = '" + h->order_id + "'"), "0");
  }
  EXPECT_EQ(seat_state(cancelled.event, cancelled.event.seats[0].id), "AVAILABLE");
  EXPECT_EQ(seat_state(closed.event, closed.event.seats[0].id), "AVAILABLE");
  EXPECT_EQ(seat_state(deleted.event, deleted.event.seats[0].id), "AVAILABLE");
}

TEST_F(OrderExpiry, CancelledByTheOwnerThenPaidIsRefunded) {
  auto s = published_event(2);
  auto a = app().new_user();
  auto h = hold_with_intent(a, s.event, {s.event.seats[0].id});
  ASSERT_EQ(http_request(app().port(), "DELETE", "/api/order/" + h.order_id, "", bearer(a.token)).status, 200);
  ASSERT_EQ(succeed_webhook(h.intent, h.order_id, h.amount).status, 200);
  EXPECT_EQ(order_status(h.order_id), "cancelled");
  EXPECT_EQ(app().scalar("SELECT count(*) FROM refunds WHERE order_id = '" + h.order_id + "'"), "1");
}

}  // namespace
}  // namespace ticketly::testing
