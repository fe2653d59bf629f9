#include "services/order/order_service.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "platform/bus/consumer.h"
#include "services/order/order_app.h"
#include "services/order/payments/stripe_provider.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> order();  // generated from migrations/order/
}

namespace ticketly::order {

OrderApp::OrderApp(service::ServiceContext& c, OrderConfig cfg, QrKeyRing keys)
    : context(c),
      db(c.database),
      verifier(*c.verifier),
      config(std::move(cfg)),
      qr_keys(std::move(keys)),
      orders(c.database, c.io),
      ticket_count(
          c.io, [&db = c.database] { return store::count_tickets(db); }, config.ticket_count_max_age),
      inventory(c.database, c.io, config.fence),
      writer(c.database, c.io, config.hold_batch),
      placer(c.database, inventory, writer, config, &hub),
      releaser(c.database, c.io, inventory, &hub) {
  if (config.development_payments()) {
    auto dev = std::make_unique<payments::DevProvider>(config.stripe_webhook_secret);
    dev_provider = dev.get();
    provider = std::move(dev);
  } else {
    provider = std::make_unique<payments::StripeProvider>(
        c.io, payments::StripeOptions{config.stripe_api_url, config.stripe_secret_key, config.stripe_webhook_secret});
  }
  payments =
      std::make_unique<payments::Payments>(c.database, c.io, *provider, inventory, config, &hub, &ticket_count);
}

OrderApp::~OrderApp() = default;

namespace {

class OrderService final : public service::Service {
 public:
  explicit OrderService(service::ServiceContext& context) {
    if (!context.verifier) throw std::logic_error("order service: no token verifier");
    auto config = read_order_config(context.config, context.environment);
    auto keys = load_qr_keys(context.config, config);
    app_ = std::make_unique<OrderApp>(context, std::move(config), std::move(keys));
    if (app_->dev_provider) {
      spdlog::warn("order service: development payment provider (no real payments; set STRIPE_SECRET_KEY)");
    }
    if (context.consumer) register_consumers(*app_);
  }

  void register_routes(http::Router& router) override { order::register_routes(*app_, router); }

  void start() override {
    app_->inventory.start();
    app_->releaser.start(app_->config.sweep_interval);
    app_->payments->start(app_->config.refund_interval);
  }

  void stop() override {
    app_->payments->stop();
    app_->releaser.stop();
    app_->inventory.stop();
  }

 private:
  std::unique_ptr<OrderApp> app_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "order", "order", "/api/order", 8084, &migrations::order,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<OrderService>(c); },
      // The first holds and payments of a sale are its winners: they should not pay for a
      // new connection's cold plans (migrations/order/0008_warm_up.sql).
      "SELECT order_warm_up()"};
  return d;
}

}  // namespace ticketly::order
