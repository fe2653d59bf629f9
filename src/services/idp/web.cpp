#include "services/idp/web.h"

#include <algorithm>

#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/text/ascii.h"

namespace ticketly::idp {

http::Response no_store_json(int status, const nlohmann::json& body) {
  auto res = http::Response::json(status, body);
  res.set(http::Field::cache_control, "no-store");
  res.set(http::Field::pragma, "no-cache");
  return res;
}

http::Response oauth_error_response(const OAuthError& e) {
  auto res = no_store_json(e.status, {{"error", e.error}, {"error_description", e.description}});
  if (!e.www_authenticate.empty()) res.set(http::Field::www_authenticate, e.www_authenticate);
  if (e.retry_after > 0) res.set(http::Field::retry_after, std::to_string(e.retry_after));
  return res;
}

bool is_form(const http::Request& req) {
  return text::ascii_lower(req.header(http::Field::content_type)).starts_with("application/x-www-form-urlencoded");
}

http::QueryParams parse_form(const http::Request& req, std::initializer_list<std::string_view> single) {
  http::QueryParams form;
  try {
    form = http::QueryParams::parse(req.body());
  } catch (const Error&) {
    throw OAuthError{400, "invalid_request", "Malformed form body", "", 0};
  }
  for (auto name : single) {
    if (form.all(name).size() > 1) {
      throw OAuthError{400, "invalid_request", "Duplicate parameter: " + std::string(name), "", 0};
    }
  }
  return form;
}

std::optional<std::string> cookie(const http::Request& req, std::string_view name) {
  auto [begin, end] = req.message.equal_range(http::Field::cookie);
  for (auto it = begin; it != end; ++it) {
    std::string_view rest = it->value();
    while (!rest.empty()) {
      auto semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      auto eq = pair.find('=');
      if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
      std::string_view value = pair.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o) {
  std::string out = std::string(name) + "=" + std::string(o.expire ? "" : value) + "; Path=" + o.path;
  if (o.expire) out += "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
  if (o.http_only) out += "; HttpOnly";
  if (o.secure) out += "; Secure";
  out += "; SameSite=Lax";
  return out;
}

std::optional<BasicCredentials> basic_credentials(const http::Request& req) {
  std::string_view h = req.header(http::Field::authorization);
  if (h.size() < 6 || !text::iequals_ascii(h.substr(0, 6), "Basic ")) return std::nullopt;
  const OAuthError bad{401, "invalid_client", "Malformed HTTP Basic credentials", "Basic realm=\"event-ticketing\"", 0};
  std::string text(h.substr(6));
  // Standard base64 to the URL-safe alphabet the decoder reads.
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  auto decoded = crypto::base64url_decode(text);
  if (!decoded) throw bad;
  auto colon = decoded->find(':');
  if (colon == std::string::npos) throw bad;
  auto id = http::url_decode(decoded->substr(0, colon), true);
  auto secret = http::url_decode(decoded->substr(colon + 1), true);
  if (!id || !secret) throw bad;
  return BasicCredentials{*id, *secret};
}

std::optional<std::string> bearer_token(const http::Request& req) {
  std::string_view h = req.header(http::Field::authorization);
  if (h.size() < 7) return std::nullopt;
  if (!text::iequals_ascii(h.substr(0, 7), "bearer ")) return std::nullopt;
  std::string_view token = h.substr(7);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3 / 2);
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

http::Response redirect(const std::string& location) {
  http::Response res;
  res.message.result(302);
  res.set(http::Field::location, location);
  res.set(http::Field::cache_control, "no-store");
  return res;
}

}  // namespace ticketly::idp
