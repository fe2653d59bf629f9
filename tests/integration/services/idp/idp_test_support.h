#pragma once
// Helpers of the identity provider's integration tests: forms, raw responses (every
// Set-Cookie header), the browser login as keycloak-js drives it, token checks.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "platform/crypto/crypto.h"
#include "platform/http/request.h"
#include "platform/json/json.h"
#include "services/idp/idp_service.h"
#include "support/http_client.h"

namespace ticketly::idp::testing {

using Json = nlohmann::json;
using ticketly::testing::Headers;
using ticketly::testing::http_request;
using ticketly::testing::HttpResult;

inline const std::string kBase = "/realms/event-ticketing";
inline const std::string kOidc = kBase + "/protocol/openid-connect";
inline const std::string kIssuer = "http://localhost:8088/realms/event-ticketing";
inline const std::string kWebRedirect = "http://localhost:8090/callback";

inline std::string enc(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

inline std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += enc(k);
    out += '=';
    out += enc(v);
  }
  return out;
}

inline const Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};

inline HttpResult post_form(std::uint16_t port, const std::string& target,
                            const std::vector<std::pair<std::string, std::string>>& fields, Headers headers = {}) {
  headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return http_request(port, "POST", target, form(fields), headers);
}

// A response read byte by byte, so repeated headers (Set-Cookie) all survive. Only for
// responses without a body worth reading (redirects).
struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : headers) {
      if (k == name) out.push_back(v);
    }
    return out;
  }
  // The Set-Cookie header of one cookie ("" when none).
  std::string set_cookie(const std::string& cookie) const {
    for (const auto& c : all("set-cookie")) {
      if (c.rfind(cookie + "=", 0) == 0) return c;
    }
    return {};
  }
  std::string cookie_value(const std::string& cookie) const {
    auto c = set_cookie(cookie);
    if (c.empty()) return {};
    auto start = cookie.size() + 1;
    return c.substr(start, c.find(';') - start);
  }
};

inline RawResponse raw_request(std::uint16_t port, const std::string& method, const std::string& target,
                               const std::string& body = "", const Headers& headers = {}) {
  ticketly::testing::TestConnection conn(port);
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  conn.send_raw(req);
  std::string head = conn.read_until("\r\n\r\n", std::chrono::seconds(10));
  head = head.substr(0, head.find("\r\n\r\n"));
  RawResponse r;
  std::size_t pos = head.find("\r\n");
  r.status = std::stoi(head.substr(9, 3));
  while (pos != std::string::npos && pos + 2 < head.size()) {
    auto next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    auto colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(name, value);
    pos = next;
  }
  return r;
}

// "a=1&b=x%20y" (a fragment or query) -> map.
inline std::map<std::string, std::string> params_of(const std::string& text) {
  std::map<std::string, std::string> out;
  auto q = http::QueryParams::parse(text);
  for (auto key : {"code", "state", "session_state", "iss", "error", "error_description"}) {
    if (auto v = q.get(key)) out[key] = std::string(*v);
  }
  return out;
}

inline Json claims_of(const std::string& jwt) {
  auto first = jwt.find('.');
  auto second = jwt.find('.', first + 1);
  auto payload = crypto::base64url_decode(jwt.substr(first + 1, second - first - 1));
  EXPECT_TRUE(payload) << jwt;
  return Json::parse(payload.value_or("{}"));
}

// Verifies `jwt` with the key of the JWKS document, as any resource server would.
inline bool verifies_with(const Json& jwks, const std::string& jwt) {
  auto header = Json::parse(*crypto::base64url_decode(jwt.substr(0, jwt.find('.'))));
  for (const auto& k : jwks["keys"]) {
    if (k["kid"] != header["kid"]) continue;
    auto key = crypto::public_key_from_jwk("RSA", k["n"].get<std::string>(), k["e"].get<std::string>());
    auto dot = jwt.rfind('.');
    auto sig = crypto::base64url_decode(jwt.substr(dot + 1));
    return key && sig && header["alg"] == "RS256" && crypto::verify_rs256(key.get(), jwt.substr(0, dot), *sig);
  }
  return false;
}

