#pragma once
// The access log: one JSON line per request, written by a background thread in
// batches. Each worker appends lines to its own buffer (no lock, no syscall) and
// hands over a whole buffer when it is full or every flush interval; the writer
// thread does the write(2). When the destination cannot keep up, batches are
// dropped and counted rather than ever stalling a worker.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace ticketly::log {

class AccessLogSink {
 public:
  explicit AccessLogSink(int fd = 1, std::size_t max_pending_bytes = 16u << 20);
  ~AccessLogSink();  // writes what is pending, then stops the thread
  AccessLogSink(const AccessLogSink&) = delete;
  AccessLogSink& operator=(const AccessLogSink&) = delete;

  // Thread-safe. Takes ownership of a batch of complete lines.
  void submit(std::string batch);
  std::uint64_t dropped_batches() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void run();

  int fd_;
  std::size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::size_t pending_bytes_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> dropped_{0};
  std::thread thread_;
};

// One per worker thread; not thread-safe by design.
class AccessLogBuffer {
 public:
  explicit AccessLogBuffer(AccessLogSink& sink, std::size_t flush_bytes = 64u << 10)
      : sink_(sink), flush_bytes_(flush_bytes) {}
  ~AccessLogBuffer() { flush(); }

  // Appends a complete line (without the newline).
  void append(std::string_view line) {
    buffer_.append(line).push_back('\n');
    if (buffer_.size() >= flush_bytes_) flush();
  }
  void flush();

 private:
  AccessLogSink& sink_;
  std::size_t flush_bytes_;
  std::string buffer_;
};

}  // namespace ticketly::log
