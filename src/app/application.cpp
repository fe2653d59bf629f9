#include "app/application.h"

#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/ops_routes.h"
#include "platform/auth/key_source.h"
#include "platform/auth/verifier.h"
#include "platform/bus/bus_config.h"
#include "platform/bus/outbox.h"
#include "platform/db/database.h"
#include "platform/db/migrator.h"
#include "platform/log/access_log.h"
#include "platform/log/log.h"
#include "platform/metrics/process_metrics.h"
#include "platform/metrics/registry.h"
#include "services/idp/idp_service.h"

namespace ticketly::app {

void migrate_databases(const Settings& settings, const std::vector<const service::ServiceDescriptor*>& services) {
  bus::prepare_bus(settings.bus, settings.pg_url, settings.db_name_prefix);
  for (const auto* s : services) {
    if (!settings.database_url_overridden(*s)) {
      db::create_database_if_missing(db::conninfo_for_database(settings.pg_url, "postgres"), settings.database_name(*s));
    }
    auto report = db::migrate(settings.database_url(*s), s->migrations(), s->id);
    // Every service database has an outbox (what it publishes) and the dedupe tables
    // of what it consumes.
    bus::migrate_outbox(settings.database_url(*s), s->id);
    spdlog::info("database {}: {} migration(s) applied, {} already present", settings.database_name(*s),
                 report.applied.size(), report.already_applied);
  }
}

// Member order is construction order; destruction runs in reverse, so services
// go before their databases, and everything before the worker threads' contexts.
class Application::Impl {
 public:
  Impl(Settings s, config::Source src, std::vector<const service::ServiceDescriptor*> svcs)
      : settings(std::move(s)), source(std::move(src)), descriptors(std::move(svcs)), io(settings.workers) {}

  void start();
  bool stop();
  std::unique_ptr<auth::Verifier> make_verifier();
  bool local_idp() const;
  service::ServiceIdentity identity_of(const service::ServiceDescriptor& d);

  Settings settings;
  config::Source source;
  std::vector<const service::ServiceDescriptor*> descriptors;
  runtime::IoPool io;
  metrics::Registry metrics;
  std::unique_ptr<auth::Verifier> verifier;
  std::unique_ptr<bus::Bus> event_bus;
  std::vector<std::unique_ptr<db::Database>> databases;
  std::vector<std::unique_ptr<bus::Relay>> relays;
  std::vector<std::unique_ptr<bus::ConsumerRuntime>> consumers;
  std::vector<std::unique_ptr<service::ServiceContext>> contexts;
  std::vector<std::unique_ptr<service::Service>> services;
  http::Router router;
  std::unique_ptr<http::Server> server;
  bool started = false;
  bool stopped = false;
};

// Tokens are verified against the development identity provider's key straight from
// the data directory when that provider runs in this process, otherwise against the
// issuer's JWKS over HTTP(S).
std::unique_ptr<auth::Verifier> Application::Impl::make_verifier() {
  auth::VerifierOptions options;
  options.issuer = settings.auth.issuer;
  options.leeway = settings.auth.leeway;
  options.audience = settings.auth.audience;
  options.service_clients = settings.auth.service_clients;
  options.metrics = &metrics;
  std::shared_ptr<auth::KeySource> keys;
  if (local_idp()) {
    keys = std::make_shared<auth::StaticKeySource>([dir = settings.data_dir] { return idp::jwks_json(dir); });
  } else {
    keys = std::make_shared<auth::HttpKeySource>(io, settings.auth.issuer, settings.auth.jwks_url);
  }
  return std::make_unique<auth::Verifier>(std::move(options), std::move(keys));
}

bool Application::Impl::local_idp() const {
  return !settings.auth.external_issuer &&
         std::any_of(descriptors.begin(), descriptors.end(), [](auto* d) { return d->id == "idp"; });
}

// A service's client credentials: TICKETLY_<ID>_CLIENT_SECRET, or — with the development
// provider in this process — the secret it generated. Peers and the provider are reached
// through this process's own listener unless configured otherwise.
service::ServiceIdentity Application::Impl::identity_of(const service::ServiceDescriptor& d) {
  service::ServiceIdentity id;
  id.client_id = std::string(d.name) + "-service";
  std::string key = "TICKETLY_" + std::string(d.id) + "_CLIENT_SECRET";
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::toupper(c); });
  if (auto secret = source.get(key); secret && !secret->empty()) {
    id.client_secret = *secret;
  } else if (local_idp() && d.id != "idp") {
    id.client_secret = idp::client_secret(source, id.client_id);
  }
  auto self = [this] { return "http://127.0.0.1:" + std::to_string(server ? server->port() : settings.http.port); };
  if (settings.auth.internal_base_url) {
    id.internal_base_url = [url = *settings.auth.internal_base_url] { return url; };
  } else {
    id.internal_base_url = self;
  }
  if (settings.auth.internal_realm_url) {
    id.realm_url = [url = *settings.auth.internal_realm_url] { return url; };
  } else if (local_idp()) {
    id.realm_url = [self] { return self() + "/realms/event-ticketing"; };
  } else {
    id.realm_url = [url = settings.auth.issuer] { return url; };
  }
  return id;
}

