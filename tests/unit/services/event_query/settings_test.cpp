// The event-query service's own settings: defaults and the cache budgets' bounds.
#include "services/event_query/settings.h"

#include <gtest/gtest.h>

#include <string>

#include "platform/config/reader.h"

namespace ticketly::event_query {
namespace {

using config::ConfigError;
using config::Source;

TEST(EventQuerySettings, CacheBudgetsDefaultAndParseSizes) {
  const auto defaults = load_settings(Source::from_map({}));
  EXPECT_EQ(defaults.cache_bytes, std::size_t{256} << 20);
  EXPECT_EQ(defaults.seat_map_cache_bytes, std::size_t{1} << 30);
  EXPECT_EQ(defaults.document_cache_bytes, std::size_t{1} << 30);
  const auto s = load_settings(Source::from_map({{"TICKETLY_EVENT_QUERY_CACHE_BYTES", "64MiB"},
                                                 {"TICKETLY_EVENT_QUERY_SEATMAP_CACHE_BYTES", "2GiB"},
                                                 {"TICKETLY_EVENT_QUERY_DOCUMENT_CACHE_BYTES", "512MiB"}}));
  EXPECT_EQ(s.cache_bytes, std::size_t{64} << 20);
  EXPECT_EQ(s.seat_map_cache_bytes, std::size_t{2} << 30);
  EXPECT_EQ(s.document_cache_bytes, std::size_t{512} << 20);
}

// A seat-map (document) budget whose per-shard share (1/32) could not hold a 10,000-seat
// map (event) would silently cache none of them at all: refused at start instead.
TEST(EventQuerySettings, CacheBudgetsTooSmallToHoldTheirValuesAreRefused) {
  try {
    load_settings(Source::from_map({{"TICKETLY_EVENT_QUERY_CACHE_BYTES", "1MiB"},
                                    {"TICKETLY_EVENT_QUERY_SEATMAP_CACHE_BYTES", "50MiB"},
                                    {"TICKETLY_EVENT_QUERY_DOCUMENT_CACHE_BYTES", "300MiB"}}));
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string all = e.what();
    EXPECT_NE(all.find("TICKETLY_EVENT_QUERY_CACHE_BYTES: '1MiB' must be between"), std::string::npos) << all;
    EXPECT_NE(all.find("TICKETLY_EVENT_QUERY_SEATMAP_CACHE_BYTES: '50MiB' must be between"), std::string::npos) << all;
    EXPECT_NE(all.find("TICKETLY_EVENT_QUERY_DOCUMENT_CACHE_BYTES: '300MiB' must be between"), std::string::npos)
        << all;
  }
  EXPECT_THROW(load_settings(Source::from_map({{"TICKETLY_EVENT_QUERY_CACHE_BYTES", "lots"}})), ConfigError);
}

}  // namespace
}  // namespace ticketly::event_query
