#include "services/order/order_service.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> order();  // generated from migrations/order/
}

namespace ticketly::order {
namespace {

// Domain routes arrive with the service's own issue; the process already serves
// /api/order/health and readiness for it.
class OrderService final : public service::Service {
 public:
  explicit OrderService(service::ServiceContext& context) : context_(context) {}
  void register_routes(http::Router&) override {}

 private:
  [[maybe_unused]] service::ServiceContext& context_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "order", "order", "/api/order", 8084, &migrations::order,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<OrderService>(c); }};
  return d;
}

}  // namespace ticketly::order
