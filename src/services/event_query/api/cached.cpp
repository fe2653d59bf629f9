// Cached responses on the wire (see cached.h), and the background-work counter.
#include "services/event_query/api/cached.h"

#include <spdlog/spdlog.h>

#include "platform/errors.h"
#include "platform/http/conditional.h"
#include "services/event_query/live/gzip.h"

namespace ticketly::event_query {

http::Response respond(const http::Request& req, const Body& body) {
  const bool gz = body->has_gzip() && accepts_gzip(req.header(http::Field::accept_encoding));
  const std::string& etag = gz ? body->gzip_etag : body->etag;
  const auto condition = req.header(http::Field::if_none_match);
  http::Response r;
  if (!condition.empty() && http::if_none_match(condition, etag)) {
    r = http::Response::not_modified();
  } else {
    // Aliasing constructor: the response keeps the whole entry alive and sends one string of it.
    r = http::Response::json_shared(200, std::shared_ptr<const std::string>(body, gz ? &body->gzip : &body->json),
                                    gz ? body->gzip_file : body->json_file);
    if (gz) r.set(http::Field::content_encoding, "gzip");
  }
  r.set(http::Field::etag, etag);
  // Browsers may keep the body but must revalidate (a cheap 304) before using it.
  r.set(http::Field::cache_control, "no-cache");
  if (body->has_gzip()) r.set(http::Field::vary, "Accept-Encoding");
  return r;
}

Body json_body(const json::Json& view) { return make_cached_body(json::dump(view)); }

namespace detail {
void log_refresh_failure(const std::string& key, const std::exception& e) {
  // A view that stopped existing (404) is dropped by the change that caused it; anything
  // else (the database) is worth a line. Either way the stale entry stays until its window ends.
  if (const auto* err = dynamic_cast<const Error*>(&e); err && err->status() < 500) {
    spdlog::debug("event-query: background refresh of {}: {}", key, e.what());
  } else {
    spdlog::warn("event-query: background refresh of {} failed: {}", key, e.what());
  }
}
}  // namespace detail

void BackgroundWork::begin() {
  std::lock_guard lock(mutex_);
  ++running_;
}

void BackgroundWork::end() {
  std::lock_guard lock(mutex_);
  if (--running_ == 0) idle_.notify_all();
}

bool BackgroundWork::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, timeout, [&] { return running_ == 0; });
}

std::size_t BackgroundWork::running() const {
  std::lock_guard lock(mutex_);
  return running_;
}

}  // namespace ticketly::event_query
