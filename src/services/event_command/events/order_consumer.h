#pragma once
// The sales view from ticketly.order.updated: a completed order books its seats in the
// session's sales view and counts one use of its discount; when every sellable seat of an
// ON_SALE session is booked, the session becomes SOLD_OUT (a new event snapshot).
//
// Idempotent: an order counts once (counted_orders, in the same transaction), however
// often — and in whatever order — its messages arrive. A burst of messages is applied in
// one transaction (the consumer's batch handler), one snapshot per changed event.
#include <boost/asio/awaitable.hpp>

#include "platform/bus/bus.h"
#include "platform/bus/consumer.h"
#include "services/event_command/app.h"

namespace ticketly::event_command {

// Order snapshots in API.md §3's shape (PascalCase keys). A payload that can never apply
// (not JSON, no ids) is logged and skipped rather than retried into the dead-letter topic.
void register_order_consumer(App& app, bus::ConsumerRuntime& consumer);

}  // namespace ticketly::event_command
