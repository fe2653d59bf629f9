#pragma once
// The transactional outbox. A service that changes state other services must learn about
// writes the message in the SAME transaction as the change:
//
//   co_await db.transaction([&](db::Connection& tx) -> asio::awaitable<void> {
//     co_await tx.execute(kUpdateEvent, ...);
//     co_await bus::publish(tx, "ticketly.catalog.events", event_id.str(), snapshot);
//   });
//
// so the message exists exactly when the change committed. A Relay (relay.h) sends
// committed rows to the bus and deletes them after the bus acknowledged them; a crash in
// between re-sends (at-least-once, with the same x-message-id header).
//
// The table comes from migrations/outbox, a migration set of its own ("outbox") beside
// the service's schema: apply it with migrate_outbox() to every service database (it also
// holds the consumer-side dedupe tables of idempotency.h).
#include <boost/asio/awaitable.hpp>

#include <nlohmann/json.hpp>

#include <span>
#include <string>
#include <string_view>

#include "platform/bus/bus.h"
#include "platform/db/connection.h"
#include "platform/db/migrations.h"
#include "platform/db/migrator.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> outbox();  // generated from migrations/outbox
}

namespace ticketly::bus {

// NOTIFY channel a commit with outbox rows signals; the relay LISTENs on it.
inline constexpr std::string_view kOutboxChannel = "ticketly_outbox";
// The migration-set name of migrations/outbox in a service database.
inline constexpr std::string_view kOutboxMigrationSet = "outbox";

// Applies migrations/outbox to the database at `conninfo` (blocking: start-up only).
db::MigrationReport migrate_outbox(const std::string& conninfo, std::string_view database_label);

// Adds a message to the outbox inside the caller's transaction, and a NOTIFY that wakes
// the relay when (and only if) the transaction commits. Throws std::logic_error when
// `tx` is not inside a transaction. The arguments are copied before the first suspension.
asio::awaitable<void> publish(db::Connection& tx, std::string_view topic, std::string_view key,
                              const nlohmann::json& payload, Headers headers = {});

}  // namespace ticketly::bus
