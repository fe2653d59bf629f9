// Discovery, keys, userinfo and the iframes keycloak-js embeds.
#include "platform/crypto/crypto.h"
#include "services/idp/pages.h"
#include "services/idp/provider.h"
#include "services/idp/redirect_uris.h"

namespace ticketly::idp {

using Json = nlohmann::json;

asio::awaitable<http::Response> realm_info(Provider& p, http::Request&) {
  // Keycloak's realm endpoint; some adapters read the public key from it.
  co_return http::Response::json(200, {{"realm", p.realm.name},
                                       {"public_key", p.key.public_key_base64()},
                                       {"token-service", p.settings.issuer + "/protocol/openid-connect"},
                                       {"account-service", p.settings.issuer + "/account"},
                                       {"tokens-not-before", 0}});
}

asio::awaitable<http::Response> discovery(Provider& p, http::Request&) {
  Json scopes = Json::array({"openid"});
  for (const auto& c : p.realm.clients) {
    for (const auto* list : {&c.default_scopes, &c.optional_scopes}) {
      for (const auto& s : *list) {
        if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
      }
    }
  }
  Json doc = {
      {"issuer", p.settings.issuer},
      {"authorization_endpoint", p.endpoint("auth")},
      {"token_endpoint", p.endpoint("token")},
      {"userinfo_endpoint", p.endpoint("userinfo")},
      {"end_session_endpoint", p.endpoint("logout")},
      {"jwks_uri", p.endpoint("certs")},
      {"check_session_iframe", p.endpoint("login-status-iframe.html")},
      {"grant_types_supported", {"authorization_code", "refresh_token", "password", "client_credentials"}},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query", "fragment"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", {"RS256"}},
      {"token_endpoint_auth_methods_supported", {"client_secret_basic", "client_secret_post"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", scopes},
      {"claims_supported",
       {"aud", "sub", "iss", "auth_time", "name", "given_name", "family_name", "preferred_username", "email",
        "email_verified", "acr", "sid", "realm_access", "user_groups"}},
      {"claim_types_supported", {"normal"}},
      {"claims_parameter_supported", false},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},
      {"require_request_uri_registration", false},
      {"authorization_response_iss_parameter_supported", true},
      {"frontchannel_logout_supported", false},
      {"backchannel_logout_supported", false},
  };
  co_return http::Response::json(200, doc);
}

asio::awaitable<http::Response> certs(Provider& p, http::Request&) {
  auto res = http::Response::json_text(200, p.key.jwks_json());
  res.set(http::Field::cache_control, "no-cache");
  co_return res;
}

asio::awaitable<http::Response> userinfo(Provider& p, http::Request& req) {
  auto fail = [](const std::string& error, const std::string& description) {
    auto res = no_store_json(401, {{"error", error}, {"error_description", description}});
    std::string challenge = "Bearer realm=\"" + std::string(kRealmName) + "\"";
    if (error != "invalid_request") challenge += ", error=\"" + error + "\", error_description=\"" + description + "\"";
    res.set(http::Field::www_authenticate, challenge);
    return res;
  };
  std::optional<std::string> token = bearer_token(req);
  if (!token && req.method() == http::Verb::post && is_form(req)) {
    try {
      auto form = parse_form(req, {"access_token"});
      if (auto t = form.get("access_token")) token = std::string(*t);
    } catch (const OAuthError&) {
      co_return fail("invalid_request", "Malformed form body");
    }
  }
  if (!token) co_return fail("invalid_request", "Missing access token");
  auto claims = verify_token(p.key, *token, "Bearer", p.settings.issuer, Clock::now());
  if (!claims) co_return fail("invalid_token", "Token verification failed");
  if (auto sid = claims->find("sid"); sid != claims->end() && sid->is_string()) {
    if (!p.sessions.find(sid->get<std::string>())) co_return fail("invalid_token", "User session not found");
  }
  co_return no_store_json(200, userinfo_claims(*claims));
}

asio::awaitable<http::Response> account(Provider& p, http::Request& req) {
  // Keycloak's account REST endpoint, as keycloak-js's loadUserProfile() reads it.
  auto token = bearer_token(req);
  auto claims = token ? verify_token(p.key, *token, "Bearer", p.settings.issuer, Clock::now()) : std::nullopt;
  auto sub = claims ? Uuid::parse(claims->value("sub", "")) : std::nullopt;
  std::optional<User> user;
  if (sub) user = co_await p.users.find_by_id(*sub);
  if (!user) {
    auto res = no_store_json(401, {{"error", "invalid_token"}, {"error_description", "Bearer access token required"}});
    res.set(http::Field::www_authenticate, "Bearer realm=\"" + std::string(kRealmName) + "\"");
    co_return res;
  }
  Json profile = {{"id", user->id.str()},
                  {"username", user->username},
                  {"emailVerified", user->email_verified},
                  {"attributes", Json::object()}};
  if (!user->email.empty()) profile["email"] = user->email;
  if (!user->first_name.empty()) profile["firstName"] = user->first_name;
  if (!user->last_name.empty()) profile["lastName"] = user->last_name;
  co_return no_store_json(200, profile);
}

asio::awaitable<http::Response> third_party_cookies_step1(Provider&, http::Request&) {
  co_return html_response(200, idp::third_party_cookies_step1(), /*frameable=*/true);
}

asio::awaitable<http::Response> third_party_cookies_step2(Provider& p, http::Request&) {
  co_return html_response(
      200, idp::third_party_cookies_step2(p.cookie_options(false).path + "protocol/openid-connect/3p-cookies/"),
      /*frameable=*/true);
}

asio::awaitable<http::Response> login_status_iframe(Provider&, http::Request&) {
  co_return html_response(200, idp::login_status_iframe(), /*frameable=*/true);
}

asio::awaitable<http::Response> login_status_iframe_init(Provider& p, http::Request& req) {
  // The iframe asks whether the page embedding it may watch sessions of this client:
  // only the client's web origins may.
  auto client_id = req.query.get("client_id");
  auto origin = req.query.get("origin");
  const Client* client = client_id ? p.realm.client(*client_id) : nullptr;
  if (!client || !origin || !web_origin_allowed(*client, *origin)) {
    co_return http::Response::json(403, {{"error", "Forbidden"}, {"error_description", "origin not allowed"}});
  }
  co_return http::Response::no_content();
}

}  // namespace ticketly::idp
