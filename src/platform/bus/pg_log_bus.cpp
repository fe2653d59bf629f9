#include "platform/bus/pg_log_bus.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <stdexcept>

#include "platform/bus/pg_log_internal.h"
#include "platform/db/migrator.h"

namespace ticketly::bus {

namespace detail {

namespace {

using namespace std::chrono_literals;

// Topics created in one statement with all their partitions, so a reader never sees a
// topic without them; concurrent creators: the first wins, the rest do nothing.
constexpr db::Statement kCreateTopics{"bus.pg.create_topics", R"sql(
  WITH created AS (
    INSERT INTO bus_topics (name, partitions)
    SELECT * FROM unnest($1::text[], $2::int4[])
    ON CONFLICT (name) DO NOTHING
    RETURNING name, partitions
  )
  INSERT INTO bus_partitions (topic, partition)
  SELECT c.name, g FROM created c, generate_series(0, c.partitions - 1) AS g
  ON CONFLICT DO NOTHING
)sql"};
constexpr db::Statement kTopicPartitions{"bus.pg.topic_partitions",
                                         "SELECT name, partitions FROM bus_topics WHERE name = ANY($1::text[])"};
constexpr db::Statement kAppend{
    "bus.pg.append", "SELECT bus_append($1::text[], $2::int4[], $3::text[], $4::text[], $5::jsonb[])"};

// Retention, per partition from its old end: everything before the first message that is
// young enough (or, if none is, before next_offset). bus_trim (migrations/bus/0003) walks
// each partition through the primary key: as one statement, a plan cached while the log
// was small made every trim quadratic in the log's size.
constexpr db::Statement kTrim{"bus.pg.trim", "SELECT bus_trim($1::float8)"};
// Members dead for a while: nobody needs their rows (their partitions are free already).
constexpr db::Statement kForgetDeadMembers{
    "bus.pg.forget_dead_members", "DELETE FROM bus_members WHERE expires_at < now() - interval '1 hour'"};

std::string encode_headers(const Headers& headers) {
  nlohmann::json h = nlohmann::json::object();
  for (const auto& [name, value] : headers) h[name] = value;
  return h.dump();
}

}  // namespace

PgLogCore::PgLogCore(runtime::IoPool& io, PgLogOptions o)
    : io(io),
      options(std::move(o)),
      database(io, db::PoolOptions{.conninfo = options.conninfo, .size = options.pool_size}),
      notifier(std::make_shared<PgNotifier>(io.context(0), options.conninfo,
                                            std::vector<std::string>{std::string(kBusChannel),
                                                                     std::string(kGroupChannel)})) {
  if (options.default_partitions < 1) options.default_partitions = 1;
  if (options.heartbeat_interval.count() <= 0) options.heartbeat_interval = options.session_timeout / 4;
}

int PgLogCore::cached_partitions(std::string_view topic) const {
  std::lock_guard lock(mu_);
  auto it = partitions_.find(topic);
  return it == partitions_.end() ? 0 : it->second;
}

asio::awaitable<void> PgLogCore::ensure_topics(std::vector<TopicSpec> topics) {
  // In name order: two processes creating overlapping sets in different orders would
  // otherwise wait on each other's uncommitted rows (40P01 deadlock).
  std::map<std::string, int> wanted;
  for (const auto& t : topics) {
    if (t.name.empty()) throw std::invalid_argument("bus topic names must not be empty");
    wanted.emplace(t.name, t.partitions > 0 ? t.partitions : options.default_partitions);
  }
  if (wanted.empty()) co_return;
  std::vector<std::string> names;
  std::vector<int> counts;
  for (const auto& [name, count] : wanted) {
    names.push_back(name);
    counts.push_back(count);
  }
  co_await database.execute(kCreateTopics, names, counts);
  auto r = co_await database.execute(kTopicPartitions, names);
  std::lock_guard lock(mu_);
  for (auto row : r) partitions_[row.get<std::string>(0)] = row.get<int>(1);
}

asio::awaitable<std::int64_t> PgLogCore::trim() {
  const double retention_ms = static_cast<double>(options.retention.count());
  const auto deleted = (co_await database.execute(kTrim, retention_ms)).scalar<std::int64_t>();
  co_await database.execute(kForgetDeadMembers);
  co_return deleted;
}

asio::awaitable<void> PgLogCore::run_retention(std::shared_ptr<PgLogCore> self) {
  while (!self->stopping) {
    self->retention_timer->expires_after(self->options.retention_interval);
    boost::system::error_code ec;
    co_await self->retention_timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (self->stopping) break;
    std::string error;
    try {
      const auto deleted = co_await self->trim();
      if (deleted > 0) spdlog::info("bus retention: deleted {} message(s)", deleted);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) spdlog::warn("bus retention: {}", error);
  }
  self->retention_finished.set_value();
}

}  // namespace detail

PgLogBus::PgLogBus(runtime::IoPool& io, PgLogOptions options)
    : core_(std::make_shared<detail::PgLogCore>(io, std::move(options))) {}

PgLogBus::~PgLogBus() { stop(); }

const PgLogOptions& PgLogBus::options() const { return core_->options; }

asio::awaitable<void> PgLogBus::ensure_topics(std::vector<TopicSpec> topics) {
  co_await core_->ensure_topics(std::move(topics));
}

asio::awaitable<void> PgLogBus::produce(std::vector<OutgoingMessage> messages) {
  if (messages.empty()) co_return;
  std::vector<TopicSpec> unknown;
  for (const auto& m : messages) {
    if (core_->cached_partitions(m.topic) == 0) unknown.push_back(TopicSpec{m.topic, 0});
  }
  if (!unknown.empty()) co_await core_->ensure_topics(std::move(unknown));

  std::vector<std::string> topics, keys, payloads, headers;
  std::vector<std::int32_t> partitions;
  topics.reserve(messages.size());
  keys.reserve(messages.size());
  payloads.reserve(messages.size());
  headers.reserve(messages.size());
  partitions.reserve(messages.size());
  for (auto& m : messages) {
    partitions.push_back(partition_for(m.key, core_->cached_partitions(m.topic)));
    headers.push_back(detail::encode_headers(m.headers));
    topics.push_back(std::move(m.topic));
    keys.push_back(std::move(m.key));
    payloads.push_back(std::move(m.payload));
  }
  co_await core_->database.execute(detail::kAppend, topics, partitions, keys, payloads, headers);
}

std::unique_ptr<GroupMember> PgLogBus::member(MemberOptions options) {
  return detail::make_pg_member(core_, std::move(options));
}

void PgLogBus::start() {
  if (core_->started.exchange(true)) return;
  core_->notifier->start();
  core_->retention_timer = std::make_unique<asio::steady_timer>(core_->io.context(0));
  asio::co_spawn(core_->io.context(0), detail::PgLogCore::run_retention(core_), asio::detached);
}

void PgLogBus::stop() {
  if (!core_->started || core_->stopping.exchange(true)) return;
  core_->notifier->stop();
  if (core_->io.context(0).stopped()) return;
  auto finished = core_->retention_finished.get_future();
  asio::post(core_->io.context(0), [core = core_] { core->retention_timer->cancel(); });
  if (finished.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    spdlog::error("bus retention: did not stop within 10 s");
  }
}

asio::awaitable<std::int64_t> PgLogBus::trim() { co_return co_await core_->trim(); }

void PgLogBus::prepare_database(const std::string& admin_conninfo, const std::string& dbname,
                                const std::string& conninfo) {
  db::create_database_if_missing(admin_conninfo, dbname);
  db::migrate(conninfo, migrations::bus(), "bus");
}

}  // namespace ticketly::bus
