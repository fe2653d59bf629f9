#include "platform/bus/kafka_bus.h"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <optional>
#include <set>
#include <stdexcept>

#include "platform/bus/kafka_internal.h"
#include "platform/bus/signal.h"

namespace ticketly::bus {

namespace detail {

using namespace std::chrono_literals;

namespace {

void on_log(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const char* name = rk ? rd_kafka_name(rk) : "rdkafka";
  // syslog levels: 0-3 errors, 4 warning, 5-6 notice/info, 7 debug
  if (level <= 3) {
    spdlog::error("{} {}: {}", name, facility, message);
  } else if (level == 4) {
    spdlog::warn("{} {}: {}", name, facility, message);
  } else if (level <= 6) {
    spdlog::info("{} {}: {}", name, facility, message);
  } else {
    spdlog::debug("{} {}: {}", name, facility, message);
  }
}

void on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
  // Transient (brokers down, timeouts): librdkafka retries by itself. Fatal: the idempotent
  // producer cannot go on; every later produce() fails and says so.
  const bool fatal = err == RD_KAFKA_RESP_ERR__FATAL;
  if (fatal) {
    char buf[512];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    spdlog::critical("{}: fatal error: {}", rd_kafka_name(rk), buf);
  } else {
    spdlog::warn("{}: {} ({})", rd_kafka_name(rk), reason, rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)));
  }
}

// The messages of one produce() call; each delivery report counts one down.
struct Batch {
  explicit Batch(std::size_t n) : remaining(n) {}
  std::mutex mu;
  std::size_t remaining;
  std::string error;
  std::shared_ptr<Signal> signal = std::make_shared<Signal>();

  void done(std::size_t count, const std::string& failure) {
    bool finished = false;
    std::string first_error;
    {
      std::lock_guard lock(mu);
      if (!failure.empty() && error.empty()) error = failure;
      remaining -= std::min(count, remaining);
      finished = remaining == 0;
      first_error = error;
    }
    if (!finished) return;
    signal->set(first_error.empty()
                    ? nullptr
                    : std::make_exception_ptr(std::runtime_error("kafka produce failed: " + first_error)));
  }
};

// Runs on the poller thread.
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* holder = static_cast<std::shared_ptr<Batch>*>(m->_private);
  if (!holder) return;
  std::string failure;
  if (m->err) {
    failure = std::string(rd_kafka_topic_name(m->rkt)) + ": " + rd_kafka_err2str(m->err);
  }
  (*holder)->done(1, failure);
  delete holder;
}

}  // namespace

void log_to_spdlog(rd_kafka_conf_t* conf) { rd_kafka_conf_set_log_cb(conf, &on_log); }

rd_kafka_conf_t* make_conf(const KafkaOptions& options,
                           const std::vector<std::pair<std::string, std::string>>& specific) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  auto set = [&](const std::string& key, const std::string& value) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error("kafka setting " + key + "=" + value + ": " + err);
    }
  };
  set("bootstrap.servers", options.brokers);
  set("client.id", options.client_id);
  for (const auto& [key, value] : specific) set(key, value);
  for (const auto& [key, value] : options.properties) set(key, value);  // the operator's word wins
  log_to_spdlog(conf);
  rd_kafka_conf_set_error_cb(conf, &on_error);
  return conf;
}

TaskThread::TaskThread()
    : thread_([this] {
        for (;;) {
          std::function<void()> job;
          {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
          }
          job();
        }
      }) {}

TaskThread::~TaskThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void TaskThread::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

KafkaCore::KafkaCore(KafkaOptions o) : options(std::move(o)) {
  if (options.brokers.empty()) throw std::runtime_error("kafka: no brokers configured (KAFKA_BROKERS)");
  if (options.default_partitions < 1) options.default_partitions = 1;
  if (options.replication < 1) options.replication = 1;
  rd_kafka_conf_t* conf = make_conf(options, {
                                                 {"enable.idempotence", "true"},
                                                 {"acks", "all"},
                                                 {"partitioner", "murmur2_random"},
                                                 {"linger.ms", std::to_string(options.linger.count())},
                                                 {"delivery.timeout.ms", std::to_string(options.delivery_timeout.count())},
                                             });
  rd_kafka_conf_set_dr_msg_cb(conf, &on_delivery);
  char err[512];
  producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!producer) {
    rd_kafka_conf_destroy(conf);
    throw std::runtime_error(std::string("kafka producer: ") + err);
  }
  poller = std::thread([this] {
    while (!stopping) rd_kafka_poll(producer, 100);
  });
}

KafkaCore::~KafkaCore() {
  // Whatever is still queued gets its delivery reports (and its awaiting coroutines an
  // answer) before the handle goes away.
  const auto flushed =
      rd_kafka_flush(producer, static_cast<int>(std::min<std::chrono::milliseconds>(options.delivery_timeout, 10s).count()));
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka: {} message(s) not delivered at shutdown", rd_kafka_outq_len(producer));
    rd_kafka_purge(producer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  }
  stopping = true;
  poller.join();
  rd_kafka_poll(producer, 0);  // reports of purged messages
  rd_kafka_destroy(producer);
}

