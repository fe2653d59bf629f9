#include "support/bus_test_support.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <stdexcept>
#include <thread>

namespace ticketly::testing {

KafkaMockCluster::KafkaMockCluster(int brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the cluster; it never connects anywhere.
  rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
  handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!handle_) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("mock cluster handle: ") + err);
  }
  cluster_ = rd_kafka_mock_cluster_new(handle_, brokers);
  if (!cluster_) {
    rd_kafka_destroy(handle_);
    throw std::runtime_error("cannot create the Kafka mock cluster");
  }
}

KafkaMockCluster::~KafkaMockCluster() {
  rd_kafka_mock_cluster_destroy(cluster_);
  rd_kafka_destroy(handle_);
}

std::string KafkaMockCluster::bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

void KafkaMockCluster::create_topic(const std::string& name, int partitions) {
  if (auto e = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1)) {
    throw std::runtime_error("mock topic " + name + ": " + rd_kafka_err2str(e));
  }
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Received::add(const bus::Message& m, const std::string& who) {
  std::lock_guard lock(mu_);
  messages_.push_back(m);
  who_.push_back(who);
}

std::size_t Received::size() const {
  std::lock_guard lock(mu_);
  return messages_.size();
}

std::vector<bus::Message> Received::all() const {
  std::lock_guard lock(mu_);
  return messages_;
}

std::map<std::string, std::vector<bus::Message>> Received::by_key() const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::vector<bus::Message>> out;
  for (const auto& m : messages_) out[m.key].push_back(m);
  return out;
}

std::map<std::string, std::size_t> Received::count_by_consumer() const {
  std::lock_guard lock(mu_);
  std::map<std::string, std::size_t> out;
  for (const auto& w : who_) ++out[w];
  return out;
}

bool Received::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  return wait_until([&] { return size() >= n; }, timeout);
}

}  // namespace ticketly::testing
