#pragma once
// What a running test server reports on /metrics.
#include <cstdint>
#include <string>

namespace ticketly::testing {

// Messages of `topic` that consumer group `group` has handled or dead-lettered: a handler
// counts once it has returned (for the order service's catalog consumer, after the
// inventory refresh it triggers).
std::int64_t consumed_messages(std::uint16_t port, const std::string& group, const std::string& topic);

}  // namespace ticketly::testing