inline HttpResult password_grant(std::uint16_t port, const std::string& username, const std::string& password,
                                 const std::string& client = "login-testing", const std::string& scope = "openid") {
  return post_form(port, kOidc + "/token",
                   {{"grant_type", "password"},
                    {"client_id", client},
                    {"username", username},
                    {"password", password},
                    {"scope", scope}});
}

// The secret the running provider generated (the app's configuration names its data directory).
inline std::string secret_of(const config::Source& app_config, const std::string& client) {
  return idp::client_secret(app_config, client);
}

inline HttpResult service_token(std::uint16_t port, const config::Source& app_config, const std::string& client) {
  return post_form(
      port, kOidc + "/token",
      {{"grant_type", "client_credentials"}, {"client_id", client}, {"client_secret", secret_of(app_config, client)}});
}

// keycloak-js's PKCE: a random verifier, its S256 challenge.
struct Pkce {
  std::string verifier;
  std::string challenge;
};
inline Pkce make_pkce() {
  std::string v;
  for (unsigned char c : crypto::random_bytes(96)) {
    v.push_back("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[c % 62]);
  }
  return {v, crypto::base64url_encode(crypto::sha256(v))};
}

inline std::string auth_url(const Pkce& pkce, const std::string& state, const std::string& nonce,
                            const std::string& extra = "") {
  return kOidc + "/auth?client_id=web-frontend&redirect_uri=" + enc(kWebRedirect) + "&state=" + state +
         "&response_mode=fragment&response_type=code&scope=openid&nonce=" + nonce +
         "&code_challenge=" + pkce.challenge + "&code_challenge_method=S256" + extra;
}

inline std::string match(const std::string& html, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(html, m, std::regex(pattern))) return {};
  return m[1];
}

// The result of signing in through the form: the redirect and the cookies it set.
struct BrowserLogin {
  RawResponse redirect;
  std::map<std::string, std::string> callback;  // parameters in the redirect's fragment
  std::string identity_cookie;                  // KEYCLOAK_IDENTITY=…
};

// GET auth -> login form -> POST credentials, as a browser does for keycloak-js.
inline BrowserLogin browser_login(std::uint16_t port, const Pkce& pkce, const std::string& state,
                                  const std::string& nonce, const std::string& username, const std::string& password) {
  auto page = http_request(port, "GET", auth_url(pkce, state, nonce));
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("content-type"), "text/html; charset=utf-8");
  std::string browser = page.header("set-cookie");
  browser = browser.substr(0, browser.find(';'));  // AUTH_SESSION_ID=…
  EXPECT_EQ(browser.rfind("AUTH_SESSION_ID=", 0), 0u) << browser;
  std::string action = match(page.body, "action=\"([^\"]+)\"");
  EXPECT_EQ(action, kBase + "/login-actions/authenticate");
  std::string body = form({{"login_id", match(page.body, "name=\"login_id\" value=\"([^\"]*)\"")},
                           {"csrf", match(page.body, "name=\"csrf\" value=\"([^\"]*)\"")},
                           {"username", username},
                           {"password", password}});
  BrowserLogin out;
  out.redirect = raw_request(port, "POST", action, body,
                             {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", browser}});
  auto location = out.redirect.header("location");
  if (auto hash = location.find('#'); hash != std::string::npos) out.callback = params_of(location.substr(hash + 1));
  auto identity = out.redirect.cookie_value("KEYCLOAK_IDENTITY");
  if (!identity.empty()) out.identity_cookie = "KEYCLOAK_IDENTITY=" + identity;
  return out;
}

inline HttpResult exchange_code(std::uint16_t port, const std::string& code, const std::string& verifier) {
  return post_form(port, kOidc + "/token",
                   {{"code", code},
                    {"grant_type", "authorization_code"},
                    {"client_id", "web-frontend"},
                    {"redirect_uri", kWebRedirect},
                    {"code_verifier", verifier}},
                   {{"Origin", "http://localhost:8090"}});
}

inline HttpResult refresh(std::uint16_t port, const std::string& refresh_token,
                          const std::string& client = "web-frontend") {
  return post_form(port, kOidc + "/token",
                   {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}, {"client_id", client}});
}

}  // namespace ticketly::idp::testing
