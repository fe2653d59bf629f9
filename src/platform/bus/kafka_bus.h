#pragma once
// KafkaBus: the event bus on Apache Kafka through librdkafka (TICKETLY_BUS=kafka).
//
// - Producer: idempotent (enable.idempotence=true, acks=all), murmur2_random partitioner
//   (Java-compatible, the same placement PgLogBus uses). produce() completes when every
//   message's delivery report arrived: librdkafka calls back on its own poll thread, which
//   resumes the awaiting coroutine by posting to its executor — no I/O thread blocks.
// - Consumers: one rd_kafka_t per group member, driven by a thread of its own;
//   enable.auto.commit=false, offsets committed from what handlers finished (every
//   `commit_interval`, and synchronously in the revoke callback, after the sink let the
//   in-flight messages finish). Partitions whose backlog is full are paused.
// - ensure_topics(): CreateTopics through the admin API (partitions, replication), for
//   the topics the metadata does not list yet. librdkafka's mock cluster does not
//   implement CreateTopics: tests create topics with rd_kafka_mock_topic_create.
#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "platform/bus/bus.h"

namespace ticketly::bus {

namespace detail {
struct KafkaCore;
}

struct KafkaOptions {
  std::string brokers;  // bootstrap.servers: "host:port,host:port"
  int default_partitions = 8;
  int replication = 1;
  std::string client_id = "ticketly";
  std::chrono::milliseconds delivery_timeout{30000};  // a message not acknowledged by then fails
  std::chrono::milliseconds linger{2};                // producer batching delay
  std::chrono::milliseconds session_timeout{10000};   // consumer-group session
  std::chrono::milliseconds heartbeat_interval{0};    // 0: session_timeout / 4
  std::chrono::milliseconds commit_interval{200};
  std::chrono::milliseconds admin_timeout{15000};     // topic creation, metadata
  // Further librdkafka settings for every client (security.protocol, sasl.*, ...).
  std::map<std::string, std::string> properties;
};

class KafkaBus final : public Bus {
 public:
  // Creates the producer. Throws std::runtime_error for a setting librdkafka refuses.
  explicit KafkaBus(KafkaOptions options);
  // Flushes what is still queued (up to the delivery timeout) and stops.
  ~KafkaBus() override;

  std::string_view kind() const override { return "kafka"; }
  asio::awaitable<void> ensure_topics(std::vector<TopicSpec> topics) override;
  asio::awaitable<void> produce(std::vector<OutgoingMessage> messages) override;
  std::unique_ptr<GroupMember> member(MemberOptions options) override;

  const KafkaOptions& options() const;

 private:
  std::shared_ptr<detail::KafkaCore> core_;
};

}  // namespace ticketly::bus
