#pragma once
// Route guards (http::RouteOptions::guard) and the checks handlers make themselves.
//
//   router.get("/v1/orders", list_orders, {.guard = auth::authenticated(verifier)});
//   router.post("/v1/events", create, {.guard = auth::require_role(verifier, "event_admin")});
//   router.get("/internal/v1/…", h, {.guard = auth::internal_service(verifier)});
//
// 401 (with WWW-Authenticate) when the bearer token is missing or invalid; 403 when it is
// valid but does not allow the route. Each guard sets Request::principal on success.
// The Verifier must outlive the routes.
#include <string>
#include <string_view>
#include <vector>

#include "platform/auth/principal.h"
#include "platform/auth/verifier.h"
#include "platform/http/request.h"
#include "platform/http/router.h"

namespace ticketly::auth {

// Any valid access token. Reads `Authorization: Bearer <token>`; a missing header (or
// another scheme) → 401 with `WWW-Authenticate: Bearer realm="ticketly"`.
http::Guard authenticated(Verifier& verifier);
// Authenticated and holding the realm role (system admins hold the admin roles); 403
// "requires role X" otherwise.
http::Guard require_role(Verifier& verifier, std::string role);
// Authenticated and holding at least one of the roles.
http::Guard require_any_role(Verifier& verifier, std::vector<std::string> roles);
// Service-to-service routes: a service account of a configured service client
// (Principal::service_account) with scope `internal-api`. A user's token never passes,
// whatever scopes it carries → 403.
http::Guard internal_service(Verifier& verifier);
// Public routes that personalise when they can: no bearer token → principal stays null;
// a bearer token that is present but invalid → 401 (a client should learn its token is
// bad rather than silently get the anonymous view). Other schemes count as absent.
http::Guard optional_authentication(Verifier& verifier);

// The token from an Authorization header value ("Bearer <token>", scheme
// case-insensitive), or nullopt for another scheme or an empty value.
std::optional<std::string_view> bearer_token(std::string_view authorization);

// The principal a guard set. Throws 401 if none did — the route forgot its guard.
const Principal& principal_of(const http::Request& req);
// The principal acts for `user_id` itself (a UUID in any letter case), or is a system
// admin; 403 otherwise. Returns the id to act for as stored: the principal's own subject
// when it is them, else `user_id` (in canonical form when it is a UUID).
std::string require_self_or_admin(const Principal& principal, std::string_view user_id);

}  // namespace ticketly::auth
