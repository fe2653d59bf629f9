#include "services/idp/provider.h"

#include <algorithm>

#include "platform/config/reader.h"

namespace ticketly::idp {

ProviderSettings read_settings(const config::Source& source) {
  using namespace std::chrono;
  config::Reader r(source);
  ProviderSettings s;
  s.public_url = r.string("TICKETLY_PUBLIC_URL", "http://localhost:8088");
  while (s.public_url.ends_with('/')) s.public_url.pop_back();
  if (!s.public_url.starts_with("http://") && !s.public_url.starts_with("https://")) {
    r.problem("TICKETLY_PUBLIC_URL", "must be an http:// or https:// URL, e.g. http://localhost:8088");
  }
  s.issuer = s.public_url + std::string(kBasePath);
  s.data_dir = r.string("TICKETLY_DATA_DIR", ".ticketly");
  s.realm_file = r.optional_string("TICKETLY_IDP_REALM_FILE");
  s.access_ttl = duration_cast<seconds>(r.duration("TICKETLY_IDP_ACCESS_TOKEN_TTL", minutes(15)));
  s.refresh_ttl = duration_cast<seconds>(r.duration("TICKETLY_IDP_REFRESH_TOKEN_TTL", hours(8)));
  if (s.access_ttl < seconds(1)) r.problem("TICKETLY_IDP_ACCESS_TOKEN_TTL", "must be at least 1s");
  if (s.refresh_ttl < seconds(1)) r.problem("TICKETLY_IDP_REFRESH_TOKEN_TTL", "must be at least 1s");
  r.finish();
  return s;
}

namespace {
SessionLimits session_limits(const ProviderSettings& s) {
  SessionLimits l;
  // A session lives as long as its refresh tokens are used (Keycloak's "SSO session
  // idle"), and at most 10 hours or one refresh lifetime, whichever is longer.
  l.idle = s.refresh_ttl;
  l.max = std::max<std::chrono::seconds>(s.refresh_ttl, std::chrono::hours(10));
  return l;
}
}  // namespace

Provider::Provider(ProviderSettings s, Realm r, SigningKey k, std::map<std::string, std::string> secret_map,
                   db::Database& database)
    : settings(std::move(s)),
      realm(std::move(r)),
      key(std::move(k)),
      secrets(std::move(secret_map)),
      token_settings{settings.issuer, settings.access_ttl},
      users(database, realm, hasher),
      sessions(session_limits(settings)) {}

CookieOptions Provider::cookie_options(bool http_only) const {
  CookieOptions o;
  o.path = std::string(kBasePath) + "/";
  o.http_only = http_only;
  o.secure = settings.public_url.starts_with("https://");
  return o;
}

}  // namespace ticketly::idp
