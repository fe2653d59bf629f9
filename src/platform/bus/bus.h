#pragma once
// The event bus (DESIGN.md §2): keyed messages on topics split into partitions, and
// consumer groups that share a topic's partitions and resume from committed offsets.
//
// Two implementations pass one conformance suite (tests/integration/platform/
// bus_conformance_test.cpp): PgLogBus, an append-only log in its own PostgreSQL database
// (the embedded default), and KafkaBus on librdkafka (TICKETLY_BUS=kafka). Services do
// not use this interface directly: they publish through the outbox (outbox.h) in their
// business transaction, a Relay moves committed outbox rows here, and a ConsumerRuntime
// (consumer.h) runs their handlers. bus_config.h builds the configured one.
//
// Guarantees, the same for both:
//   - messages with the same key go to the same partition (Kafka's murmur2 partitioner,
//     so both implementations agree) and are delivered in the order they were produced;
//   - produce() completes only once the bus has made the messages durable;
//   - delivery is at-least-once: a consumer that stops before committing sees the
//     uncommitted messages again, so handlers must be idempotent (idempotency.h).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ticketly::bus {

namespace asio = boost::asio;

// Message headers. One value per name (Kafka allows repeats; we never send them).
using Headers = std::map<std::string, std::string, std::less<>>;

// Headers the platform sets.
namespace header {
inline constexpr std::string_view kMessageId = "x-message-id";  // the outbox row's UUID: stable across re-sends
inline constexpr std::string_view kError = "x-error";           // dead letters: what the handler threw last
inline constexpr std::string_view kAttempts = "x-attempts";     // dead letters: how often it was tried
inline constexpr std::string_view kOriginalTopic = "x-original-topic";
inline constexpr std::string_view kOriginalPartition = "x-original-partition";
inline constexpr std::string_view kOriginalOffset = "x-original-offset";
}  // namespace header

struct OutgoingMessage {
  std::string topic;
  std::string key;      // the aggregate id: decides the partition, so one key stays in order
  std::string payload;  // JSON text (PgLogBus stores text: no NUL bytes)
  Headers headers;
};

struct Message {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string payload;
  Headers headers;
  std::chrono::system_clock::time_point timestamp;  // when the bus accepted it

  // The header's value, or nullptr.
  const std::string* header(std::string_view name) const;
};

struct TopicPartition {
  std::string topic;
  std::int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};
std::string to_string(const TopicPartition& tp);  // "topic[3]"

struct TopicSpec {
  std::string name;
  int partitions = 0;  // 0: the bus's configured default
};

// Kafka's default partitioner (murmur2 of the key, as the Java client and librdkafka's
// "murmur2_random" compute it), so both buses place a key in the same partition.
std::int32_t murmur2(std::string_view key);
std::int32_t partition_for(std::string_view key, std::int32_t partitions);

// What a group member hands its partitions and messages to. ConsumerRuntime implements
// it; a member calls it from its own thread or executor, never concurrently with itself.
class PartitionSink {
 public:
  virtual ~PartitionSink() = default;
  // These partitions are now this member's; deliveries for them follow.
  virtual void assigned(const std::vector<TopicPartition>& partitions) = 0;
  // Messages of ONE assigned partition, in offset order, continuing the previous delivery.
  virtual void deliver(std::vector<Message> batch) = 0;
  // Messages delivered for `tp` and not yet handled; above MemberOptions::max_backlog the
  // member stops fetching that partition until it drains.
  virtual std::size_t backlog(const TopicPartition& tp) const = 0;
  // The partitions are taken away. The sink lets the message in progress finish (and
  // reports it through GroupMember::mark_done), drops what is queued, then calls `done`
  // once, from any thread. Nothing is handled for these partitions afterwards.
  virtual void revoke(const std::vector<TopicPartition>& partitions, std::function<void()> done) = 0;
};

struct MemberOptions {
  std::string group;                // the consumer group: members share its partitions
  std::vector<std::string> topics;  // topics this member consumes
  std::size_t max_batch = 256;      // messages per fetch and partition
  std::size_t max_backlog = 1024;   // per partition, delivered but not yet handled
};

// One member of a consumer group: joins, takes its share of the partitions (rebalancing
// when members come and go), fetches and delivers, and commits what was handled.
// Destroy it after close() completed (or once the IoPool stopped).
class GroupMember {
 public:
  virtual ~GroupMember() = default;
  // Joins the group and starts delivering to `sink`, which must outlive close().
  virtual void start(PartitionSink& sink) = 0;
  // Everything in `tp` before `next_offset` is handled. Committed within the commit
  // interval, and before the partition goes to another member. Any thread.
  virtual void mark_done(const TopicPartition& tp, std::int64_t next_offset) = 0;
  // Leaves the group: revokes every partition through the sink, commits what was marked
  // (unless `commit` is false: a crash, as tests simulate it), then leaves so the others
  // take over at once. Safe without start(), and more than once.
  virtual asio::awaitable<void> close(bool commit = true) = 0;
  // Messages in this member's partitions not yet handled (approximate). Any thread.
  virtual std::int64_t lag() const = 0;
};

class Bus {
 public:
  virtual ~Bus() = default;
  // "postgres" or "kafka".
  virtual std::string_view kind() const = 0;
  // Creates the topics that do not exist yet (idempotent).
  virtual asio::awaitable<void> ensure_topics(std::vector<TopicSpec> topics) = 0;
  // Appends the messages. Completes once all are durable (PgLogBus: committed; Kafka:
  // acknowledged by all in-sync replicas); per key they keep the order given. Throws on
  // failure, after which any subset may have been appended (a retry may duplicate).
  // PgLogBus needs the caller to run on the IoPool's workers.
  virtual asio::awaitable<void> produce(std::vector<OutgoingMessage> messages) = 0;
  // A new member of the consumer group `options.group`, not yet started.
  virtual std::unique_ptr<GroupMember> member(MemberOptions options) = 0;
  // Background work (PgLogBus: notification listener, retention). start() once the
  // IoPool runs; stop() before it stops, after every member closed. Blocking.
  virtual void start() {}
  virtual void stop() {}
};

}  // namespace ticketly::bus
