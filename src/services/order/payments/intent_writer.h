#pragma once
// Group commit for recording payment intents on their orders (platform/db/group_commit.h):
// checkouts that start at the same time on one worker record their intents with one UPDATE
// in one transaction instead of a commit each. Each caller gets its order as stored after
// (with another caller's intent if that one won the race; unchanged if it was cancelled
// meanwhile), as store::attach_payment_intents answers.
#include <boost/asio/awaitable.hpp>

#include <optional>

#include "platform/db/database.h"
#include "platform/db/group_commit.h"
#include "platform/runtime/io_pool.h"
#include "services/order/domain/order.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::payments {

class IntentWriter {
 public:
  IntentWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch = 128, std::size_t max_inflight = 2);

  // Must run on one of the IoPool's workers. nullopt: no such order.
  boost::asio::awaitable<std::optional<Order>> attach(store::IntentToAttach intent);

 private:
  db::GroupCommit<store::IntentToAttach, std::optional<Order>> commit_;
};

}  // namespace ticketly::order::payments
