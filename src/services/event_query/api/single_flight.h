#pragma once
// single_flight: when many requests on one worker miss the cache for the same key at
// once (a seat map just invalidated during an on-sale rush, a cold document), only the
// first loads it; the others wait for that result instead of each running the same
// queries and parses. Per worker thread (no locks): at most one load per key and worker.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <memory>
#include <string>
#include <unordered_map>

namespace ticketly::event_query {

namespace detail {
template <class T>
struct Flight {
  explicit Flight(const boost::asio::any_io_executor& ex) : timer(ex, boost::asio::steady_timer::time_point::max()) {}
  boost::asio::steady_timer timer;
  std::shared_ptr<const T> result;
  std::exception_ptr error;
  bool done = false;
};
}  // namespace detail

// A flight's name for a cache fill: the key and the generation of the cache ticket the fill
// stores with. Loads that began before an invalidation have another name, so nobody who
// arrives after it joins them.
template <class Ticket>
std::string flight_name(const std::string& key, const Ticket& ticket) {
  return key + "@" + std::to_string(ticket.generation);
}

// `load` is a callable returning awaitable<shared_ptr<const T>>; capture by reference only
// (g++ 12 and by-value captures in coroutine lambdas do not mix).
template <class T, class F>
boost::asio::awaitable<std::shared_ptr<const T>> single_flight(std::string key, F load) {
  namespace asio = boost::asio;
  thread_local std::unordered_map<std::string, std::shared_ptr<detail::Flight<T>>> flights;
  if (auto it = flights.find(key); it != flights.end()) {
    auto flight = it->second;
    while (!flight->done) {
      boost::system::error_code ec;  // cancelled when the load finishes
      co_await flight->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (flight->error) std::rethrow_exception(flight->error);
    co_return flight->result;
  }
  auto flight = std::make_shared<detail::Flight<T>>(co_await asio::this_coro::executor);
  flights.emplace(key, flight);
  try {
    flight->result = co_await load();
  } catch (...) {
    flight->error = std::current_exception();
  }
  flight->done = true;
  flights.erase(key);
  flight->timer.cancel();
  if (flight->error) std::rethrow_exception(flight->error);
  co_return flight->result;
}

}  // namespace ticketly::event_query
