// ticketly: one binary for every service and operation (see README).
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "app/application.h"
#include "app/catalogue.h"
#include "app/demo/seeder.h"
#include "platform/bus/bus_config.h"
#include "platform/config/reader.h"
#include "services/event_query/rebuild.h"

namespace {

using ticketly::service::ServiceDescriptor;

// No names: every service, plus the development identity provider unless this is
// production or tokens come from an external issuer.
std::vector<const ServiceDescriptor*> select_services(const std::vector<std::string>& names,
                                                      const ticketly::config::Source& source) {
  if (names.empty()) {
    bool dev_idp = source.get("TICKETLY_ENV").value_or("development") != "production" &&
                   source.get("TICKETLY_AUTH_ISSUER").value_or("").empty();
    std::vector<const ServiceDescriptor*> out;
    for (const auto* d : ticketly::app::all_services()) {
      if (d->id != "idp" || dev_idp) out.push_back(d);
    }
    return out;
  }
  std::vector<const ServiceDescriptor*> out;
  for (const auto& n : names) {
    const auto* d = ticketly::app::find_service(n);
    if (!d) throw CLI::ValidationError("service", "unknown service '" + n + "'");
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

std::string service_list() {
  std::string s;
  for (const auto* d : ticketly::app::all_services()) s += (s.empty() ? "" : ", ") + std::string(d->name);
  return s;
}

ticketly::app::Settings load(const ticketly::config::Source& source, const std::vector<const ServiceDescriptor*>& svcs) {
  auto settings = ticketly::app::load_settings(source, svcs);
  ticketly::log::init(settings.log);
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer or a log reader that went away must surface as a write error, not kill
  // the process (asio sockets already use MSG_NOSIGNAL; the access log writes stdout).
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App cli{"Ticketly: event ticketing platform (event-command, event-query, order, scheduler)", "ticketly"};
  cli.require_subcommand(1);

  std::vector<std::string> serve_names;
  auto* serve = cli.add_subcommand("serve", "Run services. No argument: all of them (and, outside production, the "
                                            "development identity provider) on TICKETLY_PORT (8088); one name: that "
                                            "service alone on its own port");
  serve->add_option("services", serve_names, "Services to run: " + service_list());

  std::vector<std::string> migrate_names;
  auto* migrate = cli.add_subcommand("migrate", "Create missing databases and apply migrations, then exit");
  migrate->add_option("services", migrate_names, "Services whose databases to migrate (default: all)");

  auto* version = cli.add_subcommand("version", "Print the version");

  ticketly::app::demo::SeedOptions seed_options;
  if (const char* port = std::getenv("TICKETLY_PORT"); port && *port) {
    seed_options.base_url = std::string("http://localhost:") + port;
  }
  auto* seed = cli.add_subcommand("seed", "Create the demo catalogue (organization, event, sessions on sale) "
                                          "through the public API of a running server; does nothing if present");
  seed->add_option("--url", seed_options.base_url, "Base URL of the running all-in-one server")
      ->capture_default_str();
  auto* rebuild = cli.add_subcommand("rebuild-read-model",
                                     "Empty the event-query read model and rebuild it from the bus, then exit");

  CLI11_PARSE(cli, argc, argv);

  try {
    auto source = ticketly::config::Source::from_environment();
    if (*version) {
      std::cout << "ticketly " << TICKETLY_VERSION << "\n";
      return 0;
    }
    if (*seed) {
      ticketly::app::demo::print_summary(std::cout, seed_options, ticketly::app::demo::seed(seed_options));
      return 0;
    }
    if (*migrate) {
      auto services = select_services(migrate_names, source);
      auto settings = load(source, services);
      ticketly::app::migrate_databases(settings, services);
      return 0;
    }
    if (*rebuild) {
      const auto* query = ticketly::app::find_service("event-query");
      auto settings = load(source, {query});
      ticketly::app::migrate_databases(settings, {query});
      ticketly::event_query::RebuildOptions options;
      options.database_url = settings.database_url(*query);
      options.bus = settings.bus;
      options.bus_database_url =
          ticketly::bus::bus_database_url(settings.bus, settings.pg_url, settings.db_name_prefix);
      auto result = ticketly::event_query::rebuild_read_model(options);
      std::cout << "rebuilt the read model from " << result.messages << " messages (" << result.dead_lettered
                << " dead-lettered)" << (result.caught_up ? "" : "; timed out before catching up") << "\n";
      return result.caught_up ? 0 : 1;
    }
    auto services = select_services(serve_names, source);
    auto settings = load(source, services);
    ticketly::app::Application app(std::move(settings), source, services);
    return app.run();
  } catch (const ticketly::config::ConfigError& e) {
    std::cerr << "ticketly: " << e.what() << "\n";
    return 2;
  } catch (const CLI::Error& e) {
    return cli.exit(e);
  } catch (const std::exception& e) {
    spdlog::critical("ticketly: {}", e.what());
    std::cerr << "ticketly: " << e.what() << "\n";
    return 1;
  }
}
