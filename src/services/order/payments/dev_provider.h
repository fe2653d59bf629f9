#pragma once
// The development payment provider: the default when STRIPE_SECRET_KEY is not set, never
// in production. No network: intents are derived from the order (so creating one twice
// gives the same), client secrets start with "dev_", and payments are completed or failed
// by POST /api/order/{id}/dev/payment, which delivers a correctly signed Stripe-format
// webhook to the same handler Stripe's would reach.
#include "services/order/payments/provider.h"

namespace ticketly::order::payments {

class DevProvider final : public PaymentProvider {
 public:
  // `secret`: signs the simulated webhooks (and derives intent ids); random if empty.
  explicit DevProvider(std::string webhook_secret = {});

  std::string_view name() const override { return "development"; }
  asio::awaitable<PaymentIntent> create_intent(const IntentRequest& request) override;
  // Refunds succeed at once (no money moves).
  asio::awaitable<RefundStatus> refund(const std::string& intent_id, Money amount,
                                       const std::string& idempotency_key) override;
  asio::awaitable<RefundStatus> refund_status(const std::string& refund_id) override;
  const std::string& webhook_secret() const override { return secret_; }

  // The intent id create_intent gives this order.
  std::string intent_id_for(const Uuid& order_id) const;

 private:
  std::string secret_;
};

}  // namespace ticketly::order::payments
