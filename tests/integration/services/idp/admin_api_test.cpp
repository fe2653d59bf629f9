// The subset of Keycloak's admin REST API another service uses to invite staff.
#include <gtest/gtest.h>

#include <memory>

#include "idp_test_support.h"
#include "support/test_app.h"

namespace ticketly::idp::testing {
namespace {

using ticketly::testing::TestApp;

const std::string kUsers = "/admin/realms/event-ticketing/users";

class IdpAdmin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = TestApp::start({"idp"}); }
  static void TearDownTestSuite() { app_.reset(); }
  std::uint16_t port() const { return app_->port(); }
  Headers auth() const {
    static std::string token;
    if (token.empty()) token = service_token(port(), app_->source(), "event-command-service").json()["access_token"];
    return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
  }
  HttpResult create(const Json& body) { return http_request(port(), "POST", kUsers, body.dump(), auth()); }

  static std::unique_ptr<TestApp> app_;
};
std::unique_ptr<TestApp> IdpAdmin::app_;

TEST_F(IdpAdmin, CreatesFindsAndGetsUsersLikeKeycloak) {
  auto r = create({{"username", "Staff.One@Example.com"},
                   {"email", "Staff.One@Example.com"},
                   {"firstName", "Staff"},
                   {"lastName", "One"},
                   {"enabled", true},
                   {"groups", {"/Tiers/PRO"}},
                   {"credentials", {{{"type", "password"}, {"value", "s3cret-pw"}, {"temporary", false}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto location = r.header("location");
  ASSERT_EQ(location.rfind("http://localhost:8088" + kUsers + "/", 0), 0u) << location;
  std::string id = location.substr(location.rfind('/') + 1);
  ASSERT_TRUE(Uuid::parse(id));

  auto by_email = http_request(port(), "GET", kUsers + "?email=staff.one%40example.com&exact=true", "", auth());
  ASSERT_EQ(by_email.status, 200) << by_email.body;
  ASSERT_EQ(by_email.json().size(), 1u);
  auto rep = by_email.json()[0];
  EXPECT_EQ(rep["id"], id);
  EXPECT_EQ(rep["username"], "staff.one@example.com");  // Keycloak lowercases
  EXPECT_EQ(rep["email"], "staff.one@example.com");
  EXPECT_EQ(rep["firstName"], "Staff");
  EXPECT_EQ(rep["enabled"], true);
  EXPECT_TRUE(rep["createdTimestamp"].is_number_integer());

  EXPECT_EQ(http_request(port(), "GET", kUsers + "?username=staff.one%40example.com", "", auth()).json().size(), 1u);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "?email=staff.one&exact=true", "", auth()).json().size(), 0u);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "?search=staff", "", auth()).json().size(), 1u);
  EXPECT_GE(http_request(port(), "GET", kUsers + "?max=100", "", auth()).json().size(), 4u);  // + the seed users
  auto get = http_request(port(), "GET", kUsers + "/" + id, "", auth());
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(get.json()["username"], "staff.one@example.com");

  // The new user signs in, with the default tier and the groups asked for.
  auto t = password_grant(port(), "staff.one@example.com", "s3cret-pw");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(claims_of(t.json()["access_token"])["user_groups"], Json({"/Tiers/FREE", "/Tiers/PRO"}));
  EXPECT_EQ(claims_of(t.json()["access_token"])["sub"], id);

  auto dup_username = create({{"username", "STAFF.ONE@example.com"}, {"enabled", true}});
  EXPECT_EQ(dup_username.status, 409);
  EXPECT_EQ(dup_username.json()["errorMessage"], "User exists with same username");
  auto dup_email = create({{"username", "someone-else"}, {"email", "staff.one@example.com"}});
  EXPECT_EQ(dup_email.status, 409);
  EXPECT_EQ(dup_email.json()["errorMessage"], "User exists with same email");
  EXPECT_EQ(create({{"username", "user@yopmail.com"}}).status, 409);  // a seed user
}

TEST_F(IdpAdmin, UsersCreatedWithoutEnabledAreDisabledAsInKeycloak) {
  auto r = create({{"username", "pending-staff"}, {"credentials", {{{"type", "password"}, {"value", "pw-123456"}}}}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto t = password_grant(port(), "pending-staff", "pw-123456");
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(t.json()["error_description"], "Account disabled");
}

TEST_F(IdpAdmin, OnlyServiceAccountsMayCallIt) {
  EXPECT_EQ(http_request(port(), "GET", kUsers).status, 401);
  EXPECT_EQ(http_request(port(), "GET", kUsers, "", {{"Authorization", "Bearer nope"}}).status, 401);
  auto user = password_grant(port(), "admin@yopmail.com", "admin123").json()["access_token"].get<std::string>();
  auto r = http_request(port(), "GET", kUsers, "", {{"Authorization", "Bearer " + user}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(http_request(port(), "POST", kUsers, R"({"username":"x"})",
                         {{"Authorization", "Bearer " + user}, {"Content-Type", "application/json"}})
                .status,
            403);
}

TEST_F(IdpAdmin, OnlyClientsGrantedRealmManagementRolesMayCallIt) {
  // Only event-command-service invites staff; the other service clients hold no
  // realm-management roles, so their tokens cannot create (or list) users.
  for (const char* client : {"scheduler-service", "order-service", "event-query-service"}) {
    const std::string token = service_token(port(), app_->source(), client).json()["access_token"];
    const Headers headers = {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
    Json admin = {{"username", std::string("mallory-") + client},
                  {"enabled", true},
                  {"groups", {"/Permissions/Users/System Admins"}},
                  {"credentials", {{{"type", "password"}, {"value", "pw-123456"}}}}};
    auto r = http_request(port(), "POST", kUsers, admin.dump(), headers);
    EXPECT_EQ(r.status, 403) << client << " " << r.body;
    EXPECT_NE(r.json().value("errorMessage", "").find("realm-management"), std::string::npos) << r.body;
    EXPECT_EQ(http_request(port(), "GET", kUsers + "?max=1", "", headers).status, 403) << client;
    EXPECT_NE(password_grant(port(), std::string("mallory-") + client, "pw-123456").status, 200) << client;
  }
}

TEST_F(IdpAdmin, RefusesGroupsThatGrantRealmRoles) {
  // Even the inviting service cannot make an administrator; tier groups stay allowed.
  auto r = create({{"username", "would-be-admin"}, {"enabled", true}, {"groups", {"/Permissions/Users/System Admins"}}});
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_NE(r.json().value("errorMessage", "").find("System Admins"), std::string::npos) << r.body;
  EXPECT_EQ(http_request(port(), "GET", kUsers + "?username=would-be-admin&exact=true", "", auth()).json().size(), 0u);
  EXPECT_EQ(create({{"username", "tiered-staff"}, {"groups", {"/Tiers/ENTERPRISE"}}}).status, 201);
}

TEST_F(IdpAdmin, RejectsBadRepresentationsWithoutServerErrors) {
  EXPECT_EQ(http_request(port(), "POST", kUsers, "{not json", auth()).status, 400);
  EXPECT_EQ(create(Json::array()).status, 400);
  EXPECT_EQ(create(Json::object()).status, 400);  // no username, no email
  EXPECT_EQ(create({{"username", "x1"}, {"groups", {"/Tiers/GOLD"}}}).status, 400);
  EXPECT_EQ(create({{"username", "x2"}, {"email", "not-an-email"}}).status, 400);
  EXPECT_EQ(create({{"username", 42}}).status, 400);
  EXPECT_EQ(create({{"username", "x3"}, {"enabled", "yes"}}).status, 400);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "/" + Uuid::random().str(), "", auth()).status, 404);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "/not-a-uuid", "", auth()).status, 404);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "?max=-1", "", auth()).status, 400);
  EXPECT_EQ(http_request(port(), "GET", kUsers + "?exact=maybe", "", auth()).status, 400);
}

}  // namespace
}  // namespace ticketly::idp::testing
