#include "services/idp/tokens.h"

#include <algorithm>
#include <sstream>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool contains(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string full_name(const User& u) {
  if (u.first_name.empty()) return u.last_name;
  if (u.last_name.empty()) return u.first_name;
  return u.first_name + " " + u.last_name;
}

void add_profile_claims(Json& c, const User& u) {
  if (auto n = full_name(u); !n.empty()) c["name"] = n;
  c["preferred_username"] = u.username;
  if (!u.first_name.empty()) c["given_name"] = u.first_name;
  if (!u.last_name.empty()) c["family_name"] = u.last_name;
}

void add_email_claims(Json& c, const User& u) {
  c["email_verified"] = u.email_verified;
  if (!u.email.empty()) c["email"] = u.email;
}

Json group_values(const User& u, const GroupClaim& g) {
  Json out = Json::array();
  for (const auto& path : u.groups) out.push_back(g.full_path ? path : path.substr(path.rfind('/') + 1));
  return out;
}

// Claims of the user shared by access and ID tokens (each filtered by its scopes).
void add_user_claims(Json& c, const Realm& realm, const Grant& g, bool id_token) {
  if (g.scopes.has("profile") || g.user.service_account) add_profile_claims(c, g.user);
  if (g.scopes.has("email") || g.user.service_account) add_email_claims(c, g.user);
  if (auto gc = group_claim(realm, *g.client, g.scopes); gc && (id_token ? gc->id_token : gc->access_token)) {
    c[gc->claim] = group_values(g.user, *gc);
  }
}

void add_session_claims(Json& c, const Grant& g) {
  if (g.session_id.empty()) return;
  c["sid"] = g.session_id;
  c["session_state"] = g.session_id;
}

}  // namespace

bool GrantedScopes::has(std::string_view name) const { return contains(names, name); }

GrantedScopes grant_scopes(const Realm& realm, const Client& client, std::string_view requested) {
  GrantedScopes g;
  auto asked = split_spaces(requested);
  g.openid = contains(asked, "openid");
  for (const auto& s : client.default_scopes) {
    if (!g.has(s)) g.names.push_back(s);
  }
  for (const auto& s : client.optional_scopes) {
    if (contains(asked, s) && !g.has(s)) g.names.push_back(s);
  }
  std::vector<std::string> claim;
  if (g.openid) claim.push_back("openid");
  for (const auto& s : g.names) {
    if (auto def = realm.scope(s); def && def->include_in_token_scope) claim.push_back(s);
  }
  for (const auto& s : claim) g.claim += (g.claim.empty() ? "" : " ") + s;
  return g;
}

std::optional<GroupClaim> group_claim(const Realm& realm, const Client& client, const GrantedScopes& scopes) {
  if (client.groups) return client.groups;
  for (const auto& s : scopes.names) {
    if (auto def = realm.scope(s); def && def->groups) return def->groups;
  }
  return std::nullopt;
}

Uuid service_account_id(std::string_view client_id) {
  // A name-based id (the shape of RFC 4122 version 5, with SHA-256): stable across
  // restarts and processes without storing anything.
  auto digest = crypto::sha256("ticketly-idp/service-account/" + std::string(client_id));
  std::string hex = crypto::hex_encode(digest.substr(0, 16));
  hex[12] = '5';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  std::string text = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) +
                     "-" + hex.substr(20, 12);
  return *Uuid::parse(text);
}

User service_account(const Realm& realm, const Client& client) {
  User u;
  u.id = service_account_id(client.client_id);
  u.username = "service-account-" + client.client_id;
  u.realm_roles = realm.default_role.empty() ? std::vector<std::string>{} : std::vector{realm.default_role};
  u.service_account = true;
  return u;
}

