#include "platform/bus/bus_config.h"

#include <charconv>

#include "platform/bus/kafka_bus.h"
#include "platform/bus/pg_log_bus.h"
#include "platform/db/migrator.h"

namespace ticketly::bus {

namespace {

using namespace std::chrono_literals;

std::chrono::milliseconds read_duration(config::Reader& r, std::string_view key, std::chrono::milliseconds fallback,
                                        std::chrono::milliseconds min) {
  auto text = r.optional_string(key);
  if (!text) return fallback;
  auto d = parse_bus_duration(*text);
  if (!d) {
    r.problem(key, "must be a duration such as 500ms, 30s, 5m, 12h or 7d (got \"" + *text + "\")");
    return fallback;
  }
  if (*d < min) {
    r.problem(key, "must be at least " + std::to_string(min.count()) + "ms");
    return fallback;
  }
  return *d;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_bus_duration(std::string_view text) {
  if (text.size() > 1 && text.back() == 'd') {
    std::int64_t days = 0;
    const char* end = text.data() + text.size() - 1;
    auto [p, ec] = std::from_chars(text.data(), end, days);
    if (ec != std::errc() || p != end || days < 0 || days > 36500) return std::nullopt;
    return std::chrono::hours(24 * days);
  }
  return config::parse_duration(text, std::chrono::seconds(1));
}

BusConfig read_bus_config(config::Reader& r) {
  BusConfig c;
  c.kind = r.one_of("TICKETLY_BUS", "postgres", {"postgres", "kafka"}) == "kafka" ? BusKind::kafka : BusKind::postgres;
  if (c.kind == BusKind::kafka) {
    c.kafka_brokers = r.required_string("KAFKA_BROKERS", "host:port[,host:port...] of the Kafka cluster");
  } else {
    c.kafka_brokers = r.string("KAFKA_BROKERS", "");
  }
  for (const auto& item : r.list("TICKETLY_KAFKA_PROPERTIES", {})) {
    const auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      r.problem("TICKETLY_KAFKA_PROPERTIES", "expects key=value pairs separated by commas (got \"" + item + "\")");
      continue;
    }
    c.kafka_properties[item.substr(0, eq)] = item.substr(eq + 1);
  }
  c.database_url = r.optional_string("TICKETLY_BUS_DATABASE_URL");
  c.partitions = static_cast<int>(r.integer("TICKETLY_BUS_PARTITIONS", 8, 1, 1024));
  c.replication = static_cast<int>(r.integer("TICKETLY_BUS_REPLICATION", 1, 1, 32));
  c.retention = read_duration(r, "TICKETLY_BUS_RETENTION", std::chrono::hours(24 * 7), 1min);
  c.retry.max_attempts = static_cast<int>(r.integer("TICKETLY_BUS_RETRY_ATTEMPTS", 5, 1, 1000));
  c.retry.initial_backoff = read_duration(r, "TICKETLY_BUS_RETRY_BACKOFF", 100ms, 0ms);
  c.retry.max_backoff = read_duration(r, "TICKETLY_BUS_RETRY_BACKOFF_MAX", 30s, 0ms);
  if (auto m = r.optional_string("TICKETLY_BUS_RETRY_MULTIPLIER")) {
    double v = 0;
    auto [p, ec] = std::from_chars(m->data(), m->data() + m->size(), v);
    if (ec != std::errc() || p != m->data() + m->size() || v < 1.0 || v > 100.0) {
      r.problem("TICKETLY_BUS_RETRY_MULTIPLIER", "must be a number from 1 to 100");
    } else {
      c.retry.multiplier = v;
    }
  }
  if (c.retry.max_backoff < c.retry.initial_backoff) {
    r.problem("TICKETLY_BUS_RETRY_BACKOFF_MAX", "must not be below TICKETLY_BUS_RETRY_BACKOFF");
  }
  c.poll_interval = read_duration(r, "TICKETLY_BUS_POLL_INTERVAL", 500ms, 10ms);
  c.session_timeout = read_duration(r, "TICKETLY_BUS_SESSION_TIMEOUT", 10s, 1s);
  c.commit_interval = read_duration(r, "TICKETLY_BUS_COMMIT_INTERVAL", 200ms, 1ms);
  c.relay_poll_interval = read_duration(r, "TICKETLY_OUTBOX_POLL_INTERVAL", 100ms, 10ms);
  c.relay_batch_size = static_cast<std::size_t>(r.integer("TICKETLY_OUTBOX_BATCH", 500, 1, 100000));
  return c;
}

BusConfig load_bus_config(const config::Source& source) {
  config::Reader r(source);
  auto c = read_bus_config(r);
  r.finish();
  return c;
}

std::string bus_database_name(std::string_view prefix) { return std::string(prefix) + "_bus"; }

std::string bus_database_url(const BusConfig& config, std::string_view pg_url, std::string_view prefix) {
  if (config.database_url) return *config.database_url;
  return db::conninfo_for_database(pg_url, bus_database_name(prefix));
}

void prepare_bus(const BusConfig& config, std::string_view pg_url, std::string_view prefix) {
  if (config.kind != BusKind::postgres) return;
  if (!config.database_url) {
    db::create_database_if_missing(db::conninfo_for_database(pg_url, "postgres"), bus_database_name(prefix));
  }
  db::migrate(bus_database_url(config, pg_url, prefix), migrations::bus(), "bus");
}

std::unique_ptr<Bus> make_bus(const BusConfig& config, runtime::IoPool& io, const std::string& pg_conninfo) {
  if (config.kind == BusKind::kafka) {
    KafkaOptions o;
    o.brokers = config.kafka_brokers;
    o.default_partitions = config.partitions;
    o.replication = config.replication;
    o.session_timeout = config.session_timeout;
    o.commit_interval = config.commit_interval;
    o.properties = config.kafka_properties;
    return std::make_unique<KafkaBus>(std::move(o));
  }
  PgLogOptions o;
  o.conninfo = config.database_url ? *config.database_url : pg_conninfo;
  o.default_partitions = config.partitions;
  o.retention = config.retention;
  o.poll_interval = config.poll_interval;
  o.session_timeout = config.session_timeout;
  o.commit_interval = config.commit_interval;
  return std::make_unique<PgLogBus>(io, std::move(o));
}

ConsumerOptions consumer_options(const BusConfig& config, std::string group) {
  ConsumerOptions o;
  o.group = std::move(group);
  o.retry = config.retry;
  return o;
}

RelayOptions relay_options(const BusConfig& config, std::string conninfo, std::string label) {
  RelayOptions o;
  o.conninfo = std::move(conninfo);
  o.label = std::move(label);
  o.poll_interval = config.relay_poll_interval;
  o.batch_size = config.relay_batch_size;
  return o;
}

}  // namespace ticketly::bus
