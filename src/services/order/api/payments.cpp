// Payment intents, the provider's webhook, and the development provider's payments.
#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/order/api/handlers.h"

namespace ticketly::order::api {

Reply create_payment_intent(OrderApp& app, http::Request& req) {
  auto order = co_await owned_order(app, req, req.params.uuid("id"), Caller::BuyerOnly);
  auto answer = co_await app.payments->create_intent(order);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(app.config.hold).count();
  json::Json body = {{"clientSecret", answer.client_secret},
                     {"paymentIntentId", answer.intent_id},
                     {"seatLockDurationMins", minutes},
                     {"order", order_json(answer.order)}};
  co_return http::Response::json(200, body);
}

Reply stripe_webhook(OrderApp& app, http::Request& req) {
  const std::string_view signature = req.header("Stripe-Signature");
  auto answer = co_await app.payments->handle_webhook(req.body(), signature);
  if (answer.status >= 400) throw Error(answer.status, answer.body.value("message", "Invalid webhook"));
  co_return http::Response::json(answer.status, answer.body);
}

// Development only (the route exists only with the development provider): the buyer
// pays, or fails to pay, through a correctly signed webhook, as Stripe would deliver it.
Reply dev_payment(OrderApp& app, http::Request& req) {
  auto order = co_await owned_order(app, req, req.params.uuid("id"), Caller::BuyerOnly);
  bool succeed = true;
  if (!req.body().empty()) {
    const json::Json body_json = req.json();  // named: the reader keeps a reference
    json::ObjectReader r(body_json);
    succeed = r.has("outcome") ? r.required_enum("outcome", {"succeeded", "failed"}) == "succeeded" : true;
  }
  auto answer = co_await app.payments->simulate_payment(order, succeed);
  if (answer.status >= 400) throw Error(answer.status, answer.body.value("message", "Payment failed"));
  // A completed payment read the order (with its tickets) in its own transaction.
  std::optional<Order> after = std::move(answer.order);
  if (!after) after = co_await owned_order(app, req, order.id, Caller::BuyerOnly);
  json::Json body = {{"result", answer.body.value("result", "")},
                     {"order", order_json(*after)}};
  if (answer.body.contains("reason")) body["reason"] = answer.body["reason"];
  co_return http::Response::json(200, body);
}

}  // namespace ticketly::order::api
