// Serving from the response cache (api/cached.h) on an io_context driven by hand: builds wait
// on a gate the test opens, the cache runs on a manual clock — nothing depends on timing.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "services/event_query/api/cached.h"
#include "services/event_query/live/gzip.h"

namespace ticketly::event_query {
namespace {

using namespace std::chrono_literals;

// Stands in for Api: what cached.h needs, plus a gated, counting build.
struct FakeApi {
  explicit FakeApi(asio::io_context& io, std::string prefix) : flight_prefix(std::move(prefix)), gate(io) {
    gate.expires_at(asio::steady_timer::time_point::max());
  }
  BackgroundWork refreshes;
  std::string flight_prefix;
  asio::steady_timer gate;
  bool open = false;
  bool fail = false;
  int builds = 0;
  std::string next = "new";

  void open_gate() {
    open = true;
    gate.cancel();
  }
};

asio::awaitable<Body> gated_build(FakeApi& api) {
  ++api.builds;
  const std::string read = api.next;  // what the database held when the build read it
  while (!api.open) {
    boost::system::error_code ec;
    co_await api.gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (api.fail) throw std::runtime_error("database down");
  co_return make_cached_body("\"" + read + "\"");
}

struct Harness {
  explicit Harness(std::string prefix) : api(io, std::move(prefix)) {}

  asio::io_context io;
  std::chrono::steady_clock::time_point now{std::chrono::hours(1)};
  ResponseCache cache{CacheOptions{.ttl = 10s, .stale = 5s, .now = [this] { return now; }}};
  FakeApi api;
  const std::string key = "k";
  std::function<asio::awaitable<Body>(FakeApi&)> build = [](FakeApi& a) { return gated_build(a); };
  std::vector<std::string> answers;  // the bodies requests got, in completion order

  void request() {
    asio::co_spawn(io, cached_body(api, cache, key, build), [this](std::exception_ptr e, Body body) {
      answers.push_back(e ? "error" : body->json);
    });
  }
  void run_ready() {  // runs whatever is ready now; gated builds stay suspended
    io.restart();
    io.poll();
  }
  void seed(std::string json) { cache.store(key, cache.ticket(key), make_cached_body(std::move(json))); }
};

TEST(EventQueryCachedResponses, ColdMissesWaitForOneBuild) {
  Harness h("cold:");
  for (int i = 0; i < 3; ++i) h.request();
  h.run_ready();
  EXPECT_EQ(h.api.builds, 1);
  EXPECT_TRUE(h.answers.empty());  // everyone waits for the one build
  h.api.open_gate();
  h.run_ready();
  EXPECT_EQ(h.answers, (std::vector<std::string>{"\"new\"", "\"new\"", "\"new\""}));
  EXPECT_EQ(h.api.builds, 1);
  EXPECT_FALSE(h.cache.lookup(h.key).stale);
}

// A request that arrives after an invalidation does not join a build that began before it:
// that build read the old data, and a client re-fetching because of the change (an SSE
// RESYNC, a subscriber that just connected) would never see the change.
TEST(EventQueryCachedResponses, ARequestAfterAnInvalidationDoesNotJoinAnOlderBuild) {
  Harness h("after:");
  h.api.next = "old";
  h.request();
  h.run_ready();
  EXPECT_EQ(h.api.builds, 1);  // read "old", waiting
  h.api.next = "new";          // the change commits ...
  h.cache.invalidate(h.key);   // ... and the listener drops the entry
  h.request();
  h.run_ready();
  EXPECT_EQ(h.api.builds, 2);  // a build of its own
  h.api.open_gate();
  h.run_ready();
  ASSERT_EQ(h.answers.size(), 2u);
  EXPECT_EQ(std::count(h.answers.begin(), h.answers.end(), "\"new\""), 1) << h.answers[0] << h.answers[1];
  auto found = h.cache.lookup(h.key);
  ASSERT_NE(found.value, nullptr);
  EXPECT_EQ(found.value->json, "\"new\"");  // the older build's result was not stored
}

TEST(EventQueryCachedResponses, StaleIsServedAtOnceWhileOneBackgroundRefreshRuns) {
  Harness h("stale:");
  h.seed("\"old\"");
  h.now += 11s;
  for (int i = 0; i < 3; ++i) h.request();
  h.run_ready();
  EXPECT_EQ(h.answers, (std::vector<std::string>{"\"old\"", "\"old\"", "\"old\""}));  // nobody waited
  EXPECT_EQ(h.api.builds, 1);  // exactly one refresh, still running
  EXPECT_EQ(h.api.refreshes.running(), 1u);
  h.api.open_gate();
  h.run_ready();
  EXPECT_EQ(h.api.refreshes.running(), 0u);
  auto found = h.cache.lookup(h.key);
  ASSERT_NE(found.value, nullptr);
  EXPECT_EQ(found.value->json, "\"new\"");
  EXPECT_FALSE(found.stale);
  h.request();
  h.run_ready();
  EXPECT_EQ(h.answers.back(), "\"new\"");
  EXPECT_EQ(h.api.builds, 1);
}

TEST(EventQueryCachedResponses, BeyondTheStaleWindowRequestsWait) {
  Harness h("beyond:");
  h.seed("\"old\"");
  h.now += 16s;
  h.request();
  h.run_ready();
  EXPECT_TRUE(h.answers.empty());
  EXPECT_EQ(h.api.builds, 1);
  h.api.open_gate();
  h.run_ready();
  EXPECT_EQ(h.answers, (std::vector<std::string>{"\"new\""}));
}

TEST(EventQueryCachedResponses, AFailedRefreshKeepsTheStaleCopyAndIsRetried) {
  Harness h("failed:");
  h.seed("\"old\"");
  h.now += 11s;
  h.api.fail = true;
  h.api.open_gate();
  h.request();
  h.run_ready();
  EXPECT_EQ(h.answers, (std::vector<std::string>{"\"old\""}));
  EXPECT_EQ(h.api.builds, 1);
  EXPECT_EQ(h.api.refreshes.running(), 0u);
  h.api.fail = false;
  h.request();  // the claim ended with the failure: this request refreshes again
  h.run_ready();
  EXPECT_EQ(h.answers.back(), "\"old\"");
  EXPECT_EQ(h.api.builds, 2);
  EXPECT_EQ(h.cache.lookup(h.key).value->json, "\"new\"");
}

http::Request get(std::initializer_list<std::pair<http::Field, std::string>> headers = {}) {
  http::Request req;
  req.message.method(http::Verb::get);
  for (const auto& [f, v] : headers) req.message.insert(f, v);
  return req;
}

TEST(EventQueryCachedResponses, RespondsWithTheSharedBodyAndItsValidator) {
  const auto body = make_cached_body(R"({"a":1})");
  auto res = respond(get(), body);
  EXPECT_EQ(res.status(), 200);
  EXPECT_EQ(res.shared_body.get(), &body->json);  // sent from the cache, not copied
  EXPECT_EQ(res.body(), R"({"a":1})");
  EXPECT_EQ(res.message[http::Field::content_type], "application/json");
  EXPECT_EQ(res.message[http::Field::etag], body->etag);
  EXPECT_EQ(res.message[http::Field::cache_control], "no-cache");
  EXPECT_EQ(res.message[http::Field::vary], "");  // one representation only
  EXPECT_EQ(body->etag.size(), 24u);  // "…22 base64url characters…"
  EXPECT_EQ(make_cached_body(R"({"a":1})")->etag, body->etag);  // a content hash
  EXPECT_NE(make_cached_body(R"({"a":2})")->etag, body->etag);
}

TEST(EventQueryCachedResponses, AMatchingIfNoneMatchGets304WithoutABody) {
  const auto body = make_cached_body(R"({"a":1})");
  auto res = respond(get({{http::Field::if_none_match, "\"other\", " + body->etag}}), body);
  EXPECT_EQ(res.status(), 304);
  EXPECT_EQ(res.body(), "");
  EXPECT_EQ(res.message[http::Field::etag], body->etag);
  EXPECT_EQ(respond(get({{http::Field::if_none_match, "W/" + body->etag}}), body).status(), 304);
  EXPECT_EQ(respond(get({{http::Field::if_none_match, "\"other\""}}), body).status(), 200);
}

TEST(EventQueryCachedResponses, GzipAndPlainVariantsHaveTheirOwnETags) {
  std::string json = "[";
  for (int i = 0; i < 500; ++i) json += R"({"status":"AVAILABLE"},)";
  json += "1]";
  const auto body = make_cached_body(json, kSeatMapGzipLevel);
  ASSERT_TRUE(body->has_gzip());
  EXPECT_NE(body->gzip_etag, body->etag);

  auto packed = respond(get({{http::Field::accept_encoding, "gzip, br"}}), body);
  EXPECT_EQ(packed.status(), 200);
  EXPECT_EQ(packed.shared_body.get(), &body->gzip);
  EXPECT_EQ(packed.message[http::Field::content_encoding], "gzip");
  EXPECT_EQ(packed.message[http::Field::etag], body->gzip_etag);
  EXPECT_EQ(packed.message[http::Field::vary], "Accept-Encoding");

  auto plain = respond(get(), body);
  EXPECT_EQ(plain.shared_body.get(), &body->json);
  EXPECT_EQ(plain.message[http::Field::content_encoding], "");
  EXPECT_EQ(plain.message[http::Field::etag], body->etag);
  EXPECT_EQ(plain.message[http::Field::vary], "Accept-Encoding");

  // A validator of one variant does not validate the other.
  EXPECT_EQ(respond(get({{http::Field::accept_encoding, "gzip"}, {http::Field::if_none_match, body->etag}}), body)
                .status(),
            200);
  EXPECT_EQ(
      respond(get({{http::Field::accept_encoding, "gzip"}, {http::Field::if_none_match, body->gzip_etag}}), body)
          .status(),
      304);
  EXPECT_EQ(respond(get({{http::Field::if_none_match, body->gzip_etag}}), body).status(), 200);
}

TEST(EventQueryCachedResponses, ALargeBodyIsSentFromAFileOfEachEncoding) {
  // A seat map's size: both encodings at least BodyFile::kMinimumSize.
  std::string json = "[";
  for (int i = 0; json.size() < 16 * http::BodyFile::kMinimumSize; ++i) {
    json += R"({"id":")" + std::to_string(i * 7919 % 100003) + R"(","status":"AVAILABLE"},)";
  }
  json.back() = ']';
  const auto body = make_cached_body(json, kSeatMapGzipLevel);
  ASSERT_TRUE(body->has_gzip());
  ASSERT_GE(body->gzip.size(), http::BodyFile::kMinimumSize);
  ASSERT_NE(body->json_file, nullptr);
  ASSERT_NE(body->gzip_file, nullptr);
  EXPECT_EQ(body->json_file->size(), body->json.size());
  EXPECT_EQ(body->gzip_file->size(), body->gzip.size());
  // The cache's byte bound counts the files too: they are a second copy in memory.
  EXPECT_GE(cache_weight(*body), 2 * (body->json.size() + body->gzip.size()));

  auto plain = respond(get(), body);
  EXPECT_EQ(plain.body_file, body->json_file);
  auto packed = respond(get({{http::Field::accept_encoding, "gzip"}}), body);
  EXPECT_EQ(packed.body_file, body->gzip_file);
  EXPECT_EQ(packed.shared_body.get(), &body->gzip);

  // A small body has none: it is written from memory.
  const auto small = make_cached_body(R"({"a":1})", kSeatMapGzipLevel);
  EXPECT_EQ(small->json_file, nullptr);
  EXPECT_EQ(small->gzip_file, nullptr);
  EXPECT_EQ(respond(get(), small).body_file, nullptr);
}

}  // namespace
}  // namespace ticketly::event_query
