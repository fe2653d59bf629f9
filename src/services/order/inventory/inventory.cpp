#include "services/order/inventory/inventory.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace ticketly::order::inventory {

using namespace std::chrono_literals;

std::shared_ptr<const SessionCatalog> make_catalog(const Uuid& session_id, store::SessionInventoryRows& rows) {
  auto c = std::make_shared<SessionCatalog>();
  c->session_id = session_id;
  c->status = rows.session_status;
  c->removed = rows.removed;
  c->event_deleted = rows.event_deleted;
  auto event = std::make_shared<CatalogEvent>(std::move(rows.event));
  if (const auto* s = event->session(session_id)) {
    c->sales_start = s->sales_start;
    c->end_time = s->end_time;
    c->status = s->status;
  }
  c->event = std::move(event);
  c->seats.reserve(rows.seats.size());
  for (const auto& r : rows.seats) {
    c->index.emplace(r.seat_id, static_cast<std::uint32_t>(c->seats.size()));
    c->seats.push_back(Seat{r.seat_id, r.label, r.tier_id, r.price});
  }
  return c;
}

struct Inventory::State : std::enable_shared_from_this<Inventory::State> {
  State(db::Database& db, runtime::IoPool& io, FenceOptions fence)
      : db(db), io(io), fence(fence), instance(Uuid::random()), timer(io.context(0)) {}

  db::Database& db;
  runtime::IoPool& io;
  FenceOptions fence;
  Uuid instance;
  asio::steady_timer timer;  // on worker 0
  mutable std::shared_mutex mu;
  std::unordered_map<Uuid, std::shared_ptr<SessionInventory>> sessions;
  // Sessions being loaded now, with the requests waiting for that load: at a sale's start
  // a thousand requests arrive for a session nobody has loaded, and one load serves them.
  std::unordered_map<Uuid, std::vector<std::shared_ptr<Wakeup>>> loading;
  ReleaseLog releases;
  std::atomic<bool> started{false}, stopping{false};
  std::promise<void> finished;
  // Background loads (preload) in flight; stop() waits for none.
  std::mutex preload_mu;
  std::condition_variable preload_done;
  int preloading = 0;

  std::shared_ptr<SessionInventory> find(const Uuid& id) const {
    std::shared_lock lock(mu);
    auto it = sessions.find(id);
    return it == sessions.end() ? nullptr : it->second;
  }

  SteadyTime trust_end(SteadyTime t0) const { return t0 + fence.lease - fence.margin; }

  // Acquires the fence and loads the session after it: Locked marks read now stay true
  // while the fence is ours. `reading` began before the read (release_log.h).
  asio::awaitable<std::shared_ptr<SessionInventory>> load(const Uuid& id, const ReleaseLog::Load& reading) {
    const auto t0 = SteadyClock::now();
    std::optional<std::int64_t> epoch;
    try {
      epoch = co_await acquire_fence(db, id, instance, fence.lease);
    } catch (const db::DbError& e) {
      // A session the catalog does not know has no fence either (foreign key-free table,
      // but keep going untrusted on any database refusal).
      spdlog::warn("order inventory: fence of session {} not acquired: {}", id.str(), e.what());
    }
    auto rows = co_await store::load_session(db, id);
    if (!rows) co_return nullptr;
    auto catalog = make_catalog(id, *rows);
    auto inv = std::make_shared<SessionInventory>(id);
    inv->reset(catalog, rows->seats, [&] { return reading.raced(id); });
    // Without the fence: untrusted, and under no epoch a later renewal could match.
    inv->trust_until(epoch ? trust_end(t0) : SteadyTime{}, epoch.value_or(0));
    co_return inv;
  }

  asio::awaitable<void> tick() {
    std::vector<std::pair<Uuid, std::shared_ptr<SessionInventory>>> all;
    {
      std::unique_lock lock(mu);
      const auto now = SteadyClock::now();
      for (auto it = sessions.begin(); it != sessions.end();) {
        if (now - it->second->last_used() > 10min && !it->second->busy()) {
          it = sessions.erase(it);
        } else {
          all.emplace_back(it->first, it->second);
          ++it;
        }
      }
    }
    const auto now = SteadyClock::now();
    std::vector<Uuid> active;
    for (auto& [id, inv] : all) {
      if (now - inv->last_used() < 60s) active.push_back(id);
    }
    if (active.empty()) co_return;
    const auto t0 = SteadyClock::now();
    const auto fences = co_await renew_fences(db, active, instance, fence.lease);
    std::unordered_map<Uuid, std::int64_t> renewed;  // session -> the fence's epoch
    for (const auto& f : fences) renewed.emplace(f.session, f.epoch);
    for (auto& [id, inv] : all) {
      // Still ours under the epoch the marks were loaded with: nobody released meanwhile
      // but this process (whose releases update the marks).
      if (auto it = renewed.find(id); it != renewed.end() && it->second == inv->fence_epoch()) {
        inv->trust_until(trust_end(t0), it->second);
        continue;
      }
      inv->distrust();
      if (std::find(active.begin(), active.end(), id) == active.end()) continue;
      // Lost, never had, or was handed the fence by a release (another epoch, so another
      // holder may have released seats in between): take it (back), then reload.
      const auto t1 = SteadyClock::now();
      auto epoch = co_await acquire_fence(db, id, instance, fence.lease);
      if (!epoch) continue;
      const ReleaseLog::Load reading(releases);
      auto states = co_await store::load_seat_states(db, id);
      auto catalog = inv->catalog();
      if (!catalog) continue;
      inv->reset(catalog, states, [&] { return reading.raced(id); });
      inv->trust_until(trust_end(t1), *epoch);
    }
  }

