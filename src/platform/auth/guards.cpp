#include "platform/auth/guards.h"

#include <algorithm>
#include <memory>

#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "platform/types/uuid.h"

namespace ticketly::auth {

namespace asio = boost::asio;

namespace {

constexpr char kChallenge[] = "Bearer realm=\"ticketly\"";

Error missing_token() {
  return Error(401, "authentication required: send an Authorization: Bearer token")
      .with_header("WWW-Authenticate", kChallenge);
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);  // ASCII letters only: "bearer" vs "Bearer"
         });
}

// Sets req.principal from the bearer token; 401 when there is none (required) or it is bad.
// The coroutines below take their arguments by value or by reference to objects that
// outlive the request (the Verifier, the route's guard and its captures).
asio::awaitable<void> authenticate(Verifier& verifier, http::Request& req, bool required) {
  const std::string_view header = req.header(http::Field::authorization);
  const auto token = header.empty() ? std::nullopt : bearer_token(header);
  if (!token) {
    if (required) throw missing_token();
    co_return;
  }
  req.principal = co_await verifier.verify(*token);
}

asio::awaitable<void> check_roles(Verifier& verifier, http::Request& req,
                                  std::shared_ptr<const std::vector<std::string>> roles) {
  co_await authenticate(verifier, req, true);
  const Principal& p = *req.principal;
  if (std::any_of(roles->begin(), roles->end(), [&](const std::string& r) { return p.has_role(r); })) co_return;
  std::string message = roles->size() == 1 ? "requires role " + roles->front() : "requires one of the roles ";
  if (roles->size() != 1) {
    for (std::size_t i = 0; i < roles->size(); ++i) message += (i ? ", " : "") + (*roles)[i];
  }
  throw Error(403, message);
}

asio::awaitable<void> check_internal(Verifier& verifier, http::Request& req) {
  co_await authenticate(verifier, req, true);
  const Principal& p = *req.principal;
  if (p.service_account && p.has_scope(kInternalApiScope)) co_return;
  throw Error(403, "requires a service account with scope internal-api")
      .with_header("WWW-Authenticate",
                   "Bearer realm=\"ticketly\", error=\"insufficient_scope\", scope=\"internal-api\"");
}

}  // namespace

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.size() <= kScheme.size() || !iequals(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return std::nullopt;
  }
  const std::string_view token = text::trim_ows(authorization.substr(kScheme.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

http::Guard authenticated(Verifier& verifier) {
  return [&verifier](http::Request& req) { return authenticate(verifier, req, true); };
}

http::Guard optional_authentication(Verifier& verifier) {
  return [&verifier](http::Request& req) { return authenticate(verifier, req, false); };
}

http::Guard require_role(Verifier& verifier, std::string role) {
  return require_any_role(verifier, std::vector<std::string>{std::move(role)});
}

http::Guard require_any_role(Verifier& verifier, std::vector<std::string> roles) {
  if (roles.empty()) throw std::invalid_argument("require_any_role: no roles given");
  auto shared = std::make_shared<const std::vector<std::string>>(std::move(roles));
  return [&verifier, shared](http::Request& req) { return check_roles(verifier, req, shared); };
}

http::Guard internal_service(Verifier& verifier) {
  return [&verifier](http::Request& req) { return check_internal(verifier, req); };
}

const Principal& principal_of(const http::Request& req) {
  if (!req.principal) {
    throw Error(401, "authentication required").with_header("WWW-Authenticate", kChallenge);
  }
  return *req.principal;
}

std::string require_self_or_admin(const Principal& principal, std::string_view user_id) {
  if (!principal.subject.empty() && principal.subject == user_id) return principal.subject;
  // Keycloak ids are UUIDs; compare them as such so letter case cannot matter.
  auto mine = principal.user_id();
  auto theirs = Uuid::parse(user_id);
  if (mine && theirs && *mine == *theirs) return principal.subject;
  if (principal.system_admin) return theirs ? theirs->str() : std::string(user_id);
  throw Error(403, "not allowed to act for another user");
}

}  // namespace ticketly::auth
