#include "services/order/payments/stripe_provider.h"

#include <spdlog/spdlog.h>

#include <boost/asio/this_coro.hpp>

#include "platform/errors.h"
#include "platform/json/json.h"

namespace ticketly::order::payments {
namespace {

std::string stripe_error(const http::ClientResponse& r) {
  auto j = json::Json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    return j["error"].value("message", "error " + std::to_string(r.status));
  }
  return "HTTP " + std::to_string(r.status);
}

std::string stripe_error_code(const http::ClientResponse& r) {
  auto j = json::Json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("error") && j["error"].is_object()) return j["error"].value("code", "");
  return "";
}

// A Refund object: `succeeded`; `pending` or `requires_action` (settled later); `failed`
// or `canceled` (the money did not go back). Anything else is not taken for success.
RefundStatus refund_of(const json::Json& j) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) {
    throw Error(502, "The payment provider answered unexpectedly");
  }
  RefundStatus out;
  out.id = j["id"].get<std::string>();
  const std::string status = j.value("status", "");
  if (status == "succeeded") {
    out.state = RefundStatus::State::Succeeded;
  } else if (status == "pending" || status == "requires_action") {
    out.state = RefundStatus::State::Pending;
  } else if (status == "failed" || status == "canceled") {
    out.state = RefundStatus::State::Failed;
    const auto& reason = j.contains("failure_reason") ? j["failure_reason"] : json::Json();
    out.detail = "refund " + status + (reason.is_string() ? ": " + reason.get<std::string>() : std::string());
  } else {
    throw Error(502, "The payment provider reported refund " + out.id + " as '" + status + "'");
  }
  return out;
}

RefundStatus refund_from(const http::ClientResponse& r) { return refund_of(json::Json::parse(r.body, nullptr, false)); }

}  // namespace

StripeProvider::StripeProvider(runtime::IoPool& io, StripeOptions options) : io_(io), options_(std::move(options)) {
  for (std::size_t i = 0; i < io.size(); ++i) {
    http::ClientOptions o;
    o.request_timeout = std::chrono::seconds(20);
    clients_.push_back(std::make_unique<http::HttpClient>(io.context(i), o));
  }
}

StripeProvider::~StripeProvider() = default;

asio::awaitable<http::HttpClient*> StripeProvider::client() {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker) throw std::logic_error("StripeProvider used outside the IoPool");
  co_return clients_[*worker].get();
}

http::HeaderList StripeProvider::headers() const {
  return {{"Authorization", "Bearer " + options_.secret_key}, {"Stripe-Version", "2023-10-16"}};
}

asio::awaitable<http::ClientResponse> StripeProvider::post(std::string path, http::HeaderList form,
                                                           std::string idempotency_key) {
  auto* c = co_await client();
  http::HeaderList h = headers();
  h.emplace_back("Idempotency-Key", std::move(idempotency_key));
  std::string url = options_.api_url + path;
  try {
    co_return co_await c->post_form(std::move(url), std::move(form), std::move(h));
  } catch (const http::ClientError& e) {
    spdlog::warn("stripe: {} failed: {}", path, e.what());
  }
  throw Error(502, "The payment provider could not be reached; please try again");
}

asio::awaitable<http::ClientResponse> StripeProvider::get(std::string path) {
  auto* c = co_await client();
  std::string url = options_.api_url + path;
  try {
    co_return co_await c->get(std::move(url), headers());
  } catch (const http::ClientError& e) {
    spdlog::warn("stripe: {} failed: {}", path, e.what());
  }
  throw Error(502, "The payment provider could not be reached; please try again");
}

asio::awaitable<PaymentIntent> StripeProvider::create_intent(const IntentRequest& request) {
  http::HeaderList form{{"amount", std::to_string(request.amount.units())},
                        {"currency", request.currency},
                        {"automatic_payment_methods[enabled]", "true"},
                        {"metadata[order_id]", request.order_id.str()},
                        {"metadata[user_id]", request.user_id}};
  // Keyed by order and amount: a retry returns the same intent; an order is never repriced.
  auto r = co_await post("/v1/payment_intents", std::move(form),
                         "order-" + request.order_id.str() + "-" + std::to_string(request.amount.units()));
  if (r.status / 100 != 2) {
    spdlog::warn("stripe: payment intent for order {} refused: {}", request.order_id.str(), stripe_error(r));
    throw Error(502, "The payment provider refused the payment: " + stripe_error(r));
  }
  auto j = json::Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j.contains("client_secret")) {
    throw Error(502, "The payment provider answered unexpectedly");
  }
  co_return PaymentIntent{j.value("id", ""), j.value("client_secret", ""), j.value("status", "")};
}

asio::awaitable<RefundStatus> StripeProvider::refund(const std::string& intent_id, Money amount,
                                                     const std::string& idempotency_key) {
  http::HeaderList form{{"payment_intent", intent_id}};
  // No amount refunds everything the intent captured: for money that could not be counted
  // in the order's currency (order_pay records the amount as -1), Stripe would refuse a
  // negative amount, and the refund would be retried forever.
  if (amount.units() > 0) form.emplace_back("amount", std::to_string(amount.units()));
  auto r = co_await post("/v1/refunds", std::move(form), idempotency_key);
  if (r.status / 100 == 2) co_return refund_from(r);
  // Refunded already (by hand in the dashboard, or by a refund still pending): what counts
  // is how that refund stands.
  if (stripe_error_code(r) == "charge_already_refunded") co_return co_await existing_refund(intent_id);
  throw Error(502, "Stripe refused the refund: " + stripe_error(r));
}

asio::awaitable<RefundStatus> StripeProvider::existing_refund(const std::string& intent_id) {
  auto r = co_await get("/v1/refunds?payment_intent=" + intent_id + "&limit=10");
  if (r.status / 100 != 2) throw Error(502, "Stripe did not list the refunds: " + stripe_error(r));
  auto j = json::Json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array() || j["data"].empty()) {
    throw Error(502, "Stripe says the payment was refunded but lists no refund of it");
  }
  // Newest first: a succeeded one settles it; otherwise the newest says where it stands.
  for (const auto& refund : j["data"]) {
    if (refund.is_object() && refund.value("status", "") == "succeeded") co_return refund_of(refund);
  }
  co_return refund_of(j["data"][0]);
}

asio::awaitable<RefundStatus> StripeProvider::refund_status(const std::string& refund_id) {
  auto r = co_await get("/v1/refunds/" + refund_id);
  if (r.status / 100 != 2) throw Error(502, "Stripe did not report the refund: " + stripe_error(r));
  co_return refund_from(r);
}

}  // namespace ticketly::order::payments
