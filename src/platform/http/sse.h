#pragma once
// SseStream: one Server-Sent Events subscriber. Producers (bus consumers, other
// workers) push from any thread; the connection that owns the stream writes the
// events on its own worker. The queue is bounded so a slow client never holds
// back a producer or the other subscribers: on overflow the queued events are
// dropped and the client gets `overflow_event` (e.g. RESYNC) telling it to re-fetch.
// The bound is in bytes, not events: producers hand over bursts (one database
// transaction's worth of seat changes arrives at once), and what a stalled client
// costs is the memory its queue holds.
//
// Fan-out (fan_out below) is the hot path: one change goes to thousands of streams. The
// connection serving a stream attaches itself (its worker's executor and a writer), and
// fan_out hands each worker one task for all of its streams. A stream whose connection
// waits with nothing to write gets the event written straight to its socket, without a
// queue, a wake-up or a coroutine resumption: about one syscall per subscriber.
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

namespace ticketly::http {

struct SseEvent {
  std::string event;  // name; empty for an unnamed "message" event
  std::string data;   // split into one `data:` line per line
  std::string id;     // optional

  std::string serialize() const;  // LF framing, ends with a blank line
};

struct SseOptions {
  std::size_t max_queued_bytes = 256 * 1024;  // an event larger than this always overflows
  // The kernel's send buffer for the stream's socket (0: the kernel's autotuned one, which
  // grows to net.ipv4.tcp_wmem's maximum, 4 MiB). A stalled client then holds at most this
  // plus max_queued_bytes, and falls behind (RESYNC) after that much rather than megabytes.
  std::size_t socket_send_buffer = 0;
  std::chrono::milliseconds heartbeat{15000};  // ": ping" comment when idle
  SseEvent overflow_event{"RESYNC", "{}", ""};
};

class SseStream {
 public:
  explicit SseStream(SseOptions options = {});

  // Thread-safe. False once the stream is closed (the subscriber should be dropped).
  bool push(const SseEvent& event);
  bool push_raw(std::string serialized);
  // Ends the stream from the server side; the connection finishes it cleanly.
  void close();
  bool closed() const;
  // Called exactly once when the stream ends for any reason (client gone,
  // close(), server shutdown): where a hub unsubscribes it.
  void on_close(std::function<void()> callback);

  const SseOptions& options() const { return options_; }

  // --- used by fan_out ---
  // The executor of the connection serving the stream (none before it is attached).
  std::optional<boost::asio::any_io_executor> owner() const;
  // On the owner's thread only: writes `bytes` straight to the idle connection's socket
  // when nothing is queued ahead of it, otherwise queues them as push_raw does.
  bool deliver_here(std::string_view bytes);

  // --- used by the connection that serves the stream ---
  // What a direct write achieved. Partial: the connection kept the rest and has woken
  // itself to write it; the stream stops writing directly until the connection idles again.
  enum class DirectWrite { Sent, Partial, NotSent };
  using DirectWriter = std::function<DirectWrite(std::string_view)>;
  // `writer` runs only on `owner`'s thread, under the stream's lock, and must not call back.
  void attach(boost::asio::any_io_executor owner, DirectWriter writer);
  // The connection is about to wait with nothing to write: false when something was queued
  // since its last take() (it must take again instead of waiting).
  bool enter_idle();
  // The connection woke up (it may write now, so direct writes must stop).
  void leave_idle();

  struct Batch {
    std::string bytes;
    bool closed = false;
  };
  // Takes everything queued (with the overflow event first if events were dropped).
  Batch take();
  // `wake` is invoked (from any thread) when something is queued or the stream closes.
  void set_waker(std::function<void()> wake);
  void finish();  // the connection ended: marks closed and runs the on_close callback

 private:
  void notify(std::unique_lock<std::mutex>& lock);
  void enqueue(std::unique_lock<std::mutex>& lock, std::string serialized);

  SseOptions options_;
  mutable std::mutex mutex_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool overflowed_ = false;
  bool closed_ = false;
  bool finished_ = false;
  bool idle_ = false;  // the connection waits with nothing to write
  std::function<void()> waker_;
  std::function<void()> on_close_;
  std::optional<boost::asio::any_io_executor> owner_;
  DirectWriter direct_;
};

// Queues or writes one serialized event to every stream, in publication order per stream
// (for streams attached to a worker, provided one thread publishes to them). Streams not
// yet attached get it queued at once; the others on their worker's thread, shortly.
void fan_out(std::vector<std::shared_ptr<SseStream>> streams, std::string serialized);

}  // namespace ticketly::http
