// A member of a PgLogBus consumer group (the protocol is described in pg_log_bus.h).
//
// Everything a member does runs in one coroutine on one worker, so its state needs no
// lock except the marks, which handlers set from their own workers.
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "platform/bus/pg_log_internal.h"
#include "platform/bus/pg_log_member_sql.h"
#include "platform/bus/signal.h"
#include "platform/types/uuid.h"

namespace ticketly::bus::detail {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Headers decode_headers(std::string_view text) {
  Headers out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto& [name, value] : j.items()) out[name] = value.is_string() ? value.get<std::string>() : value.dump();
  return out;
}

// Parallel arrays of partitions (and positions) as the statements take them.
struct PartitionArrays {
  std::vector<std::string> topics;
  std::vector<std::int32_t> partitions;
  std::vector<std::int64_t> positions;
  void add(const TopicPartition& tp, std::int64_t position = -1) {
    topics.push_back(tp.topic);
    partitions.push_back(tp.partition);
    positions.push_back(position);
  }
  bool empty() const { return topics.empty(); }
};

class Member : public std::enable_shared_from_this<Member> {
 public:
  Member(std::shared_ptr<PgLogCore> core, MemberOptions options)
      : core_(std::move(core)),
        options_(std::move(options)),
        id_(Uuid::random().str()),
        context_(core_->io.context(core_->next_worker++ % core_->io.size())),
        timer_(context_) {
    std::sort(options_.topics.begin(), options_.topics.end());
    options_.topics.erase(std::unique(options_.topics.begin(), options_.topics.end()), options_.topics.end());
    if (options_.max_batch == 0) options_.max_batch = 1;
  }

  void start(PartitionSink& sink) {
    asio::post(context_, [self = shared_from_this(), &sink] {
      if (self->started_ || self->closing_) return;
      self->started_ = true;
      self->sink_ = &sink;
      self->subscribe();
      asio::co_spawn(self->context_, run(self), asio::detached);
    });
  }

  void mark_done(const TopicPartition& tp, std::int64_t next_offset) {
    std::lock_guard lock(marks_mu_);
    auto& mark = marks_[tp];
    mark = std::max(mark, next_offset);
  }

  std::int64_t lag() const { return lag_.load(std::memory_order_relaxed); }

  // Runs on context_. `use_sink` false: the sink may be gone (the member is being
  // destroyed without close()), so leave without revoking through it.
  static asio::awaitable<void> close(std::shared_ptr<Member> self, bool commit, bool use_sink = true) {
    if (self->closing_) {
      co_await self->closed_->wait();
      co_return;
    }
    self->closing_ = true;
    if (self->started_) {
      self->wake();
      co_await self->loop_done_->wait();
      if (use_sink) co_await self->revoke_locally(self->owned_list());
      std::string error;
      try {
        if (commit && use_sink) co_await self->commit_marks();
        co_await self->core_->database.execute(kLeave, self->options_.group, self->id_);
      } catch (const std::exception& e) {
        error = e.what();
      }
      self->owned_.clear();
      if (!error.empty()) {
        spdlog::warn("bus group {}: leaving uncleanly ({}); the others take over after the session timeout",
                     self->options_.group, error);
      }
      for (auto id : self->subscriptions_) self->core_->notifier->unsubscribe(id);
      self->lag_ = 0;
    }
    self->closed_->set();
  }

  asio::io_context& context() { return context_; }
  bool closed() const { return closed_->is_set(); }

 private:
  struct Owned {
    std::int64_t position = 0;  // next offset to fetch
  };

  void subscribe() {
    std::weak_ptr<Member> weak = weak_from_this();
    auto wake = [weak, this](bool group) {
      if (auto self = weak.lock()) {
        asio::post(context_, [self, group] {
          if (group) self->group_changed_ = true;
          self->wake();
        });
      }
    };
    for (const auto& topic : options_.topics) {
      subscriptions_.push_back(core_->notifier->subscribe(std::string(kBusChannel), topic, [wake] { wake(false); }));
    }
    subscriptions_.push_back(
        core_->notifier->subscribe(std::string(kGroupChannel), options_.group, [wake] { wake(true); }));
  }

