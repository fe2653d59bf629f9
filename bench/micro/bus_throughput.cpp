// Event-bus benchmarks: events/s and latency for both buses.
//
//   BM_BusDirect/<bus>         produce() in batches of 100 from two workers, one consumer
//                              group: events/s, produce-to-handler latency p50/p99.
//   BM_OutboxSaturated/<bus>   the real path: business transactions publish to the outbox
//                              (16 concurrent publishers), the relay moves rows to the bus,
//                              a consumer handles them: events/s, commit-to-handler p50/p99.
//   BM_OutboxPaced/<bus>       the same at a light, steady rate (one transaction every 5 ms):
//                              the latency a single event sees on an idle system.
//
// <bus> is PgLog (its own PostgreSQL database) or KafkaMock — librdkafka's in-process MOCK
// cluster, not a real broker: its figures show the client-side path, not Kafka's.
// Needs TICKETLY_TEST_PG_URL (bench/bus/run.sh sets it). Every run creates and drops its
// own databases.
#include <benchmark/benchmark.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "platform/bus/consumer.h"
#include "platform/bus/kafka_bus.h"
#include "platform/bus/outbox.h"
#include "platform/bus/pg_log_bus.h"
#include "platform/bus/relay.h"
#include "platform/db/database.h"
#include "platform/db/migrator.h"
#include "platform/runtime/io_pool.h"

namespace {

namespace asio = boost::asio;
using namespace ticketly;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

std::string cluster_url() {
  const char* url = std::getenv("TICKETLY_TEST_PG_URL");
  if (!url || !*url) throw std::runtime_error("set TICKETLY_TEST_PG_URL (bench/bus/run.sh does)");
  return url;
}

// A database for one run, dropped afterwards.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& prefix) {
    std::random_device rd;
    name_ = prefix + "_" + std::to_string(rd()) + std::to_string(rd() % 1000);
    db::create_database_if_missing(db::conninfo_for_database(cluster_url(), "postgres"), name_);
    url_ = db::conninfo_for_database(cluster_url(), name_);
  }
  ~ScratchDatabase() {
    try {
      db::drop_database_if_exists(db::conninfo_for_database(cluster_url(), "postgres"), name_);
    } catch (const std::exception& e) {
      spdlog::warn("cannot drop {}: {}", name_, e.what());
    }
  }
  const std::string& url() const { return url_; }

 private:
  std::string name_, url_;
};

class KafkaMock {
 public:
  KafkaMock() {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    cluster_ = rd_kafka_mock_cluster_new(handle_, 1);
  }
  ~KafkaMock() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void create_topic(const std::string& name, int partitions) {
    rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1);
  }

 private:
  rd_kafka_t* handle_;
  rd_kafka_mock_cluster_t* cluster_;
};

constexpr int kPartitions = 8;

// One bus with its workers.
struct Harness {
  explicit Harness(bool kafka) : io(2) {
    io.start();
    if (kafka) {
      mock = std::make_unique<KafkaMock>();
      bus::KafkaOptions o;
      o.brokers = mock->bootstraps();
      o.default_partitions = kPartitions;
      o.session_timeout = 6s;
      o.heartbeat_interval = 250ms;
      o.properties["fetch.wait.max.ms"] = "10";
      bus = std::make_unique<bus::KafkaBus>(o);
    } else {
      bus_db = std::make_unique<ScratchDatabase>("bench_bus");
      db::migrate(bus_db->url(), migrations::bus(), "bus");
      bus::PgLogOptions o;
      o.conninfo = bus_db->url();
      o.default_partitions = kPartitions;
      bus = std::make_unique<bus::PgLogBus>(io, o);
    }
    bus->start();
  }
  ~Harness() {
    bus->stop();
    bus.reset();
    io.stop();
    io.join();
  }

  void create_topic(const std::string& topic) {
    if (mock) {
      mock->create_topic(topic, kPartitions);
      mock->create_topic(topic + ".dlq", kPartitions);
    } else {
      std::vector<bus::TopicSpec> specs{{topic, kPartitions}, {topic + ".dlq", kPartitions}};
      asio::co_spawn(io.context(0), bus->ensure_topics(specs), asio::use_future).get();
    }
  }

