// Cached responses on the wire: ETag / If-None-Match revalidation (seat maps in both
// encodings, catalog views) and stale-while-revalidate past the TTL.
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "support/bus_test_support.h"
#include "support/event_query_support.h"

namespace ticketly::testing {
namespace {

using namespace std::chrono_literals;

class EventQueryCaching : public ::testing::Test {
 protected:
  // A short TTL and a long stale window: anything past 1 s is answered stale and refreshed.
  static void SetUpTestSuite() {
    app_ = TestApp::start({"event-query"}, {},
                          {{"TICKETLY_EVENT_QUERY_CACHE_TTL", "1s"},
                           {"TICKETLY_EVENT_QUERY_SEATMAP_CACHE_TTL", "1s"},
                           {"TICKETLY_EVENT_QUERY_CACHE_STALE", "10m"}});
    bus_ = std::make_unique<BusPublisher>(*app_);
  }
  static void TearDownTestSuite() {
    bus_.reset();
    app_.reset();
  }
  std::uint16_t port() const { return app_->port(); }
  static std::string map_path(const std::string& session) {
    return "/api/event-query/v1/sessions/" + session + "/seating-map";
  }
  // A counter of /metrics with the given labels, 0 if absent.
  double metric(const std::string& name, const std::string& labels) {
    const auto body = http_request(port(), "GET", "/metrics").body;
    const std::string prefix = "\n" + name + "{" + labels + "} ";
    auto pos = body.find(prefix);
    return pos == std::string::npos ? 0 : std::stod(body.substr(pos + prefix.size()));
  }
  double stale_served() { return metric("ticketly_event_query_cache_stale_total", "cache=\"responses\""); }

