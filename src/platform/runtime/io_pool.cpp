#include "platform/runtime/io_pool.h"

#include <spdlog/spdlog.h>

namespace ticketly::runtime {

IoPool::IoPool(std::size_t workers) {
  if (workers == 0) workers = 1;
  for (std::size_t i = 0; i < workers; ++i) {
    // concurrency hint 1: each context is only ever run by its own thread, which
    // lets asio skip internal locking.
    contexts_.push_back(std::make_unique<asio::io_context>(1));
    guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
  }
}

IoPool::~IoPool() {
  stop();
  join();
}

std::optional<std::size_t> IoPool::worker_of(const asio::execution_context& ctx) const {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    if (contexts_[i].get() == &ctx) return i;
  }
  return std::nullopt;
}

void IoPool::start() {
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] {
      try {
        contexts_[i]->run();
      } catch (const std::exception& e) {
        // A handler escaped its own error handling: that is a bug, not a request error.
        spdlog::critical("worker {} stopped by an uncaught exception: {}", i, e.what());
        std::terminate();
      }
    });
  }
}

void IoPool::release_work() {
  for (auto& g : guards_) g.reset();
}

void IoPool::stop() {
  for (auto& c : contexts_) c->stop();
}

void IoPool::join() {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

std::size_t default_worker_count() {
  auto n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

}  // namespace ticketly::runtime
