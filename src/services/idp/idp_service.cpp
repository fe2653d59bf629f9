#include "services/idp/idp_service.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <stdexcept>

#include "platform/config/reader.h"
#include "services/idp/client_secrets.h"
#include "services/idp/provider.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> idp();  // generated from migrations/idp/
}

namespace ticketly::idp {
namespace {

class IdpService final : public service::Service {
 public:
  explicit IdpService(service::ServiceContext& context) : context_(context) {
    auto env = context.config.get("TICKETLY_ENV");
    if (context.environment == "production" || (env && *env == "production")) {
      throw std::runtime_error(
          "the development identity provider (service idp) refuses to run with TICKETLY_ENV=production: use "
          "Keycloak with deploy/keycloak/realm-export.json and set TICKETLY_AUTH_ISSUER (deploy/keycloak/README.md)");
    }
    spdlog::warn("development identity provider: not for production");
    auto settings = read_settings(context.config);
    auto realm_file = locate_realm_file(settings.realm_file);
    Realm realm = load_realm_file(realm_file);
    if (realm.name != kRealmName) {
      throw std::runtime_error(realm_file + ": the realm must be named " + std::string(kRealmName));
    }
    auto key = SigningKey::load_or_create(settings.data_dir);
    std::vector<std::string> confidential;
    for (const auto& c : realm.clients) {
      if (c.confidential()) confidential.push_back(c.client_id);
    }
    auto secrets = resolve_client_secrets(context.config, settings.data_dir, confidential);
    spdlog::info("identity provider: issuer {}, realm file {}, {} client(s), keys and client secrets in {}",
                 settings.issuer, realm_file, realm.clients.size(), (settings.data_dir / "idp").string());
    provider_ = std::make_unique<Provider>(std::move(settings), std::move(realm), std::move(key), std::move(secrets),
                                           context.database);
  }

  void register_routes(http::Router& router) override { idp::register_routes(*provider_, router); }

  // Adds the realm's users to the database, waiting for it so the first login finds
  // them; when the database is not reachable yet, the first lookup retries.
  void start() override {
    auto done = asio::co_spawn(context_.io.context(0), provider_->users.seed(), asio::use_future);
    if (done.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      spdlog::warn("identity provider: adding the realm's users is slow; continuing in the background");
      return;
    }
    try {
      done.get();
    } catch (const std::exception& e) {
      spdlog::warn("identity provider: adding the realm's users failed ({}); retrying on first use", e.what());
    }
  }

 private:
  service::ServiceContext& context_;
  std::unique_ptr<Provider> provider_;
};

std::filesystem::path data_dir(const config::Source& config) {
  return config.get("TICKETLY_DATA_DIR").value_or(".ticketly");
}

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "idp",
      "idp",
      kBasePath,
      8180,
      &migrations::idp,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<IdpService>(c); }};
  return d;
}

std::string jwks_json(const std::string& dir) { return SigningKey::load_or_create(dir).jwks_json(); }

std::string client_secret(const config::Source& config, std::string_view client_id) {
  std::string id(client_id);
  return resolve_client_secrets(config, data_dir(config), {id}).at(id);
}

std::string issuer(const config::Source& config) {
  std::string url = config.get("TICKETLY_PUBLIC_URL").value_or("http://localhost:8088");
  while (url.ends_with('/')) url.pop_back();
  return url + std::string(kBasePath);
}

}  // namespace ticketly::idp
