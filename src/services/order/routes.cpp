// The order service's route table (API.md §3): method, path, who may call, handler.
#include "platform/auth/guards.h"
#include "services/order/api/handlers.h"
#include "services/order/order_app.h"

namespace ticketly::order {

void register_routes(OrderApp& app, http::Router& router) {
  // Each route calls a plain coroutine function; the stored lambda itself is no coroutine.
  using Fn = api::Reply (*)(OrderApp&, http::Request&);
  auto h = [&app](Fn fn) { return [&app, fn](http::Request& req) { return fn(app, req); }; };
  const http::RouteOptions user{.body_limit = 16 * 1024, .guard = auth::authenticated(app.verifier)};
  const http::RouteOptions open{.body_limit = 1024};
  // Stripe events are a few KiB; the signature is checked in the handler (no token).
  const http::RouteOptions webhook{.body_limit = 256 * 1024};
  const std::string base = "/api/order";

  router.post(base, h(api::place_order), user);
  router.get(base + "/tickets/count", h(api::ticket_count), open);
  router.post(base + "/webhook/stripe", h(api::stripe_webhook), webhook);
  router.post(base + "/ticket/checkin", h(api::check_in), user);
  router.get(base + "/user/{userId}", h(api::user_orders), user);
  router.get(base + "/{id:uuid}", h(api::get_order), user);
  router.del(base + "/{id:uuid}", h(api::cancel_order), user);
  router.post(base + "/{id:uuid}/create-payment-intent", h(api::create_payment_intent), user);
  if (app.dev_provider) router.post(base + "/{id:uuid}/dev/payment", h(api::dev_payment), user);

  const std::string analytics = base + "/analytics";
  router.get(analytics + "/events/{id:uuid}", h(api::event_analytics), user);
  router.get(analytics + "/organizations/{orgId:uuid}", h(api::organization_analytics), user);
  router.get(analytics + "/events/{eventId:uuid}/sessions/{sessionId:uuid}", h(api::session_analytics), user);
  router.get(analytics + "/events/{id:uuid}/sessions", h(api::event_session_analytics), user);
  router.get(analytics + "/events/{id:uuid}/discounts", h(api::event_discount_analytics), user);
  router.get(analytics + "/events/{id:uuid}/orders", h(api::event_orders), user);
  router.get(analytics + "/sessions/{id:uuid}/tickets", h(api::session_tickets), user);

  router.get(base + "/sse/checkouts/event/{eventId:uuid}", h(api::event_checkouts), user);
  router.get(base + "/sse/checkouts/organization/{orgId:uuid}", h(api::organization_checkouts), user);
}

}  // namespace ticketly::order
