#include "services/order/payments/dev_provider.h"

#include "platform/crypto/crypto.h"

namespace ticketly::order::payments {

DevProvider::DevProvider(std::string webhook_secret) : secret_(std::move(webhook_secret)) {
  if (secret_.empty()) secret_ = "whsec_dev_" + crypto::random_token(24);
}

std::string DevProvider::intent_id_for(const Uuid& order_id) const {
  return "pi_dev_" + crypto::hex_encode(crypto::hmac_sha256(secret_, "intent:" + order_id.str()).substr(0, 12));
}

asio::awaitable<PaymentIntent> DevProvider::create_intent(const IntentRequest& request) {
  PaymentIntent intent;
  intent.id = intent_id_for(request.order_id);
  intent.client_secret =
      "dev_" + intent.id + "_secret_" +
      crypto::hex_encode(crypto::hmac_sha256(secret_, "client-secret:" + request.order_id.str()).substr(0, 12));
  intent.status = "requires_payment_method";
  co_return intent;
}

asio::awaitable<RefundStatus> DevProvider::refund(const std::string& intent_id, Money,
                                                  const std::string& idempotency_key) {
  RefundStatus out;
  out.id = "re_dev_" +
           crypto::hex_encode(crypto::hmac_sha256(secret_, "refund:" + intent_id + ":" + idempotency_key).substr(0, 12));
  co_return out;
}

asio::awaitable<RefundStatus> DevProvider::refund_status(const std::string& refund_id) {
  RefundStatus out;
  out.id = refund_id;
  co_return out;
}

}  // namespace ticketly::order::payments
