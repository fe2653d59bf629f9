#pragma once
// Group commit for successful payments (platform/db/group_commit.h): payments that arrive
// at the same time on one worker are applied in one transaction — order_pay() over each
// (migrations/order/0003 order_pay_all), the orders as they left it, and their outbox
// messages (ticketly.order.updated; BOOKED for completed orders) — so a flash sale's
// checkouts cost one commit per batch instead of one per payment. Each payment keeps its
// own outcome (completed, refund, duplicate, …): order_pay() decides per payment.
//
// Batches lock their orders in order-id order (two batches cannot wait on each other in a
// cycle); the same provider event twice in one batch is applied once (the second finds
// its payment_events row and is a duplicate).
#include <boost/asio/awaitable.hpp>

#include <optional>

#include "platform/db/database.h"
#include "platform/db/group_commit.h"
#include "platform/json/json.h"
#include "platform/runtime/io_pool.h"
#include "services/order/domain/order.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::payments {

struct PaymentRequest {
  Uuid order_id;
  json::Json payment;  // order_pay()'s input: {event_id, event_type, intent_id, order_id, amount}
};

struct PaymentOutcome {
  store::PayResult result;
  std::optional<Order> order;  // completed (with tickets) or refunded: the order as the payment left it
};

class PaymentWriter {
 public:
  PaymentWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch = 128, std::size_t max_inflight = 2);

  // Must run on one of the IoPool's workers. Throws what the payment's transaction threw.
  boost::asio::awaitable<PaymentOutcome> submit(PaymentRequest request);

 private:
  db::GroupCommit<PaymentRequest, PaymentOutcome> commit_;
};

}  // namespace ticketly::order::payments
