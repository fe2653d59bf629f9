#include "services/event_query/live/seat_hub.h"

#include <functional>

#include "platform/errors.h"
#include "platform/json/json.h"

namespace ticketly::event_query {

namespace {

http::SseEvent resync_event(const std::string& session_id) {
  return http::SseEvent{"RESYNC", json::Json{{"sessionId", session_id}}.dump(), ""};
}

}  // namespace

SeatHub::SeatHub(SeatHubOptions options) : options_(options) {}

SeatHub::~SeatHub() { close_all(); }

SeatHub::Shard& SeatHub::shard_of(const std::string& session_id) {
  return shards_[std::hash<std::string>{}(session_id) % kShards];
}
const SeatHub::Shard& SeatHub::shard_of(const std::string& session_id) const {
  return shards_[std::hash<std::string>{}(session_id) % kShards];
}

std::shared_ptr<http::SseStream> SeatHub::subscribe(const std::string& session_id, const std::string& client) {
  {
    std::lock_guard lock(clients_mutex_);
    auto& n = per_client_[client];
    if (n >= options_.max_per_client) {
      throw Error(429, "Too many open seat-status streams from this client").with_header("Retry-After", "5");
    }
    if (total_.load(std::memory_order_relaxed) >= options_.max_subscribers) {
      if (n == 0) per_client_.erase(client);
      throw unavailable("Too many seat-status subscribers; try again shortly").with_header("Retry-After", "5");
    }
    ++n;
    total_.fetch_add(1, std::memory_order_relaxed);
  }
  http::SseOptions sse;
  sse.max_queued_bytes = options_.queue_bytes_per_subscriber;
  sse.socket_send_buffer = options_.socket_buffer_per_subscriber;
  sse.heartbeat = options_.heartbeat;
  sse.overflow_event = resync_event(session_id);
  auto stream = std::make_shared<http::SseStream>(sse);
  {
    auto& shard = shard_of(session_id);
    std::lock_guard lock(shard.mutex);
    shard.sessions[session_id].emplace(stream.get(), stream);
  }
  // The callback must not own the stream (the stream owns the callback).
  const http::SseStream* key = stream.get();
  stream->on_close([this, session_id, key, client] { remove(session_id, key, client); });
  return stream;
}

void SeatHub::remove(const std::string& session_id, const http::SseStream* stream, const std::string& client) {
  bool removed = false;
  {
    auto& shard = shard_of(session_id);
    std::lock_guard lock(shard.mutex);
    if (auto it = shard.sessions.find(session_id); it != shard.sessions.end()) {
      removed = it->second.erase(stream) > 0;
      if (it->second.empty()) shard.sessions.erase(it);
    }
  }
  if (!removed) return;
  std::lock_guard lock(clients_mutex_);
  if (auto it = per_client_.find(client); it != per_client_.end() && --it->second == 0) per_client_.erase(it);
  total_.fetch_sub(1, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<http::SseStream>> SeatHub::streams_of(const std::string& session_id) {
  std::vector<std::shared_ptr<http::SseStream>> out;
  auto& shard = shard_of(session_id);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.sessions.find(session_id); it != shard.sessions.end()) {
    out.reserve(it->second.size());
    for (auto& [_, s] : it->second) out.push_back(s);
  }
  return out;
}

std::size_t SeatHub::publish(const std::string& session_id, std::string_view status,
                             const std::vector<std::string>& seat_ids) {
  // Delivery happens outside the shard lock: a stream that ends meanwhile unsubscribes
  // through that same lock.
  auto streams = streams_of(session_id);
  if (streams.empty() || seat_ids.empty()) return 0;
  const std::size_t n = streams.size();
  http::fan_out(std::move(streams),
                http::SseEvent{std::string(status), json::Json{{"seatIds", seat_ids}, {"status", status}}.dump(), ""}
                    .serialize());
  return n;
}

// RESYNC takes the same path as changes (fan_out), so it never overtakes a change
// published before it.
std::size_t SeatHub::resync(const std::string& session_id) {
  auto streams = streams_of(session_id);
  const std::size_t n = streams.size();
  if (n > 0) http::fan_out(std::move(streams), resync_event(session_id).serialize());
  return n;
}

void SeatHub::resync_all() {
  for (auto& shard : shards_) {
    std::vector<std::pair<std::string, std::vector<std::shared_ptr<http::SseStream>>>> sessions;
    {
      std::lock_guard lock(shard.mutex);
      for (auto& [sid, subs] : shard.sessions) {
        auto& streams = sessions.emplace_back(sid, std::vector<std::shared_ptr<http::SseStream>>{}).second;
        for (auto& [_, s] : subs) streams.push_back(s);
      }
    }
    for (auto& [sid, streams] : sessions) http::fan_out(std::move(streams), resync_event(sid).serialize());
  }
}

void SeatHub::close_all() {
  for (auto& shard : shards_) {
    std::vector<std::shared_ptr<http::SseStream>> streams;
    {
      std::lock_guard lock(shard.mutex);
      for (auto& [sid, subs] : shard.sessions) {
        for (auto& [_, s] : subs) streams.push_back(s);
      }
    }
    for (auto& s : streams) s->close();
  }
}

std::size_t SeatHub::subscribers_of(const std::string& session_id) const {
  auto& shard = shard_of(session_id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.sessions.find(session_id);
  return it == shard.sessions.end() ? 0 : it->second.size();
}

}  // namespace ticketly::event_query
