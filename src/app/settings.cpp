#include "app/settings.h"

#include <algorithm>
#include <stdexcept>

#include "platform/config/reader.h"
#include "platform/db/migrator.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::app {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

std::string Settings::database_name(const service::ServiceDescriptor& s) const {
  return db_name_prefix + "_" + std::string(s.id);
}

bool Settings::database_url_overridden(const service::ServiceDescriptor& s) const {
  return database_url_overrides.count(std::string(s.id)) > 0;
}

std::string Settings::database_url(const service::ServiceDescriptor& s) const {
  if (auto it = database_url_overrides.find(std::string(s.id)); it != database_url_overrides.end()) return it->second;
  return db::conninfo_for_database(pg_url, database_name(s));
}

Settings load_settings(const config::Source& source, const std::vector<const service::ServiceDescriptor*>& services) {
  config::Reader r(source);
  Settings s;
  s.environment = r.one_of("TICKETLY_ENV", "development", {"development", "test", "production"});
  s.data_dir = r.string("TICKETLY_DATA_DIR", ".ticketly");

  s.http.address = r.string("TICKETLY_BIND", "0.0.0.0");
  if (services.size() == 1) {
    const auto& svc = *services.front();
    s.http.port = r.port("TICKETLY_" + upper(svc.id) + "_PORT", svc.default_port);
  } else {
    s.http.port = r.port("TICKETLY_PORT", 8088);
  }
  s.workers = static_cast<std::size_t>(r.integer("TICKETLY_WORKERS", 0, 0, 256));
  if (s.workers == 0) s.workers = runtime::default_worker_count();
  s.http.header_limit = r.bytes("TICKETLY_HTTP_HEADER_LIMIT", 16 * 1024, 1024, 1024 * 1024);
  s.http.body_limit = r.bytes("TICKETLY_HTTP_BODY_LIMIT", 1024 * 1024, 1024, 50 * 1024 * 1024);
  s.http.header_timeout = r.duration("TICKETLY_HTTP_HEADER_TIMEOUT", std::chrono::seconds(10));
  s.http.idle_timeout = r.duration("TICKETLY_HTTP_IDLE_TIMEOUT", std::chrono::seconds(60));
  s.http.body_timeout = r.duration("TICKETLY_HTTP_BODY_TIMEOUT", std::chrono::seconds(120));
  s.http.max_connections =
      static_cast<std::size_t>(r.integer("TICKETLY_HTTP_MAX_CONNECTIONS", 20000, 16, 1000000));
  s.http.max_large_bodies = static_cast<std::size_t>(r.integer("TICKETLY_HTTP_MAX_UPLOADS", 16, 1, 10000));
  s.http.max_large_bodies_per_client = static_cast<std::size_t>(r.integer(
      "TICKETLY_HTTP_MAX_UPLOADS_PER_CLIENT", std::min<std::int64_t>(4, static_cast<std::int64_t>(s.http.max_large_bodies)),
      1, 10000));
  if (s.http.max_large_bodies_per_client > s.http.max_large_bodies) {
    r.problem("TICKETLY_HTTP_MAX_UPLOADS_PER_CLIENT", "must not exceed TICKETLY_HTTP_MAX_UPLOADS");
  }
  s.http.cors.allowed_origins = r.list("TICKETLY_CORS_ORIGINS", s.http.cors.allowed_origins);
  try {
    s.http.trusted_proxies = http::TrustedProxies::parse(r.string("TICKETLY_TRUSTED_PROXIES", ""));
  } catch (const std::invalid_argument& e) {
    r.problem("TICKETLY_TRUSTED_PROXIES", e.what());
  }
  s.shutdown_grace = r.duration("TICKETLY_SHUTDOWN_GRACE", std::chrono::seconds(10));

  s.pg_url = r.string("TICKETLY_PG_URL", "");
  s.db_name_prefix = r.string("TICKETLY_DB_PREFIX", "ticketly");
  if (!db::is_valid_database_name(s.db_name_prefix + "_event_command")) {
    r.problem("TICKETLY_DB_PREFIX", "must match [a-z_][a-z0-9_]* and be at most 49 characters");
  }
  for (const auto* svc : services) {
    auto key = "TICKETLY_" + upper(svc->id) + "_DATABASE_URL";
    if (auto url = r.optional_string(key)) s.database_url_overrides[std::string(svc->id)] = *url;
    else if (s.pg_url.empty()) {
      r.problem("TICKETLY_PG_URL", "is required (e.g. postgresql://user:password@127.0.0.1:55432) unless " + key +
                                       " is set; `make run` sets it");
      break;
    }
  }
  s.db_pool_size = static_cast<std::size_t>(r.integer("TICKETLY_DB_POOL_SIZE", 8, 1, 512));
  s.db_pool_min = static_cast<std::size_t>(
      r.integer("TICKETLY_DB_POOL_MIN", std::min<std::int64_t>(2, static_cast<std::int64_t>(s.db_pool_size)), 0, 512));
  if (s.db_pool_min > s.db_pool_size) r.problem("TICKETLY_DB_POOL_MIN", "must not exceed TICKETLY_DB_POOL_SIZE");
  s.db_acquire_timeout = r.duration("TICKETLY_DB_ACQUIRE_TIMEOUT", std::chrono::seconds(2));
  s.db_statement_timeout = r.duration("TICKETLY_DB_STATEMENT_TIMEOUT", std::chrono::milliseconds(0));
  s.migrate_on_start = r.boolean("TICKETLY_MIGRATE_ON_START", true);

  // By default browsers reach the all-in-one listener where it listens, so a moved
  // TICKETLY_PORT moves the development provider's issuer and login pages with it.
  if (services.size() != 1 && s.http.port != 0) s.auth.public_url = "http://localhost:" + std::to_string(s.http.port);
  s.auth.public_url = r.string("TICKETLY_PUBLIC_URL", s.auth.public_url);
  while (!s.auth.public_url.empty() && s.auth.public_url.back() == '/') s.auth.public_url.pop_back();
  if (s.auth.public_url.rfind("http://", 0) != 0 && s.auth.public_url.rfind("https://", 0) != 0) {
    r.problem("TICKETLY_PUBLIC_URL", "must start with http:// or https://");
  }
  if (auto issuer = r.optional_string("TICKETLY_AUTH_ISSUER")) {
    s.auth.issuer = *issuer;
    s.auth.external_issuer = true;
  } else {
    s.auth.issuer = s.auth.public_url + "/realms/event-ticketing";
  }
  s.auth.jwks_url = r.optional_string("TICKETLY_AUTH_JWKS_URL");
  s.auth.audience = r.optional_string("TICKETLY_AUTH_AUDIENCE");
  s.auth.leeway = std::chrono::duration_cast<std::chrono::seconds>(
      r.duration("TICKETLY_AUTH_LEEWAY", std::chrono::seconds(30)));
  s.auth.internal_realm_url = r.optional_string("TICKETLY_AUTH_INTERNAL_REALM_URL");
  s.auth.internal_base_url = r.optional_string("TICKETLY_INTERNAL_URL");
  s.auth.service_clients = r.list("TICKETLY_AUTH_SERVICE_CLIENTS", s.auth.service_clients);

  s.bus = bus::read_bus_config(r);
  if (s.bus.kind == bus::BusKind::postgres && !s.bus.database_url && s.pg_url.empty()) {
    r.problem("TICKETLY_BUS_DATABASE_URL", "is required for TICKETLY_BUS=postgres when TICKETLY_PG_URL is not set");
  }

  s.log.level = r.one_of("TICKETLY_LOG_LEVEL", "info", {"trace", "debug", "info", "warn", "error", "critical", "off"});
  s.log.format = r.one_of("TICKETLY_LOG_FORMAT", "json", {"json", "text"}) == "json" ? log::Format::Json : log::Format::Text;
  s.log.access_log = r.boolean("TICKETLY_ACCESS_LOG", true);
  r.finish();
  return s;
}

}  // namespace ticketly::app
