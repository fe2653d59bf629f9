#include "services/event_query/live/response_cache.h"

#include <functional>

namespace ticketly::event_query {

ResponseCache::ResponseCache(std::chrono::milliseconds ttl, std::size_t max_entries_per_shard)
    : ttl_(ttl), max_entries_(max_entries_per_shard) {}

std::size_t ResponseCache::shard_of(std::string_view key) const { return std::hash<std::string_view>{}(key) % kShards; }

ResponseCache::Body ResponseCache::find(std::string_view key) const {
  if (!enabled_.load(std::memory_order_acquire)) return nullptr;
  auto& shard = shards_[shard_of(key)];
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(std::string(key));
  if (it == shard.entries.end() || it->second.expires <= std::chrono::steady_clock::now()) {
    misses_.fetch_add(1, std::memory_order_relaxed);
    return nullptr;
  }
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second.body;
}

ResponseCache::Ticket ResponseCache::ticket(std::string_view key) const {
  const std::size_t s = shard_of(key);
  std::lock_guard lock(shards_[s].mutex);
  return Ticket{s, shards_[s].generation};
}

void ResponseCache::store(std::string_view key, const Ticket& ticket, Body body) {
  if (!enabled_.load(std::memory_order_acquire)) return;
  auto& shard = shards_[ticket.shard];
  std::lock_guard lock(shard.mutex);
  if (shard.generation != ticket.generation) return;
  // A crude bound: a full shard starts over (searches with ever-new query strings must
  // not grow memory without limit).
  if (shard.entries.size() >= max_entries_) shard.entries.clear();
  shard.entries[std::string(key)] = Entry{std::move(body), std::chrono::steady_clock::now() + ttl_};
}

void ResponseCache::invalidate(std::string_view key) {
  auto& shard = shards_[shard_of(key)];
  std::lock_guard lock(shard.mutex);
  shard.entries.erase(std::string(key));
  ++shard.generation;
}

void ResponseCache::invalidate_all() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.entries.clear();
    ++shard.generation;
  }
}

void ResponseCache::set_enabled(bool enabled) {
  enabled_.store(enabled, std::memory_order_release);
  invalidate_all();
}

}  // namespace ticketly::event_query
