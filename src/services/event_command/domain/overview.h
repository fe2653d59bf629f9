#pragma once
// The AI overview (POST /v1/ai/generate-overview) behind an interface: a deployment may
// plug in a language model; the default writes a deterministic Markdown draft from the
// fields the organizer already typed, so the feature works offline and in tests.
#include <boost/asio/awaitable.hpp>

#include <optional>
#include <string>

namespace ticketly::event_command {

struct OverviewRequest {
  std::string prompt;
  std::optional<std::string> title;
  std::optional<std::string> organization;
  std::optional<std::string> description;
  std::optional<std::string> category;
};

class OverviewGenerator {
 public:
  virtual ~OverviewGenerator() = default;
  // Markdown for the event page. Throws ticketly::Error (e.g. 503) when unavailable.
  virtual boost::asio::awaitable<std::string> generate(OverviewRequest request) = 0;
};

// The same input always gives the same Markdown.
std::string draft_overview(const OverviewRequest& request);

class DraftOverviewGenerator final : public OverviewGenerator {
 public:
  boost::asio::awaitable<std::string> generate(OverviewRequest request) override;
};

}  // namespace ticketly::event_command
