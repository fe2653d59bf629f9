#pragma once
// The standard process_* metrics every Prometheus client exports, read from /proc at
// scrape time so they cost nothing between scrapes.
#include "platform/metrics/registry.h"

namespace ticketly::metrics {

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds and process_threads. Calling it again is harmless (the
// callbacks are replaced). Where /proc is unreadable the series are left out of scrapes.
void register_process_metrics(Registry& registry);

}  // namespace ticketly::metrics
