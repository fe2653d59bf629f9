#include "services/order/inventory/hold_writer.h"

#include <algorithm>
#include <map>

#include "platform/bus/outbox.h"
#include "services/order/events/messages.h"

namespace ticketly::order::inventory {

namespace {

// The pending-order limit (per user and session) is exact through order_place()'s pending
// slots (a primary key, migrations/order/0001): batches that share users run side by side
// (a per-user advisory lock taken by every batch used to run them one at a time).
asio::awaitable<std::vector<store::PlaceResult>> write_batch(db::Database& db, const std::vector<HoldRequest>& batch) {
  // Counter rows (discount uses) are locked in one order by every batch.
  std::vector<std::size_t> order(batch.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return batch[a].discount_sort_key < batch[b].discount_sort_key;
  });
  json::Json input = json::Json::array();
  for (auto i : order) input.push_back(batch[i].request);
  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<store::PlaceResult>> {
    auto sorted = co_await store::place_orders(tx, input);
    if (sorted.size() != batch.size()) throw std::logic_error("order_place answered for a different batch");
    std::vector<store::PlaceResult> results(batch.size());
    for (std::size_t k = 0; k < order.size(); ++k) results[order[k]] = std::move(sorted[k]);
    std::vector<bus::OutgoingMessage> messages;
    // One LOCKED message per session of the batch (with the seats of all its new holds).
    std::map<Uuid, std::pair<std::vector<Uuid>, std::int64_t>> locked;
    std::map<Uuid, std::vector<Uuid>> orders_of;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i].kind != store::PlaceResult::Kind::Held) continue;
      const auto& r = batch[i];
      messages.push_back(r.created);
      auto& entry = locked[r.session_id];
      entry.first.insert(entry.first.end(), r.seat_ids.begin(), r.seat_ids.end());
      entry.second = std::max(entry.second, results[i].seq);
      orders_of[r.session_id].push_back(r.order_id);
    }
    for (auto& [session, seats] : locked) {
      std::optional<Uuid> one;
      if (orders_of[session].size() == 1) one = orders_of[session].front();
      messages.push_back(events::seat_status(session, seats.first, "LOCKED", one, seats.second));
    }
    // The hot path never NOTIFYs (it serialises commits server-wide): the local relay is
    // woken after commit; a relay in another process picks the rows up on its poll.
    const bus::PublishOptions options{.wake = bus::Wake::local_only};
    co_await bus::publish_batch(tx, std::move(messages), options);
    co_return results;
  };
  co_return co_await db.transaction(work);
}

}  // namespace

HoldWriter::HoldWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch, std::size_t max_inflight)
    : commit_(
          io, [&db](const std::vector<HoldRequest>& batch) { return write_batch(db, batch); }, max_batch,
          max_inflight) {}

asio::awaitable<store::PlaceResult> HoldWriter::submit(HoldRequest request) {
  co_return co_await commit_.submit(std::move(request));
}

}  // namespace ticketly::order::inventory
