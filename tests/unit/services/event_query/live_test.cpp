// The SSE hub, the projector's NOTIFY payloads, the view limiter and gzip, without a server
// (the response cache: response_cache_test.cpp, cached_test.cpp).
#include <gtest/gtest.h>

#include <thread>

#include "platform/errors.h"
#include "services/event_query/api/api.h"
#include "services/event_query/live/seat_hub.h"
#include "services/event_query/store/projector.h"

namespace ticketly::event_query {
namespace {

TEST(EventQuerySeatHub, FansOutInOrderToEverySubscriberOfTheSession) {
  SeatHub hub(SeatHubOptions{});
  auto a = hub.subscribe("s1", "10.0.0.1");
  auto b = hub.subscribe("s1", "10.0.0.2");
  auto other = hub.subscribe("s2", "10.0.0.1");
  EXPECT_EQ(hub.publish("s1", "LOCKED", {"x", "y"}), 2u);
  EXPECT_EQ(hub.publish("s1", "BOOKED", {"x"}), 2u);
  const std::string expected =
      "event: LOCKED\ndata: {\"seatIds\":[\"x\",\"y\"],\"status\":\"LOCKED\"}\n\n"
      "event: BOOKED\ndata: {\"seatIds\":[\"x\"],\"status\":\"BOOKED\"}\n\n";
  EXPECT_EQ(a->take().bytes, expected);
  EXPECT_EQ(b->take().bytes, expected);
  EXPECT_EQ(other->take().bytes, "");
}

TEST(EventQuerySeatHub, SlowSubscriberGetsResyncWithoutAffectingOthers) {
  SeatHubOptions o;
  // Room for four of the events below ("seat0".."seat8" serialize to the same size).
  o.queue_bytes_per_subscriber =
      4 * http::SseEvent{"LOCKED", R"({"seatIds":["seat0"],"status":"LOCKED"})", ""}.serialize().size();
  SeatHub hub(o);
  auto slow = hub.subscribe("s1", "a");
  auto fast = hub.subscribe("s1", "b");
  for (int i = 0; i < 9; ++i) {
    hub.publish("s1", "LOCKED", {"seat" + std::to_string(i)});
    if (i % 2 == 1) {
      EXPECT_NE(fast->take().bytes.find("seat" + std::to_string(i)), std::string::npos);
    }
  }
  auto bytes = slow->take().bytes;
  EXPECT_EQ(bytes.rfind("event: RESYNC\n", 0), 0u) << bytes;
  EXPECT_EQ(bytes.find("seat4"), std::string::npos);  // dropped: the client re-fetches the map instead
  EXPECT_NE(bytes.find("seat8"), std::string::npos);  // what came after the overflow is still delivered
}

TEST(EventQuerySeatHub, ResyncReachesOnlyTheSessionsSubscribers) {
  SeatHub hub(SeatHubOptions{});
  auto a = hub.subscribe("s1", "10.0.0.1");
  auto b = hub.subscribe("s1", "10.0.0.2");
  auto other = hub.subscribe("s2", "10.0.0.1");
  EXPECT_EQ(hub.resync("s1"), 2u);
  EXPECT_EQ(hub.resync("nobody"), 0u);
  const std::string expected = "event: RESYNC\ndata: {\"sessionId\":\"s1\"}\n\n";
  EXPECT_EQ(a->take().bytes, expected);
  EXPECT_EQ(b->take().bytes, expected);
  EXPECT_EQ(other->take().bytes, "");
}

TEST(EventQuerySeatHub, CapsStreamsPerClientAndReleasesThemOnClose) {
  SeatHubOptions o;
  o.max_per_client = 2;
  SeatHub hub(o);
  auto a = hub.subscribe("s1", "1.2.3.4");
  auto b = hub.subscribe("s2", "1.2.3.4");
  try {
    hub.subscribe("s3", "1.2.3.4");
    FAIL() << "a third stream was allowed";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 429);
  }
  auto c = hub.subscribe("s3", "5.6.7.8");  // another client is not affected
  EXPECT_EQ(hub.subscribers(), 3u);
  a->finish();  // the client went away: the connection ends the stream
  EXPECT_EQ(hub.subscribers_of("s1"), 0u);
  EXPECT_EQ(hub.subscribers(), 2u);
  EXPECT_NO_THROW(hub.subscribe("s3", "1.2.3.4"));
}

TEST(EventQuerySeatHub, ProcessWideCap) {
  SeatHubOptions o;
  o.max_subscribers = 1;
  SeatHub hub(o);
  auto a = hub.subscribe("s1", "a");
  try {
    hub.subscribe("s1", "b");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 503);
  }
}