void KafkaCore::create_topics_blocking(const std::vector<TopicSpec>& topics) {
  const int timeout = static_cast<int>(options.admin_timeout.count());
  const rd_kafka_metadata_t* md = nullptr;
  if (auto err = rd_kafka_metadata(producer, 1, nullptr, &md, timeout)) {
    throw std::runtime_error(std::string("kafka metadata: ") + rd_kafka_err2str(err));
  }
  std::set<std::string> existing;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) existing.insert(md->topics[i].topic);
  }
  rd_kafka_metadata_destroy(md);

  std::vector<rd_kafka_NewTopic_t*> create;
  std::set<std::string> names;
  char err[512];
  for (const auto& t : topics) {
    if (existing.contains(t.name) || !names.insert(t.name).second) continue;
    const int partitions = t.partitions > 0 ? t.partitions : options.default_partitions;
    auto* nt = rd_kafka_NewTopic_new(t.name.c_str(), partitions, options.replication, err, sizeof err);
    if (!nt) {
      for (auto* n : create) rd_kafka_NewTopic_destroy(n);
      throw std::runtime_error("kafka topic " + t.name + ": " + err);
    }
    create.push_back(nt);
  }
  if (create.empty()) return;

  rd_kafka_AdminOptions_t* admin = rd_kafka_AdminOptions_new(producer, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(admin, timeout, err, sizeof err);
  rd_kafka_AdminOptions_set_request_timeout(admin, timeout, err, sizeof err);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(producer);
  rd_kafka_CreateTopics(producer, create.data(), create.size(), admin, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, timeout + 5000);
  std::string failure;
  if (!event) {
    failure = "no answer within " + std::to_string(timeout) + " ms";
  } else if (rd_kafka_event_error(event)) {
    failure = rd_kafka_event_error_string(event);
  } else if (const auto* result = rd_kafka_event_CreateTopics_result(event)) {
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &n);
    for (size_t i = 0; i < n; ++i) {
      const auto code = rd_kafka_topic_result_error(results[i]);
      if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::info("kafka: created topic {}", rd_kafka_topic_result_name(results[i]));
      } else if (code != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* message = rd_kafka_topic_result_error_string(results[i]);
        failure += std::string(failure.empty() ? "" : "; ") + rd_kafka_topic_result_name(results[i]) + ": " +
                   (message ? message : rd_kafka_err2str(code));
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(admin);
  for (auto* n : create) rd_kafka_NewTopic_destroy(n);
  if (failure.empty()) return;

  // Some clusters refuse the admin API (missing permissions; librdkafka's mock cluster has
  // no controller) but create a topic on first use (auto.create.topics.enable). Asking for
  // a topic's metadata does that; the broker's default partition count applies then.
  std::string missing;
  for (const auto& name : names) {
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(producer, name.c_str(), nullptr);
    const rd_kafka_metadata_t* one = nullptr;
    const auto e = rd_kafka_metadata(producer, 0, rkt, &one, timeout);
    const bool ok = !e && one->topic_cnt == 1 && one->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                    one->topics[0].partition_cnt > 0;
    if (one) rd_kafka_metadata_destroy(one);
    rd_kafka_topic_destroy(rkt);
    if (!ok) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) throw std::runtime_error("kafka: creating topics failed: " + failure + " (missing: " + missing + ")");
  spdlog::warn("kafka: CreateTopics failed ({}); the topics exist through auto-creation, with the broker's defaults",
               failure);
}

}  // namespace detail

KafkaBus::KafkaBus(KafkaOptions options) : core_(std::make_shared<detail::KafkaCore>(std::move(options))) {}

KafkaBus::~KafkaBus() = default;

const KafkaOptions& KafkaBus::options() const { return core_->options; }

asio::awaitable<void> KafkaBus::ensure_topics(std::vector<TopicSpec> topics) {
  auto signal = std::make_shared<detail::Signal>();
  auto core = core_;
  core_->admin.post([core, topics = std::move(topics), signal] {
    try {
      core->create_topics_blocking(topics);
      signal->set();
    } catch (...) {
      signal->set(std::current_exception());
    }
  });
  co_await signal->wait();
}

asio::awaitable<void> KafkaBus::produce(std::vector<OutgoingMessage> messages) {
  if (messages.empty()) co_return;
  auto batch = std::make_shared<detail::Batch>(messages.size());
  std::optional<asio::steady_timer> backoff;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    rd_kafka_headers_t* headers = rd_kafka_headers_new(m.headers.size());
    for (const auto& [name, value] : m.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                          static_cast<ssize_t>(value.size()));
    }
    auto* holder = new std::shared_ptr<detail::Batch>(batch);
    rd_kafka_resp_err_t err;
    for (;;) {
      // RD_KAFKA_MSG_F_COPY: librdkafka copies key and payload; the headers are handed over.
      err = rd_kafka_producev(core_->producer, RD_KAFKA_V_TOPIC(m.topic.c_str()),
                              RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
                              RD_KAFKA_V_VALUE(const_cast<char*>(m.payload.data()), m.payload.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_HEADERS(headers),
                              RD_KAFKA_V_OPAQUE(holder), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
      // The local queue is full: wait for deliveries to make room, without blocking this thread.
      if (!backoff) backoff.emplace(co_await asio::this_coro::executor);
      backoff->expires_after(std::chrono::milliseconds(5));
      co_await backoff->async_wait(asio::use_awaitable);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_headers_destroy(headers);
      delete holder;
      batch->done(messages.size() - i, m.topic + ": " + rd_kafka_err2str(err));
      break;
    }
  }
  co_await batch->signal->wait();
}

std::unique_ptr<GroupMember> KafkaBus::member(MemberOptions options) {
  return detail::make_kafka_member(core_, std::move(options));
}

}  // namespace ticketly::bus
