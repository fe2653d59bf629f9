// Sessions: create (several at once), read, reschedule, status transitions, venue and
// seating map (while SCHEDULED), delete.
#include <unordered_set>

#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/changes.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/inputs.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/session_rules.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/store/catalog_store.h"
#include "services/event_command/store/organizations_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

asio::awaitable<std::unordered_set<Uuid>> tier_ids(db::Connection& tx, const Uuid& event_id) {
  const auto tiers = co_await store::tiers_of_event(tx, event_id);
  std::unordered_set<Uuid> out;
  for (const auto& t : tiers) out.insert(t.id);
  co_return out;
}

void require_scheduled(const Session& s) {
  if (s.status != SessionStatus::Scheduled) {
    throw conflict("Only a SCHEDULED session can be changed this way; this one is " + std::string(to_string(s.status)));
  }
}

Json read_layout_field(const json::ObjectReader& r) {
  if (!r.has("layoutData")) throw bad_request("'layoutData' is required");
  return r.raw().at("layoutData");
}

Json session_response(const EventAggregate& a, const Uuid& session_id) { return dto::session(session_in(a, session_id)); }

}  // namespace

asio::awaitable<Response> create_sessions(App& app, Request& req) {
  const auth::Principal& who = caller(req);
  Json body = json_object(req);
  json::ObjectReader r(body);
  const Uuid event_id = r.required_uuid("eventId");
  const Json& requests = r.required_array("sessions", kMaxSessionsPerRequest);
  if (requests.empty()) throw bad_request("'sessions' must have at least one session");
  const TierLimits& limits = limits_for(who.tier);
  std::vector<Uuid> created;
  EventChange add = [&](db::Connection& tx, store::EventRow& row) -> asio::awaitable<void> {
    created.clear();
    check_event_editable(row.event.status);
    const auto existing = co_await store::count_sessions(tx, event_id);
    if (existing + static_cast<std::int64_t>(requests.size()) > limits.max_sessions_per_event) {
      throw forbidden("Your " + std::string(limits.tier) + " plan allows at most " +
                      std::to_string(limits.max_sessions_per_event) + " sessions per event");
    }
    const auto tiers = co_await tier_ids(tx, event_id);
    std::unordered_set<Uuid> seen;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      SessionInput in = read_session(requests[i], "sessions[" + std::to_string(i) + "]", tiers,
                                     app.settings.max_seats_per_session, app.now());
      if (!seen.insert(in.session.id).second) throw bad_request("Duplicate session id " + in.session.id.str());
      in.session.event_id = event_id;
      in.session.status = status_of_new_session(row.event.status, in.session.schedule, app.now());
      co_await store::insert_session(tx, in.session, in.layout);
      created.push_back(in.session.id);
    }
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_event(app, who, event_id, add, options);
  Json sessions = Json::array();
  for (const auto& id : created) sessions.push_back(session_response(aggregate, id));
  co_return json(201, {{"eventId", event_id.str()},
                       {"totalCreated", created.size()},
                       {"version", aggregate.event.version},
                       {"sessions", std::move(sessions)}});
}

asio::awaitable<Response> list_sessions(App& app, Request& req) {
  auto event_id = req.query.uuid("eventId");
  if (!event_id) throw bad_request("'eventId' is required");
  auto work = [&](db::Connection& c) -> asio::awaitable<Json> {
    co_await owned_event(c, caller(req), *event_id);
    const auto sessions = co_await store::sessions_of_event(c, *event_id);
    Json out = Json::array();
    for (const auto& s : sessions) {
      const auto booked = co_await store::booked_seats(c, s.id);
      out.push_back(dto::session(s, booked));
    }
    co_return out;
  };
  auto out = co_await app.db.transaction(work, kReadOnly);
  co_return ok(out);
}

asio::awaitable<Response> get_session(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  const auth::Principal& who = caller(req);
  auto work = [&](db::Connection& c) -> asio::awaitable<Json> {
    auto session = co_await store::find_session(c, id);
    if (!session) throw not_found("Session " + id.str() + " not found");
    auto event = co_await store::find_event(c, session->event_id);
    if (event->owner_id != who.subject) {
      const bool scanner = co_await store::session_staff_has_role(c, id, who.subject, "SCANNER");
      if (!scanner) throw forbidden("Only the organization's owner or its active staff may see this session");
    }
    const auto booked = co_await store::booked_seats(c, id);
    co_return dto::session(*session, booked);
  };
  auto out = co_await app.db.transaction(work, kReadOnly);
  co_return ok(out);
}

