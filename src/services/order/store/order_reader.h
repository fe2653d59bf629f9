#pragma once
// Batched reads of single orders. Every order endpoint (read, cancel, checkout, payment)
// starts by loading the caller's order; under a sale that was one statement and one round
// trip per request, the largest count of any statement in bench/order (c). Requests on one
// worker that ask at the same time share one `WHERE id = ANY(…)` (db::GroupCommit: at most
// two reads in flight per worker; an idle server reads one order at a time, as before).
// A read starts after the request did, so it sees everything committed before the request.
#include <boost/asio/awaitable.hpp>

#include <optional>

#include "platform/db/database.h"
#include "platform/db/group_commit.h"
#include "platform/runtime/io_pool.h"
#include "platform/types/uuid.h"
#include "services/order/domain/order.h"

namespace ticketly::order::store {

class OrderReader {
 public:
  OrderReader(db::Database& db, runtime::IoPool& io, std::size_t max_batch = 128, std::size_t max_inflight = 2);

  // The order with its tickets if completed (as find_order(db, id, true)); nullopt: none.
  // Must run on one of the IoPool's workers.
  boost::asio::awaitable<std::optional<Order>> find(Uuid id);

 private:
  db::GroupCommit<Uuid, std::optional<Order>> batch_;
};

}  // namespace ticketly::order::store
