#pragma once
// The development identity provider's running state, shared by its endpoint handlers,
// and the handlers themselves (one file per group: oidc_endpoints.cpp,
// token_endpoint.cpp, browser_flow.cpp, admin_api.cpp; the route table is routes.cpp).
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "platform/config/source.h"
#include "platform/http/request.h"
#include "platform/http/response.h"
#include "platform/http/router.h"
#include "services/idp/realm.h"
#include "services/idp/sessions.h"
#include "services/idp/signing_keys.h"
#include "services/idp/tokens.h"
#include "services/idp/user_store.h"
#include "services/idp/web.h"

namespace ticketly::db {
class Database;
}

namespace ticketly::idp {

inline constexpr std::string_view kBasePath = "/realms/event-ticketing";
inline constexpr std::string_view kAdminBasePath = "/admin/realms/event-ticketing";
inline constexpr std::string_view kIdentityCookie = "KEYCLOAK_IDENTITY";  // HttpOnly: "<sid>.<secret>"
inline constexpr std::string_view kSessionCookie = "KEYCLOAK_SESSION";    // readable by script: the sid only
inline constexpr std::string_view kBrowserCookie = "AUTH_SESSION_ID";     // binds a login form to its browser

struct ProviderSettings {
  std::string public_url;  // TICKETLY_PUBLIC_URL without a trailing slash
  std::string issuer;      // <public_url>/realms/event-ticketing
  std::filesystem::path data_dir;
  std::optional<std::string> realm_file;  // TICKETLY_IDP_REALM_FILE
  std::chrono::seconds access_ttl{std::chrono::minutes(15)};
  std::chrono::seconds refresh_ttl{std::chrono::hours(8)};
};

// Reads the provider's settings; throws config::ConfigError listing every bad value.
ProviderSettings read_settings(const config::Source& source);

class Provider {
 public:
  Provider(ProviderSettings settings, Realm realm, SigningKey key, std::map<std::string, std::string> secrets,
           db::Database& database);

  const ProviderSettings settings;
  const Realm realm;
  const SigningKey key;
  const std::map<std::string, std::string> secrets;  // confidential client id -> secret
  const TokenSettings token_settings;
  PasswordHasher hasher;
  UserStore users;
  SessionStore sessions;
  LoginRateLimiter limiter;

  std::string endpoint(std::string_view name) const {
    return settings.issuer + "/protocol/openid-connect/" + std::string(name);
  }
  CookieOptions cookie_options(bool http_only) const;
};

namespace asio = boost::asio;
using Handler = asio::awaitable<http::Response> (*)(Provider&, http::Request&);

void register_routes(Provider& provider, http::Router& router);

// oidc_endpoints.cpp
asio::awaitable<http::Response> realm_info(Provider& p, http::Request& req);
asio::awaitable<http::Response> discovery(Provider& p, http::Request& req);
asio::awaitable<http::Response> certs(Provider& p, http::Request& req);
asio::awaitable<http::Response> userinfo(Provider& p, http::Request& req);
asio::awaitable<http::Response> account(Provider& p, http::Request& req);
asio::awaitable<http::Response> third_party_cookies_step1(Provider& p, http::Request& req);
asio::awaitable<http::Response> third_party_cookies_step2(Provider& p, http::Request& req);
asio::awaitable<http::Response> login_status_iframe(Provider& p, http::Request& req);
asio::awaitable<http::Response> login_status_iframe_init(Provider& p, http::Request& req);

// token_endpoint.cpp
asio::awaitable<http::Response> token(Provider& p, http::Request& req);
// Client authentication of the token and logout endpoints (form or HTTP Basic); throws OAuthError.
const Client& authenticate_client(const Provider& p, const http::Request& req, const http::QueryParams& form);
// The token response for a grant; a refresh token (and session_state) when the grant has a session.
nlohmann::json issue_tokens(Provider& p, const Grant& grant);

// browser_flow.cpp
asio::awaitable<http::Response> authorize(Provider& p, http::Request& req);
asio::awaitable<http::Response> authenticate(Provider& p, http::Request& req);
asio::awaitable<http::Response> logout(Provider& p, http::Request& req);

// admin_api.cpp
asio::awaitable<http::Response> admin_create_user(Provider& p, http::Request& req);
asio::awaitable<http::Response> admin_find_users(Provider& p, http::Request& req);
asio::awaitable<http::Response> admin_get_user(Provider& p, http::Request& req);

}  // namespace ticketly::idp
