#include "services/order/inventory/hold_writer.h"

#include <algorithm>
#include <map>

#include "platform/bus/outbox.h"
#include "platform/db/batch_order.h"
#include "services/order/events/messages.h"

namespace ticketly::order::inventory {

namespace {

// The pending-order limit (per user and session) is exact through order_place()'s pending
// slots (a primary key, migrations/order/0001): batches that share users run side by side
// (a per-user advisory lock taken by every batch used to run them one at a time).
asio::awaitable<std::vector<store::PlaceResult>> write_batch(db::Database& db, const std::vector<HoldRequest>& batch) {
  // Counter rows (discount uses) are locked in one order by every batch.
  const auto positions =
      db::positions_by(batch, [](const HoldRequest& r) -> const std::string& { return r.discount_sort_key; });
  json::Json input = json::Json::array();
  for (auto i : positions) input.push_back(batch[i].request);
  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<store::PlaceResult>> {
    auto sorted = co_await store::place_orders(tx, input);
    auto results = db::in_batch_order(std::move(sorted), positions);
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