void Application::Impl::start() {
  if (settings.migrate_on_start) migrate_databases(settings, descriptors);
  metrics::register_process_metrics(metrics);
  verifier = make_verifier();
  event_bus = bus::make_bus(settings.bus, io,
                            bus::bus_database_url(settings.bus, settings.pg_url, settings.db_name_prefix));

  std::vector<MountedService> mounted;
  for (const auto* d : descriptors) {
    db::PoolOptions pool;
    pool.conninfo = settings.database_url(*d);
    pool.size = settings.db_pool_size;
    pool.min_open = settings.db_pool_min;
    pool.acquire_timeout = settings.db_acquire_timeout;
    pool.statement_timeout = settings.db_statement_timeout;
    pool.warm_up = std::string(d->warm_up);
    databases.push_back(std::make_unique<db::Database>(io, pool));
    databases.back()->register_metrics(metrics, std::string(d->id));
    relays.push_back(std::make_unique<bus::Relay>(
        io, *event_bus, bus::relay_options(settings.bus, settings.database_url(*d), std::string(d->id)), &metrics));
    consumers.push_back(std::make_unique<bus::ConsumerRuntime>(
        *event_bus, io, bus::consumer_options(settings.bus, std::string(d->id)), &metrics));
    contexts.push_back(std::make_unique<service::ServiceContext>(service::ServiceContext{
        io, metrics, source, *databases.back(), settings.environment, verifier.get(), consumers.back().get(),
        identity_of(*d)}));
    services.push_back(d->create(*contexts.back()));
    services.back()->register_routes(router);
    mounted.push_back({d, databases.back().get()});
  }
  register_ops_routes(router, metrics, *verifier, mounted);

  settings.http.access_log = log::access_sink();
  if (auto* sink = settings.http.access_log) {
    metrics.counter_callback("ticketly_access_log_dropped_batches_total",
                             "Access-log batches dropped because the output could not keep up", {},
                             [sink] { return static_cast<double>(sink->dropped_batches()); });
  }
  server = std::make_unique<http::Server>(io, router, metrics, settings.http);
  server->start();
  io.start();
  try {
    verifier->start(io);
    event_bus->start();
    for (auto& r : relays) r->start();
    for (auto& c : consumers) {
      if (c->has_handlers()) c->start();
    }
  } catch (...) {
    // stop() only undoes a complete start: the workers must end here, before the members
    // whose coroutines they run are destroyed.
    io.stop();
    io.join();
    throw;
  }
  started = true;
  for (auto& d : databases) d->open_minimum();
  for (auto& s : services) s->start();
}

bool Application::Impl::stop() {
  if (!started || stopped) return true;
  stopped = true;
  bool clean = server->shutdown(settings.shutdown_grace);
  for (auto& s : services) s->stop();
  // Consumers, then relays, then the bus: each stop() is blocking and needs the workers.
  for (auto& c : consumers) {
    if (c->has_handlers()) c->stop();
  }
  for (auto& r : relays) r->stop();
  event_bus->stop();
  verifier->stop();
  io.stop();
  io.join();
  return clean;
}

Application::Application(Settings settings, config::Source source, std::vector<const service::ServiceDescriptor*> services)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(source), std::move(services))) {}

Application::~Application() { impl_->stop(); }

void Application::start() { impl_->start(); }
std::uint16_t Application::port() const { return impl_->server ? impl_->server->port() : 0; }
const http::Router& Application::router() const { return impl_->router; }
bool Application::stop() { return impl_->stop(); }

int Application::run() {
  // The signal set exists before any worker starts, so an early Ctrl-C is
  // handled as a graceful stop rather than killing the process mid-migration.
  boost::asio::io_context signals_ctx;
  boost::asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (!ec) received = sig;
  });
  start();
  spdlog::info("listening on {}:{} with {} worker(s)", impl_->settings.http.address, port(), impl_->io.size());
  signals_ctx.run();
  spdlog::info("received signal {}; draining (grace {} ms)", received, impl_->settings.shutdown_grace.count());
  bool clean = stop();
  spdlog::info(clean ? "stopped cleanly" : "stopped after the grace period with requests still open");
  return 0;
}

}  // namespace ticketly::app
