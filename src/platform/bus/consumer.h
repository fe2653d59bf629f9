#pragma once
// ConsumerRuntime: runs a service's message handlers as one member of a consumer group.
//
//   bus::ConsumerRuntime consumer(bus, io, {.group = "order"}, &metrics);
//   consumer.on("ticketly.catalog.events", [&](const bus::Message& m) -> asio::awaitable<void> {
//     co_await db.transaction(...);   // idempotent: idempotency.h
//   });
//   consumer.start();   // after the IoPool runs
//   ...
//   consumer.stop();    // before the IoPool stops: finishes in-flight messages, commits
//
// - Handlers run on the IoPool's workers. One partition's messages are handled one after
//   another, in offset order; different partitions concurrently (spread over the workers).
// - A handler that throws is retried with exponential backoff (RetryPolicy). After
//   `max_attempts` the message goes to the dead-letter topic "<topic>.dlq" with headers
//   x-error, x-attempts, x-original-topic, x-original-partition, x-original-offset, and the
//   partition moves on: one bad message never holds up other keys for long.
// - A message counts as handled (and its offset may be committed) once the handler
//   returned or the message was dead-lettered. Delivery is at-least-once.
// - Metrics {group, topic}: ticketly_bus_messages_processed_total,
//   ticketly_bus_handler_failures_total (failed attempts), ticketly_bus_messages_dead_lettered_total;
// - A topic may also have a batch handler: messages of one partition that are waiting
//   together (up to `max_handler_batch`) are then given to it at once, in offset order, so a
//   burst costs one transaction instead of one per message. It must apply all of them or
//   none (one transaction); if it throws, each message is handled alone by the topic's
//   handler, with the retries and dead-lettering above, so one bad message never holds up
//   the good ones beside it.
//   {group}: ticketly_bus_consumer_lag (messages in this member's partitions not yet handled).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "platform/bus/bus.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::metrics {
class Registry;
}

namespace ticketly::bus {

using Handler = std::function<asio::awaitable<void>(const Message&)>;
using BatchHandler = std::function<asio::awaitable<void>(const std::vector<Message>&)>;

struct RetryPolicy {
  int max_attempts = 5;                              // then dead-letter
  std::chrono::milliseconds initial_backoff{100};    // before the 2nd attempt
  double multiplier = 2.0;
  std::chrono::milliseconds max_backoff{30000};
  // The pause before attempt `attempt + 1` (attempt >= 1).
  std::chrono::milliseconds backoff(int attempt) const;
};

struct ConsumerOptions {
  std::string group;  // consumer group, e.g. "order": replicas share partitions
  RetryPolicy retry;
  std::string dead_letter_suffix = ".dlq";
  std::size_t max_batch = 256;    // see MemberOptions
  std::size_t max_backlog = 1024;
  std::size_t max_handler_batch = 64;  // messages per call of a batch handler
};

class ConsumerRuntime {
 public:
  // `metrics` may be null (tests).
  ConsumerRuntime(Bus& bus, runtime::IoPool& io, ConsumerOptions options, metrics::Registry* metrics = nullptr);
  // Stops gracefully if still running.
  ~ConsumerRuntime();
  ConsumerRuntime(const ConsumerRuntime&) = delete;
  ConsumerRuntime& operator=(const ConsumerRuntime&) = delete;

  // Registers the handler of `topic` (before start()).
  void on(std::string topic, Handler handler);
  // The same, with a batch handler for bursts (see above); `handler` handles a message that
  // waits alone, and each message of a batch that failed.
  void on(std::string topic, Handler handler, BatchHandler batch);
  // Whether any handler was registered: a service that consumes nothing never joins a group.
  bool has_handlers() const;

  // Makes sure the topics and their dead-letter topics exist, then joins the group.
  // Returns at once; the IoPool must be running.
  void start();
  // Graceful stop: stops taking messages, lets the in-flight ones finish, commits, leaves
  // the group. Blocking: call from outside the IoPool's threads, before they stop.
  void stop();
  // A crash, for tests: leaves the group at once, committing nothing more; handlers still
  // running finish unobserved.
  void abort();

  // Partitions this member owns now.
  std::vector<TopicPartition> assignment() const;

  struct Stats {
    std::uint64_t processed = 0;      // handled successfully
    std::uint64_t failed = 0;         // failed attempts
    std::uint64_t dead_lettered = 0;  // parked in a dead-letter topic
  };
  Stats stats() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace ticketly::bus
