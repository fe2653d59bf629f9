#include "platform/bus/relay.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "platform/bus/outbox.h"
#include "platform/db/connection.h"
#include "platform/metrics/registry.h"

namespace ticketly::bus {

namespace {

using namespace std::chrono_literals;

constexpr db::Statement kFetch{"bus.relay.fetch", R"sql(
  SELECT id, message_id::text, topic, key, payload::text, headers::text
    FROM outbox ORDER BY id LIMIT $1
)sql"};
constexpr db::Statement kDelete{"bus.relay.delete", "DELETE FROM outbox WHERE id = ANY($1::int8[])"};
constexpr db::Statement kStats{"bus.relay.stats", R"sql(
  SELECT count(*), coalesce(extract(epoch FROM min(created_at)), 0)::float8 FROM outbox
)sql"};

// Headers as the outbox stores them: a JSON object; non-string values keep their JSON text.
Headers decode_headers(std::string_view text) {
  Headers out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return out;
  for (auto& [name, value] : j.items()) out[name] = value.is_string() ? value.get<std::string>() : value.dump();
  return out;
}

std::chrono::milliseconds backoff(int failures) {
  return std::min<std::chrono::milliseconds>(100ms * (1 << std::min(failures, 6)), 5s);
}

}  // namespace

// Active relays of this process by database identity (see detail::local_relay_active).
struct LocalRelays {
  std::mutex mu;
  std::unordered_map<std::string, std::weak_ptr<Relay::State>> active;
};
LocalRelays& local_relays() {
  static LocalRelays r;
  return r;
}

// Figures the metric callbacks read; shared so a scrape after the relay is gone is harmless.
struct RelayGauges {
  std::atomic<double> backlog{0}, oldest_epoch{0}, active{0};
};

struct Relay::State : std::enable_shared_from_this<Relay::State> {
  State(runtime::IoPool& io, Bus& bus, RelayOptions o)
      : bus(bus),
        options(std::move(o)),
        context(io.context(std::hash<std::string>{}(options.label) % io.size())),
        timer(context),
        gauges(std::make_shared<RelayGauges>()) {}

  Bus& bus;
  RelayOptions options;
  asio::io_context& context;
  asio::steady_timer timer;
  std::unique_ptr<db::Connection> conn;
  std::string identity;                    // conn's database_identity(), once connected
  bool waiting_for_notifications = false;  // only touched on `context`
  // A local publisher committed since the last fetch: fetch again before waiting.
  std::atomic<bool> wake_pending{false};
  std::atomic<bool> started{false}, stopping{false};
  std::atomic<bool> active{false};
  std::atomic<std::uint64_t> relayed{0};
  std::shared_ptr<RelayGauges> gauges;
  metrics::Counter* relayed_counter = nullptr;
  std::chrono::steady_clock::time_point stats_due{};
  std::promise<void> finished;

