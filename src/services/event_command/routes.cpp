// The route table. Ownership (403 for a caller who does not own the organization, 404 for
// an id that does not exist) is checked by the handlers; the guard here only decides
// who may call at all.
#include "services/event_command/routes.h"

#include "platform/auth/guards.h"

namespace ticketly::event_command {
namespace {

using http::Verb;
using namespace api;
using A = Access;

constexpr std::size_t kMiB = 1u << 20;
constexpr std::size_t kEventUpload = 50 * kMiB;  // 5 cover images of 5 MiB + seat maps
constexpr std::size_t kLayouts = 32 * kMiB;      // seat maps of up to 100,000 seats
constexpr std::size_t kCoverUpload = 6 * kMiB;
constexpr std::size_t kLogoUpload = 2 * kMiB;
constexpr std::size_t kTemplate = 4 * kMiB;

constexpr RouteSpec kRoutes[] = {
    // organizations
    {Verb::post, "/v1/organizations", A::User, create_organization},
    {Verb::get, "/v1/organizations/my", A::User, my_organizations},
    {Verb::get, "/v1/organizations/admin/all", A::OrganizationAdmin, admin_list_organizations},
    {Verb::get, "/v1/organizations/admin/{id:uuid}", A::OrganizationAdmin, admin_get_organization},
    {Verb::get, "/v1/organizations/admin/user/{userId}", A::OrganizationAdmin, admin_organizations_of_user},
    {Verb::get, "/v1/organizations/{id:uuid}", A::User, get_organization},
    {Verb::put, "/v1/organizations/{id:uuid}", A::User, update_organization},
    {Verb::delete_, "/v1/organizations/{id:uuid}", A::User, delete_organization},
    {Verb::post, "/v1/organizations/{id:uuid}/logo", A::User, upload_logo, kLogoUpload},
    {Verb::delete_, "/v1/organizations/{id:uuid}/logo", A::User, delete_logo},
    {Verb::get, "/v1/organizations/{id:uuid}/staff", A::User, list_staff},
    {Verb::post, "/v1/organizations/{id:uuid}/staff", A::User, invite_staff},
    {Verb::delete_, "/v1/organizations/{id:uuid}/staff/{userId}", A::User, remove_staff},
    {Verb::patch, "/v1/organizations/{id:uuid}/staff/{userId}/status", A::User, set_staff_status},
    // events
    {Verb::post, "/v1/events", A::User, create_event, kEventUpload},
    {Verb::get, "/v1/events/admin/all", A::EventAdmin, admin_list_events},
    {Verb::get, "/v1/events/admin/organization/{orgId:uuid}", A::EventAdmin, admin_list_organization_events},
    {Verb::get, "/v1/events/admin/{id:uuid}", A::EventAdmin, admin_get_event},
    {Verb::get, "/v1/events/organization/{orgId:uuid}", A::User, list_organization_events},
    {Verb::get, "/v1/events/{id:uuid}", A::User, get_event},
    {Verb::delete_, "/v1/events/{id:uuid}", A::User, delete_event},
    {Verb::post, "/v1/events/{id:uuid}/approve", A::EventAdmin, approve_event},
    {Verb::post, "/v1/events/{id:uuid}/reject", A::EventAdmin, reject_event},
    {Verb::put, "/v1/events/{id:uuid}/update", A::User, update_event},
    {Verb::post, "/v1/events/{id:uuid}/update/cover-photos", A::User, add_cover_photo, kCoverUpload},
    {Verb::delete_, "/v1/events/{id:uuid}/update/cover-photos/{photoId:uuid}", A::User, delete_cover_photo},
    // tiers and discounts
    {Verb::post, "/v1/events/{id:uuid}/tiers", A::User, create_tier},
    {Verb::put, "/v1/events/{id:uuid}/tiers/{tierId:uuid}", A::User, update_tier},
    {Verb::delete_, "/v1/events/{id:uuid}/tiers/{tierId:uuid}", A::User, delete_tier},
    {Verb::get, "/v1/events/{id:uuid}/discounts", A::OptionalUser, list_discounts},
    {Verb::post, "/v1/events/{id:uuid}/discounts", A::User, create_discount},
    {Verb::get, "/v1/events/{id:uuid}/discounts/{did:uuid}", A::OptionalUser, get_discount},
    {Verb::put, "/v1/events/{id:uuid}/discounts/{did:uuid}", A::User, update_discount},
    {Verb::delete_, "/v1/events/{id:uuid}/discounts/{did:uuid}", A::User, delete_discount},
    // sessions
    {Verb::post, "/v1/sessions", A::User, create_sessions, kLayouts},
    {Verb::get, "/v1/sessions", A::User, list_sessions},
    {Verb::get, "/v1/sessions/{id:uuid}", A::User, get_session},
    {Verb::put, "/v1/sessions/{id:uuid}/time", A::User, update_session_time},
    {Verb::put, "/v1/sessions/{id:uuid}/status", A::User, update_session_status},
    {Verb::put, "/v1/sessions/{id:uuid}/venue-details", A::User, update_session_venue_details},
    {Verb::put, "/v1/sessions/{id:uuid}/layout", A::User, update_session_layout, kLayouts},
    {Verb::put, "/v1/sessions/{id:uuid}/venue", A::User, update_session_venue, kLayouts},
    {Verb::delete_, "/v1/sessions/{id:uuid}", A::User, delete_session},
    // seating templates
    {Verb::get, "/v1/seating-templates/organization/{orgId:uuid}", A::User, list_templates},
    {Verb::post, "/v1/seating-templates", A::User, create_template, kTemplate},
    {Verb::get, "/v1/seating-templates/{id:uuid}", A::User, get_template},
    {Verb::put, "/v1/seating-templates/{id:uuid}", A::User, update_template, kTemplate},
    {Verb::delete_, "/v1/seating-templates/{id:uuid}", A::User, delete_template},
    // categories
    {Verb::get, "/v1/categories", A::User, list_categories},
    {Verb::get, "/v1/categories/{id:uuid}", A::User, get_category},
    {Verb::post, "/v1/categories", A::CategoryAdmin, create_category},
    {Verb::put, "/v1/categories/{id:uuid}", A::CategoryAdmin, update_category},
    {Verb::delete_, "/v1/categories/{id:uuid}", A::CategoryAdmin, delete_category},
    // configuration, analytics, AI overview
    {Verb::get, "/v1/config", A::User, get_config},
    {Verb::get, "/v1/config/my-limits", A::User, my_limits},
    {Verb::get, "/v1/session-analytics/organizations/{orgId:uuid}", A::User, organization_session_analytics},
    {Verb::get, "/v1/session-analytics/organizations/{orgId:uuid}/events/{eventId:uuid}", A::User,
     event_session_analytics},
    {Verb::get, "/v1/session-analytics/organizations/{orgId:uuid}/sessions", A::User, organization_sessions},
    {Verb::get, "/v1/session-analytics/admin/organizations/{orgId:uuid}", A::EventAdmin,
     admin_organization_session_analytics},
    {Verb::get, "/v1/session-analytics/admin/organizations/{orgId:uuid}/events/{eventId:uuid}", A::EventAdmin,
     admin_event_session_analytics},
    {Verb::post, "/v1/ai/generate-overview", A::User, generate_overview},
    // images (logos, cover photos)
    {Verb::get, "/images/{file}", A::Public, get_image},
    // internal: the scheduler and the other services
    {Verb::patch, "/internal/v1/sessions/{id:uuid}/on-sale", A::Internal, internal_session_on_sale},
    {Verb::patch, "/internal/v1/sessions/{id:uuid}/closed", A::Internal, internal_session_closed},
    {Verb::get, "/internal/v1/events/verify-ownership", A::Internal, verify_event_ownership},
    {Verb::get, "/internal/v1/organizations/verify-ownership", A::Internal, verify_organization_ownership},
    {Verb::get, "/internal/v1/sessions/verify-ownership", A::Internal, verify_session_ownership},
    {Verb::get, "/internal/v1/sessions/verify-role", A::Internal, verify_session_role},
};

http::Guard guard_for(Access access, auth::Verifier& verifier) {
  switch (access) {
    case Access::Public: return {};
    case Access::OptionalUser: return auth::optional_authentication(verifier);
    case Access::User: return auth::authenticated(verifier);
    case Access::EventAdmin: return auth::require_role(verifier, "event_admin");
    case Access::CategoryAdmin: return auth::require_role(verifier, "category_admin");
    case Access::OrganizationAdmin: return auth::require_role(verifier, "organization_admin");
    case Access::Internal: return auth::internal_service(verifier);
  }
  return auth::authenticated(verifier);
}

}  // namespace

std::string_view to_string(Access access) {
  switch (access) {
    case Access::Public: return "public";
    case Access::OptionalUser: return "optional user";
    case Access::User: return "user";
    case Access::EventAdmin: return "event_admin";
    case Access::CategoryAdmin: return "category_admin";
    case Access::OrganizationAdmin: return "organization_admin";
    case Access::Internal: return "internal";
  }
  return "user";
}

std::span<const RouteSpec> route_table() { return kRoutes; }

void register_routes(App& app, http::Router& router) {
  for (const RouteSpec& r : kRoutes) {
    http::RouteOptions options;
    if (r.body_limit) options.body_limit = r.body_limit;
    options.guard = guard_for(r.access, app.verifier);
    // The stored lambda is no coroutine: it calls the handler, which is.
    auto handler = [&app, fn = r.handler](http::Request& req) { return fn(app, req); };
    router.add(r.method, std::string(kBasePath) + std::string(r.path), handler, std::move(options));
  }
}

}  // namespace ticketly::event_command
