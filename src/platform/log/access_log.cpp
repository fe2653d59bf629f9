#include "platform/log/access_log.h"

#include <unistd.h>

#include <cerrno>

namespace ticketly::log {

AccessLogSink::AccessLogSink(int fd, std::size_t max_pending_bytes)
    : fd_(fd), max_pending_(max_pending_bytes), thread_([this] { run(); }) {}

AccessLogSink::~AccessLogSink() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

void AccessLogSink::submit(std::string batch) {
  if (batch.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (pending_bytes_ + batch.size() > max_pending_) {
      dropped_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    pending_bytes_ += batch.size();
    queue_.push_back(std::move(batch));
  }
  cv_.notify_one();
}

void AccessLogSink::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    std::string batch = std::move(queue_.front());
    queue_.pop_front();
    pending_bytes_ -= batch.size();
    lock.unlock();
    std::string_view rest = batch;
    while (!rest.empty()) {
      auto n = ::write(fd_, rest.data(), rest.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // stdout closed: nothing useful left to do with the lines
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
    lock.lock();
  }
}

void AccessLogBuffer::flush() {
  if (buffer_.empty()) return;
  std::string batch;
  batch.reserve(flush_bytes_ + 512);
  batch.swap(buffer_);
  sink_.submit(std::move(batch));
}

}  // namespace ticketly::log