  // The session's inventory, loading it once however many ask at the same time.
  asio::awaitable<std::shared_ptr<SessionInventory>> get(const Uuid& session_id) {
    const auto now = SteadyClock::now();
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (auto inv = find(session_id)) {
        inv->touch(now);
        co_return inv;
      }
      std::shared_ptr<Wakeup> wait;
      {
        std::unique_lock lock(mu);
        if (auto it = loading.find(session_id); it != loading.end()) {
          wait = std::make_shared<Wakeup>();
          it->second.push_back(wait);
        } else {
          loading.emplace(session_id, std::vector<std::shared_ptr<Wakeup>>{});
        }
      }
      if (wait) {
        co_await wait->wait(10s);  // the loader's answer (or, after a timeout, look again)
        continue;
      }
      // This request loads; the others wait for it.
      std::shared_ptr<SessionInventory> inv;
      std::exception_ptr error;
      const ReleaseLog::Load reading(releases);
      try {
        inv = co_await load(session_id, reading);
      } catch (...) {
        error = std::current_exception();
      }
      std::vector<std::shared_ptr<Wakeup>> waiters;
      {
        std::unique_lock lock(mu);
        if (inv) {
          inv->touch(now);
          inv = sessions.emplace(session_id, inv).first->second;
          // A release that ran before it could find this inventory (loaded() was empty)
          // marked nothing Free in it; under `mu` no release or request can find it yet.
          if (reading.raced(session_id)) inv->forget_locked();
        }
        if (auto it = loading.find(session_id); it != loading.end()) {
          waiters = std::move(it->second);
          loading.erase(it);
        }
      }
      for (auto& w : waiters) w->fire();
      if (error) std::rethrow_exception(error);
      co_return inv;  // nullptr: a session the catalog does not know
    }
    auto inv = find(session_id);
    if (inv) inv->touch(now);
    co_return inv;
  }

  // A background load (Inventory::preload); `self` keeps the state alive until it ends.
  static asio::awaitable<void> preload(std::shared_ptr<State> self, Uuid session_id) {
    if (self->stopping) co_return;
    co_await self->get(session_id);
  }

  static asio::awaitable<void> run(std::shared_ptr<State> self) {
    while (!self->stopping) {
      self->timer.expires_after(self->fence.renew_every);
      boost::system::error_code ec;
      co_await self->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (self->stopping) break;
      try {
        co_await self->tick();
      } catch (const std::exception& e) {
        spdlog::warn("order inventory: fence renewal failed: {}", e.what());
      }
    }
    self->finished.set_value();
  }
};

Inventory::Inventory(db::Database& db, runtime::IoPool& io, FenceOptions fence)
    : state_(std::make_shared<State>(db, io, fence)) {}

Inventory::~Inventory() { stop(); }

const Uuid& Inventory::instance() const { return state_->instance; }
const FenceOptions& Inventory::fence_options() const { return state_->fence; }

std::shared_ptr<SessionInventory> Inventory::loaded(const Uuid& session_id) const { return state_->find(session_id); }

asio::awaitable<std::shared_ptr<SessionInventory>> Inventory::get(const Uuid& session_id) {
  co_return co_await state_->get(session_id);
}

void Inventory::preload(const Uuid& session_id) {
  auto& s = *state_;
  if (!s.started || s.stopping || s.find(session_id)) return;
  {
    std::shared_lock lock(s.mu);
    if (s.loading.count(session_id)) return;
  }
  {
    std::lock_guard lock(s.preload_mu);
    ++s.preloading;
  }
  auto done = [self = state_, session_id](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        spdlog::warn("order inventory: preloading session {} failed: {}", session_id.str(), e.what());
      } catch (...) {  // a completion handler must not throw: it would end the worker
        spdlog::warn("order inventory: preloading session {} failed (non-standard exception)", session_id.str());
      }
    }
    std::lock_guard lock(self->preload_mu);
    --self->preloading;
    self->preload_done.notify_all();
  };
  asio::co_spawn(s.io.context(0), State::preload(state_, session_id), done);
}

ReleaseLog& Inventory::releases() { return state_->releases; }

asio::awaitable<void> Inventory::refresh(const Uuid& session_id) {
  auto inv = state_->find(session_id);
  if (!inv) co_return;
  const ReleaseLog::Load reading(state_->releases);
  auto rows = co_await store::load_session(state_->db, session_id);
  if (!rows) co_return;
  auto catalog = make_catalog(session_id, *rows);
  inv->reset(catalog, rows->seats, [&] { return reading.raced(session_id); });
}

void Inventory::start() {
  if (state_->started.exchange(true)) return;
  asio::co_spawn(state_->io.context(0), State::run(state_), asio::detached);
}

void Inventory::stop() {
  if (!state_->started || state_->stopping.exchange(true)) return;
  if (state_->io.context(0).stopped()) return;
  auto finished = state_->finished.get_future();
  asio::post(state_->io.context(0), [s = state_] { s->timer.cancel(); });
  if (finished.wait_for(10s) != std::future_status::ready) spdlog::error("order inventory: fence loop did not stop");
  std::unique_lock lock(state_->preload_mu);
  if (!state_->preload_done.wait_for(lock, 10s, [&] { return state_->preloading == 0; })) {
    spdlog::error("order inventory: {} preload(s) did not finish", state_->preloading);
  }
}

}  // namespace ticketly::order::inventory
