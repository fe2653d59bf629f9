// POST protocol/openid-connect/token: password, client_credentials, authorization_code
// (+PKCE) and refresh_token grants, with Keycloak's response shape and RFC 6749 errors.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "platform/crypto/crypto.h"
#include "platform/text/ascii.h"
#include "services/idp/provider.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

const std::string kBasicChallenge = "Basic realm=\"event-ticketing\"";

std::string param(const http::QueryParams& form, std::string_view name) {
  auto v = form.get(name);
  return v ? std::string(*v) : std::string();
}

std::string claim(const Json& claims, const char* key) {
  auto it = claims.find(key);
  return it != claims.end() && it->is_string() ? it->get<std::string>() : std::string();
}

OAuthError invalid_grant(std::string description) { return OAuthError{400, "invalid_grant", std::move(description)}; }

asio::awaitable<http::Response> password_grant(Provider& p, const Client& client, const http::QueryParams& form) {
  if (!client.direct_access_grants) {
    throw OAuthError{400, "unauthorized_client", "Client not allowed for direct access grants"};
  }
  std::string username = param(form, "username"), password = param(form, "password");
  if (username.empty()) throw OAuthError{400, "invalid_request", "Missing parameter: username"};
  if (password.empty()) throw OAuthError{401, "invalid_grant", "Invalid user credentials"};

  auto user = co_await p.users.find_by_login(username);
  // Limited per account (whichever name it was reached by), checked before the password.
  const std::string key = user ? user->username : text::ascii_lower(username);
  if (auto wait = p.limiter.blocked(key)) {
    OAuthError e{429, "invalid_grant", "Too many failed login attempts; try again later"};
    e.retry_after = static_cast<int>(wait->count());
    throw e;
  }
  std::string hash = user ? user->password_hash : std::string();  // empty: a dummy check of equal cost
  bool ok = co_await p.hasher.verify(password, std::move(hash));
  if (!ok || !user) {
    p.limiter.record_failure(key);
    throw OAuthError{401, "invalid_grant", "Invalid user credentials"};
  }
  if (!user->enabled) throw invalid_grant("Account disabled");
  p.limiter.reset(key);

  Session session = p.sessions.create(user->id);
  Grant g{&client,           *user,       grant_scopes(p.realm, client, param(form, "scope")), session.id, "",
          session.auth_time, Clock::now()};
  co_return no_store_json(200, issue_tokens(p, g));
}

asio::awaitable<http::Response> client_credentials_grant(Provider& p, const Client& client,
                                                         const http::QueryParams& form) {
  if (client.public_client) {
    throw OAuthError{400, "unauthorized_client", "Public client not allowed to retrieve service account"};
  }
  if (!client.service_accounts) {
    throw OAuthError{400, "unauthorized_client", "Client not enabled to retrieve service account"};
  }
  auto now = Clock::now();
  Grant g{&client, service_account(p.realm, client), grant_scopes(p.realm, client, param(form, "scope")), "", "", now,
          now};
  co_return no_store_json(200, issue_tokens(p, g));
}

asio::awaitable<http::Response> authorization_code_grant(Provider& p, const Client& client,
                                                         const http::QueryParams& form) {
  std::string code = param(form, "code");
  if (code.empty()) throw OAuthError{400, "invalid_request", "Missing parameter: code"};
  // Redeemed (removed) before anything else is checked: a code gets exactly one try.
  auto c = p.sessions.redeem_code(code);
  if (!c) throw invalid_grant("Code not valid");
  if (c->request.client_id != client.client_id) throw invalid_grant("Code was issued to another client");
  if (param(form, "redirect_uri") != c->request.redirect_uri) throw invalid_grant("Incorrect redirect_uri");
  std::string verifier = param(form, "code_verifier");
  if (!c->request.code_challenge.empty()) {
    if (verifier.empty()) throw invalid_grant("PKCE code verifier not specified");
    if (!valid_code_verifier(verifier)) throw invalid_grant("Invalid code verifier");
    if (!pkce_s256_matches(verifier, c->request.code_challenge)) {
      throw invalid_grant("PKCE verification failed: Code mismatch");
    }
  } else if (!verifier.empty()) {
    throw invalid_grant("PKCE code verifier specified but challenge not present in authorization");
  }
  auto session = p.sessions.find(c->session_id);
  if (!session || !p.sessions.touch(session->id)) throw invalid_grant("Session not active");
  auto user = co_await p.users.find_by_id(c->user_id);
  if (!user || !user->enabled) {
    p.sessions.end(session->id);
    throw invalid_grant("User not found or disabled");
  }
  Grant g{&client,
          *user,
          grant_scopes(p.realm, client, c->request.scope),
          session->id,
          c->request.nonce,
          session->auth_time,
          Clock::now()};
  co_return no_store_json(200, issue_tokens(p, g));
}

