#pragma once
// Parsed event documents shared by every worker, keyed by event id; the change listener
// drops an event's entry when its snapshot changes.
#include "services/event_query/live/response_cache.h"
#include "services/event_query/store/read_store.h"

namespace ticketly::event_query {

using DocumentCache = SharedCache<StoredEvent>;

}  // namespace ticketly::event_query
