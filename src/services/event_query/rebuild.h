#pragma once
// `ticketly rebuild-read-model`: empties the read model and replays every retained
// message of the topics it is built from, under a consumer group of its own, until it
// has caught up. Running replicas keep serving meanwhile (their own consumer group keeps
// applying new messages; versions make the two appliers harmless to each other).
//
// The read model can only be rebuilt from what the bus still holds: with the PostgreSQL
// log that is TICKETLY_BUS_RETENTION (7 days by default); Kafka topics should be compacted.
// Page views are the service's own data, not derived from messages, and are kept.
#include <chrono>
#include <cstdint>
#include <string>

#include "platform/bus/bus_config.h"

namespace ticketly::event_query {

struct RebuildOptions {
  std::string database_url;      // the event-query database
  bus::BusConfig bus;
  std::string bus_database_url;  // PgLogBus database (ignored for Kafka)
  // Caught up: no lag and nothing handled for this long.
  std::chrono::milliseconds settle{2000};
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
};

struct RebuildResult {
  std::uint64_t messages = 0;
  std::uint64_t dead_lettered = 0;
  bool caught_up = false;
};

// Blocking. Throws on database or bus failure.
RebuildResult rebuild_read_model(const RebuildOptions& options);

}  // namespace ticketly::event_query
