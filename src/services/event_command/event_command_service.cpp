#include "services/event_command/event_command_service.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <spdlog/spdlog.h>

#include "platform/bus/consumer.h"
#include "services/event_command/events/order_consumer.h"
#include "services/event_command/events/snapshots.h"
#include "services/event_command/images/local_storage.h"
#include "services/event_command/routes.h"
#include "services/event_command/store/categories_store.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> event_command();  // generated from migrations/event_command/
}

namespace ticketly::event_command {
namespace {

namespace asio = boost::asio;

std::unique_ptr<ImageStorage> make_storage(service::ServiceContext& context, const Settings& settings) {
  if (settings.s3) return std::make_unique<S3ImageStorage>(context.io, *settings.s3);
  return std::make_unique<LocalImageStorage>(settings.images_dir);
}

// Categories whose current version never reached the outbox — the seeded tree on the
// first start — are published once the service runs. Idempotent across replicas
// (rows are locked, and consumers apply a version once).
asio::awaitable<void> publish_pending_categories(std::shared_ptr<App> app) {
  try {
    auto work = [&](db::Connection& tx) -> asio::awaitable<std::size_t> {
      const auto pending = co_await store::unpublished_categories(tx);
      for (const auto& c : pending) co_await publish_category(tx, *app, c);
      co_return pending.size();
    };
    const auto published = co_await app->db.transaction(work);
    if (published) spdlog::info("event-command: published {} category snapshot(s)", published);
  } catch (const std::exception& e) {
    spdlog::error("event-command: publishing categories failed: {}", e.what());
  }
}

class EventCommandService final : public service::Service {
 public:
  explicit EventCommandService(service::ServiceContext& context)
      : context_(context),
        app_(std::make_shared<App>(App{context.database, *context.verifier, read_settings(context.config), nullptr,
                                       std::make_unique<DraftOverviewGenerator>(),
                                       std::make_unique<KeycloakDirectory>(context.io, context.identity)})) {
    app_->images = make_storage(context, app_->settings);
    if (context.consumer) register_order_consumer(*app_, *context.consumer);
  }

  void register_routes(http::Router& router) override { event_command::register_routes(*app_, router); }

  void start() override {
    asio::co_spawn(context_.io.context(0), publish_pending_categories(app_), asio::detached);
  }

 private:
  service::ServiceContext& context_;
  std::shared_ptr<App> app_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "event-command", "event_command", "/api/event-seating", 8081, &migrations::event_command,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<EventCommandService>(c); }};
  return d;
}

}  // namespace ticketly::event_command
