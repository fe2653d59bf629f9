#pragma once
// SharedCache<T>: immutable values shared by every worker of the process — pre-serialized
// responses (ResponseCache) and parsed event documents (DocumentCache).
//
// Filling is race-free against invalidation: a reader takes a Ticket before it reads the
// database and stores its result with that ticket; if the key's shard was invalidated in
// between, the store is dropped (the result may predate the change). Entries also expire
// after a TTL, which bounds staleness should a change notification ever be lost.
//
// Stale-while-revalidate: past its TTL an entry may still be served for a bounded `stale`
// window. lookup() then hands out the value and, to exactly one caller per entry, a refresh
// claim: that caller refreshes the entry in the background (ticket, read, store) and then
// calls end_refresh(). Invalidation still erases entries, so a change that must be seen is
// never answered from a stale copy; only a cold miss (or one past the window) waits.
//
// Bounds: entries per shard and bytes per shard (keys and values, by cache_weight()). A
// store that would pass either first drops the entries past their stale window (they can
// never be served again), then, still over, starts the shard over.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "platform/http/body_file.h"

namespace ticketly::event_query {

struct CacheOptions {
  std::chrono::milliseconds ttl{10000};
  std::chrono::milliseconds stale{0};  // how long past the TTL an entry may be served stale
  std::size_t max_entries_per_shard = 4096;
  // Keys and values (cache_weight) a shard may hold; a larger value is not stored at all.
  std::size_t max_bytes_per_shard = std::size_t{8} << 20;
  // The clock (tests inject one); steady_clock::now when empty.
  std::function<std::chrono::steady_clock::time_point()> now;
};

// The bytes a cached value holds, for the byte bound: strings and responses by their
// text; anything else (parsed documents) by its object size alone.
template <class T>
std::size_t cache_weight(const T&) {
  return sizeof(T);
}
inline std::size_t cache_weight(const std::string& s) { return s.size(); }
struct CachedBody;
std::size_t cache_weight(const CachedBody& body);

template <class T>
class SharedCache {
 public:
  using Value = std::shared_ptr<const T>;
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Ticket {
    std::size_t shard = 0;
    std::uint64_t generation = 0;
  };
  struct Lookup {
    Value value;                // null: a miss (absent, or past the stale window)
    bool stale = false;         // past its TTL, still within the stale window
    std::uint64_t refresh = 0;  // non-zero: this caller refreshes the entry, then calls end_refresh
  };

  explicit SharedCache(std::chrono::milliseconds ttl, std::size_t max_entries_per_shard = 4096)
      : SharedCache(CacheOptions{.ttl = ttl, .max_entries_per_shard = max_entries_per_shard}) {}
  explicit SharedCache(CacheOptions options) : options_(std::move(options)) {}

  // A fresh value, or nullptr (stale entries are not returned; see lookup()).
  Value find(std::string_view key) const {
    if (!enabled_.load(std::memory_order_acquire)) return nullptr;
    auto& shard = shards_[shard_of(key)];
    const auto now = clock();
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end() || it->second.fresh_until <= now) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.value;
  }

