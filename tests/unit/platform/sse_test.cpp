#include "platform/http/sse.h"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// A connection stand-in for the direct path: records what it "wrote" and answers as told.
struct FakeConnection {
  std::vector<std::string> written;
  SseStream::DirectWrite answer = SseStream::DirectWrite::Sent;
  SseStream::DirectWriter writer() {
    return [this](std::string_view bytes) {
      if (answer != SseStream::DirectWrite::NotSent) written.emplace_back(bytes);
      return answer;
    };
  }
};

// A stream attached to a fake connection on a worker (`io`, never run: the tests call
// deliver_here themselves, as fan_out's task would on the worker's thread).
class SseDirectWrite : public ::testing::Test {
 protected:
  SseDirectWrite() { s.attach(io.get_executor(), conn.writer()); }
  boost::asio::io_context io;
  SseStream s;
  FakeConnection conn;
};

TEST_F(SseDirectWrite, OnlyToAnIdleConnectionWithNothingQueued) {
  EXPECT_TRUE(s.deliver_here("a"));  // the connection has not idled yet: queued
  EXPECT_TRUE(conn.written.empty());
  EXPECT_FALSE(s.enter_idle());  // something is queued: it must take it first
  EXPECT_EQ(s.take().bytes, "a");
  EXPECT_TRUE(s.enter_idle());
  EXPECT_TRUE(s.deliver_here("b"));
  EXPECT_TRUE(s.deliver_here("c"));
  EXPECT_EQ(conn.written, (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(s.take().bytes.empty());
  // Another producer's event queues (and wakes the connection); what follows must not
  // overtake it on the direct path.
  EXPECT_TRUE(s.push_raw("d"));
  EXPECT_TRUE(s.deliver_here("e"));
  EXPECT_EQ(conn.written.size(), 2u);
  EXPECT_EQ(s.take().bytes, "de");
  // Awake (writing, e.g. a heartbeat), the connection owns the socket: queue.
  EXPECT_TRUE(s.enter_idle());
  s.leave_idle();
  EXPECT_TRUE(s.deliver_here("f"));
  EXPECT_EQ(conn.written.size(), 2u);
  EXPECT_EQ(s.take().bytes, "f");
}

TEST_F(SseDirectWrite, AfterAPartialOrRefusedOneLaterEventsQueue) {
  ASSERT_TRUE(s.enter_idle());
  conn.answer = SseStream::DirectWrite::Partial;  // the connection keeps the rest
  EXPECT_TRUE(s.deliver_here("a"));
  conn.answer = SseStream::DirectWrite::Sent;
  EXPECT_TRUE(s.deliver_here("b"));  // must wait behind a's rest
  EXPECT_EQ(conn.written, std::vector<std::string>{"a"});
  EXPECT_EQ(s.take().bytes, "b");
  ASSERT_TRUE(s.enter_idle());
  conn.answer = SseStream::DirectWrite::NotSent;  // a full socket buffer
  EXPECT_TRUE(s.deliver_here("c"));
  EXPECT_EQ(s.take().bytes, "c");
}

TEST_F(SseDirectWrite, NeverOnAFinishedStream) {
  ASSERT_TRUE(s.enter_idle());
  s.finish();
  EXPECT_FALSE(s.deliver_here("a"));
  EXPECT_TRUE(conn.written.empty());
  s.attach(io.get_executor(), conn.writer());  // too late: ignored
  EXPECT_FALSE(s.owner().has_value());
}

TEST(FanOut, OneTaskPerWorkerInPublicationOrderAndUnattachedStreamsAtOnce) {
  boost::asio::io_context worker;
  std::vector<std::shared_ptr<SseStream>> attached;
  std::vector<FakeConnection> conns(50);
  for (auto& c : conns) {
    auto s = std::make_shared<SseStream>();
    s->attach(worker.get_executor(), c.writer());
    ASSERT_TRUE(s->enter_idle());
    attached.push_back(s);
  }
  auto waiting = std::make_shared<SseStream>();  // its connection has not attached yet
  auto all = attached;
  all.push_back(waiting);
  fan_out(all, "1");
  fan_out(all, "2");
  EXPECT_EQ(waiting->take().bytes, "12");   // queued at once
  EXPECT_TRUE(conns[0].written.empty());    // on the worker's thread, later
  EXPECT_EQ(worker.run(), 2u);              // one task per publication, not per stream
  for (auto& c : conns) EXPECT_EQ(c.written, (std::vector<std::string>{"1", "2"}));
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
