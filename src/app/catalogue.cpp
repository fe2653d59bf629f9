#include "app/catalogue.h"

#include "services/event_command/event_command_service.h"
#include "services/event_query/event_query_service.h"
#include "services/idp/idp_service.h"
#include "services/order/order_service.h"
#include "services/scheduler/scheduler_service.h"

namespace ticketly::app {

const std::vector<const service::ServiceDescriptor*>& all_services() {
  static const std::vector<const service::ServiceDescriptor*> services{
      &event_command::descriptor(), &event_query::descriptor(), &order::descriptor(), &scheduler::descriptor(),
      &idp::descriptor()};
  return services;
}

const service::ServiceDescriptor* find_service(std::string_view name) {
  for (const auto* s : all_services()) {
    if (s->name == name || s->id == name) return s;
  }
  return nullptr;
}

}  // namespace ticketly::app
