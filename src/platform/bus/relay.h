#pragma once
// Relay: moves committed outbox rows (outbox.h) of one service database to the bus.
//
//   bus::Relay relay(io, bus, {.conninfo = order_db_url, .label = "order"}, &metrics);
//   relay.start();   // after the IoPool runs
//   ...
//   relay.stop();    // before the IoPool stops
//
// - Order: rows go out in id order, a batch per produce(); a key's messages therefore
//   keep the order in which their transactions inserted them (writers of one aggregate
//   serialise on its row lock, so that is commit order too).
// - At-least-once: rows are deleted only after produce() returned (the bus made them
//   durable). A crash in between sends them again, with the same x-message-id.
// - Wake-up: a publishing transaction in THIS process wakes the active relay directly after
//   it commits (db::Connection::after_commit; no NOTIFY, which serialises commits
//   cluster-wide). Publishers in other processes NOTIFY the outbox channel, on which the
//   relay LISTENs (publish() decides per transaction, outbox.h Wake). A short poll
//   (`poll_interval`) covers lost notifications and publishers that never NOTIFY.
// - Replicas: exactly one relay per database is active. It holds a session-level advisory
//   lock on its own connection; the others stand by and retry every `standby_interval`.
//   If the active replica dies its session ends, PostgreSQL frees the lock and a standby
//   takes over. We chose this over `FOR UPDATE SKIP LOCKED` work sharing because sharing
//   rows between relays would send one key's messages from two processes at once, in
//   either order; the bus, not this SELECT, limits throughput anyway.
// - Metrics {database="<label>"}: ticketly_outbox_backlog_rows, ticketly_outbox_oldest_age_seconds
//   (gauges), ticketly_outbox_relayed_total (counter), ticketly_outbox_relay_active (1 on
//   the replica holding the lock).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "platform/bus/bus.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::metrics {
class Registry;
}

namespace ticketly::bus {

struct RelayOptions {
  std::string conninfo;                              // the producing service's database
  std::string label;                                 // for metrics and logs, e.g. "order"
  std::chrono::milliseconds poll_interval{100};      // re-check without a notification
  std::size_t batch_size = 500;                      // rows per produce()
  std::chrono::milliseconds standby_interval{2000};  // a standby replica retries the lock
};

class Relay {
 public:
  Relay(runtime::IoPool& io, Bus& bus, RelayOptions options, metrics::Registry* metrics = nullptr);
  // Stops (blocking) if still running.
  ~Relay();
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;

  // Starts relaying on one of the workers (they must be running).
  void start();
  // Finishes the batch in flight, releases the lock and waits for the loop to end. Call
  // from outside the IoPool's threads, before they stop.
  void stop();

  // This replica holds the lock and relays.
  bool active() const;
  // Rows sent and deleted by this replica.
  std::uint64_t relayed() const;

  // The advisory-lock key that makes one relay per database active: FNV-1a 64 of
  // "ticketly.outbox.relay" (advisory locks are per database).
  static std::int64_t lock_key();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

namespace detail {
// The process-wide registry of active relays, by database identity
// (db::Connection::database_identity()); what publish() consults. Thread-safe.
bool local_relay_active(const std::string& identity);
// Wakes the active relay of that database in this process, if any; cheap when it is
// already awake (wake-ups fold into one).
void wake_local_relay(const std::string& identity);
}  // namespace detail

}  // namespace ticketly::bus
