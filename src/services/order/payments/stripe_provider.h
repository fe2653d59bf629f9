#pragma once
// Stripe PaymentIntents over the REST API (form-encoded requests, JSON answers), through
// the platform's HTTP client — one per worker, as the client is per io_context. Every
// mutating call carries an Idempotency-Key: the same order gets the same intent, the same
// refund is made once, however often a call is retried.
#include <memory>
#include <vector>

#include "platform/http/client.h"
#include "platform/runtime/io_pool.h"
#include "services/order/payments/provider.h"

namespace ticketly::order::payments {

struct StripeOptions {
  std::string api_url = "https://api.stripe.com";
  std::string secret_key;      // sk_…
  std::string webhook_secret;  // whsec_…
};

class StripeProvider final : public PaymentProvider {
 public:
  StripeProvider(runtime::IoPool& io, StripeOptions options);
  ~StripeProvider() override;

  std::string_view name() const override { return "stripe"; }
  asio::awaitable<PaymentIntent> create_intent(const IntentRequest& request) override;
  asio::awaitable<RefundStatus> refund(const std::string& intent_id, Money amount,
                                       const std::string& idempotency_key) override;
  asio::awaitable<RefundStatus> refund_status(const std::string& refund_id) override;
  const std::string& webhook_secret() const override { return options_.webhook_secret; }

 private:
  asio::awaitable<http::HttpClient*> client();
  asio::awaitable<http::ClientResponse> post(std::string path, http::HeaderList form, std::string idempotency_key);
  asio::awaitable<http::ClientResponse> get(std::string path);
  // How the refund of a payment Stripe calls refunded already stands.
  asio::awaitable<RefundStatus> existing_refund(const std::string& intent_id);
  http::HeaderList headers() const;

  runtime::IoPool& io_;
  StripeOptions options_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // one per worker
};

}  // namespace ticketly::order::payments
