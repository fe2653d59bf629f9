#pragma once
// One LISTEN connection shared by every consumer of a PgLogBus: it waits for
// notifications and calls the subscribers whose (channel, payload) match. It is only an
// accelerator — consumers also poll — so a lost connection just means slower wake-ups
// until it reconnects (after which everyone is woken once, for what was missed).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ticketly::db {
class Connection;
}

namespace ticketly::bus::detail {

namespace asio = boost::asio;

class PgNotifier : public std::enable_shared_from_this<PgNotifier> {
 public:
  PgNotifier(asio::io_context& context, std::string conninfo, std::vector<std::string> channels);

  // Calls `wake` (on the notifier's thread: keep it short, e.g. a post) for every
  // notification on `channel` whose payload is `payload`. Any thread.
  std::uint64_t subscribe(std::string channel, std::string payload, std::function<void()> wake);
  void unsubscribe(std::uint64_t id);

  void start();
  // Blocking; from outside the IoPool's threads.
  void stop();

 private:
  struct Subscriber {
    std::string channel, payload;
    std::function<void()> wake;
  };

  static asio::awaitable<void> run(std::shared_ptr<PgNotifier> self);
  asio::awaitable<void> session();
  void wake_all();

  asio::io_context& context_;
  std::string conninfo_;
  std::vector<std::string> channels_;
  asio::steady_timer timer_;
  std::unique_ptr<db::Connection> conn_;
  bool waiting_ = false;    // on context_
  bool connected_ = false;  // on context_
  std::atomic<bool> started_{false}, stopping_{false};
  std::promise<void> finished_;
  std::mutex mu_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Subscriber> subscribers_;
};

}  // namespace ticketly::bus::detail
