// The event-query route table (API.md §2). Public unless a guard says otherwise.
#include <cstdint>

#include "platform/auth/guards.h"
#include "services/event_query/api/api.h"

namespace ticketly::event_query {

Api::Api(db::Database& database, auth::Verifier& v, const Settings& s)
    : db(database),
      verifier(v),
      settings(s),
      store(database),
      // Catalog responses: 256 MiB by default (searches are bounded in bytes since every
      // distinct parsed query is a key). A 10,000-seat map with its gzip copy is about 2.1 MB
      // and only real sessions have one: 1 GiB by default. Settings: CACHE_BYTES and
      // SEATMAP_CACHE_BYTES.
      catalog_cache(CacheOptions{.ttl = s.cache_ttl,
                                 .stale = s.cache_stale,
                                 .max_bytes_per_shard = s.cache_bytes / ResponseCache::kShards}),
      seat_map_cache(CacheOptions{.ttl = s.seat_map_cache_ttl,
                                  .stale = s.cache_stale,
                                  .max_entries_per_shard = 1024,
                                  .max_bytes_per_shard = s.seat_map_cache_bytes / ResponseCache::kShards}),
      documents(CacheOptions{.ttl = s.seat_map_cache_ttl,
                             .max_entries_per_shard = 1024,
                             .max_bytes_per_shard = s.document_cache_bytes / DocumentCache::kShards}),
      hub(SeatHubOptions{.max_subscribers = s.sse_max_subscribers,
                         .max_per_client = s.sse_max_per_client,
                         .queue_bytes_per_subscriber = s.sse_queue_bytes,
                         .heartbeat = s.sse_heartbeat}),
      views(s.view_window, s.views_per_client),
      flight_prefix(std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ":") {}

void register_routes(Api& api, http::Router& router, const std::string& base) {
  // Each route calls a plain coroutine function; the stored lambda itself is no coroutine.
  auto h = [&api](Handler fn) { return [&api, fn](http::Request& req) { return fn(api, req); }; };
  const http::RouteOptions user{.guard = auth::authenticated(api.verifier)};
  const http::RouteOptions small{.body_limit = 1024};
  const std::string events = base + "/v1/events";

  router.get(events + "/search", h(search_events));
  router.get(events + "/trending", h(trending_events));
  router.post(events + "/trending/recalculate", h(recalculate_trending),
              {.body_limit = 1024, .guard = auth::authenticated(api.verifier)});
  router.get(events + "/sessions/count", h(sessions_count));
  router.get(events + "/{eventId:uuid}/basic-info", h(event_basic_info));
  router.post(events + "/{eventId:uuid}/views", h(record_view), small);
  router.get(events + "/{eventId:uuid}/sessions", h(event_sessions));
  router.get(events + "/{eventId:uuid}/sessions/sessions-in-range", h(event_sessions_in_range));
  router.get(events + "/{eventId:uuid}/sessions/{sessionId:uuid}/discounts/public", h(session_public_discounts));
  router.get(events + "/{eventId:uuid}/sessions/{sessionId:uuid}/discounts/code/{code}", h(session_discount_by_code),
             user);
  router.get(events + "/sessions/{sessionId:uuid}/extended-info", h(session_extended_info));
  router.get(base + "/v1/sessions/{sessionId:uuid}/basic-info", h(session_basic_info));
  router.get(base + "/v1/sessions/{sessionId:uuid}/seating-map", h(session_seating_map));
  router.get(base + "/v1/sse/sessions/{sessionId:uuid}/seat-status", h(seat_status_stream));
  router.get(base + "/v1/categories", h(categories));
  router.get(base + "/v1/categories/parents", h(parent_categories));
  router.get(base + "/v1/analytics/events/{eventId:uuid}", h(event_analytics), user);
  router.get(base + "/v1/analytics/events/{eventId:uuid}/sessions", h(event_sessions_analytics), user);
  router.get(base + "/v1/analytics/events/{eventId:uuid}/sessions/{sessionId:uuid}", h(session_analytics), user);
  router.get(base + "/v1/analytics/events/{eventId:uuid}/sessions/{sessionId:uuid}/summary", h(session_analytics),
             user);
}

}  // namespace ticketly::event_query
