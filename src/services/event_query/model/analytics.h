#pragma once
// Organizer analytics (API.md §2 /v1/analytics/…), computed from the event document, the
// orders the order service published, and live seat states. Revenue is what customers
// actually paid: an order's discount is spread over its tickets in proportion to their
// list prices. The event's capacity and sell-out leave out cancelled sessions; a session's
// own figures are its own, cancelled or not. Pure: no I/O, unit-tested on a known dataset.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/time.h"
#include "services/event_query/store/read_store.h"

namespace ticketly::event_query::analytics {

json::Json event_summary(const json::Json& doc, const std::vector<StoredOrder>& orders);
json::Json sessions_summary(const json::Json& doc, const std::vector<StoredOrder>& orders);
// nullopt-free: the caller has checked that the session belongs to the event.
json::Json session_detail(const json::Json& doc, const json::Json& session, const std::vector<StoredOrder>& orders,
                          const std::map<std::string, std::string>& live, Timestamp now);

// ISO-8601 duration of the kind java.time.Duration prints: "PT26H3M", "PT0S", "-PT5M".
std::string iso_duration(std::chrono::seconds d);

}  // namespace ticketly::event_query::analytics
