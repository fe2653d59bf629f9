// Refunds against a stand-in for Stripe (support/fake_stripe.h): a refund is done only when
// the money went back. One the provider has not settled is asked about until it is; one it
// keeps refusing, or reports failed, ends `failed` for an operator instead of being retried
// silently forever (API.md §3: never charged without a ticket).
#include "order_fixture.h"
#include "support/fake_stripe.h"

namespace ticketly::testing {
namespace {

FakeStripe& stripe() {
  static FakeStripe fake;
  return fake;
}

struct StripeEnv {
  static std::map<std::string, std::string> env() {
    return {{"STRIPE_SECRET_KEY", "sk_test_refunds"},
            {"STRIPE_WEBHOOK_SECRET", kWebhookSecret},
            {"TICKETLY_STRIPE_API_URL", stripe().url()},
            {"TICKETLY_ORDER_REFUND_INTERVAL", "100ms"}};
  }
};

class OrderRefund : public OrderSuite<StripeEnv> {
 protected:
  void SetUp() override {
    stripe().refuse = false;
    stripe().set_refuse_code("card_declined");
    stripe().set_refund_status("succeeded");
  }
  struct Underpaid {
    std::string order_id, intent;
  };
  // A pending order paid 0.01 of its price: the payment must go back.
  static Underpaid underpaid() {
    auto s = published_event(2);
    auto buyer = app().new_user();
    auto placed = app().place(buyer.token, s.event, {s.event.seats[0].id});
    EXPECT_EQ(placed.status, 201) << placed.body;
    Underpaid u{placed.json()["order_id"], "pi_test_" + new_uuid()};
    auto r = deliver_webhook(app().port(),
                             stripe_event("evt_" + new_uuid(), "payment_intent.succeeded", u.intent, u.order_id, 1));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json()["result"], "refund") << r.body;
    return u;
  }
  static std::string refund(const Underpaid& u, const std::string& column) {
    return app().scalar("SELECT " + column + " FROM refunds WHERE payment_intent_id = '" + u.intent + "'");
  }
  static std::string payment_status(const Underpaid& u) {
    return app().scalar("SELECT payment_status FROM orders WHERE id = '" + u.order_id + "'");
  }
  static void due_now(const Underpaid& u, int attempts = -1) {
    std::string set = "next_attempt_at = now()";
    if (attempts >= 0) set += ", attempts = " + std::to_string(attempts);
    app().scalar("UPDATE refunds SET " + set + " WHERE payment_intent_id = '" + u.intent + "'");
  }
};

TEST_F(OrderRefund, ASettledRefundFinishesAtOnce) {
  auto u = underpaid();
  ASSERT_TRUE(wait_until([&] { return refund(u, "status") == "succeeded"; }, std::chrono::seconds(10)));
  EXPECT_TRUE(refund(u, "provider_refund_id").starts_with("re_"));
  EXPECT_EQ(payment_status(u), "refunded");
}

TEST_F(OrderRefund, APendingRefundIsAskedAboutUntilTheProviderSettlesIt) {
  stripe().set_refund_status("pending");
  auto u = underpaid();
  // Sent by the webhook's own call, or by the refund loop if it claimed the row first.
  ASSERT_TRUE(wait_until([&] { return !refund(u, "provider_refund_id").empty(); }, std::chrono::seconds(10)));
  EXPECT_EQ(refund(u, "status"), "pending");
  const std::string id = refund(u, "provider_refund_id");
  ASSERT_TRUE(id.starts_with("re_")) << id;
  EXPECT_EQ(payment_status(u), "refund_pending");
  // Still pending when asked: still not done, and no second refund is made.
  due_now(u);
  ASSERT_TRUE(wait_until([&] { return refund(u, "attempts") == "2"; }, std::chrono::seconds(10)));
  EXPECT_EQ(refund(u, "status"), "pending");
  stripe().set_refund_status("succeeded");
  due_now(u);
  ASSERT_TRUE(wait_until([&] { return refund(u, "status") == "succeeded"; }, std::chrono::seconds(10)));
  EXPECT_EQ(payment_status(u), "refunded");
  int posts = 0, gets = 0;
  for (const auto& c : stripe().calls()) {
    if (c.path == "/v1/refunds" && c.form.find(u.intent) != std::string::npos) ++posts;
    if (c.path == "/v1/refunds/" + id) ++gets;
  }
  EXPECT_EQ(posts, 1);
  EXPECT_EQ(gets, 2);
}

TEST_F(OrderRefund, ARefundTheProviderReportsFailedNeedsAnOperator) {
  stripe().set_refund_status("failed");
  auto u = underpaid();
  ASSERT_TRUE(wait_until([&] { return refund(u, "status") == "failed"; }, std::chrono::seconds(10)));
  EXPECT_NE(refund(u, "last_error").find("expired_or_canceled_card"), std::string::npos) << refund(u, "last_error");
  EXPECT_EQ(payment_status(u), "refund_failed");
}

// Refused attempts are retried under the refund's one idempotency key (a refund whose
// answer was lost must come back as itself, never be made twice); the last allowed
// attempt gives up.
TEST_F(OrderRefund, ARefundRefusedEveryTimeEndsFailedAfterTheLastAttempt) {
  stripe().refuse = true;
  auto u = underpaid();
  ASSERT_TRUE(wait_until([&] { return refund(u, "attempts") == "1"; }, std::chrono::seconds(10)));
  EXPECT_EQ(refund(u, "status"), "pending");
  EXPECT_NE(refund(u, "last_error").find("declined"), std::string::npos) << refund(u, "last_error");
  const std::string refund_id = refund(u, "id");
  due_now(u);
  ASSERT_TRUE(wait_until([&] { return refund(u, "attempts") == "2"; }, std::chrono::seconds(10)));
  due_now(u, 47);
  ASSERT_TRUE(wait_until([&] { return refund(u, "status") == "failed"; }, std::chrono::seconds(10)));
  EXPECT_EQ(payment_status(u), "refund_failed");
  std::vector<std::string> keys;
  for (const auto& c : stripe().calls()) {
    if (c.path == "/v1/refunds" && c.form.find(u.intent) != std::string::npos) keys.push_back(c.idempotency_key);
  }
  const std::vector<std::string> expected(3, "refund-" + refund_id);
  EXPECT_EQ(keys, expected);
}

// A refund the provider accepted but has not settled is asked about however long it
// takes: failing to ask (a timeout) at any attempt does not give it up.
TEST_F(OrderRefund, APendingRefundIsNeverGivenUpForAnUnansweredQuestion) {
  stripe().set_refund_status("pending");
  auto u = underpaid();
  ASSERT_TRUE(wait_until([&] { return !refund(u, "provider_refund_id").empty(); }, std::chrono::seconds(10)));
  // The status lookup now fails (a refund id Stripe does not answer for).
  app().scalar("UPDATE refunds SET provider_refund_id = 'unknown/x' WHERE payment_intent_id = '" + u.intent + "'");
  due_now(u, 60);
  ASSERT_TRUE(wait_until([&] { return refund(u, "attempts") == "61"; }, std::chrono::seconds(10)));
  EXPECT_EQ(refund(u, "status"), "pending");
  EXPECT_EQ(payment_status(u), "refund_pending");
}

}  // namespace
}  // namespace ticketly::testing
