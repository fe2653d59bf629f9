#include "services/order/inventory/wakeup.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>

namespace ticketly::order::inventory {

namespace asio = boost::asio;

void Wakeup::fire() {
  std::function<void()> cancel;
  {
    std::lock_guard lock(mu_);
    if (fired_) return;
    fired_ = true;
    cancel = std::move(cancel_);
  }
  if (cancel) cancel();
}

asio::awaitable<bool> Wakeup::wait(std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  auto timer = std::make_shared<asio::steady_timer>(executor, timeout);
  {
    std::lock_guard lock(mu_);
    if (fired_) co_return true;
    // Posted, so the cancel runs on the timer's executor, after this coroutine suspended.
    cancel_ = [executor, timer] { asio::post(executor, [timer] { timer->cancel(); }); };
  }
  boost::system::error_code ec;
  co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
  std::lock_guard lock(mu_);
  cancel_ = nullptr;
  co_return fired_;
}

}  // namespace ticketly::order::inventory
