// Route guards: 401 without or with a bad token, 403 without the role or service identity.
#include "platform/auth/guards.h"

#include <gtest/gtest.h>

#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;

class GuardTest : public PoolFixture {
 protected:
  GuardTest() {
    VerifierOptions o;
    o.issuer = kIssuer;
    o.service_clients = {"order-service"};
    verifier = std::make_unique<Verifier>(o, std::make_shared<CountingKeySource>(jwks({rsa_jwk()})), clock.fn());
    run(verifier->refresh_keys());
  }

  static http::Request request(std::string_view authorization) {
    http::Request req;
    if (!authorization.empty()) req.message.set(http::Field::authorization, authorization);
    return req;
  }
  std::string token(const json& claims) { return sign_jwt(rsa_key(), "RS256", "rsa1", claims); }
  std::string bearer(const json& claims) { return "Bearer " + token(claims); }

  // Runs the guard; the request keeps what the guard set.
  void pass(const http::Guard& guard, http::Request& req) { run(guard(req)); }
  Error fail(const http::Guard& guard, http::Request& req) { return error_of(*this, guard(req)); }

  TestClock clock;
  std::unique_ptr<Verifier> verifier;
};

TEST_F(GuardTest, MissingHeaderIs401WithBearerChallenge) {
  http::Request req = request("");
  Error e = fail(authenticated(*verifier), req);
  EXPECT_EQ(e.status(), 401);
  EXPECT_EQ(header_value(e, "WWW-Authenticate"), "Bearer realm=\"ticketly\"");
  EXPECT_FALSE(req.principal);

  for (const char* other : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Bearertoken", "Token abc"}) {
    http::Request r = request(other);
    Error err = fail(authenticated(*verifier), r);
    EXPECT_EQ(err.status(), 401) << other;
    EXPECT_EQ(header_value(err, "WWW-Authenticate"), "Bearer realm=\"ticketly\"") << other;
  }
}

TEST_F(GuardTest, ValidTokenSetsThePrincipal) {
  http::Request req = request(bearer(user_claims(clock.seconds())));
  pass(authenticated(*verifier), req);
  ASSERT_TRUE(req.principal);
  EXPECT_EQ(principal_of(req).subject, kUserId);

  http::Request lower = request("bearer  " + token(user_claims(clock.seconds())) + " ");
  pass(authenticated(*verifier), lower);
  EXPECT_TRUE(lower.principal);
}

TEST_F(GuardTest, InvalidTokenIs401WithInvalidTokenChallenge) {
  json expired = user_claims(clock.seconds() - 1000);
  http::Request req = request(bearer(expired));
  Error e = fail(authenticated(*verifier), req);
  EXPECT_EQ(e.status(), 401);
  EXPECT_NE(header_value(e, "WWW-Authenticate").find("error=\"invalid_token\""), std::string::npos);
  EXPECT_FALSE(req.principal);
}

TEST_F(GuardTest, MissingRoleIs403) {
  http::Request req = request(bearer(user_claims(clock.seconds())));
  Error e = fail(require_role(*verifier, "event_admin"), req);
  EXPECT_EQ(e.status(), 403);
  EXPECT_STREQ(e.what(), "requires role event_admin");

  http::Request none = request("");
  EXPECT_EQ(fail(require_role(*verifier, "event_admin"), none).status(), 401);  // 401 before 403
}

TEST_F(GuardTest, RoleFromRealmAccessOrSystemAdminPasses) {
  json organiser = user_claims(clock.seconds());
  organiser["realm_access"]["roles"].push_back("event_admin");
  http::Request req = request(bearer(organiser));
  pass(require_role(*verifier, "event_admin"), req);

  json admin = user_claims(clock.seconds());
  admin["user_groups"] = {"/Permissions/Users/System Admins"};
  http::Request a = request(bearer(admin));
  pass(require_role(*verifier, "organization_admin"), a);
  EXPECT_TRUE(principal_of(a).system_admin);
}

TEST_F(GuardTest, AnyRoleNeedsOneOfThem) {
  json c = user_claims(clock.seconds());
  c["realm_access"]["roles"].push_back("category_admin");
  http::Request req = request(bearer(c));
  pass(require_any_role(*verifier, {"event_admin", "category_admin"}), req);

  http::Request other = request(bearer(user_claims(clock.seconds())));
  Error e = fail(require_any_role(*verifier, {"event_admin", "category_admin"}), other);
  EXPECT_EQ(e.status(), 403);
  EXPECT_STREQ(e.what(), "requires one of the roles event_admin, category_admin");
}