asio::awaitable<Response> update_session_time(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const Schedule schedule = read_schedule(r, "", app.now());
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    if (is_finished(s.status)) {
      throw conflict("The session is " + std::string(to_string(s.status)) + " and can no longer be rescheduled");
    }
    co_await store::update_schedule(tx, s.id, schedule);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(session_response(aggregate, id));
}

asio::awaitable<Response> update_session_status(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const auto status = parse_session_status(r.required_string("status"));
  if (!status) throw bad_request("'status' must be one of SCHEDULED, ON_SALE, SOLD_OUT, CLOSED, CANCELLED");
  const Timestamp now = app.now();
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_transition(s.status, *status);
    if (*status == SessionStatus::OnSale && row.event.status != EventStatus::Approved) {
      throw conflict("The event must be APPROVED before its sessions go on sale");
    }
    co_await store::update_status(tx, s.id, *status);
    // An organizer who opens sales before the scheduled time opens them now: the sales
    // start moves to now, so every reader (order's sales window, the public pages) agrees.
    if (*status == SessionStatus::OnSale && s.schedule.sales_start > now) {
      Schedule opened = s.schedule;
      opened.sales_start = now;
      co_await store::update_schedule(tx, s.id, opened);
    }
    if (is_finished(*status)) co_await complete_if_finished(tx, row);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(session_response(aggregate, id));
}

asio::awaitable<Response> update_session_venue_details(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  if (!r.has("venueDetails")) throw bad_request("'venueDetails' is required");
  const Venue venue = read_venue(body.at("venueDetails"), "venueDetails");
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    require_scheduled(s);
    validate_venue(s.type, venue, "venueDetails");
    co_await store::update_venue(tx, s.id, s.type, venue);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(session_response(aggregate, id));
}

asio::awaitable<Response> update_session_layout(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const Json layout_data = read_layout_field(r);
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    require_scheduled(s);
    auto tiers = co_await tier_ids(tx, row.event.id);
    LayoutRules rules{std::move(tiers), app.settings.max_seats_per_session, s.type};
    const NormalizedLayout layout = normalize_session_layout(layout_data, rules, "layoutData");
    co_await store::update_layout(tx, s.id, layout);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(session_response(aggregate, id));
}

asio::awaitable<Response> update_session_venue(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  Json body = json_object(req);
  json::ObjectReader r(body);
  const SessionType type = *parse_session_type(r.required_enum("sessionType", {"PHYSICAL", "ONLINE"}));
  if (!r.has("venueDetails")) throw bad_request("'venueDetails' is required");
  const Venue venue = read_venue(body.at("venueDetails"), "venueDetails");
  validate_venue(type, venue, "venueDetails");
  const Json layout_data = read_layout_field(r);
  SessionChange change = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    require_scheduled(s);
    auto tiers = co_await tier_ids(tx, row.event.id);
    LayoutRules rules{std::move(tiers), app.settings.max_seats_per_session, type};
    const NormalizedLayout layout = normalize_session_layout(layout_data, rules, "layoutData");
    co_await store::update_venue(tx, s.id, type, venue);
    co_await store::update_layout(tx, s.id, layout);
  };
  const ChangeOptions options{.expected_version = expected_version(req, &body)};
  auto aggregate = co_await change_session(app, caller(req), id, change, options);
  co_return ok(session_response(aggregate, id));
}

asio::awaitable<Response> delete_session(App& app, Request& req) {
  const Uuid id = req.params.uuid("id");
  SessionChange remove = [&](db::Connection& tx, store::EventRow& row, Session& s) -> asio::awaitable<void> {
    check_event_editable(row.event.status);
    require_scheduled(s);
    co_await detach_from_discounts(tx, row.event.id, s.id, "session");
    co_await store::delete_session(tx, s.id);
    // The rest may all be CLOSED or CANCELLED now. Without sessions left the event stays
    // as it is, so the organizer can still add some (COMPLETED would be final).
    co_await complete_if_finished(tx, row);
  };
  const ChangeOptions options{.expected_version = expected_version(req)};
  co_await change_session(app, caller(req), id, remove, options);
  co_return Response::no_content();
}

}  // namespace ticketly::event_command::api
