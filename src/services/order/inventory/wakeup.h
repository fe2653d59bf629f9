#pragma once
// A one-shot event that one coroutine awaits and any thread fires, with a timeout. The
// waiting coroutine resumes on its own executor; nothing blocks a thread.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <mutex>

namespace ticketly::order::inventory {

class Wakeup {
 public:
  // Any thread; only the first call counts.
  void fire();
  // True once fired (also when fired before the wait began); false after `timeout`.
  // One waiter per Wakeup.
  boost::asio::awaitable<bool> wait(std::chrono::milliseconds timeout);

 private:
  std::mutex mu_;
  bool fired_ = false;
  std::function<void()> cancel_;  // ends the waiter's timer, on its executor
};

}  // namespace ticketly::order::inventory
