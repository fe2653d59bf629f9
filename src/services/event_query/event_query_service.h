#pragma once
// The event-query service: see docs/ARCHITECTURE.md and ../shared/API.md for its contract.
#include "platform/service/service.h"

namespace ticketly::event_query {

const service::ServiceDescriptor& descriptor();

}  // namespace ticketly::event_query