TEST_F(GuardTest, UserTokenWithInternalApiScopeIsRefusedOnInternalRoutes) {
  json c = user_claims(clock.seconds());
  c["scope"] = "openid internal-api";
  http::Request req = request(bearer(c));
  Error e = fail(internal_service(*verifier), req);
  EXPECT_EQ(e.status(), 403);
  EXPECT_NE(header_value(e, "WWW-Authenticate").find("insufficient_scope"), std::string::npos);

  // Not even a system admin.
  c["user_groups"] = {"/Permissions/Users/System Admins"};
  http::Request admin = request(bearer(c));
  EXPECT_EQ(fail(internal_service(*verifier), admin).status(), 403);
}

TEST_F(GuardTest, ServiceTokenPassesInternalRoutes) {
  http::Request req = request(bearer(service_claims(clock.seconds())));
  pass(internal_service(*verifier), req);
  EXPECT_TRUE(principal_of(req).service_account);

  json no_scope = service_claims(clock.seconds());
  no_scope["scope"] = "profile email";
  http::Request a = request(bearer(no_scope));
  EXPECT_EQ(fail(internal_service(*verifier), a).status(), 403);

  http::Request b = request(bearer(service_claims(clock.seconds(), "unknown-client")));
  EXPECT_EQ(fail(internal_service(*verifier), b).status(), 403);

  http::Request none = request("");
  EXPECT_EQ(fail(internal_service(*verifier), none).status(), 401);
}

TEST_F(GuardTest, OptionalAuthenticationLeavesAnonymousRequestsAlone) {
  http::Request anonymous = request("");
  pass(optional_authentication(*verifier), anonymous);
  EXPECT_FALSE(anonymous.principal);

  http::Request basic = request("Basic dXNlcjpwYXNz");
  pass(optional_authentication(*verifier), basic);
  EXPECT_FALSE(basic.principal);

  http::Request good = request(bearer(user_claims(clock.seconds())));
  pass(optional_authentication(*verifier), good);
  EXPECT_TRUE(good.principal);

  http::Request bad = request("Bearer not.a.token");
  EXPECT_EQ(fail(optional_authentication(*verifier), bad).status(), 401);
}

TEST(Guards, PrincipalOfWithoutGuardIs401) {
  http::Request req;
  try {
    principal_of(req);
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 401);
  }
}

TEST(Guards, SelfOrAdmin) {
  Principal user;
  user.subject = kUserId;
  EXPECT_EQ(require_self_or_admin(user, kUserId), kUserId);
  // The same id in capitals is the same user: the id to act for is the subject as stored.
  EXPECT_EQ(require_self_or_admin(user, "6F1C2A34-5B6D-4E7F-8A9B-0C1D2E3F4A5B"), kUserId);
  try {
    require_self_or_admin(user, "0b7e5a1c-2d3e-4f50-9a8b-7c6d5e4f3a2b");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 403);
  }
  Principal admin;
  admin.subject = "0b7e5a1c-2d3e-4f50-9a8b-7c6d5e4f3a2b";
  admin.system_admin = true;
  EXPECT_EQ(require_self_or_admin(admin, kUserId), kUserId);
  EXPECT_EQ(require_self_or_admin(admin, "6F1C2A34-5B6D-4E7F-8A9B-0C1D2E3F4A5B"), kUserId);  // canonical
  EXPECT_EQ(require_self_or_admin(admin, "not-a-uuid"), "not-a-uuid");
  Principal nobody;  // an empty subject matches nothing
  EXPECT_THROW(require_self_or_admin(nobody, ""), Error);
}

TEST(Guards, ParsesBearerHeaders) {
  EXPECT_EQ(bearer_token("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(bearer_token("BEARER  abc "), "abc");
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_FALSE(bearer_token("Bearerabc"));
  EXPECT_FALSE(bearer_token("Basic abc"));
  EXPECT_FALSE(bearer_token(""));
}

}  // namespace
}  // namespace ticketly::auth
