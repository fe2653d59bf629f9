// Service-to-service routes (guard: a service account with scope internal-api): the
// scheduler's session transitions and the ownership checks other services ask for.
#include "platform/errors.h"
#include "services/event_command/api/changes.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/organizations_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

std::string required_text(const Request& req, std::string_view name) {
  auto v = req.query.get(name);
  if (!v || v->empty()) throw bad_request("'" + std::string(name) + "' is required");
  return std::string(*v);
}

Uuid required_uuid(const Request& req, std::string_view name) {
  auto v = req.query.uuid(name);
  if (!v) throw bad_request("'" + std::string(name) + "' is required");
  return *v;
}

Response boolean(bool value) { return Response::json(200, Json(value)); }

// The scheduler retries, so a transition that already happened answers 200 unchanged.
asio::awaitable<Response> scheduled_transition(App& app, Request& req, SessionStatus target) {
  const Uuid id = req.params.uuid("id");
  const Timestamp now = app.now();
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    if (s.status == target || (target == SessionStatus::OnSale && s.status == SessionStatus::SoldOut)) {
      row.unchanged = true;
      co_return;
    }
    if (target == SessionStatus::OnSale) {
      if (s.status != SessionStatus::Scheduled) {
        throw conflict("A " + std::string(to_string(s.status)) + " session cannot go on sale");
      }
      if (row.event.status != EventStatus::Approved) throw conflict("The event is not APPROVED");
      if (s.schedule.start <= now) throw conflict("The session has already started");
    } else if (s.status == SessionStatus::Cancelled) {
      throw conflict("The session was cancelled");
    }
    co_await store::update_status(tx, s.id, target);
    if (is_finished(target)) co_await complete_if_finished(tx, row);
  };
  const ChangeOptions options{.owner_only = false};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(dto::session(session_in(aggregate, id)));
}

}  // namespace

asio::awaitable<Response> internal_session_on_sale(App& app, Request& req) {
  co_return co_await scheduled_transition(app, req, SessionStatus::OnSale);
}

asio::awaitable<Response> internal_session_closed(App& app, Request& req) {
  co_return co_await scheduled_transition(app, req, SessionStatus::Closed);
}

asio::awaitable<Response> verify_event_ownership(App& app, Request& req) {
  const Uuid event_id = required_uuid(req, "eventId");
  const std::string user_id = required_text(req, "userId");
  auto work = [&](db::Connection& c) -> asio::awaitable<bool> {
    auto event = co_await store::find_event(c, event_id);
    co_return event && event->owner_id == user_id;
  };
  const bool result = co_await app.db.transaction(work, kReadOnly);
  co_return boolean(result);
}

asio::awaitable<Response> verify_organization_ownership(App& app, Request& req) {
  const Uuid org_id = required_uuid(req, "organizationId");
  const std::string user_id = required_text(req, "userId");
  auto work = [&](db::Connection& c) -> asio::awaitable<bool> {
    auto org = co_await store::find_organization(c, org_id);
    co_return org && org->owner_id == user_id;
  };
  const bool result = co_await app.db.transaction(work, kReadOnly);
  co_return boolean(result);
}

asio::awaitable<Response> verify_session_ownership(App& app, Request& req) {
  const Uuid session_id = required_uuid(req, "sessionId");
  const std::string user_id = required_text(req, "userId");
  auto work = [&](db::Connection& c) -> asio::awaitable<bool> {
    auto event_id = co_await store::event_of_session(c, session_id);
    if (!event_id) co_return false;
    auto event = co_await store::find_event(c, *event_id);
    co_return event && event->owner_id == user_id;
  };
  const bool result = co_await app.db.transaction(work, kReadOnly);
  co_return boolean(result);
}

asio::awaitable<Response> verify_session_role(App& app, Request& req) {
  const Uuid session_id = required_uuid(req, "sessionId");
  const std::string user_id = required_text(req, "userId");
  std::string role = "SCANNER";
  if (auto r = req.query.get("role"); r && !r->empty()) role = std::string(*r);
  if (role != "SCANNER") throw bad_request("'role' must be SCANNER");
  auto work = [&](db::Connection& c) -> asio::awaitable<bool> {
    co_return co_await store::session_staff_has_role(c, session_id, user_id, role);
  };
  const bool result = co_await app.db.transaction(work, kReadOnly);
  co_return boolean(result);
}

}  // namespace ticketly::event_command::api
