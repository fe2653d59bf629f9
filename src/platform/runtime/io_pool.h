#pragma once
// IoPool: one io_context per worker thread ("thread per core"). Each worker owns
// its connections, its database connections and its timers, so the hot path
// takes no locks; shared state (metrics, caches) is explicitly thread-safe.
#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace ticketly::runtime {

namespace asio = boost::asio;

class IoPool {
 public:
  explicit IoPool(std::size_t workers);
  ~IoPool();
  IoPool(const IoPool&) = delete;
  IoPool& operator=(const IoPool&) = delete;

  std::size_t size() const { return contexts_.size(); }
  asio::io_context& context(std::size_t worker) { return *contexts_.at(worker); }

  // Index of the worker whose io_context is `ctx`, if it belongs to this pool.
  std::optional<std::size_t> worker_of(const asio::execution_context& ctx) const;

  // Starts one thread per worker; run() returns at once.
  void start();
  // Lets the workers exit once they run out of work (used after a graceful drain).
  void release_work();
  // Stops every io_context immediately.
  void stop();
  // Waits for every worker thread to finish.
  void join();

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::optional<WorkGuard>> guards_;
  std::vector<std::thread> threads_;
};

// Number of workers to use when the configuration says "auto": one per core.
std::size_t default_worker_count();

}  // namespace ticketly::runtime
