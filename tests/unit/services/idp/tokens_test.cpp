#include "services/idp/tokens.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {
namespace {

using Json = nlohmann::json;

const Realm& dev_realm() {
  static const Realm realm = load_realm_file(locate_realm_file(std::nullopt));
  return realm;
}

User seed_user(std::string_view username) {
  for (const auto& u : dev_realm().users) {
    if (u.username == username) {
      User user;
      user.id = Uuid::random();
      user.username = u.username;
      user.email = u.email;
      user.first_name = u.first_name;
      user.last_name = u.last_name;
      user.email_verified = u.email_verified;
      user.groups = u.groups;
      user.realm_roles = u.realm_roles;
      return user;
    }
  }
  throw std::runtime_error("no seed user " + std::string(username));
}

Grant grant_for(const User& user, std::string_view client_id, std::string_view scope) {
  const Client* client = dev_realm().client(client_id);
  EXPECT_NE(client, nullptr);
  auto now = Clock::now();
  return Grant{client, user, grant_scopes(dev_realm(), *client, scope), "sid-1", "nonce-1", now, now};
}

bool has(const Json& array, std::string_view v) { return std::find(array.begin(), array.end(), v) != array.end(); }

TEST(Pkce, MatchesTheRfc7636AppendixBVector) {
  const std::string verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  const std::string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  EXPECT_TRUE(valid_code_verifier(verifier));
  EXPECT_TRUE(valid_code_challenge(challenge));
  EXPECT_TRUE(pkce_s256_matches(verifier, challenge));
  EXPECT_FALSE(pkce_s256_matches(verifier + "x", challenge));
  EXPECT_FALSE(pkce_s256_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"));
}

TEST(Pkce, RejectsMalformedVerifiers) {
  EXPECT_FALSE(valid_code_verifier(std::string(42, 'a')));   // too short
  EXPECT_FALSE(valid_code_verifier(std::string(129, 'a')));  // too long
  EXPECT_TRUE(valid_code_verifier(std::string(128, 'a')));
  EXPECT_FALSE(valid_code_verifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(valid_code_challenge("short"));
}

TEST(TokenClaims, UserTokensCarryTierGroupsAndDefaultRolesOnly) {
  auto g = grant_for(seed_user("user@yopmail.com"), "login-testing", "openid");
  TokenSettings settings{"http://localhost:8088/realms/event-ticketing", std::chrono::minutes(15)};
  auto c = access_token_claims(dev_realm(), settings, g);
  EXPECT_EQ(c["iss"], settings.issuer);
  EXPECT_EQ(c["typ"], "Bearer");
  EXPECT_EQ(c["azp"], "login-testing");
  EXPECT_EQ(c["sub"], g.user.id.str());
  EXPECT_EQ(c["sid"], "sid-1");
  EXPECT_EQ(c["session_state"], "sid-1");
  EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 900);
  EXPECT_EQ(c["user_groups"], Json({"/Tiers/PRO"}));
  EXPECT_EQ(c["preferred_username"], "user@yopmail.com");
  EXPECT_EQ(c["email"], "user@yopmail.com");
  EXPECT_EQ(c["name"], "Test User");
  EXPECT_EQ(c["given_name"], "Test");
  EXPECT_EQ(c["family_name"], "User");
  EXPECT_EQ(c["email_verified"], true);
  EXPECT_EQ(c["scope"], "openid profile email internal-api");
  const auto& roles = c["realm_access"]["roles"];
  EXPECT_TRUE(has(roles, "default-roles-event-ticketing"));
  EXPECT_TRUE(has(roles, "offline_access"));  // composite of the default role
  EXPECT_FALSE(has(roles, "event_admin"));
}

TEST(TokenClaims, SystemAdminsGetTheAdminRolesFromTheirGroup) {
  auto g = grant_for(seed_user("admin@yopmail.com"), "web-frontend", "openid");
  auto c = access_token_claims(dev_realm(), {"iss", std::chrono::minutes(5)}, g);
  for (const char* r : {"event_admin", "category_admin", "organization_admin"}) {
    EXPECT_TRUE(has(c["realm_access"]["roles"], r)) << r;
  }
  EXPECT_EQ(c["user_groups"], Json({"/Permissions/Users/System Admins", "/Tiers/PRO"}));
  EXPECT_EQ(c["scope"], "openid profile email");  // no internal-api for the web client
  EXPECT_EQ(c["nonce"], "nonce-1");

  auto enterprise = access_token_claims(dev_realm(), {"iss", std::chrono::minutes(5)},
                                        grant_for(seed_user("test_user@yopmail.com"), "web-frontend", "openid"));
  EXPECT_EQ(enterprise["user_groups"], Json({"/Tiers/ENTERPRISE"}));
}

TEST(TokenClaims, IdAndRefreshTokensHaveKeycloakShapes) {
  auto g = grant_for(seed_user("user@yopmail.com"), "web-frontend", "openid");
  TokenSettings settings{"https://issuer.example/realms/event-ticketing", std::chrono::minutes(15)};
  auto id = id_token_claims(dev_realm(), settings, g, "access.token.text");
  EXPECT_EQ(id["typ"], "ID");
  EXPECT_EQ(id["aud"], "web-frontend");
  EXPECT_EQ(id["nonce"], "nonce-1");
  EXPECT_EQ(id["at_hash"], crypto::base64url_encode(crypto::sha256("access.token.text").substr(0, 16)));
  EXPECT_EQ(id["user_groups"], Json({"/Tiers/PRO"}));
  EXPECT_FALSE(id.contains("realm_access"));
  auto refresh = refresh_token_claims(settings, g, g.now + std::chrono::hours(8));
  EXPECT_EQ(refresh["typ"], "Refresh");
  EXPECT_EQ(refresh["aud"], settings.issuer);
  EXPECT_EQ(refresh["sid"], "sid-1");
  EXPECT_EQ(refresh["scope"], "openid profile email");
  EXPECT_EQ(refresh["exp"].get<std::int64_t>() - refresh["iat"].get<std::int64_t>(), 8 * 3600);
}

TEST(TokenClaims, ServiceAccountsCarryInternalApiAndTheirClient) {
  const Client* client = dev_realm().client("order-service");
  ASSERT_NE(client, nullptr);
  User sa = service_account(dev_realm(), *client);
  EXPECT_EQ(sa.id, service_account_id("order-service"));
  EXPECT_NE(sa.id, service_account_id("scheduler-service"));
  auto now = Clock::now();
  Grant g{client, sa, grant_scopes(dev_realm(), *client, ""), "", "", now, now};
  auto c = access_token_claims(dev_realm(), {"iss", std::chrono::minutes(5)}, g);
  EXPECT_EQ(c["preferred_username"], "service-account-order-service");
  EXPECT_EQ(c["azp"], "order-service");
  EXPECT_EQ(c["client_id"], "order-service");
  EXPECT_NE(c["scope"].get<std::string>().find("internal-api"), std::string::npos);
  EXPECT_FALSE(c.contains("sid"));
  EXPECT_FALSE(c.contains("user_groups"));
}

TEST(TokenClaims, OptionalScopesOnlyWhenRequested) {
  const Client* web = dev_realm().client("web-frontend");
  EXPECT_FALSE(grant_scopes(dev_realm(), *web, "openid").has("offline_access"));
  auto g = grant_scopes(dev_realm(), *web, "openid offline_access internal-api");
  EXPECT_TRUE(g.has("offline_access"));
  EXPECT_FALSE(g.has("internal-api"));  // neither default nor optional for this client
  EXPECT_EQ(g.claim, "openid profile email offline_access");
  EXPECT_FALSE(grant_scopes(dev_realm(), *web, "profile").openid);
}

}  // namespace
}  // namespace ticketly::idp
