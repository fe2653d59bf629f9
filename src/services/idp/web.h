#pragma once
// Small HTTP helpers of the provider's endpoints: forms, cookies, Basic and Bearer
// credentials, URL and HTML encoding, OAuth error and redirect responses.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "platform/http/request.h"
#include "platform/http/response.h"

namespace ticketly::idp {

// An OAuth/OIDC protocol error (RFC 6749 §5.2); thrown inside a handler and turned into
// a JSON body {"error","error_description"} with Cache-Control: no-store.
struct OAuthError {
  int status;
  std::string error;
  std::string description;
  std::string www_authenticate;  // set for 401s
  int retry_after = 0;           // seconds; set for 429s
};
http::Response oauth_error_response(const OAuthError& e);

// Parses an application/x-www-form-urlencoded body; a malformed one, or a parameter sent
// twice among `single`, throws OAuthError invalid_request.
http::QueryParams parse_form(const http::Request& req, std::initializer_list<std::string_view> single);
bool is_form(const http::Request& req);

// Value of one cookie of the request, if sent.
std::optional<std::string> cookie(const http::Request& req, std::string_view name);

struct CookieOptions {
  std::string path;
  bool http_only = true;
  bool secure = false;
  bool expire = false;  // delete the cookie
};
// A Set-Cookie value with SameSite=Lax.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& options);

struct BasicCredentials {
  std::string id;
  std::string secret;
};
// HTTP Basic client credentials (RFC 6749 §2.3.1: both parts form-urlencoded).
// nullopt when the header is absent; throws OAuthError invalid_client when malformed.
std::optional<BasicCredentials> basic_credentials(const http::Request& req);
// The token of "Authorization: Bearer <token>", if any.
std::optional<std::string> bearer_token(const http::Request& req);

std::string url_encode(std::string_view s);  // every byte but unreserved characters encoded
std::string html_escape(std::string_view s);

// 302 to `location`, no body, no caching.
http::Response redirect(const std::string& location);
// JSON with Cache-Control: no-store and Pragma: no-cache (token responses).
http::Response no_store_json(int status, const nlohmann::json& body);

}  // namespace ticketly::idp