TEST(EventQueryProjector, SeatChangePayloadsStayUnderTheNotifyLimit) {
  std::vector<std::string> ids(1000, "0b5c6f7e-2f55-4c5e-9c3e-3f0e6f0c1a2b");
  auto payloads = seat_change_payloads("s", "BOOKED", 7, ids);
  std::size_t total = 0;
  for (const auto& p : payloads) {
    EXPECT_LT(p.size(), 8000u);
    total += json::Json::parse(p)["ids"].size();
  }
  EXPECT_EQ(total, 1000u);
}

// PostgreSQL folds identical notifications of one transaction into one: a batch that locks,
// releases and locks the same seats again must still notify three times.
TEST(EventQueryProjector, RepeatedSeatChangesOfOneBatchHaveDistinctPayloads) {
  const std::vector<std::string> ids{"0b5c6f7e-2f55-4c5e-9c3e-3f0e6f0c1a2b"};
  const auto first = seat_change_payloads("s", "LOCKED", 1, ids);
  const auto again = seat_change_payloads("s", "LOCKED", 3, ids);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(first[0], again[0]);
}

}  // namespace
}  // namespace ticketly::event_query

namespace ticketly::event_query {
namespace {

TEST(EventQueryViewLimiter, CountsOncePerClientAndEventAndCapsEachClient) {
  ViewLimiter limiter(std::chrono::seconds(60), 3);
  using V = ViewLimiter::Verdict;
  EXPECT_EQ(limiter.admit("1.1.1.1", "e1"), V::count);
  EXPECT_EQ(limiter.admit("1.1.1.1", "e1"), V::repeat);
  EXPECT_EQ(limiter.admit("2.2.2.2", "e1"), V::count);  // another client counts
  EXPECT_EQ(limiter.admit("1.1.1.1", "e2"), V::count);
  EXPECT_EQ(limiter.admit("1.1.1.1", "e3"), V::too_many);  // fourth request in the window
  EXPECT_EQ(limiter.admit("2.2.2.2", "e3"), V::count);
}

TEST(EventQueryViewLimiter, WindowsEnd) {
  ViewLimiter limiter(std::chrono::milliseconds(5), 1);
  EXPECT_EQ(limiter.admit("c", "e"), ViewLimiter::Verdict::count);
  EXPECT_EQ(limiter.admit("c", "e"), ViewLimiter::Verdict::too_many);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(limiter.admit("c", "e"), ViewLimiter::Verdict::count);
}

}  // namespace
}  // namespace ticketly::event_query

#include <zlib.h>

#include "services/event_query/live/gzip.h"

namespace ticketly::event_query {
namespace {

std::string gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  std::string out(16 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return out;
}

TEST(EventQueryGzip, RoundTripsAndShrinksRepetitiveJson) {
  std::string json = "[";
  for (int i = 0; i < 2000; ++i) json += R"({"status":"AVAILABLE","tier":{"name":"VIP","price":5000}},)";
  json += "1]";
  const auto packed = gzip(json);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
  EXPECT_LT(packed.size() * 10, json.size());
  EXPECT_EQ(gunzip(packed), json);
  EXPECT_EQ(gunzip(gzip("")), "");
}

TEST(EventQueryGzip, AcceptEncodingNegotiation) {
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, gzip;q=0.8"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("br, deflate"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.000"));
  EXPECT_FALSE(accepts_gzip("x-gzip-not"));
  // gzip's own item decides wherever it stands; "*" only speaks for codings not named.
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_TRUE(accepts_gzip("*;q=0, gzip"));
  EXPECT_TRUE(accepts_gzip("br;q=0, *"));
  // Codings and parameter names are case-insensitive; a weight is a number, not a prefix.
  EXPECT_TRUE(accepts_gzip("GZip"));
  EXPECT_FALSE(accepts_gzip("gzip; Q=0"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
  EXPECT_TRUE(accepts_gzip("gzip;level=9;q=1"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
}

TEST(EventQueryProjector, MapChangePayloadsNameEverySessionUnderTheNotifyLimit) {
  std::vector<std::string> ids;
  for (int i = 0; i < 400; ++i) ids.push_back(Uuid::random().str());
  auto payloads = map_change_payloads(ids);
  std::vector<std::string> named;
  for (const auto& p : payloads) {
    EXPECT_LT(p.size(), 8000u);
    auto j = json::Json::parse(p);
    EXPECT_EQ(j["k"], "m");
    for (const auto& id : j["ss"]) named.push_back(id.get<std::string>());
  }
  EXPECT_EQ(named, ids);
  EXPECT_TRUE(map_change_payloads({}).empty());
}

}  // namespace
}  // namespace ticketly::event_query
