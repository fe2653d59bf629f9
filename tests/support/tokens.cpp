#include "support/tokens.h"

#include <gtest/gtest.h>

#include <atomic>

#include "platform/crypto/crypto.h"
#include "platform/http/client.h"
#include "services/idp/idp_service.h"

namespace ticketly::testing {
namespace {

constexpr const char* kTokenPath = "/realms/event-ticketing/protocol/openid-connect/token";

std::string token_request(std::uint16_t port, const http::HeaderList& form) {
  auto r = http_request(port, "POST", kTokenPath, http::form_encode(form),
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? r.json().value("access_token", "") : "";
}

}  // namespace

std::string user_token(std::uint16_t port, const std::string& username, const std::string& password) {
  return token_request(port, {{"grant_type", "password"},
                              {"client_id", "login-testing"},
                              {"username", username},
                              {"password", password}});
}

std::string service_token(const TestApp& app, const std::string& client_id) {
  return token_request(app.port(), {{"grant_type", "client_credentials"},
                                    {"client_id", client_id},
                                    {"client_secret", idp::client_secret(app.source(), client_id)}});
}

CreatedUser create_user(const TestApp& app, const std::string& email_prefix) {
  static std::atomic<int> counter{0};
  CreatedUser u;
  u.email = email_prefix + "-" + std::to_string(++counter) + "-" + crypto::hex_encode(crypto::random_bytes(4)) +
            "@example.com";
  const std::string password = "Secret-" + crypto::random_token(6);
  json::Json rep = {{"username", u.email},
                    {"email", u.email},
                    {"firstName", "Test"},
                    {"lastName", "User"},
                    {"enabled", true},
                    {"credentials", {{{"type", "password"}, {"value", password}, {"temporary", false}}}}};
  auto admin = service_token(app, "event-command-service");
  auto r = http_request(app.port(), "POST", "/admin/realms/event-ticketing/users", rep.dump(),
                        bearer(admin, {{"Content-Type", "application/json"}}));
  EXPECT_EQ(r.status, 201) << r.body;
  auto location = r.header("location");
  u.id = location.substr(location.rfind('/') + 1);
  u.token = user_token(app.port(), u.email, password);
  return u;
}

Headers bearer(const std::string& token, Headers extra) {
  extra.emplace_back("Authorization", "Bearer " + token);
  return extra;
}

}  // namespace ticketly::testing
