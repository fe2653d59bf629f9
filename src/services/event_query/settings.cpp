#include "services/event_query/settings.h"

#include "platform/config/reader.h"

namespace ticketly::event_query {

Settings load_settings(const config::Source& source) {
  config::Reader r(source);
  Settings s;
  s.cache_ttl = r.duration("TICKETLY_EVENT_QUERY_CACHE_TTL", s.cache_ttl);
  s.seat_map_cache_ttl = r.duration("TICKETLY_EVENT_QUERY_SEATMAP_CACHE_TTL", s.seat_map_cache_ttl);
  s.cache_stale = r.duration("TICKETLY_EVENT_QUERY_CACHE_STALE", s.cache_stale);
  if (s.cache_stale > std::chrono::minutes(10)) {
    r.problem("TICKETLY_EVENT_QUERY_CACHE_STALE", "must be at most 10m (stale responses outlive their TTL by this much)");
  }
  // Budgets are split evenly over the caches' 32 shards, and a value larger than its shard's
  // share is never stored: seat maps need room for a 10,000-seat map and its gzip copy
  // (~2.1 MB) per shard, parsed documents for a 10,000-seat event (~8.4 MB by
  // document_cache.h's estimate) per shard.
  s.cache_bytes = r.bytes("TICKETLY_EVENT_QUERY_CACHE_BYTES", s.cache_bytes, std::size_t{32} << 20,
                          std::size_t{64} << 30);
  s.seat_map_cache_bytes = r.bytes("TICKETLY_EVENT_QUERY_SEATMAP_CACHE_BYTES", s.seat_map_cache_bytes,
                                   std::size_t{96} << 20, std::size_t{64} << 30);
  s.document_cache_bytes = r.bytes("TICKETLY_EVENT_QUERY_DOCUMENT_CACHE_BYTES", s.document_cache_bytes,
                                   std::size_t{320} << 20, std::size_t{64} << 30);
  s.sse_max_subscribers = static_cast<std::size_t>(
      r.integer("TICKETLY_EVENT_QUERY_SSE_MAX_SUBSCRIBERS", static_cast<std::int64_t>(s.sse_max_subscribers), 1, 1000000));
  s.sse_max_per_client = static_cast<std::size_t>(
      r.integer("TICKETLY_EVENT_QUERY_SSE_MAX_PER_CLIENT", static_cast<std::int64_t>(s.sse_max_per_client), 1, 1000000));
  // At least one seat change of the largest kind (a NOTIFY payload, < 8,000 bytes).
  s.sse_queue_bytes = r.bytes("TICKETLY_EVENT_QUERY_SSE_QUEUE_BYTES", s.sse_queue_bytes, 16 * 1024, 64 * 1024 * 1024);
  s.sse_heartbeat = r.duration("TICKETLY_EVENT_QUERY_SSE_HEARTBEAT", s.sse_heartbeat);
  if (s.sse_heartbeat > std::chrono::seconds(15) || s.sse_heartbeat < std::chrono::milliseconds(10)) {
    r.problem("TICKETLY_EVENT_QUERY_SSE_HEARTBEAT", "must be between 10ms and 15s");
  }
  s.trending_interval = r.duration("TICKETLY_EVENT_QUERY_TRENDING_INTERVAL", s.trending_interval);
  s.view_window = r.duration("TICKETLY_EVENT_QUERY_VIEW_WINDOW", s.view_window);
  s.views_per_client = static_cast<std::size_t>(
      r.integer("TICKETLY_EVENT_QUERY_VIEWS_PER_CLIENT", static_cast<std::int64_t>(s.views_per_client), 1, 1000000));
  r.finish();
  return s;
}

}  // namespace ticketly::event_query
