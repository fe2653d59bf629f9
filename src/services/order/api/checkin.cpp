// Check-in at the door (API.md §3): the QR payload's signature is verified first (a
// forged or altered code never reaches the database), then the ticket must belong to a
// completed order, the caller must be the organization's owner or one of its active
// scanners, and the ticket is used at most once — one UPDATE … WHERE NOT checked_in, so
// of two racing scans exactly one wins and the other learns when the first one was.
#include "platform/auth/guards.h"
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/order/api/handlers.h"
#include "services/order/store/catalog_store.h"
#include "services/order/store/order_store.h"
#include "services/order/events/messages.h"
#include "platform/bus/outbox.h"

namespace ticketly::order::api {

namespace {

// The payload is at most a few hundred characters; anything longer is not ours.
constexpr std::size_t kMaxQrLength = 512;

boost::asio::awaitable<bool> may_check_in(OrderApp& app, const auth::Principal& p, const store::CheckinTicket& t) {
  auto org = co_await store::load_organization(app.db, t.organization_id);
  if (org && (org->is_owner(p.subject) || org->has_active_role(p.subject, "SCANNER"))) co_return true;
  if (!org) {
    // The organization snapshot has not arrived yet: the event's owner is the org's owner.
    auto event = co_await store::load_event(app.db, t.event_id);
    co_return event && !event->owner_id.empty() && event->owner_id == p.subject;
  }
  co_return false;
}

}  // namespace

Reply check_in(OrderApp& app, http::Request& req) {
  const auto& p = auth::principal_of(req);
  const json::Json body_json = req.json();  // named: the reader keeps a reference
  json::ObjectReader r(body_json);
  const std::string text = r.required_string("encrypted_qr", {.min = 1, .max = kMaxQrLength});
  auto payload = app.qr_keys.verify(text);
  if (!payload) throw bad_request("Invalid ticket: the QR code is not genuine");
  auto ticket = co_await store::find_ticket(app.db, payload->ticket_id);
  if (!ticket || ticket->session_id != payload->session_id) throw bad_request("Invalid ticket: unknown ticket");
  if (!co_await may_check_in(app, p, *ticket)) {
    throw forbidden("Only the organization's owner or an active scanner may check tickets in");
  }
  if (ticket->order_status != "completed") throw bad_request("Invalid ticket: its order is not paid");
  if (ticket->session_called_off) throw bad_request("Invalid ticket: its session was cancelled");
  // The check-in and its ticketly.order.updated message commit together (docs/EVENTS.md).
  const Uuid ticket_id = ticket->ticket.id;
  const Uuid order_id = ticket->ticket.order_id;
  auto work = [&](db::Connection& tx) -> boost::asio::awaitable<std::optional<Ticket>> {
    auto t = co_await store::check_in(tx, ticket_id, p.subject);
    if (!t) co_return t;
    auto order = co_await store::find_order(tx, order_id, true);
    if (order) {
      std::vector<bus::OutgoingMessage> messages{events::order_snapshot(events::kOrderUpdatedTopic, *order)};
      tx.commit_with_next();  // the last statement takes the COMMIT along
      co_await bus::publish_batch(tx, std::move(messages));
    }
    co_return t;
  };
  auto used = co_await app.db.transaction(work);
  if (!used) {
    auto again = co_await store::find_ticket(app.db, payload->ticket_id);
    const std::string when = again && again->ticket.checked_in_at ? format_iso8601(*again->ticket.checked_in_at, true)
                                                                   : std::string(kNeverCheckedIn);
    json::Json body = json::Json::parse(json::error_envelope(409, "Ticket already checked in at " + when, req.path, Clock::now()));
    body["checked_in_time"] = when;
    co_return http::Response::json(409, body);
  }
  Order order;
  order.session_id = ticket->session_id;
  json::Json body = {{"message", "Ticket checked in"}, {"ticket", ticket_json(*used, order)}};
  co_return http::Response::json(200, body);
}

}  // namespace ticketly::order::api