  // A fresh value; or a stale one within the window, with a refresh claim for the first
  // caller since the entry went stale (until that claim ends); or a miss.
  Lookup lookup(std::string_view key) {
    if (!enabled_.load(std::memory_order_acquire)) return {};
    auto& shard = shards_[shard_of(key)];
    const auto now = clock();
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end() || it->second.stale_until <= now) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return {};
    }
    Entry& e = it->second;
    if (e.fresh_until > now) {
      hits_.fetch_add(1, std::memory_order_relaxed);
      return Lookup{e.value, false, 0};
    }
    stale_hits_.fetch_add(1, std::memory_order_relaxed);
    if (e.refreshing != 0) return Lookup{e.value, true, 0};
    e.refreshing = next_refresh_.fetch_add(1, std::memory_order_relaxed);
    return Lookup{e.value, true, e.refreshing};
  }

  // Ends a refresh claim from lookup(): one whose store replaced the entry is already over;
  // one that failed or was dropped lets the next stale lookup try again.
  void end_refresh(std::string_view key, std::uint64_t refresh) {
    auto& shard = shards_[shard_of(key)];
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it != shard.entries.end() && it->second.refreshing == refresh) it->second.refreshing = 0;
  }

  Ticket ticket(std::string_view key) const {
    const std::size_t s = shard_of(key);
    std::lock_guard lock(shards_[s].mutex);
    return Ticket{s, shards_[s].generation};
  }

  // Stores unless the shard changed since `ticket` (or caching is disabled).
  void store(std::string_view key, const Ticket& ticket, Value value) {
    if (!enabled_.load(std::memory_order_acquire)) return;
    auto& shard = shards_[ticket.shard];
    const auto now = clock();
    std::lock_guard lock(shard.mutex);
    if (shard.generation != ticket.generation) return;
    const std::size_t weight = kEntryOverhead + key.size() + (value ? cache_weight(*value) : 0);
    if (weight > options_.max_bytes_per_shard) return;  // it would push out everything else
    if (auto it = shard.entries.find(key); it != shard.entries.end()) erase(shard, it);
    make_room(shard, now, weight);
    const auto fresh_until = now + options_.ttl;
    shard.entries.emplace(std::string(key), Entry{std::move(value), fresh_until, fresh_until + options_.stale, 0, weight});
    shard.bytes += weight;
  }

  void invalidate(std::string_view key) {
    auto& shard = shards_[shard_of(key)];
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.entries.find(key); it != shard.entries.end()) erase(shard, it);
    ++shard.generation;
  }

  void invalidate_all() {
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      clear(shard);
      ++shard.generation;
    }
  }

  // While disabled (e.g. the change listener is disconnected) nothing is stored or found.
  void set_enabled(bool enabled) {
    enabled_.store(enabled, std::memory_order_release);
    invalidate_all();
  }

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  std::uint64_t stale_hits() const { return stale_hits_.load(std::memory_order_relaxed); }

  // The bytes held (as the byte bound counts them), over all shards.
  std::size_t bytes() const {
    std::size_t total = 0;
    for (const auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      total += shard.bytes;
    }
    return total;
  }
  std::size_t shard_of(std::string_view key) const { return std::hash<std::string_view>{}(key) % kShards; }

  // Budgets are per shard: a whole-cache budget of B bytes is B / kShards per shard.
  static constexpr std::size_t kShards = 32;

 private:
  // What an entry costs beyond its key and value: map node, bucket, shared_ptr control block.
  static constexpr std::size_t kEntryOverhead = 128;
  struct Entry {
    Value value;
    TimePoint fresh_until;
    TimePoint stale_until;
    std::uint64_t refreshing = 0;  // the open refresh claim, 0 if none
    std::size_t weight = 0;        // bytes charged to the shard
  };
  // Heterogeneous lookup: finding a key costs no string allocation.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  using Map = std::unordered_map<std::string, Entry, KeyHash, std::equal_to<>>;
  using Iterator = typename Map::iterator;
  struct Shard {
    mutable std::mutex mutex;
    Map entries;
    std::uint64_t generation = 0;
    std::size_t bytes = 0;  // the weights of `entries`
  };

  static Iterator erase(Shard& shard, Iterator it) {
    shard.bytes -= it->second.weight;
    return shard.entries.erase(it);
  }
  static void clear(Shard& shard) {
    shard.entries.clear();
    shard.bytes = 0;
  }
  bool fits(const Shard& shard, std::size_t weight) const {
    return shard.entries.size() < options_.max_entries_per_shard &&
           shard.bytes + weight <= options_.max_bytes_per_shard;
  }
  // Entries past their stale window go first: left alone they would hold their bytes until
  // the shard fills. Still no room: a crude start-over, but ever-new keys (a client
  // varying its searches) must not grow memory without limit.
  void make_room(Shard& shard, TimePoint now, std::size_t weight) {
    if (fits(shard, weight)) return;
    for (auto it = shard.entries.begin(); it != shard.entries.end();) {
      it = it->second.stale_until <= now ? erase(shard, it) : std::next(it);
    }
    if (!fits(shard, weight)) clear(shard);
  }
  TimePoint clock() const { return options_.now ? options_.now() : std::chrono::steady_clock::now(); }

  CacheOptions options_;
  std::atomic<bool> enabled_{true};
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
  std::atomic<std::uint64_t> stale_hits_{0};
  std::atomic<std::uint64_t> next_refresh_{1};
};

// A cached response: the JSON text and its strong validator; a large view also keeps a
// gzip copy with its own validator (a strong ETag names one byte sequence, so the two
// encodings must differ). The strings are shared with the responses that send them.
// A large encoding also has an in-memory file of its bytes, which the server sends with
// sendfile() instead of copying the string into every socket (http/body_file.h).
struct CachedBody {
  std::string json;
  std::string etag;       // quoted: base64url of the first 16 bytes of SHA-256(json)
  std::string gzip;       // empty: no compressed variant
  std::string gzip_etag;  // quoted: the hash of the gzip bytes, with a "-gz" suffix
  std::shared_ptr<const http::BodyFile> json_file;  // null: below BodyFile::kMinimumSize
  std::shared_ptr<const http::BodyFile> gzip_file;

  bool has_gzip() const { return !gzip.empty(); }
};

// Wraps serialized `json` with its validator and, when `gzip_level` > 0, a compressed copy
// (made once per fill, not per request).
std::shared_ptr<const CachedBody> make_cached_body(std::string json, int gzip_level = 0);

using ResponseCache = SharedCache<CachedBody>;

// The seat map's key in its cache (the change listener drops it on seat changes).
inline std::string seat_map_key(std::string_view session_id) { return "seatmap:" + std::string(session_id); }

}  // namespace ticketly::event_query
