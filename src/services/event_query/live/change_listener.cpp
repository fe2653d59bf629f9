#include "services/event_query/live/change_listener.h"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "platform/db/connection.h"
#include "platform/json/json.h"
#include "services/event_query/live/response_cache.h"
#include "services/event_query/live/seat_hub.h"
#include "services/event_query/store/projector.h"

namespace ticketly::event_query {

namespace asio = boost::asio;

struct ChangeListener::State {
  asio::io_context& context;
  std::string conninfo;
  ResponseCache& catalog;
  ResponseCache& seat_maps;
  DocumentCache& documents;
  SeatHub& hub;
  std::atomic<bool> stopping{false};
  std::atomic<bool> connected{false};
  db::Connection* connection = nullptr;  // touched only on `context`'s thread
};

namespace {

// Searches and lists may depend on any event: all responses go; documents only the
// event's own ("" = everything, e.g. after a rebuild).
void drop_catalog(ChangeListener::State& s, const std::string& event) {
  if (event.empty()) {
    s.documents.invalidate_all();
  } else {
    s.documents.invalidate(event);
  }
  s.catalog.invalidate_all();
  s.seat_maps.invalidate_all();
}

void apply_payload(ChangeListener::State& s, const std::string& payload) {
  auto j = json::Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  const std::string kind = j.value("k", "");
  if (kind == "c") {
    drop_catalog(s, j.value("e", ""));
  } else if (kind == "r") {
    drop_catalog(s, "");
    s.hub.resync_all();
  } else if (kind == "m") {
    if (auto it = j.find("ss"); it != j.end() && it->is_array()) {
      for (const auto& id : *it) {
        if (!id.is_string()) continue;
        const std::string session = id.get<std::string>();
        s.seat_maps.invalidate(seat_map_key(session));
        s.hub.resync(session);
      }
    }
  } else if (kind == "s") {
    const std::string session = j.value("s", "");
    const std::string status = j.value("st", "");
    std::vector<std::string> ids;
    if (auto it = j.find("ids"); it != j.end() && it->is_array()) {
      for (const auto& id : *it) {
        if (id.is_string()) ids.push_back(id.get<std::string>());
      }
    }
    s.seat_maps.invalidate(seat_map_key(session));  // the gzip copy lives in the same entry
    s.hub.publish(session, status, ids);
  }
}

asio::awaitable<void> listen_loop(std::shared_ptr<ChangeListener::State> s) {
  auto executor = co_await asio::this_coro::executor;
  while (!s->stopping.load()) {
    try {
      db::ConnectOptions options;
      options.conninfo = s->conninfo;
      // This connection only waits: without keepalives a silently dropped one would leave
      // subscribers without changes (and without RESYNC) for the OS's two idle hours.
      options.dead_peer_timeout = std::chrono::seconds(30);
      auto conn = co_await db::Connection::connect(executor, options);
      co_await conn->query("LISTEN " + std::string(kChangesChannel));
      s->connection = conn.get();
      s->connected = true;
      s->catalog.set_enabled(true);
      s->seat_maps.set_enabled(true);
      s->documents.set_enabled(true);
      s->hub.resync_all();
      while (!s->stopping.load()) {
        auto notes = co_await conn->wait_for_notifications(std::chrono::seconds(5));
        for (const auto& n : notes) apply_payload(*s, n.payload);
      }
      s->connection = nullptr;
    } catch (const std::exception& e) {
      s->connection = nullptr;
      if (!s->stopping.load()) spdlog::warn("event-query change listener: {}; reconnecting", e.what());
    }
    s->connected = false;
    s->catalog.set_enabled(false);
    s->seat_maps.set_enabled(false);
    s->documents.set_enabled(false);
    if (s->stopping.load()) break;
    asio::steady_timer pause(executor, std::chrono::seconds(1));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace

ChangeListener::ChangeListener(asio::io_context& context, std::string conninfo, ResponseCache& catalog_cache,
                               ResponseCache& seat_map_cache, DocumentCache& documents, SeatHub& hub)
    : state_(std::shared_ptr<State>(
          new State{context, std::move(conninfo), catalog_cache, seat_map_cache, documents, hub})) {
  // Nothing may be served from the cache before the listener can invalidate it.
  catalog_cache.set_enabled(false);
  seat_map_cache.set_enabled(false);
  documents.set_enabled(false);
}

ChangeListener::~ChangeListener() { stop(); }

void ChangeListener::start() { asio::co_spawn(state_->context, listen_loop(state_), asio::detached); }

void ChangeListener::stop() {
  if (state_->stopping.exchange(true)) return;
  asio::post(state_->context, [s = state_] {
    if (s->connection) s->connection->interrupt_wait();
  });
}

bool ChangeListener::connected() const { return state_->connected.load(); }

void ChangeListener::handle(const std::string& payload) { apply_payload(*state_, payload); }

}  // namespace ticketly::event_query
