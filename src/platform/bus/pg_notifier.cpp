#include "platform/bus/pg_notifier.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "platform/db/connection.h"

namespace ticketly::bus::detail {

using namespace std::chrono_literals;

PgNotifier::PgNotifier(asio::io_context& context, std::string conninfo, std::vector<std::string> channels)
    : context_(context), conninfo_(std::move(conninfo)), channels_(std::move(channels)), timer_(context) {}

std::uint64_t PgNotifier::subscribe(std::string channel, std::string payload, std::function<void()> wake) {
  std::lock_guard lock(mu_);
  const auto id = next_id_++;
  subscribers_.emplace(id, Subscriber{std::move(channel), std::move(payload), std::move(wake)});
  return id;
}

void PgNotifier::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mu_);
  subscribers_.erase(id);
}

void PgNotifier::wake_all() {
  std::vector<std::function<void()>> wakes;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, s] : subscribers_) wakes.push_back(s.wake);
  }
  for (auto& w : wakes) w();
}

asio::awaitable<void> PgNotifier::session() {
  // Named: g++ 12 frees a braced temporary inside a co_await expression twice.
  db::ConnectOptions options{conninfo_};
  conn_ = co_await db::Connection::connect(context_.get_executor(), options);
  for (const auto& channel : channels_) co_await conn_->query("LISTEN " + channel);
  connected_ = true;
  wake_all();  // whatever was notified while we were not listening
  while (!stopping_) {
    waiting_ = true;
    auto notes = co_await conn_->wait_for_notifications(5s);
    waiting_ = false;
    if (notes.empty()) continue;
    std::vector<std::function<void()>> wakes;
    {
      std::lock_guard lock(mu_);
      for (auto& [id, s] : subscribers_) {
        for (const auto& n : notes) {
          if (n.channel == s.channel && n.payload == s.payload) {
            wakes.push_back(s.wake);
            break;
          }
        }
      }
    }
    for (auto& w : wakes) w();
  }
}

asio::awaitable<void> PgNotifier::run(std::shared_ptr<PgNotifier> self) {
  for (int failures = 0; !self->stopping_;) {
    std::string error;
    try {
      co_await self->session();
    } catch (const std::exception& e) {
      error = e.what();
    }
    self->waiting_ = false;
    self->conn_.reset();
    if (self->connected_) failures = 0;
    self->connected_ = false;
    if (self->stopping_) break;
    if (!error.empty()) {
      if (failures++ == 0) spdlog::warn("bus notifications: {}; consumers poll until it reconnects", error);
      self->wake_all();
      self->timer_.expires_after(std::min<std::chrono::milliseconds>(200ms * failures, 5s));
      boost::system::error_code ec;
      co_await self->timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }
  self->finished_.set_value();
}

void PgNotifier::start() {
  if (started_.exchange(true)) return;
  asio::co_spawn(context_, run(shared_from_this()), asio::detached);
}

void PgNotifier::stop() {
  if (!started_ || stopping_.exchange(true)) return;
  if (context_.stopped()) return;
  auto finished = finished_.get_future();
  asio::post(context_, [self = shared_from_this()] {
    self->timer_.cancel();
    if (self->conn_ && self->waiting_) self->conn_->interrupt_wait();
  });
  if (finished.wait_for(10s) != std::future_status::ready) spdlog::error("bus notifications: did not stop in 10 s");
}

}  // namespace ticketly::bus::detail
