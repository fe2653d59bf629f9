#pragma once
// SeatHub: this process's seat-status SSE subscribers, by session. Every replica has its
// own hub and receives every change (ChangeListener), so each fans out to its own
// subscribers. A change is serialized once and queued on each subscriber's bounded
// SseStream: a slow client overflows its own queue (and gets RESYNC), never anyone else's.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "platform/http/sse.h"

namespace ticketly::event_query {

struct SeatHubOptions {
  std::size_t max_subscribers = 20000;    // per process
  std::size_t max_per_client = 32;        // per remote address
  std::size_t queue_bytes_per_subscriber = 256 * 1024;  // queued before RESYNC
  std::size_t socket_buffer_per_subscriber = 64 * 1024;  // SseOptions::socket_send_buffer
  std::chrono::milliseconds heartbeat{15000};
};

class SeatHub {
 public:
  explicit SeatHub(SeatHubOptions options);
  ~SeatHub();

  // A new stream for `session_id`; throws ticketly::Error 429 when `client` has too many
  // streams open, 503 when the process is full. Unsubscribes itself when the stream ends.
  std::shared_ptr<http::SseStream> subscribe(const std::string& session_id, const std::string& client);

  // Queues `event: <status>` / `data: {"seatIds":[…],"status":"…"}` to every subscriber
  // of the session. Returns how many streams it was queued on.
  std::size_t publish(const std::string& session_id, std::string_view status, const std::vector<std::string>& seat_ids);
  // Tells every subscriber to re-fetch its map (changes may have been missed).
  void resync_all();
  // Tells the session's subscribers to re-fetch its map (its layout or tiers changed).
  // Returns how many streams it was queued on.
  std::size_t resync(const std::string& session_id);
  // Ends every stream (shutdown).
  void close_all();

  std::size_t subscribers() const { return total_.load(std::memory_order_relaxed); }
  std::size_t subscribers_of(const std::string& session_id) const;

 private:
  static constexpr std::size_t kShards = 64;
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::unordered_map<const http::SseStream*, std::shared_ptr<http::SseStream>>>
        sessions;
  };
  Shard& shard_of(const std::string& session_id);
  const Shard& shard_of(const std::string& session_id) const;
  void remove(const std::string& session_id, const http::SseStream* stream, const std::string& client);
  std::vector<std::shared_ptr<http::SseStream>> streams_of(const std::string& session_id);

  SeatHubOptions options_;
  std::array<Shard, kShards> shards_;
  std::mutex clients_mutex_;
  std::unordered_map<std::string, std::size_t> per_client_;
  std::atomic<std::size_t> total_{0};
};

}  // namespace ticketly::event_query
