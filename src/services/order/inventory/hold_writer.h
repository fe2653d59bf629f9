#pragma once
// Group commit for holds (platform/db/group_commit.h): requests placed at the same time on
// one worker go to the database together: one transaction runs order_place() over all of
// them (each still all-or-nothing on its own) and writes their outbox messages, so a flash
// sale costs one commit per batch rather than one per order.
//
// Two batches of this process never contend for a seat (the inventory's single flight
// per seat sees to that); order_place locks seats in seat order and the batch's requests
// are sorted by discount, so batches of different processes cannot deadlock on counters
// either (and a deadlock on seats across processes is retried by Database::transaction).
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <vector>

#include "platform/bus/bus.h"
#include "platform/db/database.h"
#include "platform/db/group_commit.h"
#include "platform/json/json.h"
#include "platform/runtime/io_pool.h"
#include "services/order/store/order_store.h"

namespace ticketly::order::inventory {

namespace asio = boost::asio;

struct HoldRequest {
  json::Json request;                   // one element of order_place()'s input
  std::string discount_sort_key;        // "" without a discount
  Uuid session_id;
  Uuid order_id;
  std::vector<Uuid> seat_ids;
  bus::OutgoingMessage created;         // ticketly.order.created, published if held
};

class HoldWriter {
 public:
  HoldWriter(db::Database& db, runtime::IoPool& io, std::size_t max_batch = 256, std::size_t max_inflight = 2);

  // Must run on one of the IoPool's workers. Throws what the request's transaction threw.
  asio::awaitable<store::PlaceResult> submit(HoldRequest request);

 private:
  db::GroupCommit<HoldRequest, store::PlaceResult> commit_;
};

}  // namespace ticketly::order::inventory
