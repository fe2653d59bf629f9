// Identity end to end: tokens from the built-in development provider are accepted by
// a protected route of every service; forged ones, and user tokens on internal
// routes, are not.
#include <gtest/gtest.h>

#include "platform/crypto/crypto.h"
#include "platform/http/client.h"
#include "services/idp/idp_service.h"
#include "support/http_client.h"
#include "support/test_app.h"

namespace ticketly {
namespace {

using testing::http_request;
using testing::TestApp;

constexpr const char* kBases[] = {"/api/event-seating", "/api/event-query", "/api/order", "/api/scheduler"};
constexpr const char* kTokenPath = "/realms/event-ticketing/protocol/openid-connect/token";

std::string token_from(std::uint16_t port, const http::HeaderList& form) {
  auto r = http_request(port, "POST", kTokenPath, http::form_encode(form),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json().value("access_token", "");
}

std::string password_token(std::uint16_t port, const std::string& user, const std::string& password) {
  return token_from(port, {{"grant_type", "password"},
                           {"client_id", "login-testing"},
                           {"username", user},
                           {"password", password}});
}

testing::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = TestApp::start(); }
  static void TearDownTestSuite() { app_.reset(); }
  static std::unique_ptr<TestApp> app_;
  std::uint16_t port() const { return app_->port(); }
};
std::unique_ptr<TestApp> AuthTest::app_;

TEST_F(AuthTest, PasswordGrantTokenIsAcceptedByEveryService) {
  auto token = password_token(port(), "user@yopmail.com", "user123");
  ASSERT_FALSE(token.empty());
  for (const char* base : kBases) {
    auto r = http_request(port(), "GET", std::string(base) + "/whoami", "", bearer(token));
    ASSERT_EQ(r.status, 200) << base << ": " << r.body;
    auto me = r.json();
    EXPECT_EQ(me["email"], "user@yopmail.com") << base;
    EXPECT_EQ(me["tier"], "PRO") << base;
    EXPECT_EQ(me["systemAdmin"], false) << base;
    EXPECT_EQ(me["serviceAccount"], false) << base;
  }
}

TEST_F(AuthTest, AdminAndEnterpriseUsersCarryTheirGroups) {
  auto admin = http_request(port(), "GET", "/api/order/whoami", "",
                            bearer(password_token(port(), "admin@yopmail.com", "admin123")));
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.json()["systemAdmin"], true);
  EXPECT_NE(admin.json()["roles"].dump().find("event_admin"), std::string::npos);
  auto enterprise = http_request(port(), "GET", "/api/order/whoami", "",
                                 bearer(password_token(port(), "test_user@yopmail.com", "test123")));
  EXPECT_EQ(enterprise.json()["tier"], "ENTERPRISE");
}

TEST_F(AuthTest, MissingTokenIs401WithChallenge) {
  for (const char* base : kBases) {
    auto r = http_request(port(), "GET", std::string(base) + "/whoami");
    EXPECT_EQ(r.status, 401) << base;
    EXPECT_EQ(r.header("www-authenticate").rfind("Bearer", 0), 0u) << base;
    EXPECT_EQ(r.json()["status"], 401);
  }
}

TEST_F(AuthTest, ForgedTokensAre401) {
  auto token = password_token(port(), "user@yopmail.com", "user123");
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  auto payload = crypto::base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)).value();
  auto claims = json::Json::parse(payload);
  claims["email"] = "admin@yopmail.com";
  std::string tampered = token.substr(0, dot1 + 1) + crypto::base64url_encode(claims.dump()) + token.substr(dot2);
  std::string unsigned_token = crypto::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                               token.substr(dot1 + 1, dot2 - dot1 - 1) + ".";
  for (const std::string& bad : {tampered, unsigned_token, std::string("not-a-jwt"), token + "x"}) {
    auto r = http_request(port(), "GET", "/api/event-seating/whoami", "", bearer(bad));
    EXPECT_EQ(r.status, 401) << bad;
    EXPECT_NE(r.header("www-authenticate").find("invalid_token"), std::string::npos);
  }
}

TEST_F(AuthTest, InternalRoutesTakeServiceAccountsOnly) {
  // login-testing puts internal-api into user tokens too; that must not open internal routes.
  auto user = password_token(port(), "user@yopmail.com", "user123");
  auto r = http_request(port(), "GET", "/api/order/internal/whoami", "", bearer(user));
  EXPECT_EQ(r.status, 403) << r.body;

  auto service = token_from(port(), {{"grant_type", "client_credentials"},
                                     {"client_id", "order-service"},
                                     {"client_secret", idp::client_secret(app_->source(), "order-service")}});
  ASSERT_FALSE(service.empty());
  for (const char* base : kBases) {
    auto ok = http_request(port(), "GET", std::string(base) + "/internal/whoami", "", bearer(service));
    EXPECT_EQ(ok.status, 200) << base << ": " << ok.body;
    EXPECT_EQ(ok.json()["serviceAccount"], true);
  }
  EXPECT_EQ(http_request(port(), "GET", "/api/order/internal/whoami").status, 401);
}

TEST(AuthExternalIssuer, TokensOfAnotherIssuerAreRefused) {
  // A process that trusts an external issuer does not start the built-in provider and
  // does not accept what such a provider signs elsewhere.
  TestApp app({"order"}, {}, {{"TICKETLY_AUTH_ISSUER", "http://127.0.0.1:1/realms/other"}});
  EXPECT_EQ(http_request(app.port(), "GET", "/realms/event-ticketing/.well-known/openid-configuration").status, 404);
  auto r = http_request(app.port(), "GET", "/api/order/whoami", "", bearer("a.b.c"));
  EXPECT_EQ(r.status, 401);
}

}  // namespace
}  // namespace ticketly
