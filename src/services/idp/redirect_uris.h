#pragma once
// Redirect URI and web origin checks, with Keycloak's rules: a registered URI ending in
// `*` matches by prefix (the query is not compared), any other only exactly. Candidates
// are parsed first, so prefix tricks (`http://localhost:8090.evil.com/`,
// `http://localhost:8090@evil.com/`), fragments, dot segments and odd characters fail
// before any comparison.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "services/idp/realm.h"

namespace ticketly::idp {

struct UriParts {
  std::string scheme;     // lowercase: http | https
  std::string authority;  // lowercase host[:port]
  std::string path;       // may be empty
  std::string query;      // without '?'; empty when none
};

// Parses an absolute http(s) URI acceptable as a redirect target; nullopt otherwise.
std::optional<UriParts> parse_redirect_uri(std::string_view uri);

bool redirect_uri_matches(std::string_view registered, std::string_view candidate);
bool redirect_uri_allowed(const std::vector<std::string>& registered, std::string_view candidate);

// "http://localhost:8090" for "http://localhost:8090/x?y"; nullopt when not absolute http(s).
std::optional<std::string> origin_of(std::string_view uri);
// webOrigins: exact origins, "+" (the origins of the redirect URIs) or "*".
bool web_origin_allowed(const Client& client, std::string_view origin);

}  // namespace ticketly::idp
