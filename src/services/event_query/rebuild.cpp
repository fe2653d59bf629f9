#include "services/event_query/rebuild.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <spdlog/spdlog.h>

#include <thread>

#include "platform/bus/consumer.h"
#include "platform/db/database.h"
#include "platform/runtime/io_pool.h"
#include "platform/types/uuid.h"
#include "services/event_query/store/projector.h"

namespace ticketly::event_query {

namespace {

// TRUNCATE takes the tables' locks for the transaction: live readers wait a moment, and
// no one ever sees half a read model. Page views are kept (not derived from messages).
constexpr const char* kTruncate =
    "TRUNCATE eq_session_prices, eq_sessions, eq_events, eq_categories, eq_seat_status, eq_orders, eq_trending";

}  // namespace

RebuildResult rebuild_read_model(const RebuildOptions& options) {
  runtime::IoPool io(2);
  io.start();
  RebuildResult result;
  {
    db::PoolOptions pool;
    pool.conninfo = options.database_url;
    pool.size = 4;
    db::Database database(io, pool);
    auto bus = bus::make_bus(options.bus, io, options.bus_database_url);
    bus->start();

    auto truncate = [&database]() -> asio::awaitable<void> {
      auto tx = [](db::Connection& c) -> asio::awaitable<void> {
        co_await c.query(kTruncate);
        co_await c.query("SELECT pg_notify('event_query_changes', $1)", catalog_change_payload(""));
      };
      co_await database.transaction(tx);
    };
    asio::co_spawn(io.context(0), truncate(), asio::use_future).get();
    spdlog::info("rebuild-read-model: read model emptied; replaying the topics");

    Projector projector(database);
    auto consumer_options = bus::consumer_options(options.bus, "event_query-rebuild-" + Uuid::random().str());
    bus::ConsumerRuntime consumer(*bus, io, consumer_options);
    projector.subscribe(consumer);
    consumer.start();

    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    auto last_progress = std::chrono::steady_clock::now();
    std::uint64_t last_count = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto stats = consumer.stats();
      const auto count = stats.processed + stats.dead_lettered;
      if (count != last_count) {
        last_count = count;
        last_progress = std::chrono::steady_clock::now();
      }
      // Settled: partitions assigned, nothing handled for a while (the member reports no
      // lag only for partitions it owns, so an empty assignment is not "caught up").
      if (!consumer.assignment().empty() && std::chrono::steady_clock::now() - last_progress >= options.settle) {
        result.caught_up = true;
        break;
      }
    }
    consumer.stop();
    // The replay had no old maps to compare with: every subscriber re-fetches its map now.
    auto resync = [&database]() -> asio::awaitable<void> {
      co_await database.query("SELECT pg_notify('event_query_changes', $1)", resync_all_payload());
    };
    asio::co_spawn(io.context(0), resync(), asio::use_future).get();
    const auto stats = consumer.stats();
    result.messages = stats.processed;
    result.dead_lettered = stats.dead_lettered;
    bus->stop();
  }
  io.stop();
  io.join();
  return result;
}

}  // namespace ticketly::event_query
