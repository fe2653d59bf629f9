#include "platform/http/sse.h"

#include <gtest/gtest.h>

#include "platform/errors.h"
#include "platform/http/request.h"

namespace ticketly::http {
namespace {

TEST(SseEvent, SerializesWithLfFramingAndOneDataLinePerLine) {
  SseEvent e{"LOCKED", "{\"a\":1}\nsecond\r\nthird", "7"};
  EXPECT_EQ(e.serialize(), "id: 7\nevent: LOCKED\ndata: {\"a\":1}\ndata: second\ndata: third\n\n");
}

TEST(SseStream, SlowClientGetsResyncInsteadOfUnboundedQueue) {
  const std::size_t event_bytes = SseEvent{"A", "1", ""}.serialize().size();  // 18
  SseStream s(SseOptions{.max_queued_bytes = 2 * event_bytes});
  EXPECT_TRUE(s.push({"A", "1", ""}));
  EXPECT_TRUE(s.push({"A", "2", ""}));
  EXPECT_TRUE(s.push({"A", "3", ""}));  // overflow: the queue is dropped
  auto b = s.take();
  EXPECT_EQ(b.bytes, "event: RESYNC\ndata: {}\n\n");
  EXPECT_TRUE(s.push({"A", "4", ""}));
  EXPECT_EQ(s.take().bytes, "event: A\ndata: 4\n\n");
}

// The bound is bytes: a burst of many small events fits where a few large ones do not.
TEST(SseStream, TheQueueIsBoundedInBytesNotEvents) {
  SseStream s(SseOptions{.max_queued_bytes = 1024});
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(s.push({"A", std::to_string(i), ""}));  // ~20 bytes each
  auto burst = s.take().bytes;
  EXPECT_EQ(burst.find("RESYNC"), std::string::npos);
  EXPECT_NE(burst.find("data: 49\n"), std::string::npos);
  EXPECT_TRUE(s.push({"A", std::string(600, 'x'), ""}));
  EXPECT_TRUE(s.push({"A", std::string(600, 'y'), ""}));  // 1,200+ bytes: overflow
  auto dropped = s.take().bytes;
  EXPECT_EQ(dropped.rfind("event: RESYNC\n", 0), 0u);
  EXPECT_EQ(dropped.find("xxx"), std::string::npos);
  // Taking empties the queue, so the same amount fits again.
  EXPECT_TRUE(s.push({"A", std::string(600, 'z'), ""}));
  EXPECT_EQ(s.take().bytes.find("RESYNC"), std::string::npos);
}

TEST(SseStream, ClosedStreamRefusesEventsAndRunsOnCloseOnce) {
  SseStream s;
  int calls = 0;
  s.on_close([&] { ++calls; });
  int wakes = 0;
  s.set_waker([&] { ++wakes; });
  s.push({"A", "1", ""});
  EXPECT_EQ(wakes, 1);
  s.close();
  EXPECT_FALSE(s.push({"A", "2", ""}));
  EXPECT_TRUE(s.take().closed);
  s.finish();
  s.finish();
  EXPECT_EQ(calls, 1);
  int late = 0;
  s.on_close([&] { ++late; });  // registering after the end runs at once
  EXPECT_EQ(late, 1);
}

TEST(QueryParams, DecodesAndTypesValues) {
  auto q = QueryParams::parse("searchTerm=rock+%26+roll&page=2&size=&flag=true&id=0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
  EXPECT_EQ(q.get("searchTerm"), "rock & roll");
  EXPECT_EQ(q.integer("page", 0, 100), 2);
  EXPECT_FALSE(q.integer("size", 1, 100));
  EXPECT_EQ(q.boolean("flag"), true);
  EXPECT_TRUE(q.uuid("id"));
}

TEST(QueryParams, BadValuesAre400NamingTheParameter) {
  auto q = QueryParams::parse("page=-1&id=x&flag=maybe");
  try {
    q.integer("page", 0, 100);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_EQ(std::string(e.what()), "Query parameter 'page' must be an integer between 0 and 100");
  }
  EXPECT_THROW(q.uuid("id"), Error);
  EXPECT_THROW(q.boolean("flag"), Error);
  EXPECT_THROW(QueryParams::parse("a=%G1"), Error);
}

TEST(QueryParams, PercentEncodedNulIs400) {
  for (const char* query : {"searchTerm=a%00b", "a%00=1"}) {
    try {
      QueryParams::parse(query);
      ADD_FAILURE() << query;
    } catch (const Error& e) {
      EXPECT_EQ(e.status(), 400);
      EXPECT_EQ(std::string(e.what()), "The query string must not contain a NUL character (%00)");
    }
  }
}

}  // namespace
}  // namespace ticketly::http
