#pragma once
// SharedCache<T>: immutable values shared by every worker of the process — pre-serialized
// JSON responses (ResponseCache) and parsed event documents (DocumentCache).
//
// Filling is race-free against invalidation: a reader takes a Ticket before it reads the
// database and stores its result with that ticket; if the key's shard was invalidated in
// between, the store is dropped (the result may predate the change). Entries also expire
// after a TTL, which bounds staleness should a change notification ever be lost.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ticketly::event_query {

template <class T>
class SharedCache {
 public:
  using Value = std::shared_ptr<const T>;
  struct Ticket {
    std::size_t shard = 0;
    std::uint64_t generation = 0;
  };

  explicit SharedCache(std::chrono::milliseconds ttl, std::size_t max_entries_per_shard = 4096)
      : ttl_(ttl), max_entries_(max_entries_per_shard) {}

  Value find(std::string_view key) const {
    if (!enabled_.load(std::memory_order_acquire)) return nullptr;
    auto& shard = shards_[shard_of(key)];
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(std::string(key));
    if (it == shard.entries.end() || it->second.expires <= std::chrono::steady_clock::now()) {
      misses_.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    hits_.fetch_add(1, std::memory_order_relaxed);
    return it->second.value;
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
    std::lock_guard lock(shard.mutex);
    if (shard.generation != ticket.generation) return;
    // A crude bound: a full shard starts over (searches with ever-new query strings must
    // not grow memory without limit).
    if (shard.entries.size() >= max_entries_) shard.entries.clear();
    shard.entries[std::string(key)] = Entry{std::move(value), std::chrono::steady_clock::now() + ttl_};
  }

  void invalidate(std::string_view key) {
    auto& shard = shards_[shard_of(key)];
    std::lock_guard lock(shard.mutex);
    shard.entries.erase(std::string(key));
    ++shard.generation;
  }

  void invalidate_all() {
    for (auto& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      shard.entries.clear();
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

 private:
  static constexpr std::size_t kShards = 32;
  struct Entry {
    Value value;
    std::chrono::steady_clock::time_point expires;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::uint64_t generation = 0;
  };
  std::size_t shard_of(std::string_view key) const { return std::hash<std::string_view>{}(key) % kShards; }

  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  std::atomic<bool> enabled_{true};
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
};

// Pre-serialized JSON response bodies.
using ResponseCache = SharedCache<std::string>;

}  // namespace ticketly::event_query
