#pragma once
// The event-command route table (API.md §1): method, path under /api/event-seating, who
// may call it, the handler, and a body limit where the default (1 MiB) does not fit.
// docs/services/event-command.md lists the same routes; a unit test keeps them in step.
#include <cstddef>
#include <span>
#include <string_view>

#include "platform/http/router.h"
#include "services/event_command/api/handlers.h"
#include "services/event_command/app.h"

namespace ticketly::event_command {

enum class Access {
  Public,             // no token
  OptionalUser,       // a token personalises (owners see more), none is fine
  User,               // any signed-in user; ownership is checked by the handler
  EventAdmin,         // realm role event_admin
  CategoryAdmin,      // realm role category_admin
  OrganizationAdmin,  // realm role organization_admin
  Internal,           // a service account with scope internal-api
};

std::string_view to_string(Access access);

struct RouteSpec {
  http::Verb method;
  std::string_view path;  // under kBasePath
  Access access;
  api::HandlerFn handler;
  std::size_t body_limit = 0;  // 0: the server's default
};

std::span<const RouteSpec> route_table();

void register_routes(App& app, http::Router& router);

}  // namespace ticketly::event_command