std::int64_t epoch_seconds(Timestamp t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

Json access_token_claims(const Realm& realm, const TokenSettings& settings, const Grant& g) {
  Json c;
  c["exp"] = epoch_seconds(g.now + settings.access_ttl);
  c["iat"] = epoch_seconds(g.now);
  if (!g.session_id.empty()) c["auth_time"] = epoch_seconds(g.auth_time);
  c["jti"] = Uuid::random().str();
  c["iss"] = settings.issuer;
  c["sub"] = g.user.id.str();
  c["typ"] = "Bearer";
  c["azp"] = g.client->client_id;
  if (!g.nonce.empty()) c["nonce"] = g.nonce;  // keycloak-js before 24 checks it here too
  add_session_claims(c, g);
  c["acr"] = "1";
  if (!g.client->web_origins.empty()) c["allowed-origins"] = g.client->web_origins;
  if (g.scopes.has("roles") || g.user.service_account) {
    c["realm_access"] = {{"roles", realm.effective_roles(g.user.realm_roles, g.user.groups)}};
  }
  c["scope"] = g.scopes.claim;
  add_user_claims(c, realm, g, false);
  if (g.user.service_account) c["client_id"] = g.client->client_id;
  return c;
}

Json id_token_claims(const Realm& realm, const TokenSettings& settings, const Grant& g, std::string_view access_token) {
  Json c;
  c["exp"] = epoch_seconds(g.now + settings.access_ttl);
  c["iat"] = epoch_seconds(g.now);
  if (!g.session_id.empty()) c["auth_time"] = epoch_seconds(g.auth_time);
  c["jti"] = Uuid::random().str();
  c["iss"] = settings.issuer;
  c["aud"] = g.client->client_id;
  c["sub"] = g.user.id.str();
  c["typ"] = "ID";
  c["azp"] = g.client->client_id;
  if (!g.nonce.empty()) c["nonce"] = g.nonce;
  add_session_claims(c, g);
  // OIDC core §3.1.3.6: left half of the SHA-256 of the access token, base64url.
  c["at_hash"] = crypto::base64url_encode(crypto::sha256(access_token).substr(0, 16));
  c["acr"] = "1";
  add_user_claims(c, realm, g, true);
  return c;
}

Json refresh_token_claims(const TokenSettings& settings, const Grant& g, Timestamp expires) {
  Json c;
  c["exp"] = epoch_seconds(expires);
  c["iat"] = epoch_seconds(g.now);
  c["jti"] = Uuid::random().str();
  c["iss"] = settings.issuer;
  c["aud"] = settings.issuer;
  c["sub"] = g.user.id.str();
  c["typ"] = "Refresh";
  c["azp"] = g.client->client_id;
  if (!g.nonce.empty()) c["nonce"] = g.nonce;
  add_session_claims(c, g);
  c["scope"] = g.scopes.claim;
  return c;
}

Json userinfo_claims(const Json& access) {
  Json out = {{"sub", access.value("sub", "")}};
  for (const char* k :
       {"email_verified", "name", "preferred_username", "given_name", "family_name", "email", "user_groups"}) {
    if (auto it = access.find(k); it != access.end()) out[k] = *it;
  }
  return out;
}

bool valid_code_verifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  return std::all_of(v.begin(), v.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; });
}

bool valid_code_challenge(std::string_view c) { return c.size() == 43 && crypto::base64url_decode(c).has_value(); }

bool pkce_s256_matches(std::string_view verifier, std::string_view challenge) {
  if (!valid_code_verifier(verifier)) return false;
  return crypto::equal_constant_time(crypto::base64url_encode(crypto::sha256(verifier)), challenge);
}

std::optional<Json> verify_token(const SigningKey& key, std::string_view token, std::string_view typ,
                                 std::string_view issuer, Timestamp now, bool allow_expired) {
  auto claims = key.verify(token);
  if (!claims) return std::nullopt;
  auto text = [&](const char* k) {
    auto it = claims->find(k);
    return it != claims->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("typ") != typ || text("iss") != issuer) return std::nullopt;
  auto exp = claims->find("exp");
  if (exp == claims->end() || !exp->is_number_integer()) return std::nullopt;
  if (!allow_expired && epoch_seconds(now) >= exp->get<std::int64_t>()) return std::nullopt;
  return claims;
}

}  // namespace ticketly::idp
