#include "services/order/inventory/hold_writer.h"

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
    events::SeatStatusBatch locked("LOCKED");
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (results[i].kind != store::PlaceResult::Kind::Held) continue;
      const auto& r = batch[i];
      messages.push_back(r.created);
      locked.add(r.session_id, r.seat_ids, r.order_id, results[i].seq);
    }
    for (auto& m : locked.messages()) messages.push_back(std::move(m));
    // The hot path never NOTIFYs (it serialises commits server-wide): the local relay is
    // woken after commit; a relay in another process picks the rows up on its poll.
    const bus::PublishOptions options{.wake = bus::Wake::local_only};
    // The last statement: it takes the COMMIT along (two round trips in all, see
    // db::Connection::commit_with_next): a winner's answer waits for each round trip.
    tx.commit_with_next();
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
