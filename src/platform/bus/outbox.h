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
#include <vector>

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

// How a publishing transaction wakes the relay once it commits.
//
// NOTIFY is the cross-process wake-up, but it takes a cluster-wide lock at commit that
// serialises every notifying commit (it halved the commit rate of publishing transactions,
// docs/BENCHMARKS.md "Event bus"). When this process runs the ACTIVE relay of the
// database, an after-commit hook (db::Connection::after_commit) wakes it directly instead.
enum class Wake {
  // Wake the local active relay after commit when there is one, else NOTIFY (a relay of
  // another process, or a standby of this one, is active): prompt delivery everywhere,
  // no NOTIFY where the relay is local. The default.
  automatic,
  // Never NOTIFY: wake a local active relay after commit, otherwise leave the rows to
  // the active relay's poll (RelayOptions::poll_interval). For hot publishers that
  // accept poll latency on replicas that do not hold the relay.
  local_only,
};

struct PublishOptions {
  Wake wake = Wake::automatic;
};

// Adds a message to the outbox inside the caller's transaction; the relay is woken when
// (and only if) the transaction commits, as `options.wake` says. Throws std::logic_error
// when `tx` is not inside a transaction. The arguments are copied before the first suspension.
asio::awaitable<void> publish(db::Connection& tx, std::string_view topic, std::string_view key,
                              const nlohmann::json& payload, Headers headers = {}, PublishOptions options = {});

// Several messages in one statement (one round trip), in the given order. `payload` of
// each message is JSON text. An empty list does nothing.
asio::awaitable<void> publish_batch(db::Connection& tx, std::vector<OutgoingMessage> messages,
                                    PublishOptions options = {});

// Whether this process runs the active relay of the database `conn` is connected to.
bool local_relay_active(const db::Connection& conn);

}  // namespace ticketly::bus
