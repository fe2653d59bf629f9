#include "services/order/inventory/hold_writer.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <map>

#include "platform/bus/outbox.h"
#include "services/order/events/messages.h"

namespace ticketly::order::inventory {

namespace {

// The pending-order limit (per user and session) is exact through order_place()'s pending
// slots (a primary key, migrations/order/0004): batches that share users run side by side
// (a per-user advisory lock taken by every batch used to run them one at a time).
struct Pending {
  explicit Pending(HoldRequest r, const asio::any_io_executor& ex)
      : request(std::move(r)), done(ex, std::chrono::steady_clock::time_point::max()) {}
  HoldRequest request;
  asio::steady_timer done;  // cancelled when the outcome is in (same worker: no locking)
  bool finished = false;
  store::PlaceResult result;
  std::exception_ptr error;
};

}  // namespace

struct HoldWriter::Lane {
  std::deque<std::shared_ptr<Pending>> queue;
  std::size_t inflight = 0;
};

namespace {

asio::awaitable<void> write_batch(db::Database& db, std::vector<std::shared_ptr<Pending>>& batch) {
  // Counter rows (discount uses) are locked in one order by every batch.
  std::stable_sort(batch.begin(), batch.end(), [](const auto& a, const auto& b) {
    return a->request.discount_sort_key < b->request.discount_sort_key;
  });
  json::Json input = json::Json::array();
  for (const auto& p : batch) input.push_back(p->request.request);
  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<store::PlaceResult>> {
    auto results = co_await store::place_orders(tx, input);
    if (results.size() != batch.size()) throw std::logic_error("order_place answered for a different batch");
    std::vector<bus::OutgoingMessage> messages;
    // One LOCKED message per session of the batch (with the seats of all its new holds).
    std::map<Uuid, std::pair<std::vector<Uuid>, std::int64_t>> locked;
    std::map<Uuid, std::vector<Uuid>> orders_of;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i].kind != store::PlaceResult::Kind::Held) continue;
      const auto& r = batch[i]->request;
      messages.push_back(r.created);
      auto& entry = locked[r.session_id];
      entry.first.insert(entry.first.end(), r.seat_ids.begin(), r.seat_ids.end());
      entry.second = std::max(entry.second, results[i].seq);
      orders_of[r.session_id].push_back(r.order_id);
    }
    for (auto& [session, seats] : locked) {
      std::optional<Uuid> order;
      if (orders_of[session].size() == 1) order = orders_of[session].front();
      messages.push_back(events::seat_status(session, seats.first, "LOCKED", order, seats.second));
    }
    // The hot path never NOTIFYs (it serialises commits server-wide): the local relay is
    // woken after commit; a relay in another process picks the rows up on its poll.
    const bus::PublishOptions options{.wake = bus::Wake::local_only};
    co_await bus::publish_batch(tx, std::move(messages), options);
    co_return results;
  };
  std::vector<store::PlaceResult> results;
  std::exception_ptr error;
  try {
    results = co_await db.transaction(work);
  } catch (...) {
    error = std::current_exception();
  }
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto& p = *batch[i];
    if (error) {
      p.error = error;
    } else {
      p.result = std::move(results[i]);
    }
    p.finished = true;
    p.done.cancel();
  }
}

asio::awaitable<void> drain(db::Database& db, std::shared_ptr<HoldWriter::Lane> lane, std::size_t max_batch) {
  while (!lane->queue.empty()) {
    std::vector<std::shared_ptr<Pending>> batch;
    while (!lane->queue.empty() && batch.size() < max_batch) {
      batch.push_back(std::move(lane->queue.front()));
      lane->queue.pop_front();
    }
    co_await write_batch(db, batch);
  }
  --lane->inflight;
}

}  // namespace

HoldWriter::HoldWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch, std::size_t max_inflight)
    : db_(db), io_(io), max_batch_(std::max<std::size_t>(1, max_batch)), max_inflight_(std::max<std::size_t>(1, max_inflight)) {
  for (std::size_t i = 0; i < io.size(); ++i) lanes_.push_back(std::make_shared<Lane>());
}

HoldWriter::~HoldWriter() = default;

asio::awaitable<store::PlaceResult> HoldWriter::submit(HoldRequest request) {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker) throw std::logic_error("HoldWriter::submit outside the IoPool");
  auto lane = lanes_[*worker];
  auto pending = std::make_shared<Pending>(std::move(request), executor);
  lane->queue.push_back(pending);
  if (lane->inflight < max_inflight_) {
    ++lane->inflight;
    asio::co_spawn(executor, drain(db_, lane, max_batch_), asio::detached);
  }
  while (!pending->finished) {
    boost::system::error_code ec;
    co_await pending->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (pending->error) std::rethrow_exception(pending->error);
  co_return std::move(pending->result);
}

}  // namespace ticketly::order::inventory
