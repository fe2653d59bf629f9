#pragma once
// Serving views from a ResponseCache (stale-while-revalidate):
//   fresh                    → served at once;
//   stale, within the window → served at once; the first such request per key and process
//                              starts the one background refresh that replaces the entry;
//   cold, or past the window → built once per worker (single flight) while requests wait.
// Changes that must be seen invalidate entries (ChangeListener), so they always take the
// cold path; only the TTL's clock-driven expiry is answered stale.
//
// `Ctx` is the Api (tests use a stand-in): it has `refreshes` (BackgroundWork) and
// `flight_prefix`. A Build is a copyable callable `(Ctx&) -> awaitable<Body>` that owns what it needs, since
// a refresh outlives the request that started it: a plain (non-coroutine) lambda capturing
// values that returns a coroutine *function* called with them. Never a coroutine lambda
// with by-value captures (g++ 12 destroys those twice).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include <cstdint>
#include <string>

#include "services/event_query/api/api.h"
#include "services/event_query/api/single_flight.h"

namespace ticketly::event_query {

using Body = std::shared_ptr<const CachedBody>;

// 200 with the body — gzipped when it has a gzip copy and the client accepts gzip — its
// ETag and `Cache-Control: no-cache`; 304 without a body when If-None-Match names that ETag.
// The body is shared with the cache, not copied.
http::Response respond(const http::Request& req, const Body& body);

// The JSON text of a view, wrapped for the cache.
Body json_body(const json::Json& view);

namespace detail {
void log_refresh_failure(const std::string& key, const std::exception& e);

template <class Ctx, class Build>
asio::awaitable<void> refresh(Ctx& api, ResponseCache& cache, std::string key, std::uint64_t claim, Build build) {
  try {
    const auto ticket = cache.ticket(key);
    auto body = co_await build(api);
    cache.store(key, ticket, std::move(body));
  } catch (const std::exception& e) {
    log_refresh_failure(key, e);
  }
  cache.end_refresh(key, claim);
  api.refreshes.end();
}
}  // namespace detail

// Runs the refresh a stale lookup claimed, detached, on the calling worker.
template <class Ctx, class Build>
asio::awaitable<void> start_refresh(Ctx& api, ResponseCache& cache, const std::string& key, std::uint64_t claim,
                                    const Build& build) {
  auto executor = co_await asio::this_coro::executor;
  api.refreshes.begin();
  asio::co_spawn(executor, detail::refresh(api, cache, key, claim, build), asio::detached);
}

// A cold fill: builds once per worker (single flight on `flight_key`), stores under `key`.
// The ticket is taken before the flight is joined, and its generation is part of the
// flight's key: a request that arrives after an invalidation never joins a build that
// read the database before it. That build's result is not stored; it must not be served
// to a client that re-fetched because of the change either (the change would be lost).
template <class Ctx, class Build>
asio::awaitable<Body> fill(Ctx& api, ResponseCache& cache, const std::string& key, const std::string& flight_key,
                           const Build& build) {
  const auto ticket = cache.ticket(key);  // before the database is read
  auto load = [&]() -> asio::awaitable<Body> {
    auto body = co_await build(api);
    cache.store(key, ticket, body);
    co_return body;
  };
  co_return co_await single_flight<CachedBody>(flight_name(api.flight_prefix + flight_key, ticket), load);
}

template <class Ctx, class Build>
asio::awaitable<Body> cached_body(Ctx& api, ResponseCache& cache, const std::string& key, const Build& build) {
  auto found = cache.lookup(key);
  if (found.refresh != 0) co_await start_refresh(api, cache, key, found.refresh, build);
  if (found.value) co_return found.value;
  co_return co_await fill(api, cache, key, key, build);
}

template <class Ctx, class Build>
asio::awaitable<http::Response> serve_cached(Ctx& api, const http::Request& req, ResponseCache& cache,
                                             const std::string& key, const Build& build) {
  auto body = co_await cached_body(api, cache, key, build);
  co_return respond(req, body);
}

}  // namespace ticketly::event_query
