#include "services/idp/redirect_uris.h"

#include <algorithm>

#include "platform/text/ascii.h"

namespace ticketly::idp {
namespace {

bool acceptable_char(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;  // controls, space, non-ASCII
  return std::string_view("\\#<>\"`{}|^").find(static_cast<char>(c)) == std::string_view::npos;
}

bool has_dot_segment(std::string_view path) {
  // Encoded dots and slashes count too: a browser or a proxy may decode them.
  std::string decoded;
  decoded.reserve(path.size() + 1);
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      std::string code = text::ascii_lower(path.substr(i + 1, 2));
      if (code == "2e" || code == "2f") {
        decoded.push_back(code == "2e" ? '.' : '/');
        i += 2;
        continue;
      }
    }
    decoded.push_back(path[i]);
  }
  decoded.push_back('/');
  return decoded.find("/./") != std::string::npos || decoded.find("/../") != std::string::npos;
}

bool valid_authority(std::string_view a) {
  if (a.empty() || a.find('@') != std::string_view::npos) return false;
  std::string_view host = a, port;
  if (a.front() == '[') {  // IPv6 literal
    auto close = a.find(']');
    if (close == std::string_view::npos) return false;
    host = a.substr(0, close + 1);
    port = a.substr(close + 1);
    if (!port.empty() && port.front() != ':') return false;
    if (!port.empty()) port.remove_prefix(1);
  } else if (auto colon = a.find(':'); colon != std::string_view::npos) {
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
    if (port.empty()) return false;
  }
  if (host.empty() || port.size() > 5) return false;
  return std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::optional<UriParts> parse_redirect_uri(std::string_view uri) {
  if (uri.empty() || uri.size() > 2048) return std::nullopt;
  if (!std::all_of(uri.begin(), uri.end(), [](unsigned char c) { return acceptable_char(c); })) return std::nullopt;
  auto sep = uri.find("://");
  if (sep == std::string_view::npos) return std::nullopt;
  UriParts parts;
  parts.scheme = text::ascii_lower(uri.substr(0, sep));
  if (parts.scheme != "http" && parts.scheme != "https") return std::nullopt;
  std::string_view rest = uri.substr(sep + 3);
  auto end = rest.find_first_of("/?");
  parts.authority = text::ascii_lower(rest.substr(0, end));
  if (!valid_authority(parts.authority)) return std::nullopt;
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  auto q = rest.find('?');
  parts.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) parts.query = std::string(rest.substr(q + 1));
  if (has_dot_segment(parts.path)) return std::nullopt;
  return parts;
}

bool redirect_uri_matches(std::string_view registered, std::string_view candidate) {
  auto c = parse_redirect_uri(candidate);
  if (!c) return false;
  if (registered.empty() || registered.back() != '*') return registered == candidate;
  std::string_view base = registered.substr(0, registered.size() - 1);
  if (base.empty()) return true;  // "*": any URI (Keycloak allows it; realms should not)
  // The base must name scheme and host; it may end mid-path ("http://h/app*").
  auto b = parse_redirect_uri(base);
  if (!b || !b->query.empty() || c->scheme != b->scheme || c->authority != b->authority) return false;
  if (b->path.empty()) return true;  // "http://h*": any path on that origin
  std::string path = c->path.empty() ? "/" : c->path;
  if (path.starts_with(b->path)) return true;
  // "http://h/app/*" also matches "http://h/app" (Keycloak strips the trailing slash).
  return b->path.size() > 1 && b->path.back() == '/' && path == b->path.substr(0, b->path.size() - 1);
}

bool redirect_uri_allowed(const std::vector<std::string>& registered, std::string_view candidate) {
  return std::any_of(registered.begin(), registered.end(),
                     [&](const std::string& r) { return redirect_uri_matches(r, candidate); });
}

std::optional<std::string> origin_of(std::string_view uri) {
  auto p = parse_redirect_uri(uri);
  if (!p) return std::nullopt;
  return p->scheme + "://" + p->authority;
}

bool web_origin_allowed(const Client& client, std::string_view origin) {
  auto wanted = text::ascii_lower(origin);
  for (const auto& o : client.web_origins) {
    if (o == "*") return true;
    if (o == "+") {
      for (const auto& r : client.redirect_uris) {
        std::string base = r.ends_with("*") ? r.substr(0, r.size() - 1) : r;
        if (auto ro = origin_of(base); ro && *ro == wanted) return true;
      }
    } else if (text::iequals_ascii(o, wanted)) {
      return true;
    }
  }
  return false;
}

}  // namespace ticketly::idp
