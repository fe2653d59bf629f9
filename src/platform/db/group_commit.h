#pragma once
// Group commit. Requests submitted at the same time on one worker are written together by
// one call of the writer (one transaction of its making), so a burst costs one commit per
// batch instead of one per request. At most `max_inflight` batches per worker run at once;
// requests that arrive meanwhile form the next batch. An idle system sees batches of one
// and no added latency.
//
// A batch whose write throws is written again one request at a time: the failed
// transaction changed nothing, and one request that cannot be written must not fail the
// requests it happened to share a batch with. Only the request that fails alone gets the
// exception. Writers must therefore be safe to run again for a request (they are: each
// writes in one transaction that either committed or did not).
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

#include "platform/runtime/io_pool.h"

namespace ticketly::db {

template <typename Request, typename Result>
class GroupCommit {
 public:
  // Writes the requests (in one transaction); one result per request, in their order.
  using Writer = std::function<boost::asio::awaitable<std::vector<Result>>(const std::vector<Request>&)>;

  GroupCommit(runtime::IoPool& io, Writer writer, std::size_t max_batch = 256, std::size_t max_inflight = 2)
      : io_(io),
        writer_(std::make_shared<const Writer>(std::move(writer))),
        max_batch_(std::max<std::size_t>(1, max_batch)),
        max_inflight_(std::max<std::size_t>(1, max_inflight)) {
    for (std::size_t i = 0; i < io.size(); ++i) lanes_.push_back(std::make_shared<Lane>());
  }
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Must run on one of the IoPool's workers. Throws what writing the request threw.
  boost::asio::awaitable<Result> submit(Request request) {
    namespace asio = boost::asio;
    auto executor = co_await asio::this_coro::executor;
    const asio::execution_context& context = asio::query(executor, asio::execution::context);
    auto worker = io_.worker_of(context);
    if (!worker) throw std::logic_error("GroupCommit::submit outside the IoPool");
    auto lane = lanes_[*worker];
    auto pending = std::make_shared<Pending>(std::move(request), executor);
    lane->queue.push_back(pending);
    if (lane->inflight < max_inflight_) {
      ++lane->inflight;
      asio::co_spawn(executor, drain(lane, writer_, max_batch_), asio::detached);
    }
    while (!pending->finished) {
      boost::system::error_code ec;
      co_await pending->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (pending->error) std::rethrow_exception(pending->error);
    co_return std::move(pending->result);
  }

 private:
  struct Pending {
    Pending(Request r, const boost::asio::any_io_executor& ex)
        : request(std::move(r)), done(ex, std::chrono::steady_clock::time_point::max()) {}
    Request request;
    boost::asio::steady_timer done;  // cancelled when the outcome is in (same worker: no locking)
    bool finished = false;
    Result result{};
    std::exception_ptr error;
  };
  using Batch = std::vector<std::shared_ptr<Pending>>;
  struct Lane {
    std::deque<std::shared_ptr<Pending>> queue;
    std::size_t inflight = 0;
  };

  // Writes `requests` (those of `batch`, in order); returns the exception if the writer
  // threw (nothing is finished then, and the requests are intact for a retry).
  static boost::asio::awaitable<std::exception_ptr> write(const Batch& batch, const std::vector<Request>& requests,
                                                          const Writer& writer) {
    std::vector<Result> results;
    std::exception_ptr error;
    try {
      results = co_await writer(requests);
      if (results.size() != batch.size()) throw std::logic_error("group commit: the writer answered for another batch");
    } catch (...) {
      error = std::current_exception();
    }
    if (error) co_return error;
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
    co_return nullptr;
  }

  static void finish(const std::shared_ptr<Pending>& p, std::exception_ptr error) {
    p->error = std::move(error);
    p->finished = true;
    p->done.cancel();
  }

  static boost::asio::awaitable<void> drain(std::shared_ptr<Lane> lane, std::shared_ptr<const Writer> writer,
                                            std::size_t max_batch) {
    while (!lane->queue.empty()) {
      Batch batch;
      std::vector<Request> requests;  // moved out of the pending entries: never copied
      while (!lane->queue.empty() && batch.size() < max_batch) {
        batch.push_back(std::move(lane->queue.front()));
        lane->queue.pop_front();
        requests.push_back(std::move(batch.back()->request));
      }
      auto error = co_await write(batch, requests, *writer);
      if (error && batch.size() > 1) {
        for (std::size_t i = 0; i < batch.size(); ++i) {
          Batch alone;  // named: g++ 12 mishandles braced temporaries inside co_await
          alone.push_back(batch[i]);
          std::vector<Request> one;
          one.push_back(std::move(requests[i]));
          auto alone_error = co_await write(alone, one, *writer);
          finish(batch[i], alone_error);
        }
        continue;
      }
      for (const auto& p : batch) finish(p, error);
    }
    --lane->inflight;
  }

  runtime::IoPool& io_;
  std::shared_ptr<const Writer> writer_;
  std::size_t max_batch_;
  std::size_t max_inflight_;
  std::vector<std::shared_ptr<Lane>> lanes_;  // one per worker, used only on that worker
};

}  // namespace ticketly::db
