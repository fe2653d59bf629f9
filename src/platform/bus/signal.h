#pragma once
// Completion of work that finishes on another thread (librdkafka's threads, a revoke
// that ends on other workers), awaited by a coroutine without blocking its thread:
// whoever finishes calls set(), and the waiting coroutine resumes on its own executor.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <mutex>

namespace ticketly::bus::detail {

namespace asio = boost::asio;

class Signal {
 public:
  // Completes the wait with `error` (nullptr: success). Only the first call counts. Any thread.
  void set(std::exception_ptr error = nullptr) {
    std::function<void(std::exception_ptr)> waiter;
    {
      std::lock_guard lock(mu_);
      if (done_) return;
      done_ = true;
      error_ = error;
      waiter = std::move(waiter_);
    }
    if (waiter) waiter(error);
  }

  bool is_set() const {
    std::lock_guard lock(mu_);
    return done_;
  }

  // Resumes after set(), rethrowing its error. One waiter at a time; the Signal must
  // outlive the wait (hold it in a shared_ptr).
  asio::awaitable<void> wait() {
    return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
        [this](auto handler) {
          using Handler = decltype(handler);
          auto shared = std::make_shared<Handler>(std::move(handler));
          auto executor = asio::get_associated_executor(*shared);
          std::function<void(std::exception_ptr)> resume = [shared, executor](std::exception_ptr e) {
            asio::post(executor, [shared, e]() { (*shared)(e); });
          };
          std::unique_lock lock(mu_);
          if (done_) {
            auto e = error_;
            lock.unlock();
            resume(e);
            return;
          }
          waiter_ = std::move(resume);
        },
        asio::use_awaitable);
  }

 private:
  mutable std::mutex mu_;
  bool done_ = false;
  std::exception_ptr error_;
  std::function<void(std::exception_ptr)> waiter_;
};

}  // namespace ticketly::bus::detail
