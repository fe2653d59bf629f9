// Placing, reading and cancelling orders; a user's orders; the public ticket count.
#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "services/order/api/handlers.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::api {

namespace {
// A user's order history is bounded: the newest orders are what the client shows.
constexpr int kMaxUserOrders = 200;
}  // namespace

Reply place_order(OrderApp& app, http::Request& req) {
  const auto& p = auth::principal_of(req);
  auto body = parse_place_order(req.json(), app.config.max_seats);
  inventory::PlaceCommand command;
  command.user_id = p.subject;
  command.event_id = body.event_id;
  command.session_id = body.session_id;
  command.organization_id = body.organization_id;
  command.seat_ids = std::move(body.seat_ids);
  command.discount_id = body.discount_id;
  auto outcome = co_await app.placer.place(command);
  if (!outcome.order) co_return http::Response::error(409, outcome.unavailable, req.path);
  co_return http::Response::json(201, placed_json(*outcome.order));
}

Reply get_order(OrderApp& app, http::Request& req) {
  auto order = co_await owned_order(app, req, req.params.uuid("id"));
  co_return http::Response::json(200, order_json(order, qr_renderer(app)));
}

Reply cancel_order(OrderApp& app, http::Request& req) {
  auto order = co_await owned_order(app, req, req.params.uuid("id"));
  if (order.status != OrderStatus::Pending) {
    throw conflict("Only a pending order can be cancelled (this one is " + std::string(to_string(order.status)) + ")");
  }
  auto cancelled = co_await app.releaser.cancel(order.id, order.session_id);
  if (!cancelled) throw conflict("The order is no longer pending");
  json::Json body = {{"message", "Order cancelled"}, {"order", order_json(*cancelled)}};
  co_return http::Response::json(200, body);
}

Reply user_orders(OrderApp& app, http::Request& req) {
  const auto& p = auth::principal_of(req);
  // Orders are stored under the buyer's token subject: the guard gives the id as stored,
  // whatever the path's letter case.
  const std::string owner = auth::require_self_or_admin(p, req.params.get("userId"));
  auto orders = co_await store::orders_of_user(app.db, owner, kMaxUserOrders);
  json::Json out = json::Json::array();
  const auto qr = qr_renderer(app);
  for (const auto& o : orders) out.push_back(order_json(o, qr));
  co_return http::Response::json(200, out);
}

Reply ticket_count(OrderApp& app, http::Request&) {
  const std::int64_t n = co_await app.ticket_count.total();
  co_return http::Response::json(200, {{"total_count", n}});
}

}  // namespace ticketly::order::api
