#include "services/order/payments/payment_writer.h"

#include <algorithm>
#include <stdexcept>

#include "platform/bus/outbox.h"
#include "services/order/events/messages.h"

namespace ticketly::order::payments {

namespace asio = boost::asio;

namespace {

asio::awaitable<std::vector<PaymentOutcome>> write_batch(db::Database& db, const std::vector<PaymentRequest>& batch) {
  std::vector<std::size_t> order(batch.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return batch[a].order_id < batch[b].order_id; });
  json::Json input = json::Json::array();
  for (auto i : order) input.push_back(batch[i].payment);

  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<PaymentOutcome>> {
    auto sorted = co_await store::apply_payments(tx, input);
    if (sorted.size() != batch.size()) throw std::logic_error("order_pay_all answered for a different batch");
    std::vector<PaymentOutcome> outcomes(batch.size());
    std::vector<Uuid> changed;
    for (std::size_t k = 0; k < order.size(); ++k) {
      auto& o = outcomes[order[k]];
      o.result = std::move(sorted[k]);
      if (o.result.result == "completed" || o.result.result == "refund") changed.push_back(batch[order[k]].order_id);
    }
    auto orders = co_await store::load_orders(tx, changed);
    std::vector<bus::OutgoingMessage> messages;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      auto& o = outcomes[i];
      if (o.result.result != "completed" && o.result.result != "refund") continue;
      const Uuid& id = batch[i].order_id;
      auto it = std::find_if(orders.begin(), orders.end(), [&](const Order& x) { return x.id == id; });
      if (it == orders.end()) continue;
      o.order = *it;
      messages.push_back(events::order_snapshot(events::kOrderUpdatedTopic, *it));
      if (o.result.result == "completed") {
        messages.push_back(events::seat_status(it->session_id, it->seat_ids(), "BOOKED", it->id, o.result.seq));
      }
    }
    // As for holds: the local relay is woken after commit, without a NOTIFY.
    const bus::PublishOptions options{.wake = bus::Wake::local_only};
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
