// Configuration and plan limits, session analytics, the AI overview, and image serving.
#include "platform/errors.h"
#include "platform/json/reader.h"
#include "services/event_command/api/dto.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/api/support.h"
#include "services/event_command/domain/layout.h"
#include "services/event_command/domain/tier_limits.h"
#include "services/event_command/images/image_type.h"
#include "services/event_command/store/events_store.h"
#include "services/event_command/store/organizations_store.h"
#include "services/event_command/store/sessions_store.h"

namespace ticketly::event_command::api {
namespace {

Json limits_json(const TierLimits& l) {
  return {{"maxOrganizationsPerUser", l.max_organizations_per_user},
          {"maxSeatingLayoutsPerOrg", l.max_seating_layouts_per_org},
          {"maxActiveEvents", l.max_active_events},
          {"maxSessionsPerEvent", l.max_sessions_per_event}};
}

Json config_json(const App& app, const auth::Principal& who) {
  const TierLimits& mine = limits_for(who.tier);
  return {{"currentTier", mine.tier},
          {"tierLimits", limits_json(mine)},
          {"organizationLimits", {{"maxLogoSize", kMaxLogoBytes}}},
          {"eventLimits", {{"maxCoverPhotos", kMaxCoverPhotos}, {"maxCoverPhotoSize", kMaxCoverPhotoBytes}}},
          {"seatingLayoutConfig",
           {{"defaultPageSize", 6}, {"defaultGap", kLayoutGap}, {"maxSeatsPerSession", app.settings.max_seats_per_session}}}};
}

// {organizationId,organizationName,(eventId,eventTitle),totalSessions,sessionsByStatus:[{status,count}]}
asio::awaitable<Response> session_analytics(App& app, Request& req, bool owner_only, bool per_event) {
  const Uuid org_id = req.params.uuid("orgId");
  std::optional<Uuid> event_id;
  if (per_event) event_id = req.params.uuid("eventId");
  auto work = [&](db::Connection& c) -> asio::awaitable<Json> {
    auto org = co_await store::find_organization(c, org_id);
    if (!org) throw not_found("Organization " + org_id.str() + " not found");
    if (owner_only) require_owner(org->owner_id, caller(req), "organization");
    Json out = {{"organizationId", org->id.str()}, {"organizationName", org->name}};
    if (event_id) {
      auto event = co_await store::find_event(c, *event_id);
      if (!event || event->event.organization_id != org_id) {
        throw not_found("Event " + event_id->str() + " not found in this organization");
      }
      out["eventId"] = event_id->str();
      out["eventTitle"] = event->event.title;
    }
    const auto counts = co_await store::session_counts(c, org_id, event_id);
    std::int64_t total = 0;
    Json by_status = Json::array();
    for (auto status : kAllSessionStatuses) {
      std::int64_t n = 0;
      for (const auto& sc : counts) {
        if (sc.status == status) n = sc.count;
      }
      total += n;
      by_status.push_back({{"status", to_string(status)}, {"count", n}});
    }
    out["totalSessions"] = total;
    out["sessionsByStatus"] = std::move(by_status);
    co_return out;
  };
  auto out = co_await app.db.transaction(work, kReadOnly);
  co_return ok(out);
}

}  // namespace

asio::awaitable<Response> get_config(App& app, Request& req) {
  Json out = config_json(app, caller(req));
  Json all = Json::object();
  for (const auto& l : kTierLimits) all[std::string(l.tier)] = limits_json(l);
  out["allTierLimits"] = std::move(all);
  co_return ok(out);
}

asio::awaitable<Response> my_limits(App& app, Request& req) { co_return ok(config_json(app, caller(req))); }

asio::awaitable<Response> organization_session_analytics(App& app, Request& req) {
  co_return co_await session_analytics(app, req, true, false);
}
asio::awaitable<Response> event_session_analytics(App& app, Request& req) {
  co_return co_await session_analytics(app, req, true, true);
}
asio::awaitable<Response> admin_organization_session_analytics(App& app, Request& req) {
  co_return co_await session_analytics(app, req, false, false);
}
asio::awaitable<Response> admin_event_session_analytics(App& app, Request& req) {
  co_return co_await session_analytics(app, req, false, true);
}

asio::awaitable<Response> organization_sessions(App& app, Request& req) {
  const Uuid org_id = req.params.uuid("orgId");
  const PageRequest page = read_page(req);
  std::optional<SessionStatus> status;
  if (auto s = req.query.get("status"); s && !s->empty()) {
    status = parse_session_status(*s);
    if (!status) throw bad_request("'status' must be one of SCHEDULED, ON_SALE, SOLD_OUT, CLOSED, CANCELLED");
  }
  auto work = [&](db::Connection& c) -> asio::awaitable<Page<store::SessionListing>> {
    co_await owned_organization(c, caller(req), org_id);
    co_return co_await store::sessions_of_organization(c, org_id, status, page);
  };
  auto result = co_await app.db.transaction(work, kReadOnly);
  Json content = Json::array();
  for (const auto& l : result.items) content.push_back(dto::session_listing(l));
  co_return ok(dto::page(std::move(content), result.total, page));
}

asio::awaitable<Response> generate_overview(App& app, Request& req) {
  Json body = json_object(req);
  json::ObjectReader r(body);
  OverviewRequest in;
  in.prompt = r.required_string("prompt", {.min = 1, .max = 4000});
  in.title = r.optional_string("title", {.max = 255});
  in.organization = r.optional_string("organization", {.max = 100});
  in.description = r.optional_string("description", {.max = 5000});
  in.category = r.optional_string("category", {.max = 100});
  std::string markdown = co_await app.overview->generate(std::move(in));
  co_return ok({{"markdownContent", std::move(markdown)}});
}

asio::awaitable<Response> get_image(App& app, Request& req) {
  const std::string file = req.params.get("file");
  auto dot = file.rfind('.');
  auto type = dot == std::string::npos ? std::nullopt : image_type_for_ext(file.substr(dot + 1));
  if (!type || !valid_image_key(file)) throw not_found("No image " + file);
  auto bytes = co_await app.images->get(file);
  if (!bytes) throw not_found("No image " + file);
  auto res = Response::text(200, std::move(*bytes), type->content_type);
  // Photo ids are never reused: a URL names the same bytes forever.
  res.set(http::Field::cache_control, "public, max-age=31536000, immutable");
  std::string etag = "\"";
  etag.append(file, 0, dot).push_back('"');
  res.set(http::Field::etag, etag);
  res.set("X-Content-Type-Options", "nosniff");
  co_return res;
}

}  // namespace ticketly::event_command::api
