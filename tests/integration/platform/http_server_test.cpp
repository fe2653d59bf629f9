// The HTTP server over real sockets: keep-alive, limits, routing errors, CORS,
// event streams, graceful shutdown.
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <vector>
#include <thread>

#include "platform/errors.h"
#include "support/http_client.h"
#include "support/test_server.h"

namespace ticketly::http {
namespace {

using testing::TestConnection;
using testing::TestServer;
using namespace std::chrono_literals;
namespace asio = boost::asio;

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::use_awaitable);
}

// 2 MiB of JSON whose every line differs, so a lost, repeated or reordered piece shows.
const std::shared_ptr<const std::string>& large_body() {
  static const auto body = [] {
    std::string text = "[";
    for (int i = 0; text.size() < (2u << 20); ++i) text += "\"line " + std::to_string(i) + "\",";
    text.back() = ']';
    return std::make_shared<const std::string>(std::move(text));
  }();
  return body;
}

// A route table exercising the server: echo, slow, upload, and an event stream
// whose subscribers the test can reach.
struct Fixture {
  std::mutex mutex;
  std::vector<std::shared_ptr<SseStream>> streams;
  std::atomic<int> closed_streams{0};
  std::atomic<int> guard_runs{0};

  void routes(Router& r) {
    r.get("/ping", [](Request&) -> asio::awaitable<Response> { co_return Response::json(200, {{"pong", true}}); });
    r.post("/echo", [](Request& req) -> asio::awaitable<Response> {
      auto body = req.json();
      co_return Response::json(200, {{"got", body}, {"requestId", req.request_id}});
    });
    r.get("/items/{id:uuid}", [](Request& req) -> asio::awaitable<Response> {
      co_return Response::json(200, {{"id", req.params.get("id")}});
    });
    r.del("/items/{id:uuid}", [](Request&) -> asio::awaitable<Response> { co_return Response::no_content(); });
    // A cached body as event-query serves one: shared, with a file the server sendfile()s.
    r.get("/large", [](Request&) -> asio::awaitable<Response> {
      co_return Response::json_shared(200, large_body(), BodyFile::for_body(*large_body()));
    });
    // The same bytes written from memory: shared without a file, and owned by the response.
    r.get("/large-shared", [](Request&) -> asio::awaitable<Response> {
      co_return Response::json_shared(200, large_body());
    });
    r.get("/large-owned", [](Request&) -> asio::awaitable<Response> {
      co_return Response::json_text(200, *large_body());
    });
    r.get("/slow", [](Request&) -> asio::awaitable<Response> {
      co_await sleep_for(600ms);
      co_return Response::json(200, {{"slow", true}});
    });
    r.post("/upload", [](Request& req) -> asio::awaitable<Response> {
      co_return Response::json(200, {{"bytes", req.body().size()}});
    }, RouteOptions{.body_limit = 4u << 20});
    // An upload behind a guard: "Bearer ok" passes, anything else is 401.
    r.post("/guarded-upload", [this](Request& req) -> asio::awaitable<Response> {
      co_return Response::json(200, {{"bytes", req.body().size()}, {"guards", guard_runs.load()}});
    }, RouteOptions{.body_limit = 4u << 20, .guard = [this](Request& req) -> asio::awaitable<void> {
      guard_runs.fetch_add(1);
      if (req.header(Field::authorization) != "Bearer ok") {
        throw Error(401, "authentication required").with_header("WWW-Authenticate", "Bearer");
      }
      co_return;
    }});
    r.get("/conflict", [](Request&) -> asio::awaitable<Response> {
      throw conflict("Seat already taken");
      co_return Response::no_content();
    });
    r.get("/bug", [](Request&) -> asio::awaitable<Response> {
      throw std::runtime_error("secret internal detail");
      co_return Response::no_content();
    });
    r.get("/events", [this](Request&) -> asio::awaitable<Response> {
      auto s = std::make_shared<SseStream>(SseOptions{.max_queued_bytes = 4 * 1024, .heartbeat = 200ms});
      s->on_close([this] { closed_streams.fetch_add(1); });
      {
        std::lock_guard lock(mutex);
        streams.push_back(s);
      }
      s->push({"CONNECTED", "{}", ""});
      co_return Response::event_stream(s);
    });
    // A stream with a small socket send buffer and room to queue: fan-out meets a full
    // socket (partial and refused direct writes) without ever dropping an event.
    r.get("/events-tight", [this](Request&) -> asio::awaitable<Response> {
      auto s = std::make_shared<SseStream>(
          SseOptions{.max_queued_bytes = 16u << 20, .socket_send_buffer = 8 * 1024, .heartbeat = 50ms});
      {
        std::lock_guard lock(mutex);
        streams.push_back(s);
      }
      s->push({"CONNECTED", "{}", ""});
      co_return Response::event_stream(s);
    });
  }
  std::shared_ptr<SseStream> stream(std::size_t i) {
    for (int tries = 0; tries < 200; ++tries) {
      {
        std::lock_guard lock(mutex);
        if (streams.size() > i) return streams[i];
      }
      std::this_thread::sleep_for(10ms);
    }
    return nullptr;
  }
};

