#pragma once
// The public ticket count (GET /api/order/tickets/count). Counting the tickets table takes
// time in proportion to it (152 ms at 1.2M tickets, docs/PLAN_AUDIT.md) and the endpoint
// needs no login: counted per request, a client in a loop could keep the database busy.
//
// So the count is kept for `max_age`. Requests on one worker that find it stale share one
// count (db::GroupCommit). Tickets this process issues are added at once (`issued`), so a
// buyer sees their purchase in the total right away; tickets issued by another replica show
// after at most `max_age`. The total is the latest count plus the tickets reported here
// since that count began: those committed after its snapshot are not in it. A ticket whose
// commit came before a count's snapshot but whose report came after it is in both, so the
// total can run ahead by such tickets (those in the instant between a payment's commit and
// its report) until the next count, which corrects it; the error never accumulates.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>

#include "platform/db/group_commit.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::order::store {

class TicketCounter {
 public:
  using Count = std::function<boost::asio::awaitable<std::int64_t>()>;  // counts the table
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  TicketCounter(runtime::IoPool& io, Count count, std::chrono::milliseconds max_age,
                Clock clock = [] { return std::chrono::steady_clock::now(); });

  // Tickets in the table, counted at most `max_age` ago (plus those issued here since).
  // Must run on one of the IoPool's workers.
  boost::asio::awaitable<std::int64_t> total();

  // `n` tickets were committed by this process.
  void issued(std::int64_t n);

 private:
  struct Ask {};
  struct Start {
    std::chrono::steady_clock::time_point at;
    std::int64_t reported;  // reported_ when the count began
  };
  std::optional<std::int64_t> fresh();
  Start begin();
  // Keeps a finished count unless a later-begun one is kept already; the total.
  std::int64_t store(std::int64_t counted, Start start);
  std::int64_t total_locked() const { return *counted_ + (reported_ - counted_start_.reported); }

  const std::chrono::milliseconds max_age_;
  const Clock clock_;
  std::mutex mu_;  // guards the three below; never held across an await
  std::optional<std::int64_t> counted_;  // the count kept
  Start counted_start_{};                 // when it began
  std::int64_t reported_ = 0;             // tickets reported by issued(), ever
  db::GroupCommit<Ask, std::int64_t> count_;
};

}  // namespace ticketly::order::store
