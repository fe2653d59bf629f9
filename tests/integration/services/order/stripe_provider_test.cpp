// StripeProvider against a local stand-in for Stripe's REST API (no network here): what
// each call sends (form fields, secret key, idempotency key) and how refusals come back.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "platform/errors.h"
#include "platform/http/request.h"
#include "platform/http/response.h"
#include "services/order/payments/stripe_provider.h"
#include "support/bus_test_support.h"
#include "support/test_server.h"

namespace ticketly::testing {
namespace {

namespace asio = boost::asio;
using order::Money;
using namespace order::payments;

struct Call {
  std::string path;
  std::string form;
  std::string authorization;
  std::string idempotency_key;
};

// Records every call; answers as Stripe does, or with a card error when `refuse` is set.
class FakeStripe {
 public:
  FakeStripe()
      : server_([this](http::Router& r) {
          r.post("/v1/payment_intents", [this](http::Request& req) { return answer(req, "pi_1"); });
          r.post("/v1/refunds", [this](http::Request& req) { return answer(req, "re_1"); });
        }) {}

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  bool refuse = false;

 private:
  asio::awaitable<http::Response> answer(http::Request& req, std::string id) {
    {
      std::lock_guard lock(mu_);
      calls_.push_back(Call{std::string(req.path), req.body(), std::string(req.header("Authorization")),
                            std::string(req.header("Idempotency-Key"))});
    }
    if (refuse) {
      co_return http::Response::json(402, {{"error", {{"type", "card_error"}, {"message", "Your card was declined."}}}});
    }
    co_return http::Response::json(200, {{"id", id}, {"client_secret", id + "_secret_x"}, {"status", "succeeded"}});
  }

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  TestServer server_;
};

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
    return run_on(io, [&]() -> asio::awaitable<std::string> { co_return co_await p.refund("pi_9", amount, key); });
  };
  EXPECT_EQ(refund(Money::minor(1500), "refund-a"), "re_1");
  // order_pay records a payment in another currency with the amount -1: all of it goes back.
  EXPECT_EQ(refund(Money::minor(-1), "refund-b"), "re_1");
  auto calls = stripe.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(has_field(calls[0].form, "amount=1500")) << calls[0].form;
  EXPECT_EQ(calls[0].idempotency_key, "refund-a");
  EXPECT_EQ(calls[1].form.find("amount"), std::string::npos) << calls[1].form;
  EXPECT_TRUE(has_field(calls[1].form, "payment_intent=pi_9")) << calls[1].form;
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
