#pragma once
// Payments of orders: creating (or re-using) the payment intent, applying the provider's
// webhooks exactly once, refunding what cannot buy tickets, and the development
// provider's simulated payments. A customer is never charged without tickets: a payment
// for an expired hold re-holds the seats if they are all still free, otherwise it is
// refunded through the provider (order_pay() decides, in the same transaction that
// records the provider event, so a replayed webhook changes nothing).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "platform/db/database.h"
#include "platform/json/json.h"
#include "platform/runtime/io_pool.h"
#include "services/order/domain/order.h"
#include "services/order/events/checkout_hub.h"
#include "services/order/inventory/inventory.h"
#include "services/order/order_config.h"
#include "services/order/payments/intent_writer.h"
#include "services/order/payments/payment_writer.h"
#include "services/order/payments/provider.h"
#include "services/order/store/order_store.h"
#include "services/order/store/ticket_counter.h"

namespace ticketly::order::payments {

struct IntentAnswer {
  std::string client_secret;
  std::string intent_id;
  Order order;
};

struct WebhookAnswer {
  int status = 200;
  json::Json body;
  // The order as the payment left it (with its tickets when completed), when it was read
  // in the payment's transaction: the development payment answers with it directly.
  std::optional<Order> order;
};

class Payments {
 public:
  Payments(db::Database& db, runtime::IoPool& io, PaymentProvider& provider, inventory::Inventory& inventory,
           const OrderConfig& config, events::CheckoutHub* hub = nullptr, store::TicketCounter* tickets = nullptr);
  ~Payments();

  PaymentProvider& provider() { return provider_; }

  // For a pending, unexpired order of the caller (checked by the caller). Idempotent: the
  // order's live intent when it has one. Throws ticketly::Error (409 not payable, 502).
  // An order a discount made free has nothing to charge (Stripe refuses 0): it is
  // completed at once, with no provider and no client secret; the answer's order says
  // so (status completed, tickets), and a repeated call answers the same.
  asio::awaitable<IntentAnswer> create_intent(const Order& order);

  // POST /api/order/webhook/stripe: 400 for a bad signature, an old timestamp or a
  // malformed event; 200 otherwise (duplicates included, with no second effect).
  asio::awaitable<WebhookAnswer> handle_webhook(std::string_view body, std::string_view signature_header);

  // The development provider's payment: a signed payment_intent.succeeded (or
  // .payment_failed) for the order's intent, through handle_webhook.
  asio::awaitable<WebhookAnswer> simulate_payment(const Order& order, bool succeed);

  // Sends due refunds to the provider (or asks about those it had not settled); returns
  // how many succeeded. A refund refused 48 times, or reported failed by the provider, is
  // marked `failed` (its order `refund_failed`) and logged at error level for an operator.
  asio::awaitable<std::size_t> process_refunds(int limit);
  void start(std::chrono::milliseconds interval);  // the refund retry loop, on worker 0
  void stop();

  struct State;

 private:
  asio::awaitable<WebhookAnswer> on_succeeded(const std::string& event_id, const json::Json& intent);
  asio::awaitable<WebhookAnswer> on_failed(const std::string& event_id, const json::Json& intent);
  asio::awaitable<std::size_t> send_refunds(std::vector<store::Refund> refunds);
  // Sends the refund, or asks how one the provider accepted earlier stands.
  asio::awaitable<RefundStatus> ask_provider(const store::Refund& refund);
  asio::awaitable<IntentAnswer> complete_free(const Order& order);
  // What follows a completion in this process: the seats' marks, checkout streams, the count.
  void completed(const Order& order);

  db::Database& db_;
  runtime::IoPool& io_;
  PaymentProvider& provider_;
  inventory::Inventory& inventory_;
  const OrderConfig& config_;
  events::CheckoutHub* hub_;
  store::TicketCounter* tickets_;  // told about the tickets each completed order issued
  std::unique_ptr<PaymentWriter> writer_;
  std::unique_ptr<IntentWriter> intents_;
  std::shared_ptr<State> state_;
};

}  // namespace ticketly::order::payments
