#include "services/order/payments/payments.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cmath>

#include "platform/bus/outbox.h"
#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "services/order/events/messages.h"
#include "services/order/payments/webhook_signature.h"

namespace ticketly::order::payments {

using namespace std::chrono_literals;

struct Payments::State {
  explicit State(asio::io_context& context) : timer(context) {}
  asio::steady_timer timer;  // worker 0
  std::atomic<bool> started{false}, stopping{false};
  std::promise<void> finished;
};

namespace {

json::Json ok(std::string_view result) { return {{"received", true}, {"result", result}}; }

std::optional<Uuid> order_of(const json::Json& intent) {
  if (!intent.contains("metadata") || !intent["metadata"].is_object()) return std::nullopt;
  const auto& m = intent["metadata"];
  if (!m.contains("order_id") || !m["order_id"].is_string()) return std::nullopt;
  return Uuid::parse(m["order_id"].get<std::string>());
}

std::int64_t integer_of(const json::Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_number()) return 0;
  return j[key].is_number_integer() ? j[key].get<std::int64_t>() : std::llround(j[key].get<double>());
}

}  // namespace

Payments::Payments(db::Database& db, runtime::IoPool& io, PaymentProvider& provider, inventory::Inventory& inventory,
                   const OrderConfig& config, events::CheckoutHub* hub, store::TicketCounter* tickets)
    : db_(db),
      io_(io),
      provider_(provider),
      inventory_(inventory),
      config_(config),
      hub_(hub),
      tickets_(tickets),
      writer_(std::make_unique<PaymentWriter>(db, io)),
      intents_(std::make_unique<IntentWriter>(db, io)),
      state_(std::make_shared<State>(io.context(0))) {}

Payments::~Payments() { stop(); }

namespace {

// The "intent" of an order with nothing to pay: no provider knows it, so no refund of it
// may ever be sent to one.
constexpr std::string_view kFreeIntentPrefix = "free_";

bool is_free_intent(std::string_view intent_id) { return intent_id.starts_with(kFreeIntentPrefix); }

}  // namespace

asio::awaitable<IntentAnswer> Payments::create_intent(const Order& order) {
  if (order.status == OrderStatus::Completed && is_free_intent(order.payment_intent_id)) {
    co_return IntentAnswer{"", order.payment_intent_id, order};
  }
  if (order.status == OrderStatus::Completed) throw conflict("This order is already paid");
  if (order.status == OrderStatus::Cancelled) throw conflict("This order was cancelled or its seat hold expired");
  if (order.expires_at <= Clock::now()) throw conflict("The seat hold of this order has expired");
  if (!order.payment_intent_id.empty()) {
    auto secret = co_await store::client_secret_of(db_, order.id);
    co_return IntentAnswer{secret, order.payment_intent_id, order};
  }
  if (order.price.units() == 0) co_return co_await complete_free(order);
  IntentRequest request{order.id, order.user_id, order.price, config_.currency};
  auto intent = co_await provider_.create_intent(request);
  // Group-committed with the checkouts starting at the same time (intent_writer.h).
  store::IntentToAttach attach{order.id, intent.id, intent.client_secret};  // named: not a braced temporary in co_await
  auto stored = co_await intents_->attach(std::move(attach));
  if (!stored) throw not_found("Order not found");
  if (stored->payment_intent_id.empty()) {
    // Cancelled or expired while the provider answered.
    throw conflict("This order was cancelled or its seat hold expired");
  }
  if (stored->payment_intent_id != intent.id) {
    // A concurrent call recorded its intent first (the same one, thanks to the idempotency key).
    auto secret = co_await store::client_secret_of(db_, order.id);
    co_return IntentAnswer{secret, stored->payment_intent_id, *stored};
  }
  co_return IntentAnswer{intent.client_secret, intent.id, *stored};
}

