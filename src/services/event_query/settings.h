#pragma once
// The event-query service's own settings (environment; README table):
//
//   TICKETLY_EVENT_QUERY_CACHE_TTL            catalog responses kept at most    10s
//   TICKETLY_EVENT_QUERY_SEATMAP_CACHE_TTL    seat maps kept at most            60s
//   TICKETLY_EVENT_QUERY_CACHE_STALE          past its TTL a response may still be served while
//                                             one background refresh replaces it (0: never)  10s
//   TICKETLY_EVENT_QUERY_CACHE_BYTES          catalog responses (searches, views) held at most  256MiB
//   TICKETLY_EVENT_QUERY_SEATMAP_CACHE_BYTES  seat maps (with their gzip copies) held at most   1GiB
//   TICKETLY_EVENT_QUERY_DOCUMENT_CACHE_BYTES parsed event documents held at most (estimated)  1GiB
//   TICKETLY_EVENT_QUERY_SSE_MAX_SUBSCRIBERS  seat-status streams per process   20000
//   TICKETLY_EVENT_QUERY_SSE_MAX_PER_CLIENT   streams per client address        32
//   TICKETLY_EVENT_QUERY_SSE_QUEUE_BYTES      bytes queued per stream before RESYNC  256KiB
//   TICKETLY_EVENT_QUERY_SSE_HEARTBEAT        ": ping" when idle                15s
//   TICKETLY_EVENT_QUERY_TRENDING_INTERVAL    trending scores older than this are recomputed on read  6h
//   TICKETLY_EVENT_QUERY_VIEW_WINDOW          one counted page view per client and event per window  60s
//   TICKETLY_EVENT_QUERY_VIEWS_PER_CLIENT     page-view requests per client and window (then 429)  120
#include <chrono>
#include <cstddef>

#include "platform/config/source.h"

namespace ticketly::event_query {

struct Settings {
  std::chrono::milliseconds cache_ttl{10000};
  std::chrono::milliseconds seat_map_cache_ttl{60000};
  std::chrono::milliseconds cache_stale{10000};
  std::size_t cache_bytes = std::size_t{256} << 20;
  std::size_t seat_map_cache_bytes = std::size_t{1} << 30;
  std::size_t document_cache_bytes = std::size_t{1} << 30;
  std::size_t sse_max_subscribers = 20000;
  std::size_t sse_max_per_client = 32;
  std::size_t sse_queue_bytes = 256 * 1024;
  std::chrono::milliseconds sse_heartbeat{15000};
  std::chrono::milliseconds trending_interval{6 * 3600 * 1000};
  std::chrono::milliseconds view_window{60000};
  std::size_t views_per_client = 120;
};

// Throws config::ConfigError listing every bad value.
Settings load_settings(const config::Source& source);

}  // namespace ticketly::event_query
