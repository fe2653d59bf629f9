#pragma once
// What the HTTP handlers of the event-query service share, and the handlers themselves
// (one plain coroutine function per route; api/routes.cpp is the table).
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>

#include "platform/http/request.h"
#include "platform/http/response.h"
#include "platform/http/router.h"
#include "services/event_query/live/response_cache.h"
#include "services/event_query/live/document_cache.h"
#include "services/event_query/live/seat_hub.h"
#include "services/event_query/settings.h"
#include "services/event_query/store/read_store.h"

namespace ticketly::auth {
class Verifier;
}

namespace ticketly::event_query {

namespace asio = boost::asio;

// The page-view counter's rate limit: one counted view per client address and event per
// window, and at most `per_client` view requests per client and window (more → 429).
class ViewLimiter {
 public:
  enum class Verdict { count, repeat, too_many };
  ViewLimiter(std::chrono::milliseconds window, std::size_t per_client) : window_(window), per_client_(per_client) {}
  Verdict admit(const std::string& client, const std::string& event_id);

 private:
  std::chrono::milliseconds window_;
  std::size_t per_client_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> seen_;
  struct Budget {
    std::chrono::steady_clock::time_point since;
    std::size_t used = 0;
  };
  std::unordered_map<std::string, Budget> budgets_;
  std::chrono::steady_clock::time_point last_sweep_{};
};

// Background work the service waits for before it stops (stale-while-revalidate refreshes
// outlive the requests that start them).
class BackgroundWork {
 public:
  void begin();
  void end();
  // True when nothing was left running within `timeout`.
  bool wait(std::chrono::milliseconds timeout);
  std::size_t running() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t running_ = 0;
};

struct Api {
  Api(db::Database& database, auth::Verifier& verifier, const Settings& settings);

  db::Database& db;
  auth::Verifier& verifier;
  Settings settings;
  ReadStore store;
  // Responses served fresh for their TTL, then stale for up to `cache_stale` while one
  // background refresh per key replaces them (api/cached.h).
  ResponseCache catalog_cache;
  ResponseCache seat_map_cache;
  // Parsed event documents by event id: a miss of any view costs one parse, not one per
  // request (a 10,000-seat event is megabytes of JSON).
  DocumentCache documents;
  SeatHub hub;
  ViewLimiter views;
  std::string flight_prefix;  // distinguishes this instance's single_flight keys
  BackgroundWork refreshes;
};

using Handler = asio::awaitable<http::Response> (*)(Api&, http::Request&);
using Document = std::shared_ptr<const StoredEvent>;

// The event (not deleted, any status), through the document cache; nullptr if unknown.
asio::awaitable<Document> event_document(Api& api, const Uuid& event_id);
// The event a session belongs to; nullptr if unknown.
asio::awaitable<Document> session_document(Api& api, const Uuid& session_id);
// Several events, in the order of `ids` (unknown ones left out).
asio::awaitable<std::vector<Document>> event_documents(Api& api, const std::vector<Uuid>& ids);

void register_routes(Api& api, http::Router& router, const std::string& base);

// Handlers (catalog_handlers.cpp, search_handlers.cpp, sse_handlers.cpp, analytics_handlers.cpp).
asio::awaitable<http::Response> event_basic_info(Api&, http::Request&);
asio::awaitable<http::Response> event_sessions(Api&, http::Request&);
asio::awaitable<http::Response> event_sessions_in_range(Api&, http::Request&);
asio::awaitable<http::Response> session_public_discounts(Api&, http::Request&);
asio::awaitable<http::Response> session_discount_by_code(Api&, http::Request&);
asio::awaitable<http::Response> session_extended_info(Api&, http::Request&);
asio::awaitable<http::Response> session_basic_info(Api&, http::Request&);
asio::awaitable<http::Response> session_seating_map(Api&, http::Request&);
asio::awaitable<http::Response> sessions_count(Api&, http::Request&);
asio::awaitable<http::Response> categories(Api&, http::Request&);
asio::awaitable<http::Response> parent_categories(Api&, http::Request&);
asio::awaitable<http::Response> search_events(Api&, http::Request&);
asio::awaitable<http::Response> trending_events(Api&, http::Request&);
asio::awaitable<http::Response> recalculate_trending(Api&, http::Request&);
asio::awaitable<http::Response> record_view(Api&, http::Request&);
asio::awaitable<http::Response> seat_status_stream(Api&, http::Request&);
asio::awaitable<http::Response> event_analytics(Api&, http::Request&);
asio::awaitable<http::Response> event_sessions_analytics(Api&, http::Request&);
asio::awaitable<http::Response> session_analytics(Api&, http::Request&);

}  // namespace ticketly::event_query