asio::awaitable<IntentAnswer> Payments::complete_free(const Order& order) {
  const std::string intent = std::string(kFreeIntentPrefix) + order.id.str();
  // A payment of 0, applied like any other (group-committed, tickets, BOOKED). Its event id
  // is the order's, so a concurrent or repeated call is a duplicate, not a second effect.
  const json::Json payment = {{"event_id", "free:" + order.id.str()},
                              {"event_type", "free_order"},
                              {"intent_id", intent},
                              {"order_id", order.id.str()},
                              {"amount", 0}};
  PaymentRequest request{order.id, payment};  // named: not a braced temporary inside co_await (g++ 12)
  auto outcome = co_await writer_->submit(std::move(request));
  if (outcome.result.result == "completed" && outcome.order) {
    completed(*outcome.order);
    co_return IntentAnswer{"", intent, std::move(*outcome.order)};
  }
  auto now = co_await store::find_order(db_, order.id, true);
  if (now && now->status == OrderStatus::Completed && now->payment_intent_id == intent) {
    co_return IntentAnswer{"", intent, std::move(*now)};
  }
  // The hold expired meanwhile and its seats were sold ("refunded": nothing was charged).
  throw conflict("This order was cancelled or its seat hold expired");
}

void Payments::completed(const Order& order) {
  if (auto inv = inventory_.loaded(order.session_id)) inv->mark_booked(order.seat_ids());
  if (hub_) hub_->publish(order);
  if (tickets_) tickets_->issued(static_cast<std::int64_t>(order.tickets.size()));
}

asio::awaitable<WebhookAnswer> Payments::handle_webhook(std::string_view body, std::string_view signature_header) {
  const auto check = verify_stripe_signature(signature_header, body, provider_.webhook_secret(), Clock::now());
  if (check != SignatureCheck::Valid) {
    co_return WebhookAnswer{400, {{"message", "Invalid webhook: " + std::string(describe(check))}}};
  }
  auto event = json::Json::parse(body, nullptr, false);
  if (!event.is_object() || !event.contains("id") || !event["id"].is_string() || !event.contains("type") ||
      !event["type"].is_string()) {
    co_return WebhookAnswer{400, {{"message", "Invalid webhook: not a Stripe event"}}};
  }
  const std::string id = event["id"].get<std::string>();
  const std::string type = event["type"].get<std::string>();
  const json::Json* object = nullptr;
  if (event.contains("data") && event["data"].is_object() && event["data"].contains("object") &&
      event["data"]["object"].is_object()) {
    object = &event["data"]["object"];
  }
  if (type == "payment_intent.succeeded" && object) co_return co_await on_succeeded(id, *object);
  if (type == "payment_intent.payment_failed" && object) co_return co_await on_failed(id, *object);
  co_return WebhookAnswer{200, ok("ignored")};
}

asio::awaitable<WebhookAnswer> Payments::on_succeeded(const std::string& event_id, const json::Json& intent) {
  auto order_id = order_of(intent);
  const std::string intent_id = intent.value("id", "");
  if (!order_id || intent_id.empty()) {
    // Money was taken for no order of ours (not our intent, or metadata lost): acknowledged
    // (Stripe would retry forever), but someone has to look.
    spdlog::error("payment event {}: a succeeded payment {} names no order (metadata.order_id); not applied",
                  event_id, intent_id);
    co_return WebhookAnswer{200, ok("ignored")};
  }
  std::int64_t amount = integer_of(intent, "amount_received");
  if (amount == 0) amount = integer_of(intent, "amount");
  // Money in another currency does not pay an LKR order: it is refunded.
  if (!text::iequals_ascii(intent.value("currency", config_.currency), config_.currency)) amount = -1;
  const json::Json payment = {{"event_id", event_id},
                              {"event_type", "payment_intent.succeeded"},
                              {"intent_id", intent_id},
                              {"order_id", order_id->str()},
                              {"amount", amount}};
  // Group-committed with the payments arriving at the same time (payment_writer.h).
  PaymentRequest request{*order_id, payment};  // named: not a braced temporary inside co_await (g++ 12)
  auto outcome = co_await writer_->submit(std::move(request));
  const store::PayResult& result = outcome.result;
  std::optional<Order>& order = outcome.order;
  if (result.result == "completed" && order) completed(*order);
  if (result.result == "unknown_order") {
    spdlog::error("payment event {}: payment {} succeeded for order {}, which does not exist here; not applied",
                  event_id, intent_id, order_id->str());
  }
  if (result.result == "refund") {
    spdlog::warn("order {}: payment {} is refunded: {}", order_id->str(), intent_id, result.reason);
    auto claimed = co_await store::claim_refund_of_intent(db_, intent_id);
    co_await send_refunds(std::move(claimed));
  }
  json::Json body = ok(result.result);
  if (!result.reason.empty()) body["reason"] = result.reason;
  WebhookAnswer answer{200, std::move(body), std::nullopt};
  if (result.result == "completed") answer.order = std::move(order);
  co_return answer;
}

