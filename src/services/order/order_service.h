#pragma once
// The order service: see docs/ARCHITECTURE.md and ../shared/API.md for its contract.
#include "platform/service/service.h"

namespace ticketly::order {

const service::ServiceDescriptor& descriptor();

}  // namespace ticketly::order
