// Redirect URIs and origins of the development identity provider
// (services/idp/redirect_uris.h): where a login sends the browser, with its code.
// Input: "<registered URI>\n<candidate URI>".
// Properties: a candidate allowed by a realm's list names a registered scheme and host (no
// open redirect); an exact registration matches only itself; a wildcard one only its own
// scheme and host; an origin is its own origin.
#include "fuzz_support.h"
#include "services/idp/redirect_uris.h"

using namespace ticketly;

namespace {

void check_realm_list(std::string_view candidate) {
  static const std::vector<std::string> registered{"http://localhost:8090/*", "https://app.example.com/callback",
                                                   "http://h.example/app/*"};
  if (!idp::redirect_uri_allowed(registered, candidate)) return;
  const auto c = idp::parse_redirect_uri(candidate);
  fuzz::check(c.has_value(), "an allowed redirect URI does not parse");
  const bool known = (c->scheme == "http" && c->authority == "localhost:8090") ||
                     (c->scheme == "https" && c->authority == "app.example.com" && c->path == "/callback") ||
                     (c->scheme == "http" && c->authority == "h.example" && c->path.starts_with("/app"));
  fuzz::check(known, "a redirect URI outside the registered ones is allowed");
}

void check_pair(std::string_view registered, std::string_view candidate) {
  if (!idp::redirect_uri_matches(registered, candidate)) return;
  const auto c = idp::parse_redirect_uri(candidate);
  fuzz::check(c.has_value(), "a matching candidate does not parse");
  if (registered.empty() || registered.back() != '*') {
    fuzz::check(registered == candidate, "an exact registration matches another URI");
    return;
  }
  const auto base = idp::parse_redirect_uri(registered.substr(0, registered.size() - 1));
  if (base) fuzz::check(c->scheme == base->scheme && c->authority == base->authority, "a wildcard matches another host");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::split_first_line(fuzz::as_text(data, size));
  check_realm_list(lines.first);
  check_realm_list(lines.rest);
  check_pair(lines.first, lines.rest);
  if (auto origin = idp::origin_of(lines.rest)) {
    fuzz::check(idp::origin_of(*origin) == origin, "an origin is not its own origin");
    const auto parsed = idp::parse_redirect_uri(*origin);
    fuzz::check(parsed && parsed->path.empty() && parsed->query.empty(), "an origin with a path or query");
  }
  return 0;
}
