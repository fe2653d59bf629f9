#pragma once
// Everything the order service builds at start-up, wired once: the route handlers, the
// bus consumers and the background jobs hold a reference to this and nothing else.
#include <memory>

#include "platform/auth/verifier.h"
#include "platform/db/database.h"
#include "platform/http/router.h"
#include "platform/service/service.h"
#include "services/order/domain/qr.h"
#include "services/order/events/checkout_hub.h"
#include "services/order/inventory/hold_writer.h"
#include "services/order/inventory/inventory.h"
#include "services/order/inventory/placer.h"
#include "services/order/inventory/releaser.h"
#include "services/order/order_config.h"
#include "services/order/payments/dev_provider.h"
#include "services/order/payments/payments.h"
#include "services/order/payments/provider.h"
#include "services/order/store/order_reader.h"
#include "services/order/store/ticket_counter.h"

namespace ticketly::order {

struct OrderApp {
  OrderApp(service::ServiceContext& context, OrderConfig config, QrKeyRing keys);
  ~OrderApp();

  service::ServiceContext& context;
  db::Database& db;
  auth::Verifier& verifier;
  const OrderConfig config;
  const QrKeyRing qr_keys;
  events::CheckoutHub hub;
  store::OrderReader orders;  // the order a request is about (api/access.cpp)
  store::TicketCounter ticket_count;  // GET /tickets/count; payments add what they issue
  inventory::Inventory inventory;
  inventory::HoldWriter writer;
  inventory::Placer placer;
  inventory::Releaser releaser;
  std::unique_ptr<payments::PaymentProvider> provider;
  payments::DevProvider* dev_provider = nullptr;  // set when the development provider is in use
  std::unique_ptr<payments::Payments> payments;
};

// routes.cpp: the route table of API.md §3.
void register_routes(OrderApp& app, http::Router& router);
// events/catalog_consumer.cpp: the handlers of ticketly.catalog.events / .organizations.
void register_consumers(OrderApp& app);

}  // namespace ticketly::order
