#include "services/event_query/event_query_service.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> event_query();  // generated from migrations/event_query/
}

namespace ticketly::event_query {
namespace {

// Domain routes arrive with the service's own issue; the process already serves
// /api/event-query/health and readiness for it.
class EventQueryService final : public service::Service {
 public:
  explicit EventQueryService(service::ServiceContext& context) : context_(context) {}
  void register_routes(http::Router&) override {}

 private:
  [[maybe_unused]] service::ServiceContext& context_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "event-query", "event_query", "/api/event-query", 8082, &migrations::event_query,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<EventQueryService>(c); }};
  return d;
}

}  // namespace ticketly::event_query
