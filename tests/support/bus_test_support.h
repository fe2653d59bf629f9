#pragma once
// Helpers for the event-bus tests: librdkafka's in-process mock cluster, waiting on
// conditions, and a thread-safe record of handled messages.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "platform/bus/bus.h"
#include "platform/runtime/io_pool.h"

struct rd_kafka_s;
struct rd_kafka_mock_cluster_s;

namespace ticketly::testing {

// A Kafka cluster inside the test process (rdkafka_mock.h): real sockets on 127.0.0.1,
// consumer groups, idempotent producers. It does not implement the admin API's
// CreateTopics, so tests create topics here.
class KafkaMockCluster {
 public:
  explicit KafkaMockCluster(int brokers = 1);
  ~KafkaMockCluster();
  KafkaMockCluster(const KafkaMockCluster&) = delete;
  KafkaMockCluster& operator=(const KafkaMockCluster&) = delete;

  // bootstrap.servers of the cluster.
  std::string bootstraps() const;
  void create_topic(const std::string& name, int partitions);

 private:
  rd_kafka_s* handle_;
  rd_kafka_mock_cluster_s* cluster_;
};

// Polls `condition` every few milliseconds until it holds or `timeout` passes; returns
// whether it held. For waiting only: assertions are made on the state afterwards.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// Runs a coroutine function on `worker` of `io` and waits for its result.
template <class F>
auto run_on(runtime::IoPool& io, F f, std::size_t worker = 0) {
  return boost::asio::co_spawn(io.context(worker), std::move(f), boost::asio::use_future).get();
}

// What handlers saw, from any thread.
class Received {
 public:
  void add(const bus::Message& m, const std::string& who = "");
  std::size_t size() const;
  std::vector<bus::Message> all() const;
  // Messages by key, in the order they were handled.
  std::map<std::string, std::vector<bus::Message>> by_key() const;
  std::map<std::string, std::size_t> count_by_consumer() const;
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mu_;
  std::vector<bus::Message> messages_;
  std::vector<std::string> who_;
};

}  // namespace ticketly::testing
