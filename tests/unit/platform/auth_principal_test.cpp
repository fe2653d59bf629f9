// from_claims: Keycloak claims → Principal (tiers, admin roles, scopes, service accounts).
#include "platform/auth/principal.h"

#include <gtest/gtest.h>

#include "platform/auth/verifier.h"
#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;

VerifierOptions service_options() {
  VerifierOptions o;
  o.issuer = kIssuer;
  o.service_clients = {"order-service", "scheduler-service"};
  return o;
}

Principal with_groups(json groups) {
  json c = user_claims(1772366400);
  c["user_groups"] = std::move(groups);
  return from_claims(c, service_options());
}

TEST(PrincipalFromClaims, TakesTheHighestTier) {
  EXPECT_EQ(with_groups({"/Tiers/PRO"}).tier, "PRO");
  EXPECT_EQ(with_groups({"/Tiers/PRO", "/Tiers/ENTERPRISE", "/Tiers/FREE"}).tier, "ENTERPRISE");
  EXPECT_EQ(with_groups({"/Tiers/ENTERPRISE", "/Tiers/PRO"}).tier, "ENTERPRISE");
  EXPECT_EQ(with_groups({"/Tiers/FREE"}).tier, "FREE");
}

TEST(PrincipalFromClaims, DefaultsToFreeAndIgnoresUnknownTiers) {
  EXPECT_EQ(with_groups(json::array()).tier, "FREE");
  EXPECT_EQ(with_groups({"/Tiers/GOLD", "/Tiers/pro", "/Other/PRO"}).tier, "FREE");
  EXPECT_EQ(with_groups({"/Tiers/GOLD", "/Tiers/PRO"}).tier, "PRO");
  json c = user_claims(1772366400);
  c.erase("user_groups");
  EXPECT_EQ(from_claims(c, service_options()).tier, "FREE");
}

TEST(PrincipalFromClaims, SystemAdminGroupGrantsAdminRolesOnce) {
  json c = user_claims(1772366400);
  c["user_groups"] = {"/Permissions/Users/System Admins"};
  c["realm_access"]["roles"] = {"event_admin", "offline_access"};
  const Principal p = from_claims(c, service_options());
  EXPECT_TRUE(p.system_admin);
  EXPECT_EQ(std::count(p.realm_roles.begin(), p.realm_roles.end(), "event_admin"), 1);
  EXPECT_TRUE(p.has_role("category_admin"));
  EXPECT_TRUE(p.has_role("organization_admin"));
  EXPECT_TRUE(p.has_role("offline_access"));

  const Principal user = with_groups({"/Permissions/Users/Readers"});
  EXPECT_FALSE(user.system_admin);
  EXPECT_FALSE(user.has_role("event_admin"));
}

TEST(PrincipalFromClaims, SplitsScopesOnSpaces) {
  json c = user_claims(1772366400);
  c["scope"] = "  openid   internal-api email ";
  const Principal p = from_claims(c, service_options());
  EXPECT_EQ(p.scopes, (std::vector<std::string>{"openid", "internal-api", "email"}));
  EXPECT_TRUE(p.has_scope("internal-api"));
  EXPECT_FALSE(p.has_scope("internal"));
}

TEST(PrincipalFromClaims, DetectsServiceAccountsOfConfiguredClientsOnly) {
  EXPECT_TRUE(from_claims(service_claims(0, "order-service"), service_options()).service_account);
  EXPECT_TRUE(from_claims(service_claims(0, "scheduler-service"), service_options()).service_account);
  EXPECT_FALSE(from_claims(service_claims(0, "someone-elses-client"), service_options()).service_account);

  // A user who names themselves like a service account is still a user.
  json c = user_claims(0);
  c["preferred_username"] = "service-account-order-service";
  EXPECT_FALSE(from_claims(c, service_options()).service_account);  // azp is web-frontend

  // A configured client's token for a user (not its service account) is no service either.
  json u = service_claims(0);
  u["preferred_username"] = "user1";
  EXPECT_FALSE(from_claims(u, service_options()).service_account);

  // client_id stands in for a missing azp.
  json s = service_claims(0);
  s.erase("azp");
  const Principal p = from_claims(s, service_options());
  EXPECT_TRUE(p.service_account);
  EXPECT_EQ(p.authorized_party, "order-service");
}

TEST(PrincipalFromClaims, ToleratesMissingAndMistypedOptionalClaims) {
  const Principal empty = from_claims(json::object(), service_options());
  EXPECT_TRUE(empty.subject.empty());
  EXPECT_TRUE(empty.realm_roles.empty());
  EXPECT_EQ(empty.tier, "FREE");
  EXPECT_FALSE(empty.service_account);
  EXPECT_FALSE(empty.user_id());

  const json odd = {
      {"sub", 42},  {"email", nullptr}, {"realm_access", "admin"}, {"user_groups", "/Tiers/PRO"},  // a single string
      {"scope", 7}, {"exp", "soon"}};
  const Principal p = from_claims(odd, service_options());
  EXPECT_TRUE(p.subject.empty());
  EXPECT_TRUE(p.email.empty());
  EXPECT_TRUE(p.realm_roles.empty());
  EXPECT_EQ(p.tier, "PRO");
  EXPECT_TRUE(p.scopes.empty());
  EXPECT_EQ(p.expires_at, Timestamp{});

  json mixed = user_claims(0);
  mixed["user_groups"] = {1, "/Tiers/ENTERPRISE", nullptr};
  EXPECT_EQ(from_claims(mixed, service_options()).tier, "ENTERPRISE");
}

TEST(PrincipalFromClaims, UserIdIsTheSubjectWhenItIsAUuid) {
  json c = user_claims(0);
  EXPECT_EQ(from_claims(c, service_options()).user_id()->str(), kUserId);
  c["sub"] = "f:0b2a:user1";  // a federated id
  EXPECT_FALSE(from_claims(c, service_options()).user_id());
}

}  // namespace
}  // namespace ticketly::auth