  // Sleeps, unless stop() interrupts.
  asio::awaitable<void> sleep(std::chrono::milliseconds d) {
    if (stopping) co_return;
    timer.expires_after(d);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  // On `context`: ends whatever the loop waits for.
  void interrupt() {
    timer.cancel();
    if (conn && waiting_for_notifications) conn->interrupt_wait();
  }

  void set_active(bool on) {
    active = on;
    gauges->active = on ? 1 : 0;
    if (identity.empty()) return;
    auto& registry = local_relays();
    std::lock_guard lock(registry.mu);
    auto it = registry.active.find(identity);
    if (on) {
      registry.active[identity] = weak_from_this();
    } else if (it != registry.active.end() && it->second.lock().get() == this) {
      registry.active.erase(it);
    }
  }

  // Any thread: a local transaction with outbox rows committed.
  void wake() {
    if (wake_pending.exchange(true)) return;  // already due to fetch
    asio::post(context, [self = shared_from_this()] {
      if (self->conn && self->waiting_for_notifications) self->conn->interrupt_wait();
    });
  }

  asio::awaitable<void> refresh_stats(bool force) {
    const auto now = std::chrono::steady_clock::now();
    if (!force && now < stats_due) co_return;
    stats_due = now + 1s;
    auto r = co_await conn->execute(kStats);
    gauges->backlog = static_cast<double>(r.one().get<std::int64_t>(0));
    gauges->oldest_epoch = r.one().get<double>(1);
  }

  // Produces until the bus accepts the batch; false if stopped first (the rows stay).
  asio::awaitable<bool> produce(std::vector<OutgoingMessage>& batch) {
    for (int failures = 0; !stopping; ++failures) {
      std::string error;
      try {
        co_await bus.produce(batch);
        co_return true;
      } catch (const std::exception& e) {
        error = e.what();
      }
      spdlog::warn("outbox relay {}: the bus refused {} message(s): {}", options.label, batch.size(), error);
      co_await refresh_stats(false);
      co_await sleep(backoff(failures));
    }
    co_return false;
  }

  // One database session: stand by until the lock is ours, then relay until stopped.
  asio::awaitable<void> session() {
    // Named: g++ 12 frees a braced temporary inside a co_await expression twice.
    db::ConnectOptions connect{options.conninfo};
    conn = co_await db::Connection::connect(context.get_executor(), connect);
    identity = conn->database_identity();
    co_await conn->query("LISTEN " + std::string(kOutboxChannel));
    while (!stopping) {
      if ((co_await conn->query("SELECT pg_try_advisory_lock($1)", lock_key())).scalar<bool>()) break;
      co_await refresh_stats(true);
      co_await sleep(options.standby_interval);
    }
    if (stopping) co_return;
    set_active(true);
    spdlog::info("outbox relay {}: active", options.label);
    const auto batch_size = static_cast<std::int64_t>(std::max<std::size_t>(options.batch_size, 1));
    while (!stopping) {
      conn->take_notifications();  // whatever woke us is covered by the SELECT below
      wake_pending = false;        // likewise
      auto rows = co_await conn->execute(kFetch, batch_size);
      if (rows.empty()) {
        co_await refresh_stats(false);
        // A wake-up that came while fetching is not lost: it set wake_pending, and its
        // interrupt (posted to this thread) can only run once we are waiting or below.
        if (wake_pending) continue;
        waiting_for_notifications = true;
        if (!stopping) co_await conn->wait_for_notifications(options.poll_interval);
        waiting_for_notifications = false;
        continue;
      }
      std::vector<OutgoingMessage> batch;
      std::vector<std::int64_t> ids;
      batch.reserve(rows.size());
      ids.reserve(rows.size());
      for (auto row : rows) {
        ids.push_back(row.get<std::int64_t>(0));
        OutgoingMessage m{row.get<std::string>(2), row.get<std::string>(3), row.get<std::string>(4),
                          decode_headers(row.raw(5))};
        m.headers[std::string(header::kMessageId)] = row.get<std::string>(1);
        batch.push_back(std::move(m));
      }
      if (!co_await produce(batch)) co_return;
      co_await conn->execute(kDelete, ids);
      relayed += ids.size();
      if (relayed_counter) relayed_counter->inc(ids.size());
      if (static_cast<std::int64_t>(rows.size()) < batch_size) {
        gauges->backlog = 0;
        gauges->oldest_epoch = 0;
      }
    }
  }

  static asio::awaitable<void> run(std::shared_ptr<State> self) {
    for (int failures = 0; !self->stopping;) {
      std::string error;
      try {
        co_await self->session();
        failures = 0;
      } catch (const std::exception& e) {
        error = e.what();
      }
      if (self->active) spdlog::info("outbox relay {}: no longer active", self->options.label);
      self->set_active(false);
      self->waiting_for_notifications = false;
      self->conn.reset();  // ends the session, and with it the advisory lock
      if (!error.empty() && !self->stopping) {
        spdlog::warn("outbox relay {}: {}; retrying", self->options.label, error);
        co_await self->sleep(backoff(++failures));
      }
    }
    self->finished.set_value();
  }
};

Relay::Relay(runtime::IoPool& io, Bus& bus, RelayOptions options, metrics::Registry* metrics)
    : state_(std::make_shared<State>(io, bus, std::move(options))) {
  if (!metrics) return;
  const std::vector<std::pair<std::string, std::string>> labels{{"database", state_->options.label}};
  auto gauges = state_->gauges;
  metrics->gauge_callback("ticketly_outbox_backlog_rows", "Outbox rows not yet relayed to the bus.", labels,
                          [gauges] { return gauges->backlog.load(); });
  metrics->gauge_callback("ticketly_outbox_oldest_age_seconds", "Age of the oldest outbox row not yet relayed.",
                          labels, [gauges] {
                            const double oldest = gauges->oldest_epoch.load();
                            if (oldest <= 0 || gauges->backlog.load() <= 0) return 0.0;
                            const double now = std::chrono::duration<double>(
                                                   std::chrono::system_clock::now().time_since_epoch())
                                                   .count();
                            return std::max(0.0, now - oldest);
                          });
  metrics->gauge_callback("ticketly_outbox_relay_active", "1 on the replica that relays this database's outbox.",
                          labels, [gauges] { return gauges->active.load(); });
  state_->relayed_counter =
      &metrics->counter("ticketly_outbox_relayed_total", "Outbox rows relayed to the bus.", {"database"})
           .with({state_->options.label});
}

Relay::~Relay() { stop(); }

void Relay::start() {
  if (state_->started.exchange(true) || state_->stopping) return;
  asio::co_spawn(state_->context, State::run(state_), asio::detached);
}

void Relay::stop() {
  if (state_->stopping.exchange(true) || !state_->started) return;
  if (state_->context.stopped()) return;  // the workers are gone; so is the loop
  auto finished = state_->finished.get_future();
  asio::post(state_->context, [s = state_] { s->interrupt(); });
  if (finished.wait_for(30s) != std::future_status::ready) {
    spdlog::error("outbox relay {}: did not stop within 30 s", state_->options.label);
  }
}

bool Relay::active() const { return state_->active; }

namespace detail {

bool local_relay_active(const std::string& identity) {
  auto& registry = local_relays();
  std::lock_guard lock(registry.mu);
  auto it = registry.active.find(identity);
  return it != registry.active.end() && !it->second.expired();
}

void wake_local_relay(const std::string& identity) {
  std::shared_ptr<Relay::State> relay;
  {
    auto& registry = local_relays();
    std::lock_guard lock(registry.mu);
    auto it = registry.active.find(identity);
    if (it != registry.active.end()) relay = it->second.lock();
  }
  if (relay && relay->active) relay->wake();
}

}  // namespace detail

std::uint64_t Relay::relayed() const { return state_->relayed; }

std::int64_t Relay::lock_key() {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : std::string_view("ticketly.outbox.relay")) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(h);
}

}  // namespace ticketly::bus
