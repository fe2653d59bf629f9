// StripeProvider against a local stand-in for Stripe's REST API (no network here): what
// each call sends (form fields, secret key, idempotency key) and how refusals come back.
#include <gtest/gtest.h>

#include <string>

#include "platform/errors.h"
#include "services/order/payments/stripe_provider.h"
#include "support/bus_test_support.h"
#include "support/fake_stripe.h"

namespace ticketly::testing {
namespace {

namespace asio = boost::asio;
using order::Money;
using namespace order::payments;

class StripeProviderTest : public ::testing::Test {
 protected:
  void SetUp() override { io.start(); }
  void TearDown() override {
    provider.reset();
    io.stop();
    io.join();
  }
  StripeProvider& make() {
    provider = std::make_unique<StripeProvider>(io, StripeOptions{stripe.url(), "sk_test_123", "whsec_x"});
    return *provider;
  }

  FakeStripe stripe;
  runtime::IoPool io{1};
  std::unique_ptr<StripeProvider> provider;
};

bool has_field(const std::string& form, const std::string& field) {
  return ("&" + form + "&").find("&" + field + "&") != std::string::npos;
}

TEST_F(StripeProviderTest, CreatesAnIntentKeyedByOrderAndAmount) {
  auto& p = make();
  const auto order_id = Uuid::random();
  IntentRequest request{order_id, "user-1", Money::minor(250000), "lkr"};
  auto intent = run_on(io, [&]() -> asio::awaitable<PaymentIntent> { co_return co_await p.create_intent(request); });
  EXPECT_EQ(intent.id, "pi_1");
  EXPECT_EQ(intent.client_secret, "pi_1_secret_x");
  auto calls = stripe.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].authorization, "Bearer sk_test_123");
  EXPECT_EQ(calls[0].idempotency_key, "order-" + order_id.str() + "-250000");
  EXPECT_TRUE(has_field(calls[0].form, "amount=250000")) << calls[0].form;
  EXPECT_TRUE(has_field(calls[0].form, "currency=lkr")) << calls[0].form;
  EXPECT_NE(calls[0].form.find(order_id.str()), std::string::npos) << calls[0].form;
}

TEST_F(StripeProviderTest, RefundsTheAmountOrTheWholePaymentForMoneyInAnotherCurrency) {
  auto& p = make();
  auto refund = [&](Money amount, std::string key) {
    return run_on(io, [&]() -> asio::awaitable<RefundStatus> { co_return co_await p.refund("pi_9", amount, key); });
  };
  EXPECT_EQ(refund(Money::minor(1500), "refund-a").id, "re_1");
  // order_pay records a payment in another currency with the amount -1: all of it goes back.
  EXPECT_EQ(refund(Money::minor(-1), "refund-b").id, "re_2");
  auto calls = stripe.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(has_field(calls[0].form, "amount=1500")) << calls[0].form;
  EXPECT_EQ(calls[0].idempotency_key, "refund-a");
  EXPECT_EQ(calls[1].form.find("amount"), std::string::npos) << calls[1].form;
  EXPECT_TRUE(has_field(calls[1].form, "payment_intent=pi_9")) << calls[1].form;
}

// A refund Stripe accepted is not always money returned: `pending` settles later (asked
// about by id), `failed` and `canceled` never return it. A payment refunded already (an
// earlier attempt whose answer was lost, or by hand) counts as refunded.
TEST_F(StripeProviderTest, RefundsReportWhetherTheMoneyWentBack) {
  auto& p = make();
  auto refund = [&] {
    return run_on(io, [&]() -> asio::awaitable<RefundStatus> {
      co_return co_await p.refund("pi_9", Money::minor(100), "refund-x");
    });
  };
  auto status_of = [&](std::string id) {
    return run_on(io, [&]() -> asio::awaitable<RefundStatus> { co_return co_await p.refund_status(id); });
  };
  EXPECT_EQ(refund().state, RefundStatus::State::Succeeded);
  stripe.set_refund_status("pending");
  EXPECT_EQ(refund().state, RefundStatus::State::Pending);
  EXPECT_EQ(status_of("re_7").state, RefundStatus::State::Pending);
  stripe.set_refund_status("failed");
  auto failed = status_of("re_7");
  EXPECT_EQ(failed.state, RefundStatus::State::Failed);
  EXPECT_NE(failed.detail.find("expired_or_canceled_card"), std::string::npos) << failed.detail;
  stripe.set_refund_status("succeeded");
  EXPECT_EQ(status_of("re_7").state, RefundStatus::State::Succeeded);
  auto calls = stripe.calls();
  ASSERT_FALSE(calls.empty());
  EXPECT_EQ(calls.back().path, "/v1/refunds/re_7");
  EXPECT_EQ(calls.back().authorization, "Bearer sk_test_123");
  // Refunded already: how that refund stands counts, looked up by the payment.
  stripe.refuse = true;
  stripe.set_refuse_code("charge_already_refunded");
  stripe.set_refund_status("pending");
  auto existing = refund();
  EXPECT_EQ(existing.state, RefundStatus::State::Pending);
  EXPECT_EQ(existing.id, "re_of_pi_9");
  EXPECT_EQ(stripe.calls().back().path, "/v1/refunds");  // the list (GET), after the refused POST
  stripe.set_refund_status("succeeded");
  EXPECT_EQ(refund().state, RefundStatus::State::Succeeded);
  stripe.set_refuse_code("card_declined");
  EXPECT_THROW(refund(), Error);
  // A status it does not know is not taken for money returned.
  stripe.refuse = false;
  stripe.set_refund_status("in_transit");
  EXPECT_THROW(refund(), Error);
}

TEST_F(StripeProviderTest, RefusalsAre502WithStripesMessage) {
  auto& p = make();
  stripe.refuse = true;
  IntentRequest request{Uuid::random(), "user-1", Money::minor(100), "lkr"};
  try {
    run_on(io, [&]() -> asio::awaitable<PaymentIntent> { co_return co_await p.create_intent(request); });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 502);
    EXPECT_NE(std::string(e.what()).find("Your card was declined."), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ticketly::testing
