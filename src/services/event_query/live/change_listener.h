#pragma once
// ChangeListener: this replica's ear on the read model. One dedicated connection LISTENs
// on `event_query_changes` (the projection NOTIFYs in the transaction that applies a
// message), so every replica — not only the one whose consumer handled the message —
// drops its cached responses and fans seat changes out to its own SSE subscribers.
//
// While the connection is down the cache is disabled (nothing can tell it what changed);
// when it comes back every subscriber gets RESYNC, since changes may have been missed.
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "services/event_query/live/document_cache.h"
#include "services/event_query/live/response_cache.h"

namespace ticketly::event_query {

class SeatHub;

class ChangeListener {
 public:
  ChangeListener(boost::asio::io_context& context, std::string conninfo, ResponseCache& catalog_cache,
                 ResponseCache& seat_map_cache, DocumentCache& documents, SeatHub& hub);
  ~ChangeListener();

  void start();
  // Ends the loop; returns at once (the loop finishes on its worker).
  void stop();
  bool connected() const;

  // Applies one notification payload (also used by tests).
  void handle(const std::string& payload);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ticketly::event_query
