#pragma once
// The scheduler service: see docs/ARCHITECTURE.md and ../shared/API.md for its contract.
#include "platform/service/service.h"

namespace ticketly::scheduler {

const service::ServiceDescriptor& descriptor();

}  // namespace ticketly::scheduler