asio::awaitable<WebhookAnswer> Payments::on_failed(const std::string& event_id, const json::Json& intent) {
  auto order_id = order_of(intent);
  const std::string intent_id = intent.value("id", "");
  if (!order_id) co_return WebhookAnswer{200, ok("ignored")};
  std::optional<Order> order;
  auto work = [&](db::Connection& tx) -> asio::awaitable<bool> {
    order.reset();
    auto version = co_await store::record_payment_failure(tx, event_id, intent_id, *order_id);
    if (!version) co_return false;
    order = co_await store::find_order(tx, *order_id, false);
    if (order) {
      std::vector<bus::OutgoingMessage> messages{events::order_snapshot(events::kOrderUpdatedTopic, *order)};
      tx.commit_with_next();  // the last statement takes the COMMIT along
      co_await bus::publish_batch(tx, std::move(messages));
    }
    co_return true;
  };
  const bool changed = co_await db_.transaction(work);
  // The order stays pending (and its seats held) until it is paid or its hold expires.
  co_return WebhookAnswer{200, ok(changed ? "payment_failed" : "duplicate")};
}

asio::awaitable<WebhookAnswer> Payments::simulate_payment(const Order& order, bool succeed) {
  std::string intent = order.payment_intent_id;
  if (intent.empty()) {
    auto created = co_await create_intent(order);
    intent = created.intent_id;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count();
  json::Json object = {{"id", intent},
                       {"object", "payment_intent"},
                       {"amount", order.price.units()},
                       {"amount_received", succeed ? order.price.units() : 0},
                       {"currency", config_.currency},
                       {"status", succeed ? "succeeded" : "requires_payment_method"},
                       {"metadata", {{"order_id", order.id.str()}, {"user_id", order.user_id}}}};
  if (!succeed) {
    object["last_payment_error"] = {{"code", "card_declined"}, {"message", "Your card was declined (simulated)."}};
  }
  const json::Json event = {{"id", "evt_dev_" + crypto::random_token(12)},
                            {"object", "event"},
                            {"type", succeed ? "payment_intent.succeeded" : "payment_intent.payment_failed"},
                            {"created", now},
                            {"livemode", false},
                            {"data", {{"object", std::move(object)}}}};
  const std::string body = event.dump();
  const std::string header = stripe_signature_header(provider_.webhook_secret(), body, now);
  co_return co_await handle_webhook(body, header);
}

namespace {

// Attempts (about two days with the backoff of store::retry_refund_later) before a refund
// the provider keeps refusing is handed to an operator. A refund the provider accepted
// but has not settled is asked about without limit: settling can take days.
//
// Every attempt sends the same idempotency key, so a refund whose answer was lost (a
// timeout after Stripe made it) comes back as that refund, pending or not, and is never
// made twice. Stripe replays a stored refusal under a key for 24 hours, so the attempts of
// the first day repeat the first answer; those of the second day are asked afresh.
constexpr int kMaxRefundAttempts = 48;

}  // namespace

asio::awaitable<RefundStatus> Payments::ask_provider(const store::Refund& refund) {
  if (is_free_intent(refund.payment_intent_id)) {
    RefundStatus nothing_charged;
    nothing_charged.id = "none";
    co_return nothing_charged;
  }
  if (!refund.provider_refund_id.empty()) co_return co_await provider_.refund_status(refund.provider_refund_id);
  co_return co_await provider_.refund(refund.payment_intent_id, refund.amount, "refund-" + refund.id.str());
}

asio::awaitable<std::size_t> Payments::send_refunds(std::vector<store::Refund> refunds) {
  std::size_t done = 0;
  for (const auto& refund : refunds) {
    RefundStatus status;
    std::string error;
    try {
      status = co_await ask_provider(refund);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (error.empty() && status.state == RefundStatus::State::Pending) {
      spdlog::info("refund {} of payment {} is pending at the provider ({})", refund.id.str(),
                   refund.payment_intent_id, status.id);
      co_await store::refund_pending_at_provider(db_, refund, status.id);
      continue;
    }
    // One the provider holds as pending is asked about for as long as it takes.
    const bool at_provider = !refund.provider_refund_id.empty();
    if (!error.empty() && (at_provider || refund.attempts + 1 < kMaxRefundAttempts)) {
      spdlog::warn("refund {} of payment {} failed (attempt {}): {}", refund.id.str(), refund.payment_intent_id,
                   refund.attempts + 1, error);
      co_await store::retry_refund_later(db_, refund, error);
      continue;
    }
    const bool failed = !error.empty() || status.state == RefundStatus::State::Failed;
    if (failed) {
      if (error.empty()) error = status.detail.empty() ? "the provider reports the refund failed" : status.detail;
      // The customer paid and holds no ticket: someone must settle this by hand.
      spdlog::error("refund {} of payment {} (order {}) FAILED after {} attempt(s) and needs an operator: {}",
                    refund.id.str(), refund.payment_intent_id, refund.order_id.str(), refund.attempts + 1, error);
    }
    std::optional<Order> order;
    auto work = [&](db::Connection& tx) -> asio::awaitable<void> {
      order.reset();
      std::optional<Uuid> changed;
      if (failed) {
        changed = co_await store::fail_refund(tx, refund, error);
      } else {
        changed = co_await store::finish_refund(tx, refund, status.id);
      }
      if (!changed) co_return;
      order = co_await store::find_order(tx, *changed, false);
      if (order) {
        std::vector<bus::OutgoingMessage> messages{events::order_snapshot(events::kOrderUpdatedTopic, *order)};
        tx.commit_with_next();  // the last statement takes the COMMIT along
        co_await bus::publish_batch(tx, std::move(messages));
      }
    };
    co_await db_.transaction(work);
    if (!failed) ++done;
  }
  co_return done;
}

asio::awaitable<std::size_t> Payments::process_refunds(int limit) {
  auto due = co_await store::claim_due_refunds(db_, limit);
  co_return co_await send_refunds(std::move(due));
}

void Payments::start(std::chrono::milliseconds interval) {
  if (state_->started.exchange(true)) return;
  auto run = [](Payments* self, std::shared_ptr<State> state, std::chrono::milliseconds every) -> asio::awaitable<void> {
    while (!state->stopping) {
      state->timer.expires_after(every);
      boost::system::error_code ec;
      co_await state->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (state->stopping) break;
      try {
        co_await self->process_refunds(50);
      } catch (const std::exception& e) {
        spdlog::warn("order refunds: {}", e.what());
      }
    }
    state->finished.set_value();
  };
  asio::co_spawn(io_.context(0), run(this, state_, interval), asio::detached);
}

void Payments::stop() {
  if (!state_->started || state_->stopping.exchange(true)) return;
  if (io_.context(0).stopped()) return;
  auto finished = state_->finished.get_future();
  asio::post(io_.context(0), [s = state_] { s->timer.cancel(); });
  if (finished.wait_for(30s) != std::future_status::ready) spdlog::error("order refunds loop did not stop");
}

}  // namespace ticketly::order::payments
