#pragma once
// The payment provider seam. Two implementations: Stripe (PaymentIntents over its REST
// API, stripe_provider.h) and the development provider (no network, dev_provider.h).
// Both are idempotent per order: creating the intent of the same order twice gives the
// same intent, refunding the same payment twice refunds once.
#include <boost/asio/awaitable.hpp>

#include <string>
#include <string_view>

#include "platform/types/uuid.h"
#include "services/order/domain/money.h"

namespace ticketly::order::payments {

namespace asio = boost::asio;

struct IntentRequest {
  Uuid order_id;
  std::string user_id;
  Money amount;
  std::string currency;  // "lkr"
};

struct PaymentIntent {
  std::string id;             // pi_…
  std::string client_secret;  // what the browser confirms the payment with
  std::string status;         // the provider's status, e.g. requires_payment_method
};

// A refund as the provider reports it. Stripe settles some refunds later (`pending`), and
// a refund can fail at the card's bank after it was accepted.
struct RefundStatus {
  enum class State { Succeeded, Pending, Failed };
  std::string id;  // re_… ("" when the payment had been refunded already)
  State state = State::Succeeded;
  std::string detail;  // the provider's reason, when it failed
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string_view name() const = 0;  // "stripe" | "development"
  // Throws ticketly::Error(502) when the provider refuses or cannot be reached.
  virtual asio::awaitable<PaymentIntent> create_intent(const IntentRequest& request) = 0;
  // Refunds `amount` of the intent's payment (all of it when `amount` is not positive: money
  // in another currency); `idempotency_key` makes a retry harmless, and a payment refunded
  // already (by hand, or under another key) answers how that refund stands. Throws
  // ticketly::Error(502) when the provider refuses or cannot be reached.
  virtual asio::awaitable<RefundStatus> refund(const std::string& intent_id, Money amount,
                                               const std::string& idempotency_key) = 0;
  // The current state of a refund that was Pending. Throws ticketly::Error(502).
  virtual asio::awaitable<RefundStatus> refund_status(const std::string& refund_id) = 0;
  // The secret webhooks are signed with (Stripe-Signature).
  virtual const std::string& webhook_secret() const = 0;
};

}  // namespace ticketly::order::payments