class HttpServerTest : public ::testing::Test {
 protected:
  Fixture fx;
  std::unique_ptr<TestServer> server;
  void SetUp() override {
    ServerOptions o;
    o.body_limit = 1024;
    o.max_large_bodies = 1;  // bodies over 1 MiB read at once
    o.cors.allowed_origins = {"http://localhost:3000"};
    server = std::make_unique<TestServer>([this](Router& r) { fx.routes(r); }, o);
  }
};

TEST_F(HttpServerTest, ServesManyRequestsOnOneKeepAliveConnection) {
  TestConnection c(server->port());
  for (int i = 0; i < 50; ++i) {
    auto r = c.request("GET", "/ping");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(r.header("content-type"), "application/json");
    EXPECT_EQ(r.json()["pong"], true);
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestConnection c(server->port());
  c.send_raw("GET /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /items/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().json()["pong"], true);
  EXPECT_EQ(c.read_response().json()["id"], "0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
}

TEST_F(HttpServerTest, HonoursConnectionClose) {
  TestConnection c(server->port());
  auto r = c.request("GET", "/ping", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(HttpServerTest, EchoesOrGeneratesRequestIds) {
  auto mine = testing::http_request(server->port(), "GET", "/ping", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(mine.header("x-request-id"), "abc-123");
  auto generated = testing::http_request(server->port(), "GET", "/ping", "", {{"X-Request-Id", "bad id\"<>"}});
  EXPECT_EQ(generated.header("x-request-id").size(), 16u);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndConnectionCloses) {
  TestConnection c(server->port());
  auto r = c.request("POST", "/echo", std::string(2000, 'x'), {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.json()["status"], 413);
  EXPECT_EQ(r.json()["error"], "Payload Too Large");
  EXPECT_TRUE(c.wait_closed(2s));
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  TestConnection c(server->port());
  std::string chunk(1500, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(size) + "\r\n" + chunk +
             "\r\n0\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 413);
}

TEST_F(HttpServerTest, RouteMayRaiseTheBodyLimitForUploads) {
  auto r = testing::http_request(server->port(), "POST", "/upload", std::string(3u << 20, 'x'),
                                 {{"Content-Type", "application/octet-stream"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["bytes"], 3u << 20);
  // Refused from the declared length alone, before the body is sent.
  TestConnection c(server->port());
  c.send_raw("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(5u << 20) + "\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 413);
}

// A large body is read only after the route's guard accepted the request's credentials:
// an anonymous client must not make the server receive (and hold) megabytes.
// A browser sends its whole body before it reads the answer. The server refuses the
// upload from its header, then keeps reading (and dropping) the body for a while instead
// of closing with unread bytes: a close then resets the connection, and the reset can
// destroy the 401 in the client's buffer before it is read.
TEST_F(HttpServerTest, ARefusedUploadsAnswerSurvivesTheBodyThatStillArrives) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    TestConnection c(server->port(), 5s);
    c.send_raw("POST /guarded-upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(3u << 20) +
               "\r\n\r\n");
    std::this_thread::sleep_for(50ms);  // refused and answered by now
    const std::string part(256 * 1024, 'x');
    for (int i = 0; i < 8; ++i) ASSERT_NO_THROW(c.send_raw(part)) << "attempt " << attempt << ", part " << i;
    testing::HttpResult r;
    ASSERT_NO_THROW(r = c.read_response()) << "attempt " << attempt;
    EXPECT_EQ(r.status, 401);
    EXPECT_TRUE(c.wait_closed(4s));
  }
}

// Large bodies (over 1 MiB) are read a bounded number at a time: one more is refused
// with 503 and Retry-After before its body is read, and the slot frees when a read ends.
TEST_F(HttpServerTest, UploadsBeyondTheConcurrentLimitAre503BeforeTheirBodyIsRead) {
  const std::size_t size = 2u << 20;
  const std::string head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
  TestConnection first(server->port(), 5s);
  first.send_raw(head + std::string(1000, 'x'));  // holds the one slot while the rest is pending
  std::this_thread::sleep_for(100ms);
  {
    TestConnection second(server->port(), 5s);
    second.send_raw(head);
    auto r = second.read_response();
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.header("retry-after"), "5");
    EXPECT_TRUE(second.wait_closed(4s));
  }
  EXPECT_NE(server->metrics().render().find("http_large_bodies_refused_total 1"), std::string::npos);
  // A small body needs no slot.
  EXPECT_EQ(testing::http_request(server->port(), "POST", "/upload", std::string(1000, 'y')).status, 200);
  first.send_raw(std::string(size - 1000, 'x'));
  auto done = first.read_response();
  ASSERT_EQ(done.status, 200);
  EXPECT_EQ(done.json()["bytes"], size);
  // The slot is free again.
  TestConnection third(server->port(), 5s);
  third.send_raw(head + std::string(size, 'z'));
  EXPECT_EQ(third.read_response().status, 200);
}

TEST_F(HttpServerTest, OneClientsUploadsBeyondItsShareAre429WhileOtherClientsStillUpload) {
  ServerOptions o;
  o.max_large_bodies = 3;
  o.max_large_bodies_per_client = 1;
  Fixture other;
  TestServer s([&](Router& r) { other.routes(r); }, o);
  const std::size_t size = 2u << 20;
  const std::string head = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n";
  TestConnection slow(s.port(), 5s, 0, "127.0.0.1");
  slow.send_raw(head + std::string(1000, 'x'));  // holds this client's one slot
  std::this_thread::sleep_for(100ms);
  {
    TestConnection again(s.port(), 5s, 0, "127.0.0.1");
    again.send_raw(head);
    auto r = again.read_response();
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.header("retry-after"), "5");
    EXPECT_NE(r.json()["message"].get<std::string>().find("from this client"), std::string::npos);
    EXPECT_TRUE(again.wait_closed(4s));
  }
  EXPECT_NE(s.metrics().render().find("http_large_bodies_refused_total 1"), std::string::npos);
  // The server has room left, and another client gets it.
  TestConnection elsewhere(s.port(), 5s, 0, "127.0.0.2");
  elsewhere.send_raw(head + std::string(size, 'y'));
  EXPECT_EQ(elsewhere.read_response().status, 200);
  // Once its upload is done, the first client may upload again.
  slow.send_raw(std::string(size - 1000, 'x'));
  ASSERT_EQ(slow.read_response().status, 200);
  TestConnection later(s.port(), 5s, 0, "127.0.0.1");
  later.send_raw(head + std::string(size, 'z'));
  EXPECT_EQ(later.read_response().status, 200);
}

// Behind a trusted proxy every connection comes from the proxy: the client is the one its
// X-Forwarded-For names, so two users of one proxy are two clients. Without the trust
// the header is ignored, or anyone could claim a fresh share.
TEST_F(HttpServerTest, BehindATrustedProxyTheForwardedClientHasTheShare) {
  const std::size_t size = 2u << 20;
  auto head = [&](const std::string& client) {
    return "POST /upload HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + client + ", 127.0.0.1\r\nContent-Length: " +
           std::to_string(size) + "\r\n\r\n";
  };
  for (const bool trusted : {true, false}) {
    SCOPED_TRACE(trusted ? "trusted proxy" : "untrusted peer");
    ServerOptions o;
    o.max_large_bodies = 3;
    o.max_large_bodies_per_client = 1;
    if (trusted) o.trusted_proxies = TrustedProxies::parse("127.0.0.0/8");
    Fixture other;
    TestServer s([&](Router& r) { other.routes(r); }, o);
    TestConnection alice(s.port(), 5s);
    alice.send_raw(head("203.0.113.1") + std::string(1000, 'a'));  // holds a share
    std::this_thread::sleep_for(100ms);
    {
      TestConnection bob(s.port(), 5s);
      bob.send_raw(head("203.0.113.2") + std::string(size, 'b'));
      EXPECT_EQ(bob.read_response().status, trusted ? 200 : 429);
    }
    if (trusted) {  // Alice's second upload is hers, whatever connection it comes on.
      TestConnection again(s.port(), 5s);
      again.send_raw(head("203.0.113.1"));
      EXPECT_EQ(again.read_response().status, 429);
    }
    alice.send_raw(std::string(size - 1000, 'a'));
    EXPECT_EQ(alice.read_response().status, 200);
  }
}

TEST_F(HttpServerTest, AGuardedUploadIsRefusedBeforeItsBodyIsRead) {
  const std::string head = "POST /guarded-upload HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n"
                           "Content-Length: " + std::to_string(3u << 20) + "\r\n";
  {  // Expect: 100-continue without a token: 401 instead of "100 Continue".
    TestConnection c(server->port(), 3s);
    c.send_raw(head + "Expect: 100-continue\r\n\r\n");
    auto r = c.read_response();
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.header("www-authenticate"), "Bearer");
    EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:3000");
    EXPECT_TRUE(c.wait_closed(2s));  // the unread body cannot be skipped: the connection ends
  }
  {  // No Expect, and the body never sent: answered from the header alone.
    TestConnection c(server->port(), 3s);
    c.send_raw(head + "Authorization: Bearer wrong\r\n\r\n" + std::string(1000, 'x'));
    EXPECT_EQ(c.read_response().status, 401);
    EXPECT_TRUE(c.wait_closed(2s));
  }
  {  // With the token: "100 Continue", then the body is read and the handler runs.
    TestConnection c(server->port(), 5s);
    c.send_raw(head + "Authorization: Bearer ok\r\nExpect: 100-continue\r\n\r\n");
    EXPECT_NE(c.read_until("\r\n\r\n", 3s).find("100 Continue"), std::string::npos);
    c.send_raw(std::string(3u << 20, 'x'));
    auto r = c.read_response();
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.json()["bytes"], 3u << 20);
  }
  // A small body comes with its header and goes through the guard in the pipeline, once.
  const int before = fx.guard_runs.load();
  auto small = testing::http_request(server->port(), "POST", "/guarded-upload", "abc", {{"Authorization", "Bearer ok"}});
  ASSERT_EQ(small.status, 200);
  EXPECT_EQ(small.json()["guards"], before + 1);
  EXPECT_EQ(testing::http_request(server->port(), "POST", "/guarded-upload", "abc").status, 401);
}

// Answers sent before routing carry the CORS headers, so the web client can read them.
TEST_F(HttpServerTest, EarlyErrorsCarryCorsHeaders) {
  TestConnection c(server->port());
  auto r = c.request("POST", "/echo", std::string(2000, 'x'),
                     {{"Content-Type", "application/json"}, {"Origin", "http://localhost:3000"}});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:3000");
}

TEST_F(HttpServerTest, ConnectionsBeyondTheLimitAreRefused) {
  ServerOptions o;
  o.max_connections = 2;
  Fixture other;
  TestServer s([&](Router& r) { other.routes(r); }, o);
  auto first = std::make_unique<TestConnection>(s.port());
  TestConnection second(s.port());
  ASSERT_EQ(first->request("GET", "/ping").status, 200);
  ASSERT_EQ(second.request("GET", "/ping").status, 200);
  TestConnection third(s.port(), 2s);
  EXPECT_TRUE(third.wait_closed(2s));
  EXPECT_NE(s.metrics().render().find("http_connections_refused_total 1"), std::string::npos);
  first->close();  // a place frees up
  for (int i = 0; i < 200 && s.server().active_connections() > 1; ++i) std::this_thread::sleep_for(5ms);
  TestConnection fourth(s.port());
  EXPECT_EQ(fourth.request("GET", "/ping").status, 200);
}

TEST_F(HttpServerTest, OversizedHeadersAre431) {
  TestConnection c(server->port());
  auto r = c.request("GET", "/ping", "", {{"X-Big", std::string(17 * 1024, 'a')}});
  EXPECT_EQ(r.status, 431);
  EXPECT_EQ(r.json()["status"], 431);
}

TEST_F(HttpServerTest, AnOversizedTargetIs414) {
  TestConnection c(server->port());
  auto r = c.request("GET", "/ping?q=" + std::string(20 * 1024, 'a'));
  EXPECT_EQ(r.status, 414);
  EXPECT_EQ(r.json()["error"], "URI Too Long");
}

TEST_F(HttpServerTest, MalformedRequestLineIs400) {
  TestConnection c(server->port());
  c.send_raw("THIS IS NOT HTTP\r\n\r\n");
  EXPECT_EQ(c.read_response().status, 400);
}

TEST_F(HttpServerTest, UnknownPathIs404WithEnvelope) {
  auto r = testing::http_request(server->port(), "GET", "/nope");
  EXPECT_EQ(r.status, 404);
  auto body = r.json();
  EXPECT_EQ(body["error"], "Not Found");
  EXPECT_EQ(body["path"], "/nope");
  EXPECT_TRUE(body["timestamp"].is_string());
  EXPECT_EQ(r.header("content-type"), "application/json");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto r = testing::http_request(server->port(), "PUT", "/items/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f", "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("allow"), "DELETE, GET, HEAD, OPTIONS");
  EXPECT_EQ(r.json()["status"], 405);
}

TEST_F(HttpServerTest, BadUuidInPathIs400) {
  auto r = testing::http_request(server->port(), "GET", "/items/42");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["message"].get<std::string>().find("must be a valid UUID"), std::string::npos);
}

TEST_F(HttpServerTest, MalformedJsonIs400NotServerError) {
  auto r = testing::http_request(server->port(), "POST", "/echo", "{\"a\":", {{"Content-Type", "application/json"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.json()["message"].get<std::string>().find("Malformed JSON"), std::string::npos);
  auto wrong_type = testing::http_request(server->port(), "POST", "/echo", "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(wrong_type.status, 415);
}

TEST_F(HttpServerTest, DomainErrorsMapToTheirStatus) {
  auto r = testing::http_request(server->port(), "GET", "/conflict");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.json()["message"], "Seat already taken");
}

TEST_F(HttpServerTest, UnexpectedErrorsAre500WithoutDetails) {
  auto r = testing::http_request(server->port(), "GET", "/bug");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.json()["message"], "Internal server error");
  EXPECT_EQ(r.body.find("secret"), std::string::npos);
}

TEST_F(HttpServerTest, HeadReturnsHeadersOnly) {
  TestConnection c(server->port());
  c.send_raw("HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  // Beast's parser needs to be told a response is to HEAD; read raw bytes instead.
  auto raw = c.read_until("{\"pong\":true}", 2s);
  auto first = raw.find("HTTP/1.1 200");
  auto second = raw.find("HTTP/1.1 200", first + 1);
  ASSERT_NE(second, std::string::npos) << raw;
  EXPECT_EQ(raw.substr(first, second - first).find("pong"), std::string::npos);
  EXPECT_NE(raw.substr(first, second - first).find("Content-Length: 13"), std::string::npos) << raw;
}

TEST_F(HttpServerTest, LargeSharedBodiesAreSentWholeFromTheirFile) {
  ASSERT_NE(BodyFile::for_body(*large_body()), nullptr);  // the route really takes the sendfile path
  // A 16 KiB receive window: the server's socket fills, so sendfile() stops short and the
  // server waits for room many times per body.
  TestConnection c(server->port(), 10s, 16 * 1024);
  for (int i = 0; i < 2; ++i) {
    auto r = c.request("GET", "/large");
    ASSERT_EQ(r.status, 200);
    EXPECT_TRUE(r.keep_alive);
    EXPECT_EQ(r.header("content-length"), std::to_string(large_body()->size()));
    EXPECT_TRUE(r.body == *large_body()) << "body of " << r.body.size() << " bytes differs";
  }
  // The framing held: the next answer on the connection starts where the body ended.
  EXPECT_EQ(c.request("GET", "/ping").json()["pong"], true);
  // HEAD names the length and sends nothing of the file.
  c.send_raw("HEAD /large HTTP/1.1\r\nHost: x\r\n\r\nGET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  auto raw = c.read_until("{\"pong\":true}", 2s);
  EXPECT_NE(raw.find("Content-Length: " + std::to_string(large_body()->size())), std::string::npos) << raw.substr(0, 300);
  EXPECT_EQ(raw.find("line 0"), std::string::npos);
}

TEST_F(HttpServerTest, AnswersLargerThanTheSocketBufferArriveWhole) {
  // Answers are written at once with a non-blocking send; what does not fit the socket
  // follows asynchronously, from wherever the first send stopped (in the head or the body).
  TestConnection c(server->port(), 10s, 16 * 1024);
  for (const char* path : {"/large-shared", "/large-owned", "/large-shared", "/large-owned"}) {
    auto r = c.request("GET", path);
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_TRUE(r.body == *large_body()) << path << ": body of " << r.body.size() << " bytes differs";
  }
  EXPECT_EQ(c.request("GET", "/ping").json()["pong"], true);
}

TEST_F(HttpServerTest, ABodyThatArrivesAfterItsHeaderIsStillRead) {
  // The body is parsed from what arrived with the header when it is all there, and read
  // from the socket otherwise.
  TestConnection c(server->port());
  c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\":");
  std::this_thread::sleep_for(100ms);
  c.send_raw("[1,2]}");
  auto r = c.read_response();
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["got"]["a"], json::Json::parse("[1,2]"));
}

TEST_F(HttpServerTest, PipelinedRequestsWithBodiesAreAnsweredInOrder) {
  TestConnection c(server->port());
  c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\n{\"n\":1}"
             "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{\"n\r\n4\r\n\":2}\r\n0\r\n\r\n"
             "GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(c.read_response().json()["got"]["n"], 1);
  EXPECT_EQ(c.read_response().json()["got"]["n"], 2);
  EXPECT_EQ(c.read_response().json()["pong"], true);
}

TEST_F(HttpServerTest, AClientThatLeavesDuringALargeBodyOnlyEndsItsConnection) {
  {
    TestConnection c(server->port(), 10s, 16 * 1024);
    c.send_raw("GET /large HTTP/1.1\r\nHost: x\r\n\r\n");
    c.read_until("line 1", 2s);  // the body has begun; leave with most of it unsent
  }
  for (int i = 0; i < 3; ++i) {
    auto r = testing::http_request(server->port(), "GET", "/large");
    ASSERT_EQ(r.status, 200);
    EXPECT_EQ(r.body.size(), large_body()->size());
  }
}

TEST_F(HttpServerTest, CorsPreflightNeedsNoTokenAndAllowsConfiguredOrigin) {
  auto r = testing::http_request(server->port(), "OPTIONS", "/echo", "",
                                 {{"Origin", "http://localhost:3000"},
                                  {"Access-Control-Request-Method", "POST"},
                                  {"Access-Control-Request-Headers", "authorization,content-type"}});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("access-control-allow-origin"), "http://localhost:3000");
  EXPECT_EQ(r.header("access-control-allow-credentials"), "true");
  EXPECT_EQ(r.header("access-control-allow-methods"), "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(r.header("access-control-allow-headers"), "Authorization, Content-Type, Accept");
  EXPECT_EQ(r.header("access-control-max-age"), "3600");
}

TEST_F(HttpServerTest, CorsRejectsUnknownOriginsAndDecoratesNormalResponses) {
  auto bad = testing::http_request(server->port(), "OPTIONS", "/echo", "",
                                   {{"Origin", "http://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  EXPECT_EQ(bad.status, 403);
  EXPECT_EQ(bad.header("access-control-allow-origin"), "");
  auto ok = testing::http_request(server->port(), "GET", "/ping", "", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(ok.header("access-control-allow-origin"), "http://localhost:3000");
  EXPECT_EQ(ok.header("vary"), "Origin");
  auto err = testing::http_request(server->port(), "GET", "/nope", "", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(err.header("access-control-allow-origin"), "http://localhost:3000");
}

TEST_F(HttpServerTest, PlainOptionsListsAllowedMethods) {
  auto r = testing::http_request(server->port(), "OPTIONS", "/items/0b4c6a52-2f5e-4b5a-9d7e-2a4b1c3d4e5f");
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.header("allow"), "DELETE, GET, HEAD, OPTIONS");
}

TEST_F(HttpServerTest, EventStreamDeliversEventsInOrderWithHeartbeats) {
  TestConnection c(server->port());
  c.send_raw("GET /events HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:3000\r\n\r\n");
  auto head = c.read_until("event: CONNECTED\ndata: {}\n\n", 2s);
  EXPECT_NE(head.find("Content-Type: text/event-stream"), std::string::npos) << head;
  EXPECT_NE(head.find("Access-Control-Allow-Origin: http://localhost:3000"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  auto s = fx.stream(0);
  ASSERT_TRUE(s);
  s->push({"LOCKED", R"({"seatIds":["a"],"status":"LOCKED"})", ""});
  s->push({"AVAILABLE", R"({"seatIds":["a"],"status":"AVAILABLE"})", ""});
  auto events = c.read_until("event: AVAILABLE", 2s);
  ASSERT_NE(events.find("event: LOCKED"), std::string::npos) << events;
  EXPECT_LT(events.find("event: LOCKED"), events.find("event: AVAILABLE"));
  // LF framing inside the stream (CRLF only in the chunked transfer framing around it)
  EXPECT_NE(events.find("event: LOCKED\ndata: {\"seatIds\":[\"a\"],\"status\":\"LOCKED\"}\n\n"), std::string::npos);
  EXPECT_NO_THROW(c.read_until(": ping\n\n", 2s));
}

// The body of a chunked response (`raw` starts with its header).
std::string dechunk(const std::string& raw) {
  std::string body;
  std::size_t at = raw.find("\r\n\r\n");
  if (at == std::string::npos) throw std::runtime_error("no header end");
  at += 4;
  while (at < raw.size()) {
    const auto eol = raw.find("\r\n", at);
    if (eol == std::string::npos) throw std::runtime_error("a chunk size without CRLF");
    const auto size = std::stoul(raw.substr(at, eol - at), nullptr, 16);
    if (size == 0) break;
    if (eol + 2 + size + 2 > raw.size()) break;  // the stream goes on after what was read
    if (raw.compare(eol + 2 + size, 2, "\r\n") != 0) throw std::runtime_error("a chunk without its CRLF");
    body.append(raw, eol + 2, size);
    at = eol + 2 + size + 2;
  }
  return body;
}

// Events fanned out while the client reads nothing fill the socket: some are written
// whole on the direct path, one partly (its rest written by the connection), the others
// queued. All must arrive whole, in order, in valid chunks, with heartbeats only between.
TEST_F(HttpServerTest, FannedOutEventsArriveWholeAndInOrderThroughAFullSocket) {
  TestConnection c(server->port(), 10s, /*receive_buffer=*/4096);
  c.send_raw("GET /events-tight HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto start = c.read_until("CONNECTED", 2s);
  auto s = fx.stream(0);
  ASSERT_TRUE(s);
  std::this_thread::sleep_for(100ms);  // the connection attached and idles
  std::vector<std::string> sent;
  for (int i = 0; i < 200; ++i) {
    std::string data = "n=" + std::to_string(i) + " ";
    data.append(500 + (i * 737) % 6000, static_cast<char>('a' + i % 26));
    sent.push_back(data);
    fan_out({s}, SseEvent{"E", data, ""}.serialize());
    if (i % 50 == 0) std::this_thread::sleep_for(20ms);  // let the worker write some directly
  }
  fan_out({s}, SseEvent{"LAST", "end", ""}.serialize());
  const auto raw = start + c.read_until("event: LAST\ndata: end\n\n", 10s);
  std::string body;
  ASSERT_NO_THROW(body = dechunk(raw));
  std::vector<std::string> got;
  std::size_t at = 0;
  while (true) {
    const auto end = body.find("\n\n", at);
    if (end == std::string::npos) break;
    const std::string event = body.substr(at, end - at);
    at = end + 2;
    if (event.rfind(": ping", 0) == 0 || event.rfind("event: CONNECTED", 0) == 0) continue;
    if (event.rfind("event: E\ndata: ", 0) == 0) got.push_back(event.substr(15));
  }
  ASSERT_EQ(got.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) ASSERT_EQ(got[i], sent[i]) << "event " << i;
  EXPECT_EQ(body.find("RESYNC"), std::string::npos);
}

TEST_F(HttpServerTest, EventStreamNoticesDisconnectAndRunsCleanup) {
  {
    TestConnection c(server->port());
    c.send_raw("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    c.read_until("CONNECTED", 2s);
    c.close();
  }
  for (int i = 0; i < 200 && fx.closed_streams.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fx.closed_streams.load(), 1);
  EXPECT_FALSE(fx.stream(0)->push({"X", "{}", ""}));
}

TEST_F(HttpServerTest, SlowEventConsumerGetsResync) {
  TestConnection c(server->port());
  c.send_raw("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  c.read_until("CONNECTED", 2s);
  auto s = fx.stream(0);
  ASSERT_TRUE(s);
  // The client reads nothing while far more than the socket buffers can hold is
  // pushed, so the writer blocks and the bounded queue overflows.
  for (int i = 0; i < 200; ++i) s->push({"LOCKED", std::string(64 * 1024, 'x'), ""});
  EXPECT_NO_THROW(c.read_until("event: RESYNC", 10s));
}

TEST_F(HttpServerTest, GracefulShutdownFinishesInFlightRequests) {
  TestConnection idle(server->port());
  ASSERT_EQ(idle.request("GET", "/ping").status, 200);
  TestConnection busy(server->port());
  busy.send_raw("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
  std::this_thread::sleep_for(100ms);  // the request is in its handler
  auto stopped = std::async(std::launch::async, [&] { return server->shutdown(5s); });
  auto r = busy.read_response();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["slow"], true);
  EXPECT_FALSE(r.keep_alive);
  EXPECT_TRUE(idle.wait_closed(2s));
  EXPECT_TRUE(stopped.get());
  EXPECT_THROW(TestConnection late(server->port()), std::exception);
}

TEST_F(HttpServerTest, ShutdownEndsEventStreamsCleanly) {
  TestConnection c(server->port());
  c.send_raw("GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
  c.read_until("CONNECTED", 2s);
  EXPECT_TRUE(server->shutdown(3s));
  EXPECT_NO_THROW(c.read_until("0\r\n\r\n", 2s));  // the last chunk
}

TEST_F(HttpServerTest, CountsRequestsInMetrics) {
  testing::http_request(server->port(), "GET", "/ping");
  testing::http_request(server->port(), "GET", "/nope");
  // A request is counted right after its response is written, so the client can see the
  // response a moment before the count: wait for it rather than race it.
  const std::string ping = R"(http_requests_total{route="/ping",method="GET",status="200"} 1)";
  const std::string nope = R"(http_requests_total{route="unmatched",method="GET",status="404"} 1)";
  std::string text;
  for (int i = 0; i < 200; ++i) {
    text = server->metrics().render();
    if (text.find(ping) != std::string::npos && text.find(nope) != std::string::npos) break;
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_NE(text.find(ping), std::string::npos) << text;
  EXPECT_NE(text.find(nope), std::string::npos);
  EXPECT_NE(text.find(R"(http_request_duration_seconds_count{route="/ping"} 1)"), std::string::npos);
}

TEST_F(HttpServerTest, IdleConnectionsTimeOut) {
  ServerOptions o;
  o.idle_timeout = 300ms;
  o.header_timeout = 300ms;
  Fixture other;
  TestServer s([&](Router& r) { other.routes(r); }, o);
  TestConnection c(s.port());
  ASSERT_EQ(c.request("GET", "/ping").status, 200);
  EXPECT_TRUE(c.wait_closed(3s));
  TestConnection silent(s.port());  // never sends a byte: header timeout
  EXPECT_TRUE(silent.wait_closed(3s));
}

// Connections that queue up while the worker is busy (thousands connect when a sale opens)
// are taken in bursts after the one asynchronous accept (server.cpp accept_loop): every
// one of them is served, none is dropped or served twice.
TEST_F(HttpServerTest, ConnectionsQueuedWhileTheWorkerIsBusyAreAllServed) {
  std::atomic<bool> blocking{false};
  TestServer s(
      [&](Router& r) {
        r.get("/ping", [](Request&) -> asio::awaitable<Response> { co_return Response::json(200, {{"pong", true}}); });
        // Blocks the only worker on purpose, so that the connections below wait in the
        // listen queue, as under a storm of connections.
        r.get("/block", [&](Request&) -> asio::awaitable<Response> {
          blocking = true;
          std::this_thread::sleep_for(400ms);
          co_return Response::json(200, {{"blocked", true}});
        });
      },
      {}, /*workers=*/1);
  auto blocked = std::async(std::launch::async, [&] { return testing::http_request(s.port(), "GET", "/block"); });
  for (int i = 0; i < 200 && !blocking; ++i) std::this_thread::sleep_for(5ms);
  ASSERT_TRUE(blocking);
  constexpr int kConnections = 300;  // several bursts of 64
  std::vector<std::unique_ptr<TestConnection>> queued;
  for (int i = 0; i < kConnections; ++i) {
    queued.push_back(std::make_unique<TestConnection>(s.port()));  // the kernel completes the handshake
    queued.back()->send_raw("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  EXPECT_EQ(blocked.get().status, 200);
  int served = 0;
  for (auto& c : queued) {
    auto r = c->read_response();
    if (r.status == 200 && r.json()["pong"] == true) ++served;
  }
  EXPECT_EQ(served, kConnections);
  // Each connection is still served after its first request.
  EXPECT_EQ(queued.front()->request("GET", "/ping").status, 200);
  EXPECT_EQ(queued.back()->request("GET", "/ping").status, 200);
}

}  // namespace
}  // namespace ticketly::http
