#include "platform/http/wire.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>

#include "platform/http/conditional.h"
#include "platform/log/access_log.h"

namespace ticketly::http {
namespace {

TEST(Wire, SerializesStatusHeadersLengthAndBody) {
  auto res = Response::json_text(201, R"({"id":1})");
  res.set("Location", "/x/1");
  std::string out;
  serialize_response(res, {.request_id = "abc", .server = "ticketly"}, out);
  EXPECT_EQ(out,
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nLocation: /x/1\r\nServer: ticketly\r\n"
            "X-Request-Id: abc\r\nContent-Length: 8\r\n\r\n{\"id\":1}");
}

TEST(Wire, AnnouncesCloseAndOmitsBodyForHead) {
  auto res = Response::json_text(200, "12345");
  std::string out;
  serialize_response(res, {.keep_alive = false, .head = true}, out);
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(Wire, Http10KeepAliveIsExplicit) {
  std::string out;
  serialize_response(Response::json_text(200, "{}"), {.version = 10, .keep_alive = true}, out);
  EXPECT_EQ(out.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_NE(out.find("Connection: keep-alive\r\n"), std::string::npos);
}

TEST(Wire, NoContentHasNoLengthAndHandlerFramingHeadersAreIgnored) {
  auto res = Response::no_content();
  res.set(bhttp::field::content_length, "99");
  std::string out;
  serialize_response(res, {}, out);
  EXPECT_EQ(out, "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(Wire, SharedBodyIsFramedLikeAnOwnedOne) {
  auto shared = std::make_shared<const std::string>(R"({"id":1})");
  auto res = Response::json_shared(201, shared);
  std::string whole;
  serialize_response(res, {.request_id = "abc", .server = "ticketly"}, whole);
  EXPECT_EQ(whole,
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nServer: ticketly\r\n"
            "X-Request-Id: abc\r\nContent-Length: 8\r\n\r\n{\"id\":1}");
  // The server sends the head, then the shared buffer itself.
  std::string head;
  EXPECT_TRUE(sends_body(res, {}));
  serialize_head(res, {.request_id = "abc", .server = "ticketly"}, head);
  EXPECT_EQ(head + *shared, whole);
  EXPECT_EQ(res.body().data(), shared->data());
}

TEST(Wire, HeadOfASharedBodyHasItsLengthButNoBody) {
  auto res = Response::json_shared(200, std::make_shared<const std::string>("12345"));
  EXPECT_FALSE(sends_body(res, {.head = true}));
  std::string out;
  serialize_response(res, {.keep_alive = false, .head = true}, out);
  EXPECT_NE(out.find("Content-Length: 5\r\n"), std::string::npos);
  EXPECT_EQ(out.substr(out.size() - 4), "\r\n\r\n");
}

TEST(Wire, NotModifiedHasNoLengthAndNoBody) {
  auto res = Response::not_modified();
  res.set(bhttp::field::etag, "\"abc\"");
  EXPECT_FALSE(sends_body(res, {}));
  std::string out;
  serialize_response(res, {}, out);
  EXPECT_EQ(out, "HTTP/1.1 304 Not Modified\r\nETag: \"abc\"\r\n\r\n");
}

TEST(Wire, ChunkedStreamFraming) {
  std::string out;
  serialize_response(Response::event_stream(nullptr), {.keep_alive = false, .chunked = true}, out);
  EXPECT_NE(out.find("Transfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Content-Length"), std::string::npos);
  std::string chunk;
  append_chunk("event: A\n\n", chunk);
  append_chunk("", chunk);  // never emits the terminating empty chunk by accident
  EXPECT_EQ(chunk, "a\r\nevent: A\n\n\r\n");
}

TEST(Conditional, IfNoneMatchComparesEntityTagsWeakly) {
  EXPECT_TRUE(if_none_match("\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match("\"abc\"", "W/\"abc\""));
  EXPECT_TRUE(if_none_match("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match(" \"x\" ,\t\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match("*", "\"abc\""));
  EXPECT_TRUE(if_none_match("\"a,b\", \"abc\"", "\"abc\""));  // a comma inside a tag is not a separator
  EXPECT_FALSE(if_none_match("\"a,b\"", "\"b\""));
  EXPECT_FALSE(if_none_match("\"abc-gz\"", "\"abc\""));
  EXPECT_FALSE(if_none_match("abc", "\"abc\""));  // not a quoted tag
  EXPECT_FALSE(if_none_match("\"abc", "\"abc\""));
  EXPECT_FALSE(if_none_match("", "\"abc\""));
}

std::string read_all(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

TEST(AccessLog, BuffersLinesAndWritesThemInOrder) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    log::AccessLogSink sink(fds[1]);
    log::AccessLogBuffer buffer(sink, 16);
    buffer.append("first");
    buffer.append("second line that passes the flush size");
    buffer.append("third");
  }  // the buffer flushes, the sink writes everything before it stops
  ::close(fds[1]);
  EXPECT_EQ(read_all(fds[0]), "first\nsecond line that passes the flush size\nthird\n");
  ::close(fds[0]);
}

TEST(AccessLog, DropsBatchesInsteadOfGrowingWithoutBound) {
  ::signal(SIGPIPE, SIG_IGN);  // as the server does: a closed stdout is an error, not a kill
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  std::uint64_t dropped = 0;
  {
    log::AccessLogSink sink(fds[1], 100);
    sink.submit(std::string(90, 'a'));  // may already be in the writer's hands
    for (int i = 0; i < 20; ++i) sink.submit(std::string(90, 'b'));
    dropped = sink.dropped_batches();
    ::close(fds[0]);  // let the writer fail fast instead of blocking on a full pipe
  }
  ::close(fds[1]);
  EXPECT_GE(dropped, 10u);
}

}  // namespace
}  // namespace ticketly::http
