#pragma once
// Idempotent consumers. Delivery is at-least-once (a consumer that stops before it
// committed, a relay that dies between produce and delete, a rebalance), so a handler must
// be harmless the second time. Two tools, both used INSIDE the handler's transaction so the
// bookkeeping commits (or rolls back) together with the effect:
//
// 1. Versioned snapshots (DESIGN.md §2: state transfer). Apply a snapshot only if it is
//    newer than what is stored. Where the service keeps the aggregate in one row, the
//    pattern is one statement:
//
//      INSERT INTO events (id, version, doc) VALUES ($1, $2, $3)
//      ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, doc = EXCLUDED.doc
//      WHERE events.version < EXCLUDED.version
//
//    Otherwise advance_version() tracks versions in aggregate_versions (migrations/outbox):
//
//      if (!co_await bus::advance_version(tx, "event", id, snapshot.version)) co_return;  // stale
//      ... replace the event's rows ...
//
// 2. Processed-message keys, for messages that are not snapshots (commands, notifications):
//
//      if (!co_await bus::first_delivery(tx, "scheduler.order-created", bus::message_key(m))) co_return;
//
// Both tables come with migrations/outbox (apply it with bus::migrate_outbox to the
// consuming service's database too).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "platform/bus/bus.h"
#include "platform/db/connection.h"
#include "platform/db/database.h"

namespace ticketly::bus {

// A key that identifies a message across re-sends: the x-message-id header the relay sets
// (the outbox row's UUID), else "topic/partition/offset".
std::string message_key(const Message& m);

// Records `message_key` for `consumer` in processed_messages; true the first time, false
// when it was recorded before (skip the work). Must run inside a transaction.
asio::awaitable<bool> first_delivery(db::Connection& tx, std::string_view consumer, std::string_view message_key);

// Moves aggregate_versions(aggregate_type, aggregate_id) to `version` if that is newer;
// true when it did (apply the snapshot), false for an older or repeated version. Locks
// the row until the transaction ends, so concurrent handlers of one aggregate serialise.
asio::awaitable<bool> advance_version(db::Connection& tx, std::string_view aggregate_type,
                                      std::string_view aggregate_id, std::int64_t version);

// Deletes processed_messages rows older than `age` (older than the bus retention, no
// message can come back for them). Returns the rows deleted.
asio::awaitable<std::int64_t> prune_processed_messages(db::Database& db, std::chrono::milliseconds age);

}  // namespace ticketly::bus
