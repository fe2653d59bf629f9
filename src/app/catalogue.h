#pragma once
// The services this binary can run, in a fixed order.
#include <string_view>
#include <vector>

#include "platform/service/service.h"

namespace ticketly::app {

const std::vector<const service::ServiceDescriptor*>& all_services();
// nullptr for an unknown name.
const service::ServiceDescriptor* find_service(std::string_view name);

}  // namespace ticketly::app