asio::awaitable<http::Response> refresh_token_grant(Provider& p, const Client& client, const http::QueryParams& form) {
  std::string token = param(form, "refresh_token");
  if (token.empty()) throw OAuthError{400, "invalid_request", "Missing parameter: refresh_token"};
  auto claims = verify_token(p.key, token, "Refresh", p.settings.issuer, Clock::now());
  if (!claims) throw invalid_grant("Invalid refresh token");
  if (claim(*claims, "azp") != client.client_id) {
    throw invalid_grant("Invalid refresh token. Token client and authorized client don't match");
  }
  const std::string sid = claim(*claims, "sid");
  auto sub = Uuid::parse(claim(*claims, "sub"));
  auto session = p.sessions.find(sid);
  if (!session || !sub || session->user_id != *sub || !p.sessions.touch(sid)) throw invalid_grant("Session not active");
  auto user = co_await p.users.find_by_id(*sub);
  if (!user || !user->enabled) {
    p.sessions.end(sid);
    throw invalid_grant("User not found or disabled");
  }
  Grant g{&client,
          *user,
          grant_scopes(p.realm, client, claim(*claims, "scope")),
          sid,
          claim(*claims, "nonce"),
          session->auth_time,
          Clock::now()};
  co_return no_store_json(200, issue_tokens(p, g));
}

}  // namespace

const Client& authenticate_client(const Provider& p, const http::Request& req, const http::QueryParams& form) {
  auto basic = basic_credentials(req);
  auto form_id = form.get("client_id");
  std::string id, secret;
  bool has_secret = false;
  if (basic) {
    if (form_id && *form_id != basic->id) {
      throw OAuthError{400, "invalid_request", "client_id differs from the HTTP Basic credentials"};
    }
    id = basic->id;
    secret = basic->secret;
    has_secret = true;
  } else {
    id = form_id ? std::string(*form_id) : std::string();
    if (auto s = form.get("client_secret")) {
      secret = std::string(*s);
      has_secret = true;
    }
  }
  if (id.empty()) throw OAuthError{401, "invalid_client", "Missing parameter: client_id", kBasicChallenge};
  const Client* client = p.realm.client(id);
  const OAuthError rejected{401, "invalid_client", "Invalid client or Invalid client credentials", kBasicChallenge};
  if (!client || !client->enabled) throw rejected;
  if (client->confidential()) {
    auto it = p.secrets.find(client->client_id);
    if (!has_secret || it == p.secrets.end() || !crypto::equal_constant_time(secret, it->second)) throw rejected;
  }
  return *client;
}

Json issue_tokens(Provider& p, const Grant& g) {
  std::string access = p.key.sign(access_token_claims(p.realm, p.token_settings, g));
  Json body = {{"access_token", access},
               {"expires_in", p.token_settings.access_ttl.count()},
               {"refresh_expires_in", 0},
               {"token_type", "Bearer"}};
  if (g.scopes.openid) body["id_token"] = p.key.sign(id_token_claims(p.realm, p.token_settings, g, access));
  if (!g.session_id.empty()) {
    if (auto session = p.sessions.find(g.session_id)) {
      Timestamp expires = p.sessions.expires(*session);
      body["refresh_token"] = p.key.sign(refresh_token_claims(p.token_settings, g, expires));
      body["refresh_expires_in"] = std::max<std::int64_t>(0, epoch_seconds(expires) - epoch_seconds(g.now));
    }
  }
  body["not-before-policy"] = 0;
  if (!g.session_id.empty()) body["session_state"] = g.session_id;
  body["scope"] = g.scopes.claim;
  return body;
}

asio::awaitable<http::Response> token(Provider& p, http::Request& req) {
  OAuthError error;
  try {
    if (!is_form(req)) {
      throw OAuthError{400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded"};
    }
    auto form = parse_form(req, {"grant_type", "client_id", "client_secret", "code", "redirect_uri", "code_verifier",
                                 "refresh_token", "username", "password", "scope"});
    std::string grant = param(form, "grant_type");
    if (grant.empty()) throw OAuthError{400, "invalid_request", "Missing form parameter: grant_type"};
    const Client& client = authenticate_client(p, req, form);
    if (grant == "password") co_return co_await password_grant(p, client, form);
    if (grant == "client_credentials") co_return co_await client_credentials_grant(p, client, form);
    if (grant == "authorization_code") co_return co_await authorization_code_grant(p, client, form);
    if (grant == "refresh_token") co_return co_await refresh_token_grant(p, client, form);
    throw OAuthError{400, "unsupported_grant_type", "Unsupported grant_type"};
  } catch (const OAuthError& e) {
    error = e;
  }
  co_return oauth_error_response(error);
}

}  // namespace ticketly::idp
