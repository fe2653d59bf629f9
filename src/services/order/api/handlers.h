#pragma once
// The handlers of the order API (API.md §3), one plain coroutine function each; the
// route table (routes.cpp) binds them to paths and guards.
#include <boost/asio/awaitable.hpp>

#include "platform/http/request.h"
#include "platform/http/response.h"
#include "services/order/api/dto.h"
#include "services/order/order_app.h"

namespace ticketly::order::api {

using Reply = boost::asio::awaitable<http::Response>;

// orders.cpp
Reply place_order(OrderApp& app, http::Request& req);
Reply get_order(OrderApp& app, http::Request& req);
Reply cancel_order(OrderApp& app, http::Request& req);
Reply user_orders(OrderApp& app, http::Request& req);
Reply ticket_count(OrderApp& app, http::Request& req);

// payments.cpp
Reply create_payment_intent(OrderApp& app, http::Request& req);
Reply stripe_webhook(OrderApp& app, http::Request& req);
Reply dev_payment(OrderApp& app, http::Request& req);

// checkin.cpp
Reply check_in(OrderApp& app, http::Request& req);

// analytics.cpp
Reply event_analytics(OrderApp& app, http::Request& req);
Reply organization_analytics(OrderApp& app, http::Request& req);
Reply session_analytics(OrderApp& app, http::Request& req);
Reply event_session_analytics(OrderApp& app, http::Request& req);
Reply event_discount_analytics(OrderApp& app, http::Request& req);
Reply event_orders(OrderApp& app, http::Request& req);
Reply session_tickets(OrderApp& app, http::Request& req);
Reply event_checkouts(OrderApp& app, http::Request& req);
Reply organization_checkouts(OrderApp& app, http::Request& req);

// access.cpp: ownership rules shared by the handlers.
// Who may act on an order: its buyer, and for reading and cancelling a system admin too.
// Paying is the buyer's alone: an intent's client secret is the buyer's to use.
enum class Caller { BuyerOrAdmin, BuyerOnly };
// The order of `id`, with tickets, when the caller may act on it; 404 otherwise (another
// user's order is indistinguishable from a missing one).
boost::asio::awaitable<Order> owned_order(OrderApp& app, const http::Request& req, const Uuid& id,
                                          Caller caller = Caller::BuyerOrAdmin);
// The event, when the caller owns it (its organization's owner); 404 unknown, 403 otherwise.
boost::asio::awaitable<CatalogEvent> owned_event(OrderApp& app, const http::Request& req, const Uuid& id);
// 404 unknown organization, 403 when the caller is not its owner.
boost::asio::awaitable<void> require_organization_owner(OrderApp& app, const http::Request& req, const Uuid& id);
// Renders tickets' QR codes (signed payload as a base64 PNG).
QrRenderer qr_renderer(const OrderApp& app);

}  // namespace ticketly::order::api
