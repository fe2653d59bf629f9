#include "services/order/payments/payment_writer.h"

#include <algorithm>

#include "platform/bus/outbox.h"
#include "platform/db/batch_order.h"
#include "services/order/events/messages.h"

namespace ticketly::order::payments {

namespace asio = boost::asio;

namespace {

asio::awaitable<std::vector<PaymentOutcome>> write_batch(db::Database& db, const std::vector<PaymentRequest>& batch) {
  const auto positions = db::positions_by(batch, [](const PaymentRequest& p) { return p.order_id; });
  json::Json input = json::Json::array();
  for (auto i : positions) input.push_back(batch[i].payment);

  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<PaymentOutcome>> {
    auto sorted = co_await store::apply_payments(tx, input);
    auto results = db::in_batch_order(std::move(sorted), positions);
    std::vector<PaymentOutcome> outcomes(batch.size());
    std::vector<Uuid> changed;  // completed or refunded: their orders are read back and published
    for (std::size_t i = 0; i < batch.size(); ++i) {
      outcomes[i].result = std::move(results[i]);
      if (outcomes[i].result.changed_order()) changed.push_back(batch[i].order_id);
    }
    auto orders = co_await store::load_orders(tx, changed);
    std::vector<bus::OutgoingMessage> messages;
    events::SeatStatusBatch booked("BOOKED");  // one message per session, as for holds
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& o = outcomes[i];
      if (!o.result.changed_order()) continue;
      const Uuid& id = batch[i].order_id;
      auto it = std::find_if(orders.begin(), orders.end(), [&](const Order& x) { return x.id == id; });
      if (it == orders.end()) continue;
      o.order = *it;
      messages.push_back(events::order_snapshot(events::kOrderUpdatedTopic, *it));
      if (o.result.result == "completed") booked.add(it->session_id, it->seat_ids(), it->id, o.result.seq);
    }
    for (auto& m : booked.messages()) messages.push_back(std::move(m));
    // As for holds: the local relay is woken after commit, without a NOTIFY.
    const bus::PublishOptions options{.wake = bus::Wake::local_only};
    tx.commit_with_next();  // the last statement takes the COMMIT along
    co_await bus::publish_batch(tx, std::move(messages), options);
    co_return outcomes;
  };
  co_return co_await db.transaction(work);
}

}  // namespace

PaymentWriter::PaymentWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch, std::size_t max_inflight)
    : commit_(
          io, [&db](const std::vector<PaymentRequest>& batch) { return write_batch(db, batch); }, max_batch,
          max_inflight) {}

asio::awaitable<PaymentOutcome> PaymentWriter::submit(PaymentRequest request) {
  co_return co_await commit_.submit(std::move(request));
}

}  // namespace ticketly::order::payments
