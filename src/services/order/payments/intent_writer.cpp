#include "services/order/payments/intent_writer.h"

#include "platform/db/batch_order.h"

namespace ticketly::order::payments {

namespace asio = boost::asio;

namespace {

asio::awaitable<std::vector<std::optional<Order>>> write_batch(db::Database& db,
                                                              const std::vector<store::IntentToAttach>& batch) {
  // Orders are locked in id order by every writer (payment_writer.cpp does the same).
  const auto positions = db::positions_by(batch, [](const store::IntentToAttach& i) { return i.order_id; });
  std::vector<store::IntentToAttach> sorted;
  sorted.reserve(batch.size());
  for (auto i : positions) sorted.push_back(batch[i]);
  auto work = [&](db::Connection& tx) -> asio::awaitable<std::vector<std::optional<Order>>> {
    auto stored = co_await store::attach_payment_intents(tx, sorted);
    co_return db::in_batch_order(std::move(stored), positions);
  };
  co_return co_await db.transaction(work);
}

}  // namespace

IntentWriter::IntentWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch, std::size_t max_inflight)
    : commit_(
          io, [&db](const std::vector<store::IntentToAttach>& batch) { return write_batch(db, batch); }, max_batch,
          max_inflight) {}

asio::awaitable<std::optional<Order>> IntentWriter::attach(store::IntentToAttach intent) {
  co_return co_await commit_.submit(std::move(intent));
}

}  // namespace ticketly::order::payments
