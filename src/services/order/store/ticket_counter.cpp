#include "services/order/store/ticket_counter.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace ticketly::order::store {

namespace asio = boost::asio;

namespace {

// One count answers every request of the batch. A plain function, not a capturing coroutine
// lambda (g++ 12): `count` lives in the GroupCommit's writer for as long as the counter.
asio::awaitable<std::vector<std::int64_t>> count_for(const TicketCounter::Count& count, std::size_t asks) {
  const std::int64_t n = co_await count();
  co_return std::vector<std::int64_t>(asks, n);
}

}  // namespace

TicketCounter::TicketCounter(runtime::IoPool& io, Count count, std::chrono::milliseconds max_age, Clock clock)
    : max_age_(max_age),
      clock_(std::move(clock)),
      // One count in flight per worker; the requests that arrive meanwhile share the next.
      count_(
          io, [count = std::move(count)](const std::vector<Ask>& asks) { return count_for(count, asks.size()); },
          /*max_batch=*/1 << 16, /*max_inflight=*/1) {}

std::optional<std::int64_t> TicketCounter::fresh() {
  std::lock_guard lock(mu_);
  if (counted_ && clock_() - counted_start_.at < max_age_) return total_locked();
  return std::nullopt;
}

TicketCounter::Start TicketCounter::begin() {
  std::lock_guard lock(mu_);
  return {clock_(), reported_};
}

std::int64_t TicketCounter::store(std::int64_t counted, Start start) {
  std::lock_guard lock(mu_);
  if (!counted_ || start.at >= counted_start_.at) {
    counted_ = counted;
    counted_start_ = start;
  }
  return total_locked();
}

asio::awaitable<std::int64_t> TicketCounter::total() {
  if (auto cached = fresh()) co_return *cached;
  const Start start = begin();
  const std::int64_t counted = co_await count_.submit(Ask{});
  co_return store(counted, start);
}

void TicketCounter::issued(std::int64_t n) {
  std::lock_guard lock(mu_);
  reported_ += n;
}

}  // namespace ticketly::order::store