  static std::unique_ptr<TestApp> app_;
  static std::unique_ptr<BusPublisher> bus_;
};
std::unique_ptr<TestApp> EventQueryCaching::app_;
std::unique_ptr<BusPublisher> EventQueryCaching::bus_;

TEST_F(EventQueryCaching, SeatMapETagsRevalidatePerEncodingAndChangeWithSeatStatus) {
  EventBuilder b;
  const auto s = b.session();
  bus_->event(b.snapshot(1));
  auto plain = poll_get(port(), map_path(s.id), [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(plain.status, 200) << plain.body;
  const std::string etag = plain.header("etag");
  ASSERT_GE(etag.size(), 3u);
  EXPECT_EQ(etag.front(), '"');
  EXPECT_EQ(etag.back(), '"');
  EXPECT_EQ(plain.header("cache-control"), "no-cache");
  EXPECT_EQ(plain.header("vary"), "Accept-Encoding");

  // Revalidation on one keep-alive connection: the 304 is framed without a body.
  TestConnection c(port());
  auto same = c.request("GET", map_path(s.id), "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_EQ(same.body, "");
  EXPECT_EQ(same.header("etag"), etag);
  EXPECT_EQ(same.header("content-length"), "");
  auto again = c.request("GET", map_path(s.id));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, plain.body);

  // The gzip variant has a validator of its own.
  auto packed = c.request("GET", map_path(s.id), "", {{"Accept-Encoding", "gzip"}});
  ASSERT_EQ(packed.status, 200);
  EXPECT_EQ(packed.header("content-encoding"), "gzip");
  const std::string gz_etag = packed.header("etag");
  EXPECT_NE(gz_etag, etag);
  EXPECT_EQ(packed.header("vary"), "Accept-Encoding");
  EXPECT_EQ(c.request("GET", map_path(s.id), "", {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_etag}}).status,
            304);
  EXPECT_EQ(c.request("GET", map_path(s.id), "", {{"Accept-Encoding", "gzip"}, {"If-None-Match", etag}}).status, 200);
  EXPECT_EQ(c.request("GET", map_path(s.id), "", {{"If-None-Match", gz_etag}}).status, 200);

  // CORS adds Origin to what the response varies on.
  auto cors = http_request(port(), "GET", map_path(s.id), "", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(cors.header("vary"), "Accept-Encoding, Origin");

  // A seat change makes both validators stale.
  bus_->seats(seat_status_message(s.id, {s.seat_ids[0]}, "LOCKED", 1, Uuid::random().str()));
  auto changed = poll_get(
      port(), map_path(s.id), [](const HttpResult& r) { return r.status == 200; }, 10s, {{"If-None-Match", etag}});
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.header("etag"), etag);
  EXPECT_NE(changed.body.find("LOCKED"), std::string::npos);
  auto repacked = http_request(port(), "GET", map_path(s.id), "",
                               {{"Accept-Encoding", "gzip"}, {"If-None-Match", gz_etag}});
  EXPECT_EQ(repacked.status, 200);
  EXPECT_NE(repacked.header("etag"), gz_etag);
  EXPECT_EQ(http_request(port(), "GET", map_path(s.id), "", {{"If-None-Match", changed.header("etag")}}).status, 304);
}

TEST_F(EventQueryCaching, CatalogViewsRevalidateToo) {
  EventBuilder b;
  b.session();
  bus_->event(b.snapshot(1));
  const std::string path = "/api/event-query/v1/events/" + b.id() + "/basic-info";
  auto first = poll_get(port(), path, [](const HttpResult& r) { return r.status == 200; });
  ASSERT_EQ(first.status, 200);
  const std::string etag = first.header("etag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first.header("cache-control"), "no-cache");
  EXPECT_EQ(first.header("vary"), "");
  EXPECT_EQ(http_request(port(), "GET", path, "", {{"If-None-Match", etag}}).status, 304);
  b.title("Renamed");
  bus_->event(b.snapshot(2));
  auto renamed = poll_get(port(), path, [](const HttpResult& r) { return r.status == 200; }, 10s,
                          {{"If-None-Match", etag}});
  ASSERT_EQ(renamed.status, 200);
  EXPECT_EQ(renamed.json()["title"], "Renamed");
  EXPECT_NE(renamed.header("etag"), etag);
}

TEST_F(EventQueryCaching, AnExpiredSearchIsServedStaleAndRefreshedInTheBackground) {
  const std::string term = "swr" + Uuid::random().str().substr(0, 8);
  EventBuilder b;
  b.title("Stale While Revalidate " + term);
  b.session();
  bus_->event(b.snapshot(1));
  const std::string path = "/api/event-query/v1/events/search?searchTerm=" + term;
  auto first = poll_get(port(), path, [](const HttpResult& r) {
    return r.status == 200 && r.json()["totalElements"] == 1;
  });
  ASSERT_EQ(first.json()["totalElements"], 1) << first.body;

  // Past the 1 s TTL the entry is served stale. The entry may be younger than `first`: a
  // refresh claimed while the poll above ran can store it a moment later, so this waits for
  // the entry's own expiry rather than exactly 1.2 s after `first`.
  const double stale_before = stale_served();
  HttpResult stale;
  bool served_stale = false;
  for (int i = 0; i < 40 && !served_stale; ++i) {
    std::this_thread::sleep_for(i == 0 ? 1200ms : 100ms);
    stale = http_request(port(), "GET", path);
    served_stale = stale_served() >= stale_before + 1;
  }
  ASSERT_TRUE(served_stale);
  EXPECT_EQ(stale.status, 200);
  EXPECT_EQ(stale.body, first.body);
  EXPECT_EQ(stale.header("etag"), first.header("etag"));

  // The background refresh replaces the entry: soon a request is answered fresh again (the
  // stale counter stands still across it), with the same content and so the same ETag.
  bool fresh = false;
  for (int i = 0; i < 200 && !fresh; ++i) {
    const double before = stale_served();
    auto r = http_request(port(), "GET", path);
    EXPECT_EQ(r.header("etag"), first.header("etag"));
    fresh = stale_served() == before;
    if (!fresh) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(fresh);
}

// The search cache is keyed on the parsed query: unknown parameters and the order of known
// ones make no new entry (with raw query strings as keys, `&x=1`, `&x=2`… grew it at will).
TEST_F(EventQueryCaching, SearchesDifferingOnlyInUnknownParametersShareOneEntry) {
  const std::string term = "canon" + Uuid::random().str().substr(0, 8);
  const std::string base = "/api/event-query/v1/events/search?";
  const auto misses = [&] { return metric("ticketly_event_query_cache_misses_total", "cache=\"responses\""); };
  const double before = misses();
  auto first = http_request(port(), "GET", base + "searchTerm=" + term + "&x=1");
  ASSERT_EQ(first.status, 200) << first.body;
  for (const std::string& query : {"searchTerm=" + term + "&x=2", "x=3&size=20&searchTerm=" + term}) {
    auto again = http_request(port(), "GET", base + query);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.header("etag"), first.header("etag")) << query;
  }
  EXPECT_EQ(misses(), before + 1);
}

}  // namespace
}  // namespace ticketly::testing
