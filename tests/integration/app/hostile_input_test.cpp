// Every route of the all-in-one server answers hostile input with a 4xx in the JSON error
// envelope, never a 5xx, and every guarded one wants a valid token:
// bodies of the wrong shape or with every common field of the wrong type, nesting past
// the limit, numbers beyond a double, malformed query parameters, unknown ids. The sweep
// walks the router's own table, so a route added later is covered without editing this
// file. The parsers underneath are fuzzed on their own (tests/fuzz); this checks the
// handlers that call them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/application.h"
#include "platform/http/router.h"
#include "support/http_client.h"
#include "support/test_app.h"
#include "support/tokens.h"

namespace ticketly::testing {
namespace {

// A concrete path for a route pattern: every parameter filled with a value of its type
// that names nothing that exists.
std::string path_for(const std::string& pattern) {
  std::string path;
  std::size_t i = 0;
  while (i < pattern.size()) {
    if (pattern[i] != '{') {
      path += pattern[i++];
      continue;
    }
    const auto close = pattern.find('}', i);
    const std::string param = pattern.substr(i + 1, close - i - 1);
    if (param.ends_with(":uuid")) {
      path += Uuid::random().str();
    } else if (param.ends_with(":int")) {
      path += "999999999999";
    } else if (param.ends_with(":*")) {
      path += "a/b";
    } else {
      path += "x";
    }
    i = close + 1;
  }
  return path;
}

// Streams hold the connection open by design: their inputs are checked in their suites.
bool is_stream(const std::string& pattern) {
  return pattern.find("/sse/") != std::string::npos || pattern.find("/stream") != std::string::npos;
}

// Field names the DTOs of API.md read, each given a value of the wrong type.
std::string wrong_types_body() {
  json::Json body = json::Json::object();
  int n = 0;
  for (const char* field :
       {"name", "title", "description", "overview", "id", "organizationId", "categoryId", "parentId", "tiers",
        "sessions", "discounts", "layoutData", "venueDetails", "seat_ids", "event_id", "session_id",
        "organization_id", "discount_id", "qr", "qrCode", "ticket_id", "code", "email", "username", "password",
        "roles", "role", "userId", "user_id", "status", "reason", "parameters", "startTime", "endTime",
        "salesStartTime", "price", "color", "website", "page", "size", "coverPhotos", "sessionType", "maxUsage",
        "isActive", "isPublic", "applicableTierIds", "firstName", "lastName", "enabled", "groups", "credentials",
        "tierId", "seatIds", "amount", "currency"}) {
    // Rotate through the types that are wrong for most fields.
    static const json::Json kWrong[] = {json::Json(5), json::Json::array({1, 2}), json::Json::object({{"x", 1}}),
                                        json::Json(true), json::Json("not-a-valid-value")};
    body[field] = kWrong[n++ % 5];
  }
  return body.dump();
}

// DESIGN.md §6: a refusal is the JSON envelope {status, error, message, path, timestamp},
// whose message the web client shows. The identity provider answers as Keycloak does
// (OAuth's {error, error_description}, its admin API's {error, errorMessage}, HTML pages for
// the browser), so it is left out.
std::string envelope_problem(const std::string& pattern, const std::string& path, const HttpResult& res) {
  if (pattern.starts_with("/realms/") || pattern.starts_with("/admin/realms/")) return "";
  const auto body = json::Json::parse(res.body, nullptr, false);
  if (!body.is_object()) return "a refusal that is not a JSON object";
  if (body.value("status", 0) != res.status) return "an envelope whose status differs from the response's";
  const auto message = body.find("message");
  if (message == body.end() || !message->is_string() || message->get<std::string>().empty()) {
    return "an envelope without a message";
  }
  if (body.value("path", "") != path) return "an envelope whose path is not the request's";
  if (!body.contains("error") || !body.contains("timestamp")) return "an envelope without error or timestamp";
  return "";
}

std::vector<std::string> hostile_bodies() {
  return {"{}",
          "[]",
          "\"text\"",
          "null",
          "{\"a\":",
          std::string(200, '[') + std::string(200, ']'),
          R"({"price":1e400,"name":"x"})",
          wrong_types_body()};
}

class HostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { app_ = TestApp::start(); }
  static void TearDownTestSuite() { app_.reset(); }
  static std::unique_ptr<TestApp> app_;
};
std::unique_ptr<TestApp> HostileInput::app_;

TEST_F(HostileInput, EveryRouteRefusesWithAnEnvelopeNeverAServerError) {
  const std::uint16_t port = app_->port();
  // Who may reach a handler differs per route: an administrator, an ordinary user, a
  // service account (internal routes). Each tries everything.
  const std::vector<std::string> tokens{user_token(port, kAdminUser, kAdminPassword),
                                        user_token(port, kProUser, kProPassword),
                                        service_token(*app_, "scheduler-service")};
  const auto bodies = hostile_bodies();
  const std::string bad_query = "?page=abc&size=-5&sort=bogus,sideways&dateFrom=yesterday&latitude=north"
                                "&priceMin=cheap&status=WHATEVER&limit=-1&from=x&to=y";
  std::vector<std::string> failures;
  std::size_t requests = 0, routes = 0;
  for (const auto& route : app_->app().router().routes()) {
    if (is_stream(route->pattern)) continue;
    ++routes;
    const std::string method(boost::beast::http::to_string(route->method));
    const bool has_body = route->method == http::Verb::post || route->method == http::Verb::put ||
                          route->method == http::Verb::patch;
    for (const auto& token : tokens) {
      const std::string path = path_for(route->pattern);
      struct Attempt {
        std::string target, body, content_type = "application/json";
      };
      std::vector<Attempt> attempts{{path + bad_query, ""}};
      if (has_body) {
        for (const auto& body : bodies) attempts.push_back({path, body});
        // Uploads (a file that is no image, a part without its end) and the identity
        // provider's forms (a broken escape, a grant it does not know).
        attempts.push_back({path,
                            "--zz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
                            "not a png\r\n--zz--\r\n",
                            "multipart/form-data; boundary=zz"});
        attempts.push_back({path, "--zz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nno end",
                            "multipart/form-data; boundary=zz"});
        attempts.push_back({path, "grant_type=bogus&client_id=%zz&username=&password", "application/x-www-form-urlencoded"});
      }
      for (const auto& a : attempts) {
        const auto res = http_request(port, method, a.target, a.body, bearer(token, {{"Content-Type", a.content_type}}));
        ++requests;
        const std::string problem = res.status >= 500 || res.status == 0 ? "a server error"
                                    : res.status >= 400                  ? envelope_problem(route->pattern, path, res)
                                                                         : "";
        if (!problem.empty()) {
          failures.push_back(problem + ": " + method + " " + a.target + " [" + a.content_type + "] " +
                             a.body.substr(0, 80) + " -> " + std::to_string(res.status) + " " + res.body.substr(0, 200));
        }
      }
    }
  }
  EXPECT_GT(routes, 100u);  // the whole table was walked, every service's routes
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << requests << " requests were answered wrongly:\n"
                                << [&] {
                                     std::string all;
                                     for (const auto& f : failures) all += f + "\n";
                                     return all;
                                   }();
}

// Headers the server or a handler parses, malformed: credentials, cookies of the identity
// provider's browser flow, validators, encodings, origins, request ids.
TEST_F(HostileInput, MalformedHeadersNeverCauseAServerError) {
  const std::uint16_t port = app_->port();
  const std::vector<std::pair<std::string, std::string>> headers{
      {"Authorization", "Basic !!!not-base64"},
      {"Authorization", "Basic bm9jb2xvbg=="},  // "nocolon"
      {"Authorization", "Bearer"},
      {"Authorization", "Bearer a.b.c"},
      {"Authorization", "Negotiate xyz"},
      {"Cookie", "KEYCLOAK_SESSION=%zz; AUTH_SESSION_ID=;; =x; KC_RESTART=" + std::string(3000, 'k')},
      {"If-None-Match", "\"unterminated, W/"},
      {"Accept-Encoding", ";q=,,*;q=x, gzip;q=-1"},
      {"Origin", "null"},
      {"X-Request-Id", std::string(300, 'r') + "\x01"},
      {"Content-Type", "application/json; charset=\"unterminated"},
  };
  std::vector<std::string> failures;
  for (const auto& route : app_->app().router().routes()) {
    if (is_stream(route->pattern)) continue;
    const std::string method(boost::beast::http::to_string(route->method));
    const std::string path = path_for(route->pattern);
    for (const auto& [name, value] : headers) {
      const auto res = http_request(port, method, path, route->method == http::Verb::get ? "" : "{}", {{name, value}});
      if (res.status >= 500 || res.status == 0) {
        failures.push_back(method + " " + path + " [" + name + ": " + value.substr(0, 40) + "] -> " +
                           std::to_string(res.status) + " " + res.body.substr(0, 160));
      }
    }
  }
  EXPECT_TRUE(failures.empty()) << failures.size() << " server errors:\n" << [&] {
    std::string all;
    for (const auto& f : failures) all += f + "\n";
    return all;
  }();
}

// Routes whose guard lets anonymous callers through and only reads a token when one is
// sent (API.md: public discounts are readable by all, private ones by the owner). A route
// added with such a guard must be listed here, on purpose.
bool anonymous_allowed(const std::string& pattern) {
  return pattern == "/api/event-seating/v1/events/{id:uuid}/discounts" ||
         pattern == "/api/event-seating/v1/events/{id:uuid}/discounts/{did:uuid}";
}

// Every route with a guard refuses a forged token with 401 and a Bearer challenge before
// its handler runs, and a request without one too unless it is anonymous_allowed.
TEST_F(HostileInput, EveryGuardedRouteWantsAValidToken) {
  const std::uint16_t port = app_->port();
  const std::string real = user_token(port, kProUser, kProPassword);
  const std::string forged = real.substr(0, real.size() - 4) + (real.ends_with("AAAA") ? "BBBB" : "AAAA");
  std::vector<std::string> failures;
  std::size_t guarded = 0;
  for (const auto& route : app_->app().router().routes()) {
    if (!route->options.guard) continue;
    ++guarded;
    const std::string method(boost::beast::http::to_string(route->method));
    const std::string path = path_for(route->pattern);
    for (const std::string& token : {std::string(), forged}) {
      if (token.empty() && anonymous_allowed(route->pattern)) continue;
      Headers headers{{"Content-Type", "application/json"}};
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      const auto res = http_request(port, method, path, route->method == http::Verb::get ? "" : "{}", headers);
      if (res.status != 401 || res.header("www-authenticate").find("Bearer") == std::string::npos) {
        failures.push_back(method + " " + path + (token.empty() ? "" : " (forged)") + " -> " +
                           std::to_string(res.status) + " " + res.body.substr(0, 160));
      }
    }
  }
  EXPECT_GT(guarded, 80u);
  EXPECT_TRUE(failures.empty()) << [&] {
    std::string all;
    for (const auto& f : failures) all += f + "\n";
    return all;
  }();
}

}  // namespace
}  // namespace ticketly::testing