  // A consumer that stores each message's arrival time under the sequence number in its key.
  std::unique_ptr<bus::ConsumerRuntime> consumer(const std::string& topic, std::vector<std::atomic<std::int64_t>>& seen,
                                                 std::atomic<int>& handled) {
    auto c = std::make_unique<bus::ConsumerRuntime>(*bus, io, bus::ConsumerOptions{.group = "bench"});
    c->on(topic, [&seen, &handled](const bus::Message& m) -> asio::awaitable<void> {
      const auto seq = static_cast<std::size_t>(std::stoll(m.payload.substr(m.payload.find(':') + 1)));
      if (seq < seen.size()) {
        std::int64_t expected = 0;
        if (seen[seq].compare_exchange_strong(expected, now_ns())) handled.fetch_add(1);
      }
      co_return;
    });
    c->start();
    const auto deadline = Clock::now() + 60s;
    while (c->assignment().size() < kPartitions && Clock::now() < deadline) std::this_thread::sleep_for(5ms);
    return c;
  }

  runtime::IoPool io;
  std::unique_ptr<ScratchDatabase> bus_db;
  std::unique_ptr<KafkaMock> mock;
  std::unique_ptr<bus::Bus> bus;
};

void wait_for(const std::atomic<int>& handled, int total) {
  const auto deadline = Clock::now() + 300s;
  while (handled.load() < total && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
}

// p50 / p99 of (seen - start) in milliseconds.
void report(benchmark::State& state, const std::vector<std::atomic<std::int64_t>>& start,
            const std::vector<std::atomic<std::int64_t>>& seen, int total, double seconds) {
  std::vector<double> ms;
  for (int i = 0; i < total; ++i) {
    if (seen[i] && start[i]) ms.push_back(static_cast<double>(seen[i] - start[i]) / 1e6);
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms.empty() ? 0.0 : ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  state.counters["events_per_s"] = seconds > 0 ? total / seconds : 0;
  state.counters["p50_ms"] = pct(0.50);
  state.counters["p99_ms"] = pct(0.99);
  state.counters["delivered"] = static_cast<double>(ms.size());
  state.SetIterationTime(seconds);
}

void BM_BusDirect(benchmark::State& state) {
  const bool kafka = state.range(0) == 1;
  const int total = 20000, batch = 100;
  for (auto _ : state) {
    Harness h(kafka);
    const std::string topic = "bench.direct";
    h.create_topic(topic);
    std::vector<std::atomic<std::int64_t>> start(total), seen(total);
    std::atomic<int> handled{0};
    auto c = h.consumer(topic, seen, handled);
    const auto t0 = Clock::now();
    std::vector<std::future<void>> producers;
    for (int p = 0; p < 2; ++p) {
      producers.push_back(asio::co_spawn(
          h.io.context(p),
          [&, p]() -> asio::awaitable<void> {
            for (int first = p * batch; first < total; first += 2 * batch) {
              std::vector<bus::OutgoingMessage> messages;
              for (int i = first; i < std::min(first + batch, total); ++i) {
                messages.push_back({topic, "key-" + std::to_string(i % 512), "seq:" + std::to_string(i), {}});
                start[i] = now_ns();
              }
              co_await h.bus->produce(std::move(messages));
            }
          },
          asio::use_future));
    }
    for (auto& f : producers) f.get();
    wait_for(handled, total);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report(state, start, seen, total, seconds);
    c->stop();
  }
}

// Business transactions through the outbox and relay; `pace`: pause between transactions
// of one publisher (0: as fast as possible).
void outbox_run(benchmark::State& state, int total, int publishers, std::chrono::microseconds pace) {
  const bool kafka = state.range(0) == 1;
  for (auto _ : state) {
    Harness h(kafka);
    const std::string topic = "bench.outbox";
    h.create_topic(topic);
    ScratchDatabase service_db("bench_service");
    bus::migrate_outbox(service_db.url(), "service");
    db::Database service(h.io, db::PoolOptions{.conninfo = service_db.url(), .size = 8});
    asio::co_spawn(h.io.context(0), service.query("CREATE TABLE orders (id bigint PRIMARY KEY, state text)"),
                   asio::use_future)
        .get();
    std::vector<std::atomic<std::int64_t>> committed(total), seen(total);
    std::atomic<int> handled{0};
    auto c = h.consumer(topic, seen, handled);
    bus::Relay relay(h.io, *h.bus, bus::RelayOptions{.conninfo = service_db.url(), .label = "service"});
    relay.start();
    const auto t0 = Clock::now();
    std::vector<std::future<void>> writers;
    for (int p = 0; p < publishers; ++p) {
      writers.push_back(asio::co_spawn(
          h.io.context(p % 2),
          [&, p]() -> asio::awaitable<void> {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            for (int i = p; i < total; i += publishers) {
              const std::string key = "order-" + std::to_string(i % 512);
              const nlohmann::json payload = "seq:" + std::to_string(i);
              co_await service.transaction([&](db::Connection& tx) -> asio::awaitable<void> {
                co_await tx.query("INSERT INTO orders VALUES ($1, 'PAID')", i);
                co_await bus::publish(tx, topic, key, payload);
              });
              committed[i] = now_ns();
              if (pace.count() > 0) {
                timer.expires_after(pace);
                co_await timer.async_wait(asio::use_awaitable);
              }
            }
          },
          asio::use_future));
    }
    for (auto& f : writers) f.get();
    wait_for(handled, total);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    report(state, committed, seen, total, seconds);
    relay.stop();
    c->stop();
  }
}

// The baseline of BM_OutboxSaturated, in the same run: the same 16 writers committing the
// same business transactions, without publishing, so the ratio is the outbox's cost.
void BM_TransactionsOnlyBaseline(benchmark::State& state) {
  constexpr int total = 10000, publishers = 16;
  for (auto _ : state) {
    runtime::IoPool io(2);
    io.start();
    ScratchDatabase service_db("bench_baseline");
    db::Database service(io, db::PoolOptions{.conninfo = service_db.url(), .size = 8});
    asio::co_spawn(io.context(0), service.query("CREATE TABLE orders (id bigint PRIMARY KEY, state text)"),
                   asio::use_future)
        .get();
    const auto t0 = Clock::now();
    std::vector<std::future<void>> writers;
    for (int p = 0; p < publishers; ++p) {
      writers.push_back(asio::co_spawn(
          io.context(p % 2),
          [&, p]() -> asio::awaitable<void> {
            for (int i = p; i < total; i += publishers) {
              co_await service.transaction([&](db::Connection& tx) -> asio::awaitable<void> {
                co_await tx.query("INSERT INTO orders VALUES ($1, 'PAID')", i);
              });
            }
          },
          asio::use_future));
    }
    for (auto& f : writers) f.get();
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    state.SetIterationTime(seconds);
    state.counters["events_per_s"] = total / seconds;
    state.counters["p50_ms"] = 0;
    state.counters["p99_ms"] = 0;
    io.stop();
    io.join();
  }
}
BENCHMARK(BM_TransactionsOnlyBaseline)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_OutboxSaturated(benchmark::State& state) { outbox_run(state, 10000, 16, std::chrono::microseconds(0)); }
void BM_OutboxPaced(benchmark::State& state) { outbox_run(state, 400, 1, std::chrono::microseconds(5000)); }

// bus:0 = PgLog, bus:1 = Kafka mock cluster.
void bus_args(benchmark::internal::Benchmark* b) {
  b->ArgName("bus")->Arg(0)->Arg(1)->Iterations(1)->UseManualTime()->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_BusDirect)->Apply(bus_args);
BENCHMARK(BM_OutboxSaturated)->Apply(bus_args);
BENCHMARK(BM_OutboxPaced)->Apply(bus_args);

}  // namespace
