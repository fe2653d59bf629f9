#include "platform/bus/consumer.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <cmath>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <optional>

#include "platform/metrics/registry.h"

namespace ticketly::bus {

using namespace std::chrono_literals;

std::chrono::milliseconds RetryPolicy::backoff(int attempt) const {
  const double factor = std::pow(std::max(multiplier, 1.0), std::max(attempt - 1, 0));
  const double ms = static_cast<double>(initial_backoff.count()) * factor;
  if (!(ms < static_cast<double>(max_backoff.count()))) return max_backoff;
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

namespace {

// Calls `done` when counted down to zero.
struct Latch {
  explicit Latch(int n, std::function<void()> f) : count(n), done(std::move(f)) {}
  void count_down() {
    if (count.fetch_sub(1) == 1) done();
  }
  std::atomic<int> count;
  std::function<void()> done;
};

struct TopicCounters {
  metrics::Counter* processed = nullptr;
  metrics::Counter* failed = nullptr;
  metrics::Counter* dead_lettered = nullptr;
};

// One assigned partition: a queue filled by the member, drained in order by one
// coroutine on `context`. A new assignment of the same partition gets a new object.
struct Partition {
  Partition(TopicPartition p, asio::io_context& ctx) : tp(std::move(p)), context(ctx), timer(ctx) {}
  TopicPartition tp;
  asio::io_context& context;
  asio::steady_timer timer;   // on `context`: idle waits and retry backoff
  bool wake_pending = false;  // on `context`
  std::atomic<bool> revoked{false};
  std::atomic<std::int64_t> backlog{0};
  std::mutex mu;
  std::deque<Message> queue;     // under mu
  std::shared_ptr<Latch> latch;  // under mu: counted down when the worker exits after a revoke
};

// Wakes the partition's worker (any thread).
void wake(const std::shared_ptr<Partition>& p) {
  asio::post(p->context, [p] {
    p->wake_pending = true;
    p->timer.cancel();
  });
}

}  // namespace

struct ConsumerRuntime::State : PartitionSink, std::enable_shared_from_this<ConsumerRuntime::State> {
  State(Bus& b, runtime::IoPool& pool, ConsumerOptions o, metrics::Registry* m)
      : bus(b), io(pool), options(std::move(o)), metrics(m) {}

  Bus& bus;
  runtime::IoPool& io;
  ConsumerOptions options;
  metrics::Registry* metrics;
  std::map<std::string, Handler, std::less<>> handlers;  // fixed once started
  std::map<std::string, BatchHandler, std::less<>> batch_handlers;
  std::map<std::string, TopicCounters, std::less<>> counters;
  std::atomic<bool> started{false}, stopping{false}, aborted{false};
  std::promise<void> begun;  // the member was started, or never will be
  std::atomic<std::uint64_t> processed{0}, failed{0}, dead_lettered{0};
  mutable std::mutex mu;
  std::map<TopicPartition, std::shared_ptr<Partition>> partitions;  // under mu
  // Last, so it is destroyed first: a member that was not closed must not outlive the sink.
  std::unique_ptr<GroupMember> member;

  // ---- PartitionSink (called by the member, from its thread) ----

  void assigned(const std::vector<TopicPartition>& tps) override {
    auto self = shared_from_this();
    std::lock_guard lock(mu);
    for (const auto& tp : tps) {
      if (partitions.contains(tp)) continue;
      const std::size_t worker = (std::hash<std::string>{}(tp.topic) + static_cast<std::size_t>(tp.partition)) %
                                 io.size();
      auto p = std::make_shared<Partition>(tp, io.context(worker));
      partitions.emplace(tp, p);
      asio::co_spawn(p->context, run_partition(self, p), asio::detached);
    }
  }

  void deliver(std::vector<Message> batch) override {
    if (batch.empty()) return;
    std::shared_ptr<Partition> p;
    {
      std::lock_guard lock(mu);
      auto it = partitions.find(TopicPartition{batch.front().topic, batch.front().partition});
      if (it == partitions.end()) return;  // not (or no longer) ours
      p = it->second;
    }
    {
      std::lock_guard lock(p->mu);
      if (p->revoked) return;
      p->backlog += static_cast<std::int64_t>(batch.size());
      for (auto& m : batch) p->queue.push_back(std::move(m));
    }
    wake(p);
  }

  std::size_t backlog(const TopicPartition& tp) const override {
    std::lock_guard lock(mu);
    auto it = partitions.find(tp);
    return it == partitions.end() ? 0 : static_cast<std::size_t>(std::max<std::int64_t>(it->second->backlog, 0));
  }

  void revoke(const std::vector<TopicPartition>& tps, std::function<void()> done) override {
    // One count per partition plus one held until every partition has been flagged.
    auto latch = std::make_shared<Latch>(static_cast<int>(tps.size()) + 1, std::move(done));
    for (const auto& tp : tps) {
      std::shared_ptr<Partition> p;
      {
        std::lock_guard lock(mu);
        if (auto node = partitions.extract(tp)) p = node.mapped();
      }
      if (!p) {
        latch->count_down();
        continue;
      }
      {
        std::lock_guard lock(p->mu);
        p->revoked = true;
        p->queue.clear();
        p->backlog = 0;
        // After an abort nobody waits for handlers still running: they commit nothing.
        if (!aborted) p->latch = latch;
      }
      if (aborted) latch->count_down();
      wake(p);
    }
    latch->count_down();
  }

  // ---- handling ----

  static asio::awaitable<void> run_partition(std::shared_ptr<State> self, std::shared_ptr<Partition> p) {
    const auto batch_handler = self->batch_handlers.find(p->tp.topic);
    const std::size_t most =
        batch_handler == self->batch_handlers.end() ? 1 : std::max<std::size_t>(self->options.max_handler_batch, 1);
    std::vector<Message> next;
    for (;;) {
      next.clear();
      {
        std::lock_guard lock(p->mu);
        if (p->revoked) break;
        while (!p->queue.empty() && next.size() < most) {
          next.push_back(std::move(p->queue.front()));
          p->queue.pop_front();
        }
      }
      if (next.empty()) {
        co_await idle(*p);
        continue;
      }
      if (next.size() > 1) {
        const bool applied = co_await self->handle_batch(*p, batch_handler->second, next);
        if (applied) {
          p->backlog -= static_cast<std::int64_t>(next.size());
          if (!self->aborted) self->member->mark_done(p->tp, next.back().offset + 1);
          continue;
        }
      }
      bool revoked = false;
      for (const auto& m : next) {
        if (!co_await self->handle(*p, m)) {  // revoked half-way: the partition's next owner starts it again
          revoked = true;
          break;
        }
        --p->backlog;
        if (!self->aborted) self->member->mark_done(p->tp, m.offset + 1);
      }
      if (revoked) break;
    }
    std::shared_ptr<Latch> latch;
    {
      std::lock_guard lock(p->mu);
      latch = std::move(p->latch);
    }
    if (latch) latch->count_down();
  }

  static asio::awaitable<void> idle(Partition& p) {
    if (!p.wake_pending) {
      p.timer.expires_at(asio::steady_timer::time_point::max());
      boost::system::error_code ec;
      co_await p.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    p.wake_pending = false;
  }

  bool interrupted(const Partition& p) const { return p.revoked || aborted; }

  // Sleeps `d` unless the partition is revoked meanwhile; deliveries do not cut it short.
  asio::awaitable<void> backoff(Partition& p, std::chrono::milliseconds d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (!interrupted(p) && std::chrono::steady_clock::now() < deadline) {
      p.timer.expires_at(deadline);
      boost::system::error_code ec;
      co_await p.timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // One attempt of the batch handler; false if it threw (the caller then handles each
  // message alone).
  asio::awaitable<bool> handle_batch(Partition& p, const BatchHandler& handler, const std::vector<Message>& batch) {
    std::string error;
    try {
      co_await handler(batch);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    if (!error.empty()) {
      spdlog::info("consumer {}: a batch of {} from {} offset {} failed ({}); handling them one by one", options.group,
                   batch.size(), to_string(p.tp), batch.front().offset, error);
      co_return false;
    }
    processed += batch.size();
    TopicCounters& c = counters[p.tp.topic];
    if (c.processed) c.processed->inc(batch.size());
    co_return true;  // applied: committed even if the partition was revoked meanwhile
  }

  // Runs the handler with retries, then dead-letters. False if the partition was revoked
  // before the message was handled one way or the other.
  asio::awaitable<bool> handle(Partition& p, const Message& m) {
    auto it = handlers.find(m.topic);
    if (it == handlers.end()) co_return true;  // subscribed topics all have handlers
    TopicCounters& c = counters[m.topic];
    const int max_attempts = std::max(options.retry.max_attempts, 1);
    std::string error;
    int attempt = 0;
    for (;;) {
      ++attempt;
      bool ok = false;
      try {
        co_await it->second(m);
        ok = true;
      } catch (const std::exception& e) {
        error = e.what();
      } catch (...) {
        error = "unknown exception";
      }
      if (ok) {
        ++processed;
        if (c.processed) c.processed->inc();
        co_return true;
      }
      ++failed;
      if (c.failed) c.failed->inc();
      if (interrupted(p)) co_return false;
      if (attempt >= max_attempts) break;
      spdlog::warn("consumer {}: {} offset {} failed (attempt {} of {}): {}", options.group, to_string(p.tp),
                   m.offset, attempt, max_attempts, error);
      co_await backoff(p, options.retry.backoff(attempt));
      if (interrupted(p)) co_return false;
    }

    std::vector<OutgoingMessage> dead(1);
    dead[0].topic = m.topic + options.dead_letter_suffix;
    dead[0].key = m.key;
    dead[0].payload = m.payload;
    dead[0].headers = m.headers;
    dead[0].headers[std::string(header::kError)] = error;
    dead[0].headers[std::string(header::kAttempts)] = std::to_string(attempt);
    dead[0].headers[std::string(header::kOriginalTopic)] = m.topic;
    dead[0].headers[std::string(header::kOriginalPartition)] = std::to_string(m.partition);
    dead[0].headers[std::string(header::kOriginalOffset)] = std::to_string(m.offset);
    for (int tries = 1;; ++tries) {
      std::string failure;
      try {
        co_await bus.produce(dead);
        break;
      } catch (const std::exception& e) {
        failure = e.what();
      }
      spdlog::error("consumer {}: cannot dead-letter {} offset {}: {}", options.group, to_string(p.tp), m.offset,
                    failure);
      co_await backoff(p, options.retry.backoff(tries));
      if (interrupted(p)) co_return false;
    }
    ++dead_lettered;
    if (c.dead_lettered) c.dead_lettered->inc();
    spdlog::error("consumer {}: {} offset {} (key {}) dead-lettered to {} after {} attempt(s): {}", options.group,
                  to_string(p.tp), m.offset, m.key, dead[0].topic, attempt, error);
    co_return true;
  }

  // ---- lifecycle ----

  static asio::awaitable<void> begin(std::shared_ptr<State> self) {
    std::vector<TopicSpec> specs;
    for (const auto& [topic, h] : self->handlers) {
      specs.push_back(TopicSpec{topic, 0});
      specs.push_back(TopicSpec{topic + self->options.dead_letter_suffix, 0});
    }
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int failures = 0; !self->stopping; ++failures) {
      std::string error;
      try {
        co_await self->bus.ensure_topics(specs);
        break;
      } catch (const std::exception& e) {
        error = e.what();
      }
      spdlog::warn("consumer {}: cannot create topics: {}; retrying", self->options.group, error);
      const auto until = std::chrono::steady_clock::now() +
                         std::min<std::chrono::milliseconds>(200ms * (1 << std::min(failures, 5)), 5s);
      while (!self->stopping && std::chrono::steady_clock::now() < until) {
        timer.expires_after(50ms);
        co_await timer.async_wait(asio::use_awaitable);
      }
    }
    if (!self->stopping) self->member->start(*self);
    self->begun.set_value();
  }

  void stop(bool commit) {
    if (!started || stopping.exchange(true)) return;
    if (!commit) aborted = true;
    if (io.context(0).stopped()) {
      spdlog::warn("consumer {}: the workers stopped first; leaving without a clean stop", options.group);
      return;
    }
    auto begun_future = begun.get_future();
    if (begun_future.wait_for(60s) != std::future_status::ready) {
      spdlog::error("consumer {}: start-up did not finish; stopping anyway", options.group);
    }
    auto closed = asio::co_spawn(io.context(0), member->close(commit), asio::use_future);
    if (closed.wait_for(60s) != std::future_status::ready) {
      spdlog::error("consumer {}: did not stop within 60 s", options.group);
      return;
    }
    try {
      closed.get();
    } catch (const std::exception& e) {
      spdlog::warn("consumer {}: stopping: {}", options.group, e.what());
    }
  }
};

ConsumerRuntime::ConsumerRuntime(Bus& bus, runtime::IoPool& io, ConsumerOptions options, metrics::Registry* metrics)
    : state_(std::make_shared<State>(bus, io, std::move(options), metrics)) {}

ConsumerRuntime::~ConsumerRuntime() { state_->stop(true); }

void ConsumerRuntime::on(std::string topic, Handler handler) {
  if (state_->started) throw std::logic_error("ConsumerRuntime::on after start()");
  state_->batch_handlers.erase(topic);
  state_->handlers[std::move(topic)] = std::move(handler);
}

void ConsumerRuntime::on(std::string topic, Handler handler, BatchHandler batch) {
  if (state_->started) throw std::logic_error("ConsumerRuntime::on after start()");
  state_->batch_handlers[topic] = std::move(batch);
  state_->handlers[std::move(topic)] = std::move(handler);
}

bool ConsumerRuntime::has_handlers() const { return !state_->handlers.empty(); }

void ConsumerRuntime::start() {
  auto& s = *state_;
  if (s.started.exchange(true)) return;
  if (s.handlers.empty()) throw std::logic_error("ConsumerRuntime::start without handlers");
  MemberOptions member_options{s.options.group, {}, s.options.max_batch, s.options.max_backlog};
  for (const auto& [topic, h] : s.handlers) member_options.topics.push_back(topic);
  s.member = s.bus.member(std::move(member_options));
  if (s.metrics) {
    auto& processed = s.metrics->counter("ticketly_bus_messages_processed_total",
                                         "Messages handled successfully by consumers.", {"group", "topic"});
    auto& failed = s.metrics->counter("ticketly_bus_handler_failures_total",
                                      "Failed attempts of consumer handlers (each retry counts).", {"group", "topic"});
    auto& dead = s.metrics->counter("ticketly_bus_messages_dead_lettered_total",
                                    "Messages parked in a dead-letter topic after their last attempt.",
                                    {"group", "topic"});
    for (const auto& [topic, h] : s.handlers) {
      s.counters[topic] = TopicCounters{&processed.with({s.options.group, topic}), &failed.with({s.options.group, topic}),
                                        &dead.with({s.options.group, topic})};
    }
    std::weak_ptr<State> weak = state_;
    s.metrics->gauge_callback("ticketly_bus_consumer_lag",
                              "Messages in this consumer's partitions not yet handled.",
                              {{"group", s.options.group}}, [weak]() -> double {
                                auto self = weak.lock();
                                return self && self->member ? static_cast<double>(self->member->lag()) : 0.0;
                              });
  } else {
    for (const auto& [topic, h] : s.handlers) s.counters[topic] = TopicCounters{};
  }
  asio::co_spawn(s.io.context(0), State::begin(state_), asio::detached);
}

void ConsumerRuntime::stop() { state_->stop(true); }

void ConsumerRuntime::abort() { state_->stop(false); }

std::vector<TopicPartition> ConsumerRuntime::assignment() const {
  std::lock_guard lock(state_->mu);
  std::vector<TopicPartition> out;
  for (const auto& [tp, p] : state_->partitions) out.push_back(tp);
  return out;
}

ConsumerRuntime::Stats ConsumerRuntime::stats() const {
  return Stats{state_->processed, state_->failed, state_->dead_lettered};
}

}  // namespace ticketly::bus
