#include "support/metrics_support.h"

#include <string_view>

#include "support/http_client.h"

namespace ticketly::testing {

std::int64_t consumed_messages(std::uint16_t port, const std::string& group, const std::string& topic) {
  auto r = http_request(port, "GET", "/metrics");
  std::int64_t total = 0;
  std::size_t pos = 0;
  const std::string group_label = "group=\"" + group + "\"", topic_label = "topic=\"" + topic + "\"";
  while (pos < r.body.size()) {
    auto end = r.body.find('\n', pos);
    if (end == std::string::npos) end = r.body.size();
    std::string_view line(r.body.data() + pos, end - pos);
    pos = end + 1;
    const bool counted = line.starts_with("ticketly_bus_messages_processed_total{") ||
                         line.starts_with("ticketly_bus_messages_dead_lettered_total{");
    if (!counted || line.find(group_label) == std::string_view::npos ||
        line.find(topic_label) == std::string_view::npos) {
      continue;
    }
    auto space = line.rfind(' ');
    total += static_cast<std::int64_t>(std::stod(std::string(line.substr(space + 1))));
  }
  return total;
}

}  // namespace ticketly::testing
