#pragma once
// The bus's settings (environment, see the table below) and the factory that builds the
// configured implementation. Switching PostgreSQL <-> Kafka is one variable.
//
//   TICKETLY_BUS                   postgres | kafka                      postgres
//   KAFKA_BROKERS                  host:port,host:port (kafka)           required for kafka
//   TICKETLY_KAFKA_PROPERTIES      extra librdkafka settings, k=v,k=v    (none)
//   TICKETLY_BUS_DATABASE_URL      the PgLogBus database                 <TICKETLY_PG_URL>/<prefix>_bus
//   TICKETLY_BUS_PARTITIONS        partitions of a new topic             8
//   TICKETLY_BUS_REPLICATION       Kafka replication factor of new topics 1
//   TICKETLY_BUS_RETENTION         PgLogBus: keep messages this long     7d
//   TICKETLY_BUS_RETRY_ATTEMPTS    handler attempts before dead-letter   5
//   TICKETLY_BUS_RETRY_BACKOFF     pause before the 2nd attempt          100ms
//   TICKETLY_BUS_RETRY_MULTIPLIER  growth of the pause per attempt       2
//   TICKETLY_BUS_RETRY_BACKOFF_MAX longest pause                         30s
//   TICKETLY_BUS_POLL_INTERVAL     PgLogBus consumers: poll without NOTIFY 500ms
//   TICKETLY_BUS_SESSION_TIMEOUT   a silent group member counts as dead  10s
//   TICKETLY_BUS_COMMIT_INTERVAL   how often handled offsets are committed 200ms
//   TICKETLY_OUTBOX_POLL_INTERVAL  relay: poll without a wake-up         100ms
//   TICKETLY_OUTBOX_BATCH          relay: rows per produce               500
//
// Durations take ms, s, m, h and d ("7d"); a bare number means seconds.
//
// Wiring a process:
//   auto cfg = bus::read_bus_config(reader);                  // with the other settings
//   bus::prepare_bus(cfg, pg_url, prefix);                    // the migrate step
//   auto bus = bus::make_bus(cfg, io, bus::bus_database_url(cfg, pg_url, prefix));
//   bus->start();                                             // after io.start()
//   per producing service: bus::migrate_outbox(url, id);  bus::Relay relay(io, *bus, bus::relay_options(cfg, url, id), &metrics);
//   per consuming service: bus::ConsumerRuntime consumer(*bus, io, bus::consumer_options(cfg, group), &metrics);
//   stop in reverse: consumers, relays, bus->stop(), then the IoPool.
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "platform/bus/bus.h"
#include "platform/bus/consumer.h"
#include "platform/bus/relay.h"
#include "platform/config/reader.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::metrics {
class Registry;
}

namespace ticketly::bus {

enum class BusKind { postgres, kafka };

struct BusConfig {
  BusKind kind = BusKind::postgres;
  std::string kafka_brokers;
  std::map<std::string, std::string> kafka_properties;
  std::optional<std::string> database_url;  // TICKETLY_BUS_DATABASE_URL
  int partitions = 8;
  int replication = 1;
  std::chrono::milliseconds retention = std::chrono::hours(24 * 7);
  RetryPolicy retry;
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds session_timeout{10000};
  std::chrono::milliseconds commit_interval{200};
  std::chrono::milliseconds relay_poll_interval{500};
  std::size_t relay_batch_size = 500;
};

// Reads the variables above; bad values become problems of `reader` (call finish()).
BusConfig read_bus_config(config::Reader& reader);
// The same, throwing config::ConfigError listing every bad value.
BusConfig load_bus_config(const config::Source& source);

// "<prefix>_bus": the PgLogBus database beside the services' ones.
std::string bus_database_name(std::string_view prefix);
// The PgLogBus database: TICKETLY_BUS_DATABASE_URL, else database <prefix>_bus on the
// cluster of `pg_url` (TICKETLY_PG_URL).
std::string bus_database_url(const BusConfig& config, std::string_view pg_url, std::string_view prefix);

// PgLogBus only (no-op for Kafka): creates <prefix>_bus on the cluster of `pg_url` when
// missing (unless TICKETLY_BUS_DATABASE_URL names the database), then applies
// migrations/bus. Blocking: the migrate step of start-up.
void prepare_bus(const BusConfig& config, std::string_view pg_url, std::string_view prefix);

// The configured bus. `pg_conninfo`: the PgLogBus database (ignored for Kafka).
// Throws std::runtime_error when Kafka refuses a setting.
std::unique_ptr<Bus> make_bus(const BusConfig& config, runtime::IoPool& io, const std::string& pg_conninfo);

ConsumerOptions consumer_options(const BusConfig& config, std::string group);
RelayOptions relay_options(const BusConfig& config, std::string conninfo, std::string label);

// "7d", "12h", "250ms", ... (config::parse_duration plus days); nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_bus_duration(std::string_view text);

}  // namespace ticketly::bus
