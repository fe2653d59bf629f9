#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "services/order/api/handlers.h"
#include "services/order/store/catalog_store.h"
#include "services/order/store/order_store.h"
#include "services/order/tickets/qr_png.h"

namespace ticketly::order::api {

boost::asio::awaitable<Order> owned_order(OrderApp& app, const http::Request& req, const Uuid& id, Caller caller) {
  const auto& p = auth::principal_of(req);
  auto order = co_await app.orders.find(id);
  const bool allowed =
      order && (order->user_id == p.subject || (caller == Caller::BuyerOrAdmin && p.system_admin));
  if (!allowed) throw not_found("Order " + id.str() + " not found");
  co_return std::move(*order);
}

boost::asio::awaitable<CatalogEvent> owned_event(OrderApp& app, const http::Request& req, const Uuid& id) {
  const auto& p = auth::principal_of(req);
  auto event = co_await store::load_event(app.db, id);
  if (!event) throw not_found("Event " + id.str() + " not found");
  if (event->owner_id.empty() || event->owner_id != p.subject) throw forbidden("Only the event's owner may see this");
  co_return std::move(*event);
}

boost::asio::awaitable<void> require_organization_owner(OrderApp& app, const http::Request& req, const Uuid& id) {
  const auto& p = auth::principal_of(req);
  auto org = co_await store::load_organization(app.db, id);
  if (!org) throw not_found("Organization " + id.str() + " not found");
  if (!org->is_owner(p.subject)) throw forbidden("Only the organization's owner may see this");
}

QrRenderer qr_renderer(const OrderApp& app) {
  const QrKeyRing* keys = &app.qr_keys;
  return [keys](const Ticket& t, const Order& o) {
    return tickets::qr_png_base64(keys->sign(t.id, o.session_id, t.issued_at));
  };
}

}  // namespace ticketly::order::api
