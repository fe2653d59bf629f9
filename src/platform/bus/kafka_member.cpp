// A member of a Kafka consumer group: one rd_kafka_t consumer, driven by a thread of its
// own (librdkafka's consumer API is blocking). Messages go to the sink in per-partition
// batches; the rebalance callback runs on this thread too, so revocation, the final
// commit and the next poll never overlap.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <set>

#include "platform/bus/kafka_internal.h"
#include "platform/bus/signal.h"

namespace ticketly::bus::detail {

namespace {

using Clock = std::chrono::steady_clock;

struct PartitionList {
  rd_kafka_topic_partition_list_t* list;
  explicit PartitionList(int size) : list(rd_kafka_topic_partition_list_new(size)) {}
  ~PartitionList() { rd_kafka_topic_partition_list_destroy(list); }
  PartitionList(const PartitionList&) = delete;
  PartitionList& operator=(const PartitionList&) = delete;
};

std::vector<TopicPartition> to_vector(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; i < list->cnt; ++i) out.push_back(TopicPartition{list->elems[i].topic, list->elems[i].partition});
  return out;
}

Message to_message(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key) out.key.assign(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.payload.assign(static_cast<const char*>(m->payload), m->len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      out.headers[name] = value ? std::string(static_cast<const char*>(value), size) : std::string();
    }
  }
  rd_kafka_timestamp_type_t type;
  const std::int64_t ms = rd_kafka_message_timestamp(m, &type);
  if (ms >= 0) out.timestamp = std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
  return out;
}

class KafkaMember final : public GroupMember {
 public:
  KafkaMember(std::shared_ptr<KafkaCore> core, MemberOptions options)
      : core_(std::move(core)), options_(std::move(options)) {
    if (options_.max_batch == 0) options_.max_batch = 1;
  }

  ~KafkaMember() override {
    // Normally closed already. Otherwise the sink may be gone: leave without it.
    sink_gone_ = true;
    commit_on_close_ = false;
    closing_ = true;
    if (thread_.joinable()) thread_.join();
  }