  // On context_.
  void wake() {
    wake_pending_ = true;
    timer_.cancel();
  }

  asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    if (wake_pending_ || closing_) {
      wake_pending_ = false;
      co_return;
    }
    timer_.expires_after(d);
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    wake_pending_ = false;
  }

  std::vector<TopicPartition> owned_list() const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, o] : owned_) out.push_back(tp);
    return out;
  }

  static asio::awaitable<void> run(std::shared_ptr<Member> self) {
    for (int failures = 0; !self->closing_;) {
      std::string error;
      try {
        co_await self->step();
        failures = 0;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (!error.empty() && !self->closing_) {
        if (failures++ % 20 == 0) spdlog::warn("bus group {}: {}", self->options_.group, error);
        co_await self->sleep(std::min<std::chrono::milliseconds>(100ms * failures, 2s));
      }
    }
    self->loop_done_->set();
  }

  asio::awaitable<void> step() {
    const auto& o = core_->options;
    auto now = Clock::now();
    if (!joined_) {
      std::vector<TopicSpec> specs;
      for (const auto& t : options_.topics) specs.push_back(TopicSpec{t, 0});
      co_await core_->ensure_topics(std::move(specs));
      co_await core_->database.execute(kJoin, options_.group, id_, options_.topics, lease_ms());
      joined_ = true;
      group_changed_ = true;
    }
    if (group_changed_ || now >= next_heartbeat_) {
      group_changed_ = false;
      next_heartbeat_ = now + o.heartbeat_interval;
      co_await rebalance();
    }
    if (now >= next_commit_) {
      next_commit_ = now + o.commit_interval;
      co_await commit_marks();
    }
    if (closing_) co_return;
    bool backlogged = false;
    const std::size_t fetched = co_await fetch(backlogged);
    if (fetched > 0 || closing_) co_return;
    now = Clock::now();
    auto wait = backlogged ? std::chrono::milliseconds(20) : o.poll_interval;
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - now));
    if (has_marks()) wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(next_commit_ - now));
    co_await sleep(std::max(wait, std::chrono::milliseconds(1)));
  }

  double lease_ms() const { return static_cast<double>(core_->options.session_timeout.count()); }

  bool has_marks() {
    std::lock_guard lock(marks_mu_);
    return !marks_.empty();
  }

  // Takes the marks of `partitions` (all marks when null) out of the pending set.
  std::map<TopicPartition, std::int64_t> take_marks(const std::vector<TopicPartition>* partitions) {
    std::lock_guard lock(marks_mu_);
    std::map<TopicPartition, std::int64_t> out;
    if (!partitions) {
      out.swap(marks_);
      return out;
    }
    for (const auto& tp : *partitions) {
      if (auto node = marks_.extract(tp)) out.insert(std::move(node));
    }
    return out;
  }

  void restore_marks(const std::map<TopicPartition, std::int64_t>& taken) {
    std::lock_guard lock(marks_mu_);
    for (const auto& [tp, position] : taken) marks_[tp] = std::max(marks_[tp], position);
  }

  asio::awaitable<void> commit_marks() {
    auto marks = take_marks(nullptr);
    PartitionArrays arrays;
    for (const auto& [tp, position] : marks) {
      if (owned_.contains(tp)) arrays.add(tp, position);
    }
    if (arrays.empty()) co_return;
    bool ok = false;
    try {
      co_await core_->database.execute(kCommit, options_.group, id_, arrays.topics, arrays.partitions,
                                       arrays.positions);
      ok = true;
    } catch (...) {
      restore_marks(marks);
      throw;
    }
    if (ok) {
      for (const auto& [tp, position] : marks) committed_[tp] = std::max(committed_[tp], position);
    }
  }

  // Hands partitions back to the sink and waits until it is done with them.
  asio::awaitable<void> revoke_locally(std::vector<TopicPartition> partitions) {
    if (partitions.empty()) co_return;
    auto signal = std::make_shared<Signal>();
    sink_->revoke(partitions, [signal] { signal->set(); });
    co_await signal->wait();
  }

  asio::awaitable<void> rebalance() {
    auto beat = co_await core_->database.execute(kHeartbeat, options_.group, id_, lease_ms());
    if (beat.affected_rows() == 0) {
      // Our lease ran out and the row was cleaned up: join again. What we owned may
      // belong to others by now; the ownership read below tells.
      co_await core_->database.execute(kJoin, options_.group, id_, options_.topics, lease_ms());
    }
    auto members = co_await core_->database.execute(kLiveMembers, options_.group);
    auto rows = co_await core_->database.execute(kGroupPartitions, options_.group, options_.topics);

    // Subscribers per topic, sorted by id (the query orders them); we count ourselves in.
    std::map<std::string, std::vector<std::string>> subscribers;
    bool self_seen = false;
    for (auto m : members) {
      const auto id = m.get<std::string>(0);
      self_seen = self_seen || id == id_;
      for (const auto& t : m.get<std::vector<std::string>>(1)) subscribers[t].push_back(id);
    }
    if (!self_seen) {
      for (const auto& t : options_.topics) {
        auto& v = subscribers[t];
        v.insert(std::upper_bound(v.begin(), v.end(), id_), id_);
      }
    }

    std::vector<TopicPartition> lost, release, claim, resume;
    std::set<TopicPartition> mine_in_db;
    std::int64_t lag = 0;
    for (auto r : rows) {
      TopicPartition tp{r.get<std::string>(0), r.get<std::int32_t>(1)};
      const auto committed = r.get<std::int64_t>(2);
      const auto owner = r.get<std::optional<std::string>>(3);
      const auto next_offset = r.get<std::int64_t>(4);
      const bool owner_alive = r.get<bool>(5);
      const auto& subs = subscribers[tp.topic];
      const bool target_is_me =
          !subs.empty() && subs[static_cast<std::size_t>(tp.partition) % subs.size()] == id_;
      if (owner && *owner == id_) {
        mine_in_db.insert(tp);
        if (!target_is_me) release.push_back(tp);
        // Ours in the database but not here: a release that failed half-way. Carry on.
        else if (!owned_.contains(tp)) resume.push_back(tp);
        committed_[tp] = std::max(committed_[tp], committed);
        lag += std::max<std::int64_t>(0, next_offset - committed_[tp]);
      } else if (target_is_me && (!owner || !owner_alive)) {
        claim.push_back(tp);
      }
    }
    for (const auto& [tp, o] : owned_) {
      if (!mine_in_db.contains(tp)) lost.push_back(tp);
    }
    lag_ = lag;

    if (!lost.empty()) {
      spdlog::warn("bus group {}: lost {} partition(s) to other members", options_.group, lost.size());
      co_await revoke_locally(lost);
      take_marks(&lost);  // their new owners commit; ours would be refused anyway
      for (const auto& tp : lost) owned_.erase(tp);
    }
    if (!release.empty()) {
      co_await revoke_locally(release);
      auto marks = take_marks(&release);
      PartitionArrays arrays;
      for (const auto& tp : release) {
        auto it = marks.find(tp);
        arrays.add(tp, it == marks.end() ? -1 : it->second);
      }
      try {
        co_await core_->database.execute(kRelease, options_.group, id_, arrays.topics, arrays.partitions,
                                         arrays.positions);
      } catch (...) {
        // Still ours in the database: the next round releases them again, with these marks.
        restore_marks(marks);
        for (const auto& tp : release) owned_.erase(tp);
        throw;
      }
      for (const auto& tp : release) owned_.erase(tp);
    }
    if ((!claim.empty() || !resume.empty()) && !closing_) {
      PartitionArrays arrays;
      for (const auto& tp : claim) arrays.add(tp);
      for (const auto& tp : resume) arrays.add(tp);
      auto claimed = co_await core_->database.execute(kClaim, options_.group, id_, arrays.topics, arrays.partitions);
      std::vector<TopicPartition> added;
      for (auto r : claimed) {
        TopicPartition tp{r.get<std::string>(0), r.get<std::int32_t>(1)};
        const auto committed = r.get<std::int64_t>(2);
        committed_[tp] = committed;
        if (!owned_.contains(tp)) {
          owned_[tp] = Owned{committed};
          added.push_back(tp);
        }
      }
      if (!added.empty()) sink_->assigned(added);
    }
  }

  asio::awaitable<std::size_t> fetch(bool& backlogged) {
    PartitionArrays arrays;
    for (const auto& [tp, o] : owned_) {
      if (sink_->backlog(tp) >= options_.max_backlog) {
        backlogged = true;
        continue;
      }
      arrays.add(tp, o.position);
    }
    if (arrays.empty()) co_return 0;
    const auto limit = static_cast<std::int64_t>(options_.max_batch);
    auto rows = co_await core_->database.execute(kFetch, arrays.topics, arrays.partitions, arrays.positions, limit);
    if (rows.empty()) co_return 0;
    std::map<TopicPartition, std::vector<Message>> batches;
    for (auto r : rows) {
      Message m;
      m.topic = r.get<std::string>(0);
      m.partition = r.get<std::int32_t>(1);
      m.offset = r.get<std::int64_t>(2);
      m.key = r.get<std::string>(3);
      m.payload = r.get<std::string>(4);
      m.headers = decode_headers(r.raw(5));
      m.timestamp = r.get<std::chrono::system_clock::time_point>(6);
      batches[TopicPartition{m.topic, m.partition}].push_back(std::move(m));
    }
    std::size_t count = 0;
    for (auto& [tp, batch] : batches) {
      auto it = owned_.find(tp);
      if (it == owned_.end()) continue;
      std::sort(batch.begin(), batch.end(), [](const Message& a, const Message& b) { return a.offset < b.offset; });
      it->second.position = batch.back().offset + 1;
      count += batch.size();
      sink_->deliver(std::move(batch));
    }
    co_return count;
  }

  std::shared_ptr<PgLogCore> core_;
  MemberOptions options_;
  std::string id_;
  asio::io_context& context_;
  asio::steady_timer timer_;
  bool wake_pending_ = false;
  bool started_ = false, closing_ = false, joined_ = false, group_changed_ = true;
  PartitionSink* sink_ = nullptr;
  std::vector<std::uint64_t> subscriptions_;
  std::map<TopicPartition, Owned> owned_;
  std::map<TopicPartition, std::int64_t> committed_;  // what the database holds, as far as we know
  Clock::time_point next_heartbeat_{}, next_commit_{};
  std::shared_ptr<Signal> loop_done_ = std::make_shared<Signal>();
  std::shared_ptr<Signal> closed_ = std::make_shared<Signal>();
  std::atomic<std::int64_t> lag_{0};
  std::mutex marks_mu_;
  std::map<TopicPartition, std::int64_t> marks_;
};

class PgGroupMember final : public GroupMember {
 public:
  explicit PgGroupMember(std::shared_ptr<Member> member) : member_(std::move(member)) {}
  ~PgGroupMember() override {
    // Normally closed already; otherwise stop the loop without committing.
    if (!member_->closed()) {
      asio::co_spawn(member_->context(), Member::close(member_, false, false), asio::detached);
    }
  }
  void start(PartitionSink& sink) override { member_->start(sink); }
  void mark_done(const TopicPartition& tp, std::int64_t next_offset) override { member_->mark_done(tp, next_offset); }
  asio::awaitable<void> close(bool commit) override {
    co_await asio::co_spawn(member_->context(), Member::close(member_, commit), asio::use_awaitable);
  }
  std::int64_t lag() const override { return member_->lag(); }

 private:
  std::shared_ptr<Member> member_;
};

}  // namespace

std::unique_ptr<GroupMember> make_pg_member(std::shared_ptr<PgLogCore> core, MemberOptions options) {
  return std::make_unique<PgGroupMember>(std::make_shared<Member>(std::move(core), std::move(options)));
}

}  // namespace ticketly::bus::detail
