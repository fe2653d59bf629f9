#pragma once
// ResponseCache: pre-serialized JSON responses, shared by every worker of the process.
//
// Filling is race-free against invalidation: a reader takes a Ticket before it reads the
// database and stores its result with that ticket; if the key's shard was invalidated in
// between, the store is dropped (the result may predate the change). Entries also expire
// after a TTL, which bounds staleness should a change notification ever be lost.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ticketly::event_query {

class ResponseCache {
 public:
  using Body = std::shared_ptr<const std::string>;
  struct Ticket {
    std::size_t shard = 0;
    std::uint64_t generation = 0;
  };

  explicit ResponseCache(std::chrono::milliseconds ttl, std::size_t max_entries_per_shard = 4096);

  Body find(std::string_view key) const;
  Ticket ticket(std::string_view key) const;
  // Stores unless the shard changed since `ticket` (or caching is disabled).
  void store(std::string_view key, const Ticket& ticket, Body body);

  void invalidate(std::string_view key);
  void invalidate_all();

  // While disabled (e.g. the change listener is disconnected) nothing is stored or found.
  void set_enabled(bool enabled);

  std::uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  std::uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::size_t kShards = 32;
  struct Entry {
    Body body;
    std::chrono::steady_clock::time_point expires;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::uint64_t generation = 0;
  };
  std::size_t shard_of(std::string_view key) const;

  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  std::atomic<bool> enabled_{true};
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::uint64_t> hits_{0};
  mutable std::atomic<std::uint64_t> misses_{0};
};

}  // namespace ticketly::event_query
