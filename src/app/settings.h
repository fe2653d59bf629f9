#pragma once
// Settings of one `ticketly` process, read from the environment (README lists
// every variable). Each service reads its own domain settings itself.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "platform/bus/bus_config.h"
#include "platform/config/source.h"
#include "platform/http/server.h"
#include "platform/log/log.h"
#include "platform/service/service.h"

namespace ticketly::app {

// Token verification (DESIGN §4). Without TICKETLY_AUTH_ISSUER the process trusts
// the built-in development identity provider under TICKETLY_PUBLIC_URL.
struct AuthSettings {
  std::string public_url = "http://localhost:8088";  // how browsers reach this deployment
  std::string issuer;                                 // exact `iss` of accepted tokens
  bool external_issuer = false;                       // TICKETLY_AUTH_ISSUER was set
  std::optional<std::string> jwks_url;
  std::optional<std::string> audience;
  std::chrono::seconds leeway{30};
  // How this process reaches the identity provider and its peers; empty = the issuer /
  // this process's own listener.
  std::optional<std::string> internal_realm_url;  // TICKETLY_AUTH_INTERNAL_REALM_URL
  std::optional<std::string> internal_base_url;   // TICKETLY_INTERNAL_URL
  std::vector<std::string> service_clients{"event-command-service", "event-query-service", "order-service",
                                           "scheduler-service"};
};

struct Settings {
  std::string environment = "development";  // development | test | production
  http::ServerOptions http;
  std::size_t workers = 0;  // 0 = one per core
  std::string data_dir = ".ticketly";
  std::string pg_url;                      // cluster URL without a database
  std::string db_name_prefix = "ticketly";  // database of service X: <prefix>_<x id>
  std::map<std::string, std::string> database_url_overrides;  // by service id
  std::size_t db_pool_size = 8;           // connections per worker and service
  std::size_t db_pool_min = 2;            // of those, opened at start
  std::chrono::milliseconds db_acquire_timeout{2000};
  std::chrono::milliseconds db_statement_timeout{0};
  bool migrate_on_start = true;
  std::chrono::milliseconds shutdown_grace{10000};
  log::LogOptions log;
  AuthSettings auth;
  bus::BusConfig bus;

  std::string database_name(const service::ServiceDescriptor& s) const;
  std::string database_url(const service::ServiceDescriptor& s) const;
  bool database_url_overridden(const service::ServiceDescriptor& s) const;
};

// `services` are the ones this process runs; one alone listens on its own port
// (TICKETLY_<ID>_PORT, default from its descriptor), otherwise TICKETLY_PORT.
// Throws config::ConfigError listing every bad value.
Settings load_settings(const config::Source& source, const std::vector<const service::ServiceDescriptor*>& services);

}  // namespace ticketly::app
