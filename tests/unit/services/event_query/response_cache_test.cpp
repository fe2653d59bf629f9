// SharedCache: fills racing invalidations, expiry and stale-while-revalidate, on a manual clock.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/event_query/live/response_cache.h"

namespace ticketly::event_query {
namespace {

using namespace std::chrono_literals;
using StringCache = SharedCache<std::string>;

struct ManualClock {
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  std::function<std::chrono::steady_clock::time_point()> source() {
    return [this] { return now; };
  }
};

std::shared_ptr<const std::string> text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

void put(StringCache& cache, const std::string& key, std::string value) {
  cache.store(key, cache.ticket(key), text(std::move(value)));
}

TEST(EventQueryResponseCache, StoresAndInvalidates) {
  StringCache cache(60s);
  put(cache, "k", "v1");
  ASSERT_NE(cache.find("k"), nullptr);
  EXPECT_EQ(*cache.find("k"), "v1");
  cache.invalidate("k");
  EXPECT_EQ(cache.find("k"), nullptr);
}

TEST(EventQueryResponseCache, DropsAFillThatRacedAnInvalidation) {
  StringCache cache(60s);
  auto t = cache.ticket("seatmap:x");  // a reader starts reading the database...
  cache.invalidate("seatmap:x");       // ...a change lands meanwhile...
  cache.store("seatmap:x", t, text("stale"));
  EXPECT_EQ(cache.find("seatmap:x"), nullptr);  // ...so its (maybe stale) result is not kept
}

TEST(EventQueryResponseCache, DisabledCacheNeitherStoresNorFinds) {
  StringCache cache(60s);
  cache.set_enabled(false);
  put(cache, "k", "v");
  EXPECT_EQ(cache.find("k"), nullptr);
  EXPECT_EQ(cache.lookup("k").value, nullptr);
  cache.set_enabled(true);
  EXPECT_EQ(cache.find("k"), nullptr);
}

TEST(EventQueryResponseCache, EntriesExpireWithoutAStaleWindow) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .now = clock.source()});
  put(cache, "k", "v");
  clock.now += 9s;
  EXPECT_NE(cache.find("k"), nullptr);
  EXPECT_NE(cache.lookup("k").value, nullptr);
  clock.now += 1s;
  EXPECT_EQ(cache.find("k"), nullptr);
  EXPECT_EQ(cache.lookup("k").value, nullptr);
}

TEST(EventQueryResponseCache, ServesStaleWithinTheWindowAndClaimsExactlyOneRefresh) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .stale = 5s, .now = clock.source()});
  put(cache, "k", "old");
  auto fresh = cache.lookup("k");
  EXPECT_FALSE(fresh.stale);
  EXPECT_EQ(fresh.refresh, 0u);

  clock.now += 11s;
  EXPECT_EQ(cache.find("k"), nullptr);  // find() never answers stale
  auto first = cache.lookup("k");
  ASSERT_NE(first.value, nullptr);
  EXPECT_EQ(*first.value, "old");
  EXPECT_TRUE(first.stale);
  EXPECT_NE(first.refresh, 0u);  // this caller refreshes
  for (int i = 0; i < 3; ++i) {
    auto other = cache.lookup("k");
    ASSERT_NE(other.value, nullptr);
    EXPECT_TRUE(other.stale);
    EXPECT_EQ(other.refresh, 0u);  // ...and nobody else
  }
  EXPECT_EQ(cache.stale_hits(), 4u);

  put(cache, "k", "new");  // the refresh stores
  cache.end_refresh("k", first.refresh);
  auto after = cache.lookup("k");
  EXPECT_EQ(*after.value, "new");
  EXPECT_FALSE(after.stale);
}

TEST(EventQueryResponseCache, BeyondTheStaleWindowIsAMiss) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .stale = 5s, .now = clock.source()});
  put(cache, "k", "old");
  clock.now += 15s;
  auto found = cache.lookup("k");
  EXPECT_EQ(found.value, nullptr);
  EXPECT_EQ(found.refresh, 0u);
}

TEST(EventQueryResponseCache, InvalidatedEntriesAreNeverServedStale) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .stale = 5s, .now = clock.source()});
  put(cache, "a", "1");
  put(cache, "b", "2");
  clock.now += 11s;
  cache.invalidate("a");
  EXPECT_EQ(cache.lookup("a").value, nullptr);
  cache.invalidate_all();
  EXPECT_EQ(cache.lookup("b").value, nullptr);
}

