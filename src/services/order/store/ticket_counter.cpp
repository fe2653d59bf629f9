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
  if (total_ && clock_() - counted_at_ < max_age_) return total_;
  return std::nullopt;
}

std::int64_t TicketCounter::store(std::int64_t counted, std::chrono::steady_clock::time_point at) {
  std::lock_guard lock(mu_);
  // The larger figure: tickets issued here while the count ran may be in it or not.
  total_ = std::max(counted, total_.value_or(0));
  counted_at_ = std::max(counted_at_, at);
  return *total_;
}

asio::awaitable<std::int64_t> TicketCounter::total() {
  if (auto cached = fresh()) co_return *cached;
  const auto started = clock_();
  const std::int64_t counted = co_await count_.submit(Ask{});
  co_return store(counted, started);
}

void TicketCounter::issued(std::int64_t n) {
  std::lock_guard lock(mu_);
  if (total_) *total_ += n;  // before the first count there is nothing to add to
}

}  // namespace ticketly::order::store
