#pragma once
// Parsed event documents shared by every worker, keyed by event id; the change listener
// drops an event's entry when its snapshot changes.
#include <cstddef>

#include "services/event_query/live/response_cache.h"
#include "services/event_query/store/read_store.h"

namespace ticketly::event_query {

// Parsed JSON takes several times its text: measured 5.5x for a 10,000-seat event (1.4 MB
// of text, 7.6 MB of nlohmann values); 6 keeps the estimate on the safe side.
inline constexpr std::size_t kParsedBytesPerTextByte = 6;

// What a document is charged against the byte budget: an estimate from its text, since
// walking the parsed value to measure it would cost as much as the parse.
inline std::size_t cache_weight(const StoredEvent& e) {
  return sizeof(StoredEvent) + e.status.size() + e.owner_id.size() + kParsedBytesPerTextByte * e.text_bytes;
}

using DocumentCache = SharedCache<StoredEvent>;

}  // namespace ticketly::event_query
