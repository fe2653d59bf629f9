#include "services/scheduler/scheduler_service.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> scheduler();  // generated from migrations/scheduler/
}

namespace ticketly::scheduler {
namespace {

// Domain routes arrive with the service's own issue; the process already serves
// /api/scheduler/health and readiness for it.
class SchedulerService final : public service::Service {
 public:
  explicit SchedulerService(service::ServiceContext& context) : context_(context) {}
  void register_routes(http::Router&) override {}

 private:
  [[maybe_unused]] service::ServiceContext& context_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "scheduler", "scheduler", "/api/scheduler", 8085, &migrations::scheduler,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<SchedulerService>(c); }};
  return d;
}

}  // namespace ticketly::scheduler