TEST(EventQueryResponseCache, AFailedOrDroppedRefreshLetsTheNextRequestTryAgain) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .stale = 5s, .now = clock.source()});
  put(cache, "k", "old");
  clock.now += 11s;
  auto claim = cache.lookup("k").refresh;
  ASSERT_NE(claim, 0u);
  cache.end_refresh("k", claim + 1);  // somebody else's claim: no effect
  EXPECT_EQ(cache.lookup("k").refresh, 0u);
  cache.end_refresh("k", claim);  // the refresh failed
  auto again = cache.lookup("k");
  EXPECT_NE(again.refresh, 0u);
  EXPECT_NE(again.refresh, claim);
  EXPECT_EQ(*again.value, "old");
}

TEST(EventQueryResponseCache, ARefreshThatRacedAnInvalidationIsDropped) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .stale = 5s, .now = clock.source()});
  put(cache, "k", "old");
  clock.now += 11s;
  auto claim = cache.lookup("k").refresh;
  auto t = cache.ticket("k");  // the refresh starts reading...
  cache.invalidate("k");       // ...a change lands...
  cache.store("k", t, text("maybe stale"));
  cache.end_refresh("k", claim);
  EXPECT_EQ(cache.lookup("k").value, nullptr);  // ...so the next request is a cold miss
}

// `n` distinct keys that fall into one shard (the bounds are per shard).
std::vector<std::string> keys_of_one_shard(const StringCache& cache, std::size_t n) {
  std::vector<std::string> keys;
  for (int i = 0; keys.size() < n; ++i) {
    std::string k = "k";
    k += std::to_string(i);  // not "k" + …: g++ 12 -O3 warns falsely (-Wrestrict) on that
    if (cache.shard_of(k) == cache.shard_of("k0")) keys.push_back(std::move(k));
  }
  return keys;
}

// Two 300-byte entries fit a 1,000-byte shard (with their keys and bookkeeping), three do not.
TEST(EventQueryResponseCache, ABudgetInBytesEvictsExpiredEntriesFirstThenTheShard) {
  ManualClock clock;
  StringCache cache(CacheOptions{.ttl = 10s, .max_bytes_per_shard = 1000, .now = clock.source()});
  const auto k = keys_of_one_shard(cache, 4);
  put(cache, k[0], std::string(300, 'a'));
  clock.now += 11s;  // k[0] is past its TTL (no stale window): it can never be served again
  put(cache, k[1], std::string(300, 'b'));
  put(cache, k[2], std::string(300, 'c'));  // makes room by dropping k[0] only
  EXPECT_EQ(cache.lookup(k[0]).value, nullptr);
  EXPECT_NE(cache.find(k[1]), nullptr);
  EXPECT_NE(cache.find(k[2]), nullptr);
  EXPECT_LE(cache.bytes(), 1000u);
  put(cache, k[3], std::string(300, 'd'));  // nothing expired: the shard starts over
  EXPECT_EQ(cache.find(k[1]), nullptr);
  EXPECT_EQ(cache.find(k[2]), nullptr);
  EXPECT_NE(cache.find(k[3]), nullptr);
  EXPECT_LE(cache.bytes(), 1000u);
}

TEST(EventQueryResponseCache, AValueLargerThanAShardIsNotStored) {
  StringCache cache(CacheOptions{.ttl = 10s, .max_bytes_per_shard = 1000});
  put(cache, "small", "v");
  put(cache, "huge", std::string(2000, 'x'));
  EXPECT_EQ(cache.find("huge"), nullptr);
  EXPECT_NE(cache.find("small"), nullptr);
}

// Many distinct keys (a client varying its searches) stay within shards x budget.
TEST(EventQueryResponseCache, ManyKeysStayWithinTheByteBudget) {
  StringCache cache(CacheOptions{.ttl = 60s, .max_bytes_per_shard = 4096});
  for (int i = 0; i < 2000; ++i) {
    std::string key = "search:";
    key += std::to_string(i);
    put(cache, key, std::string(500, 'x'));
  }
  EXPECT_LE(cache.bytes(), 32u * 4096u);
  EXPECT_GT(cache.bytes(), 0u);
  cache.invalidate_all();
  EXPECT_EQ(cache.bytes(), 0u);
}

}  // namespace
}  // namespace ticketly::event_query
