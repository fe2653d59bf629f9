#include "services/event_command/event_command_service.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> event_command();  // generated from migrations/event_command/
}

namespace ticketly::event_command {
namespace {

// Domain routes arrive with the service's own issue; the process already serves
// /api/event-seating/health and readiness for it.
class EventCommandService final : public service::Service {
 public:
  explicit EventCommandService(service::ServiceContext& context) : context_(context) {}
  void register_routes(http::Router&) override {}

 private:
  [[maybe_unused]] service::ServiceContext& context_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "event-command", "event_command", "/api/event-seating", 8081, &migrations::event_command,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<EventCommandService>(c); }};
  return d;
}

}  // namespace ticketly::event_command
