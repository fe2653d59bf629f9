#pragma once
// What KafkaBus shares with its group members (kafka_member.cpp). Not a public header.
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "platform/bus/kafka_bus.h"

namespace ticketly::bus::detail {

// A configuration for one client: the common settings, then `specific`. Throws
// std::runtime_error naming the setting librdkafka refused.
rd_kafka_conf_t* make_conf(const KafkaOptions& options,
                           const std::vector<std::pair<std::string, std::string>>& specific);

// Routes librdkafka's log lines to spdlog (set on every client's configuration).
void log_to_spdlog(rd_kafka_conf_t* conf);

// Runs blocking jobs (admin requests) one after another on a thread of its own.
class TaskThread {
 public:
  TaskThread();
  ~TaskThread();
  void post(std::function<void()> job);

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

struct KafkaCore {
  explicit KafkaCore(KafkaOptions options);
  ~KafkaCore();

  KafkaOptions options;
  rd_kafka_t* producer = nullptr;
  std::atomic<bool> stopping{false};
  std::thread poller;  // serves delivery reports
  TaskThread admin;

  void create_topics_blocking(const std::vector<TopicSpec>& topics);
};

std::unique_ptr<GroupMember> make_kafka_member(std::shared_ptr<KafkaCore> core, MemberOptions options);

}  // namespace ticketly::bus::detail
