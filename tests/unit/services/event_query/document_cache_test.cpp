// The parsed-document cache is bounded in bytes by an estimate from each document's text.
#include "services/event_query/live/document_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ticketly::event_query {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const StoredEvent> document_of(std::size_t text_bytes) {
  return std::make_shared<const StoredEvent>(
      StoredEvent{"APPROVED", "owner", json::Json::object(), std::nullopt, text_bytes});
}

void put(DocumentCache& cache, const std::string& key, std::size_t text_bytes) {
  cache.store(key, cache.ticket(key), document_of(text_bytes));
}

TEST(EventQueryDocumentCache, ADocumentIsChargedSeveralTimesItsText) {
  EXPECT_GE(cache_weight(*document_of(1'000'000)), kParsedBytesPerTextByte * 1'000'000);
  EXPECT_LT(cache_weight(*document_of(0)), 1024u);
}

TEST(EventQueryDocumentCache, DocumentsStayWithinTheByteBudget) {
  // 1 MB of text per shard is room for one 100 KB document's estimate (600 KB), not two.
  DocumentCache cache(CacheOptions{.ttl = 60s, .max_bytes_per_shard = 1'000'000});
  for (int i = 0; i < 200; ++i) put(cache, "event-" + std::to_string(i), 100'000);
  EXPECT_LE(cache.bytes(), DocumentCache::kShards * 1'000'000u);
  EXPECT_GT(cache.bytes(), 0u);
  // A document whose estimate is beyond a shard's budget is not kept at all.
  put(cache, "huge", 200'000);
  EXPECT_EQ(cache.find("huge"), nullptr);
  put(cache, "small", 1'000);
  EXPECT_NE(cache.find("small"), nullptr);
}

}  // namespace
}  // namespace ticketly::event_query
