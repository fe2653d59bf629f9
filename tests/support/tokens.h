#pragma once
// Tokens from the development identity provider of a running TestApp, the way the
// reference's test suites get them (password grant on `login-testing`).
#include <cstdint>
#include <string>

#include "support/http_client.h"
#include "support/test_app.h"

namespace ticketly::testing {

// Seed users of deploy/keycloak/dev-realm.json.
inline constexpr const char* kAdminUser = "admin@yopmail.com";      // system admin, PRO
inline constexpr const char* kAdminPassword = "admin123";
inline constexpr const char* kProUser = "user@yopmail.com";         // PRO
inline constexpr const char* kProPassword = "user123";
inline constexpr const char* kEnterpriseUser = "test_user@yopmail.com";  // ENTERPRISE
inline constexpr const char* kEnterprisePassword = "test123";

// An access token for a user (fails the test when the provider refuses).
std::string user_token(std::uint16_t port, const std::string& username, const std::string& password);
// An access token of a confidential service client ("order-service", …).
std::string service_token(const TestApp& app, const std::string& client_id);
// A FREE-tier user created through the provider's admin API (unique email), and its token.
struct CreatedUser {
  std::string id;
  std::string email;
  std::string token;
};
CreatedUser create_user(const TestApp& app, const std::string& email_prefix = "user");

// {"Authorization": "Bearer <token>"}, plus any extra headers.
Headers bearer(const std::string& token, Headers extra = {});

}  // namespace ticketly::testing
