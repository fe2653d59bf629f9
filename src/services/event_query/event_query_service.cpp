#include "services/event_query/event_query_service.h"

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <spdlog/spdlog.h>

#include "platform/bus/consumer.h"
#include "platform/db/database.h"
#include "platform/metrics/registry.h"
#include "services/event_query/api/api.h"
#include "services/event_query/live/change_listener.h"
#include "services/event_query/settings.h"
#include "services/event_query/store/projector.h"

namespace ticketly::migrations {
std::span<const db::MigrationFile> event_query();  // generated from migrations/event_query/
}

namespace ticketly::event_query {
namespace {

// Wiring: the projection consumes the bus into the read model; the HTTP API reads it
// through the response caches; the change listener keeps caches and SSE streams current.
class EventQueryService final : public service::Service {
 public:
  explicit EventQueryService(service::ServiceContext& context)
      : api_(context.database, *context.verifier, load_settings(context.config)),
        projector_(context.database),
        listener_(context.io.context(0), context.database.pool(0).options().conninfo, api_.catalog_cache,
                  api_.seat_map_cache, api_.documents, api_.hub) {
    projector_.subscribe(*context.consumer);
    register_metrics(context.metrics);
  }

  void register_routes(http::Router& router) override {
    event_query::register_routes(api_, router, std::string(descriptor().base_path));
  }
  void start() override { listener_.start(); }
  void stop() override {
    listener_.stop();
    api_.hub.close_all();
    // Requests have finished (the server drained first); background refreshes may not have.
    if (!api_.refreshes.wait(std::chrono::seconds(10))) {
      spdlog::warn("event-query: {} cache refreshes still running at stop", api_.refreshes.running());
    }
  }

 private:
  void register_metrics(metrics::Registry& m) {
    m.gauge_callback("ticketly_event_query_sse_subscribers", "Open seat-status event streams.", {},
                     [this] { return static_cast<double>(api_.hub.subscribers()); });
    m.gauge_callback("ticketly_event_query_change_listener_connected",
                     "1 while the change listener is connected (caches are on).", {},
                     [this] { return listener_.connected() ? 1.0 : 0.0; });
    m.counter_callback("ticketly_event_query_cache_hits_total", "Cache hits.", {{"cache", "responses"}},
                       [this] { return static_cast<double>(api_.catalog_cache.hits()); });
    m.counter_callback("ticketly_event_query_cache_hits_total", "Cache hits.", {{"cache", "seat_maps"}},
                       [this] { return static_cast<double>(api_.seat_map_cache.hits()); });
    m.counter_callback("ticketly_event_query_cache_hits_total", "Cache hits.", {{"cache", "documents"}},
                       [this] { return static_cast<double>(api_.documents.hits()); });
    m.counter_callback("ticketly_event_query_cache_misses_total", "Cache misses.", {{"cache", "responses"}},
                       [this] { return static_cast<double>(api_.catalog_cache.misses()); });
    m.counter_callback("ticketly_event_query_cache_misses_total", "Cache misses.", {{"cache", "seat_maps"}},
                       [this] { return static_cast<double>(api_.seat_map_cache.misses()); });
    m.counter_callback("ticketly_event_query_cache_misses_total", "Cache misses.", {{"cache", "documents"}},
                       [this] { return static_cast<double>(api_.documents.misses()); });
    m.counter_callback("ticketly_event_query_cache_stale_total",
                       "Responses served stale while one background refresh replaced them.", {{"cache", "responses"}},
                       [this] { return static_cast<double>(api_.catalog_cache.stale_hits()); });
    m.counter_callback("ticketly_event_query_cache_stale_total",
                       "Responses served stale while one background refresh replaced them.", {{"cache", "seat_maps"}},
                       [this] { return static_cast<double>(api_.seat_map_cache.stale_hits()); });
  }

  Api api_;
  Projector projector_;
  ChangeListener listener_;
};

}  // namespace

const service::ServiceDescriptor& descriptor() {
  static const service::ServiceDescriptor d{
      "event-query", "event_query", "/api/event-query", 8082, &migrations::event_query,
      [](service::ServiceContext& c) -> std::unique_ptr<service::Service> { return std::make_unique<EventQueryService>(c); }};
  return d;
}

}  // namespace ticketly::event_query
