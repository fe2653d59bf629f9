#pragma once
// What goes into tokens, as pure functions: granted scopes, access/ID/refresh token
// claims with Keycloak's names and shapes, PKCE, and the checks of a presented token.
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/types/time.h"
#include "services/idp/realm.h"
#include "services/idp/signing_keys.h"
#include "services/idp/user.h"

namespace ticketly::idp {

struct GrantedScopes {
  bool openid = false;             // "openid" was requested: an ID token is issued
  std::vector<std::string> names;  // effective client scopes: the defaults + requested optional ones
  std::string claim;               // the `scope` claim: openid + names included in the token scope
  bool has(std::string_view name) const;
};

// Keycloak's rule: every default scope of the client, plus those optional scopes the
// request names. Unknown requested scopes are ignored.
GrantedScopes grant_scopes(const Realm& realm, const Client& client, std::string_view requested);

// The group-membership mapper in effect (the client's own, else one of its scopes').
std::optional<GroupClaim> group_claim(const Realm& realm, const Client& client, const GrantedScopes& scopes);

// The service account of a confidential client, as a user: "service-account-<client>",
// a stable id derived from the client id, the realm's default roles.
User service_account(const Realm& realm, const Client& client);
Uuid service_account_id(std::string_view client_id);

struct TokenSettings {
  std::string issuer;
  std::chrono::seconds access_ttl{std::chrono::minutes(15)};
};

// Everything one token response depends on.
struct Grant {
  const Client* client = nullptr;
  User user;
  GrantedScopes scopes;
  std::string session_id;  // empty: no session (client credentials)
  std::string nonce;
  Timestamp auth_time{};
  Timestamp now{};
};

nlohmann::json access_token_claims(const Realm& realm, const TokenSettings& settings, const Grant& grant);
// `access_token` (the signed one) gives at_hash.
nlohmann::json id_token_claims(const Realm& realm, const TokenSettings& settings, const Grant& grant,
                               std::string_view access_token);
nlohmann::json refresh_token_claims(const TokenSettings& settings, const Grant& grant, Timestamp expires);
// The userinfo answer for a verified access token's claims.
nlohmann::json userinfo_claims(const nlohmann::json& access_claims);

std::int64_t epoch_seconds(Timestamp t);

// RFC 7636: 43..128 characters of [A-Za-z0-9-._~].
bool valid_code_verifier(std::string_view verifier);
bool valid_code_challenge(std::string_view challenge);  // the S256 form: 43 base64url characters
bool pkce_s256_matches(std::string_view verifier, std::string_view challenge);

// The claims of `token` when it is signed by `key`, has this `typ` and issuer, and (unless
// `allow_expired`) has not expired at `now`.
std::optional<nlohmann::json> verify_token(const SigningKey& key, std::string_view token, std::string_view typ,
                                           std::string_view issuer, Timestamp now, bool allow_expired = false);

}  // namespace ticketly::idp
