// The seat-status event stream of a session.
#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/model/views.h"

namespace ticketly::event_query {

asio::awaitable<http::Response> seat_status_stream(Api& api, http::Request& req) {
  const Uuid id = req.params.uuid("sessionId");
  // Only sessions anyone may see get a stream (and a stream slot).
  auto e = co_await session_document(api, id);
  if (!e || !views::is_public_status(e->status)) throw not_found("Session not found");
  auto stream = api.hub.subscribe(id.str(), req.remote.to_string());
  co_return http::Response::event_stream(std::move(stream));
}

}  // namespace ticketly::event_query