  void start(PartitionSink& sink) override {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || closing_) return;
    sink_ = &sink;
    const auto& o = core_->options;
    const auto heartbeat = o.heartbeat_interval.count() > 0 ? o.heartbeat_interval : o.session_timeout / 4;
    rd_kafka_conf_t* conf = make_conf(o, {
                                             {"group.id", options_.group},
                                             {"enable.auto.commit", "false"},
                                             {"enable.auto.offset.store", "false"},
                                             {"auto.offset.reset", "earliest"},
                                             {"enable.partition.eof", "false"},
                                             {"session.timeout.ms", std::to_string(o.session_timeout.count())},
                                             {"heartbeat.interval.ms", std::to_string(heartbeat.count())},
                                         });
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &KafkaMember::on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, &KafkaMember::on_commit);
    char err[512];
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk_) {
      rd_kafka_conf_destroy(conf);
      throw std::runtime_error(std::string("kafka consumer: ") + err);
    }
    rd_kafka_poll_set_consumer(rk_);
    PartitionList topics(static_cast<int>(options_.topics.size()));
    for (const auto& t : options_.topics) rd_kafka_topic_partition_list_add(topics.list, t.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk_, topics.list)) {
      rd_kafka_destroy(rk_);
      rk_ = nullptr;
      throw std::runtime_error(std::string("kafka subscribe: ") + rd_kafka_err2str(e));
    }
    started_ = true;
    thread_ = std::thread([this] { run(); });
  }

  void mark_done(const TopicPartition& tp, std::int64_t next_offset) override {
    std::lock_guard lock(marks_mu_);
    auto& mark = marks_[tp];
    mark = std::max(mark, next_offset);
  }

  asio::awaitable<void> close(bool commit) override {
    {
      std::lock_guard lock(lifecycle_mu_);
      if (!started_) {
        closing_ = true;
        co_return;
      }
      if (!closing_) commit_on_close_ = commit;
      closing_ = true;
    }
    co_await closed_->wait();
  }

  std::int64_t lag() const override { return lag_.load(std::memory_order_relaxed); }

 private:
  void run() {
    auto next_commit = Clock::now() + core_->options.commit_interval;
    auto next_lag = Clock::now();
    while (!closing_) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 100)) {
        std::size_t polled = take(m);
        while (polled < options_.max_batch * 4) {
          rd_kafka_message_t* more = rd_kafka_consumer_poll(rk_, 0);
          if (!more) break;
          polled += take(more);
        }
        flush_pending();
      }
      const auto now = Clock::now();
      if (now >= next_commit) {
        commit(nullptr, /*sync=*/false);
        next_commit = now + core_->options.commit_interval;
      }
      adjust_pauses();
      if (now >= next_lag) {
        update_lag();
        next_lag = now + std::chrono::seconds(1);
      }
    }
    // Leaving: the revoke callback runs inside, lets in-flight messages finish and commits.
    if (auto e = rd_kafka_consumer_close(rk_)) spdlog::warn("kafka consumer {}: close: {}", options_.group, rd_kafka_err2str(e));
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
    lag_ = 0;
    closed_->set();
  }

  // Adds a polled message to the pending batches; returns 1 if it was a message.
  std::size_t take(rd_kafka_message_t* m) {
    std::size_t n = 0;
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        spdlog::warn("kafka consumer {}: {}", options_.group, rd_kafka_message_errstr(m));
      }
    } else {
      Message msg = to_message(m);
      TopicPartition tp{msg.topic, msg.partition};
      if (!delivered_from_.contains(tp)) delivered_from_[tp] = msg.offset;
      pending_[tp].push_back(std::move(msg));
      n = 1;
    }
    rd_kafka_message_destroy(m);
    return n;
  }

  void flush_pending() {
    for (auto& [tp, batch] : pending_) {
      if (!batch.empty()) sink_->deliver(std::move(batch));
    }
    pending_.clear();
  }

  // Commits the marks of `only` (all assigned partitions when null).
  void commit(const std::set<TopicPartition>* only, bool sync) {
    std::map<TopicPartition, std::int64_t> marks;
    {
      std::lock_guard lock(marks_mu_);
      for (auto it = marks_.begin(); it != marks_.end();) {
        const bool wanted = only ? only->contains(it->first) : assigned_.contains(it->first);
        if (wanted) {
          marks.insert(*it);
          it = marks_.erase(it);
        } else {
          ++it;
        }
      }
    }
    if (marks.empty()) return;
    PartitionList list(static_cast<int>(marks.size()));
    for (const auto& [tp, next] : marks) {
      rd_kafka_topic_partition_list_add(list.list, tp.topic.c_str(), tp.partition)->offset = next;
      handled_[tp] = std::max(handled_[tp], next);
    }
    if (auto e = rd_kafka_commit(rk_, list.list, sync ? 0 : 1)) {
      spdlog::warn("kafka consumer {}: commit: {}", options_.group, rd_kafka_err2str(e));
    }
  }

  void adjust_pauses() {
    std::vector<TopicPartition> pause, resume;
    for (const auto& tp : assigned_) {
      const std::size_t backlog = sink_->backlog(tp);
      if (!paused_.contains(tp) && backlog >= options_.max_backlog) pause.push_back(tp);
      if (paused_.contains(tp) && backlog <= options_.max_backlog / 2) resume.push_back(tp);
    }
    auto apply = [this](const std::vector<TopicPartition>& tps, bool pausing) {
      if (tps.empty()) return;
      PartitionList list(static_cast<int>(tps.size()));
      for (const auto& tp : tps) rd_kafka_topic_partition_list_add(list.list, tp.topic.c_str(), tp.partition);
      if (pausing) {
        rd_kafka_pause_partitions(rk_, list.list);
        paused_.insert(tps.begin(), tps.end());
      } else {
        rd_kafka_resume_partitions(rk_, list.list);
        for (const auto& tp : tps) paused_.erase(tp);
      }
    };
    apply(pause, true);
    apply(resume, false);
  }

  void update_lag() {
    std::int64_t lag = 0;
    for (const auto& tp : assigned_) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(rk_, tp.topic.c_str(), tp.partition, &low, &high)) continue;
      if (high < 0) continue;
      std::int64_t base = low;
      if (auto it = delivered_from_.find(tp); it != delivered_from_.end()) base = std::max(base, it->second);
      if (auto it = handled_.find(tp); it != handled_.end()) base = std::max(base, it->second);
      lag += std::max<std::int64_t>(0, high - base);
    }
    lag_ = lag;
  }

  void rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk_), "COOPERATIVE") == 0;
    auto tps = to_vector(partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        if (auto* e = rd_kafka_incremental_assign(rk_, partitions)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk_, partitions);
      }
      assigned_.insert(tps.begin(), tps.end());
      if (!tps.empty() && !sink_gone_) sink_->assigned(tps);
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      // Hand over what was polled, then let the in-flight messages finish (the sink drops
      // the rest), so the commit below covers everything that was handled.
      if (!sink_gone_) flush_pending();
      if (!tps.empty() && !sink_gone_) {
        std::promise<void> done;
        auto finished = done.get_future();
        sink_->revoke(tps, [&done] { done.set_value(); });
        finished.wait();
      }
      const std::set<TopicPartition> revoked(tps.begin(), tps.end());
      if (commit_on_close_ || !closing_) {
        if (!rd_kafka_assignment_lost(rk_)) commit(&revoked, /*sync=*/true);
      }
      {
        std::lock_guard lock(marks_mu_);
        for (const auto& tp : revoked) marks_.erase(tp);
      }
      for (const auto& tp : revoked) {
        assigned_.erase(tp);
        paused_.erase(tp);
        delivered_from_.erase(tp);
        handled_.erase(tp);
      }
      if (cooperative) {
        if (auto* e = rd_kafka_incremental_unassign(rk_, partitions)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk_, nullptr);
      }
      return;
    }
    spdlog::error("kafka consumer {}: rebalance failed: {}", options_.group, rd_kafka_err2str(err));
    rd_kafka_assign(rk_, nullptr);
  }

  static void on_rebalance(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                           void* opaque) {
    static_cast<KafkaMember*>(opaque)->rebalance(err, partitions);
  }

  static void on_commit(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*, void* opaque) {
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
      spdlog::warn("kafka consumer {}: offset commit failed: {}", static_cast<KafkaMember*>(opaque)->options_.group,
                   rd_kafka_err2str(err));
    }
  }

  std::shared_ptr<KafkaCore> core_;
  MemberOptions options_;
  std::mutex lifecycle_mu_;
  bool started_ = false;
  std::atomic<bool> closing_{false};
  std::atomic<bool> commit_on_close_{true};
  std::atomic<bool> sink_gone_{false};
  PartitionSink* sink_ = nullptr;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::shared_ptr<Signal> closed_ = std::make_shared<Signal>();
  std::atomic<std::int64_t> lag_{0};
  // Only touched on thread_:
  std::map<TopicPartition, std::vector<Message>> pending_;
  std::set<TopicPartition> assigned_, paused_;
  std::map<TopicPartition, std::int64_t> delivered_from_, handled_;
  // Set by handlers on the workers:
  std::mutex marks_mu_;
  std::map<TopicPartition, std::int64_t> marks_;
};

}  // namespace

std::unique_ptr<GroupMember> make_kafka_member(std::shared_ptr<KafkaCore> core, MemberOptions options) {
  return std::make_unique<KafkaMember>(std::move(core), std::move(options));
}

}  // namespace ticketly::bus::detail
