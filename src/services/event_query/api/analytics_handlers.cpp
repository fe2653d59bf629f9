// Organizer analytics: the event's owner (from its snapshot) or an event admin.
#include "platform/auth/guards.h"
#include "platform/auth/principal.h"
#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/model/analytics.h"
#include "services/event_query/model/views.h"

namespace ticketly::event_query {

namespace {

// 404 for an unknown event; 403 unless the caller owns it (or, where allowed, administers
// events).
asio::awaitable<Document> owned_event(Api& api, http::Request& req, bool admin_allowed) {
  const auto& p = auth::principal_of(req);
  auto e = co_await event_document(api, req.params.uuid("eventId"));
  if (!e) throw not_found("Event not found");
  const bool owner = !e->owner_id.empty() && e->owner_id == p.subject;
  const bool admin = admin_allowed && (p.system_admin || p.has_role("event_admin"));
  if (!owner && !admin) throw forbidden("Only the event's organizer may see its analytics");
  co_return e;
}

}  // namespace

asio::awaitable<http::Response> event_analytics(Api& api, http::Request& req) {
  auto e = co_await owned_event(api, req, true);
  auto orders = co_await api.store.orders_of_event(req.params.uuid("eventId"));
  co_return http::Response::json(200, analytics::event_summary(e->doc, orders));
}

asio::awaitable<http::Response> event_sessions_analytics(Api& api, http::Request& req) {
  auto e = co_await owned_event(api, req, false);
  auto orders = co_await api.store.orders_of_event(req.params.uuid("eventId"));
  co_return http::Response::json(200, analytics::sessions_summary(e->doc, orders));
}

asio::awaitable<http::Response> session_analytics(Api& api, http::Request& req) {
  auto e = co_await owned_event(api, req, false);
  const Uuid session_id = req.params.uuid("sessionId");
  const json::Json* session = views::find_session(e->doc, session_id.str());
  if (!session) throw not_found("Session not found");
  auto orders = co_await api.store.orders_of_event(req.params.uuid("eventId"));
  auto live = co_await api.store.seat_states(session_id);
  co_return http::Response::json(200, analytics::session_detail(e->doc, *session, orders, live, Clock::now()));
}

}  // namespace ticketly::event_query
