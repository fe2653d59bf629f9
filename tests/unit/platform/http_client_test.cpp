// HttpClient against tiny Beast servers on 127.0.0.1 ephemeral ports, plain and TLS.
// Each server runs its own io_context on its own thread; the client runs on the test
// thread's io_context, as it would on a worker.
#include "platform/http/client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace ticketly::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using ServerRequest = bhttp::request<bhttp::string_body>;

// ---- self-signed certificates, made at test time ----------------------------------------

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

TestCert make_self_signed(const char* common_name, const char* subject_alt_names) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) throw std::runtime_error("EC key generation failed");
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509* x = cert.get();
  X509_set_version(x, 2);  // v3, for extensions
  static std::atomic<long> serial{1};
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name), -1,
                             -1, 0);
  X509_set_issuer_name(x, name);

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, subject_alt_names},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) throw std::runtime_error("bad certificate extension");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, key.get(), EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");

  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(BIO_new(BIO_s_mem()), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(cert_bio.get(), x);
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return {bio_to_string(cert_bio.get()), bio_to_string(key_bio.get())};
}

const TestCert& localhost_cert() {
  static const TestCert cert = make_self_signed("localhost", "IP:127.0.0.1,DNS:localhost");
  return cert;
}

const TestCert& other_host_cert() {
  static const TestCert cert = make_self_signed("other.example", "DNS:other.example");
  return cert;
}

// A file that exists for the lifetime of the object.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ticketly-http-client-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".pem");
    std::ofstream(path_) << content;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// ---- the in-test server ---------------------------------------------------------------

// What the server does with one request: the raw bytes to answer with, so tests can
// spell out chunked encoding or lying headers exactly.
struct Reply {
  enum class Action { Respond, CloseWithoutReply, Hang };
  Action action = Action::Respond;
  std::string raw;
  bool close_after = false;  // close right after answering, whatever the headers say

  static Reply close_without_reply() { return {Action::CloseWithoutReply, "", false}; }
  static Reply hang() { return {Action::Hang, "", false}; }
};

Reply respond(int status, const std::string& body, const std::string& extra_headers = "") {
  return {Reply::Action::Respond,
          "HTTP/1.1 " + std::to_string(status) + " Whatever\r\nContent-Length: " + std::to_string(body.size()) +
              "\r\n" + extra_headers + "\r\n" + body,
          false};
}

class TestServer {
 public:
  // `request_on_connection` counts from 0 on every accepted connection.
  using Handler = std::function<Reply(const ServerRequest&, int request_on_connection)>;

  explicit TestServer(Handler handler, const TestCert* cert = nullptr)
      : io_(std::make_unique<asio::io_context>(1)),
        acceptor_(std::make_unique<tcp::acceptor>(*io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))),
        handler_(std::move(handler)) {
    if (cert) {
      tls_.emplace(ssl::context::tls_server);
      tls_->use_certificate_chain(asio::buffer(cert->cert_pem));
      tls_->use_private_key(asio::buffer(cert->key_pem), ssl::context::pem);
    }
    asio::co_spawn(*io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_->run(); });
  }

  ~TestServer() {
    io_->stop();
    thread_.join();
    // Order matters: the acceptor before its io_context, whose destruction then frees
    // the suspended session coroutines while the TLS context is still alive.
    acceptor_.reset();
    io_.reset();
  }

  std::uint16_t port() const { return acceptor_->local_endpoint().port(); }
  std::string url(const std::string& path = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + path;
  }
  int connections() const { return connections_.load(); }
  int requests() const { return requests_.load(); }
  ServerRequest last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_->async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++connections_;
      asio::co_spawn(*io_, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    if (!tls_) {
      co_await serve(socket);
      co_return;
    }
    beast::ssl_stream<tcp::socket> stream(std::move(socket), *tls_);
    boost::system::error_code ec;
    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await serve(stream);
  }

  template <class Stream>
  asio::awaitable<void> serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (int n = 0;; ++n) {
      ServerRequest req;
      boost::system::error_code ec;
      co_await bhttp::async_read(stream, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++requests_;
      {
        std::lock_guard lock(mutex_);
        last_request_ = req;
      }
      const Reply reply = handler_(req, n);
      if (reply.action == Reply::Action::CloseWithoutReply) co_return;
      if (reply.action == Reply::Action::Hang) {
        asio::steady_timer forever(*io_, 1h);
        co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return;
      }
      co_await asio::async_write(stream, asio::buffer(reply.raw), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || reply.close_after) co_return;
    }
  }

  std::unique_ptr<asio::io_context> io_;
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::optional<ssl::context> tls_;
  Handler handler_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
  mutable std::mutex mutex_;
  ServerRequest last_request_;
  std::thread thread_;
};

Reply ok_handler(const ServerRequest&, int) { return respond(200, "ok"); }

// Default options with one change (designated initializers that skip members trip
// -Wmissing-field-initializers).
template <class Change>
ClientOptions options_with(Change change) {
  ClientOptions options;
  change(options);
  return options;
}

// ---- running the client ----------------------------------------------------------------

// Runs `task` on `io` until it finishes; a stuck test fails instead of hanging the suite.
template <class T>
T run(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    done = true;
    error = e;
    if (!e) result = std::move(value);
  });
  io.restart();
  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!done && io.run_one_until(until) > 0) {
  }
  if (!done) throw std::runtime_error("client task did not finish");
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

// The ClientError a request ends with; fails the test if it succeeds.
ClientError failure_of(asio::io_context& io, asio::awaitable<ClientResponse> task) {
  try {
    const ClientResponse res = run(io, std::move(task));
    ADD_FAILURE() << "expected a ClientError, got status " << res.status;
  } catch (const ClientError& e) {
    return e;
  }
  return ClientError(ClientError::Kind::Protocol, "no error");
}

asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  co_await timer.async_wait(asio::use_awaitable);
}

void pause(asio::io_context& io, std::chrono::milliseconds d) {
  run(io, [](std::chrono::milliseconds d) -> asio::awaitable<int> {
    co_await sleep_for(d);
    co_return 0;
  }(d));
}

// ---- plain HTTP ----------------------------------------------------------------------------

TEST(HttpClient, ReturnsNotFoundAsAnOrdinaryResponse) {
  TestServer server([](const ServerRequest&, int) { return respond(404, "no such thing", "X-Reason: gone\r\n"); });
  asio::io_context io;
  HttpClient client(io);
  const ClientResponse res = run(io, client.get(server.url("/missing")));
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, "no such thing");
  EXPECT_EQ(res.header("x-reason"), "gone");
}

TEST(HttpClient, SendsHostUserAgentContentLengthAndCallerHeaders) {
  TestServer server([](const ServerRequest&, int) { return respond(201, "{}"); });
  asio::io_context io;
  HttpClient client(io);
  const ClientResponse res =
      run(io, client.post_json(server.url("/v1/things?x=1"), R"({"a":1})", {{"Authorization", "Bearer t"}}));
  EXPECT_EQ(res.status, 201);

  const ServerRequest seen = server.last_request();
  EXPECT_EQ(seen.method(), bhttp::verb::post);
  EXPECT_EQ(seen.target(), "/v1/things?x=1");
  EXPECT_EQ(seen[bhttp::field::host], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[bhttp::field::user_agent].substr(0, 8), "ticketly");
  EXPECT_EQ(seen[bhttp::field::content_length], "7");
  EXPECT_EQ(seen[bhttp::field::content_type], "application/json");
  EXPECT_EQ(seen[bhttp::field::authorization], "Bearer t");
  EXPECT_EQ(seen.body(), R"({"a":1})");
}

TEST(HttpClient, PostsFormEncodedFields) {
  TestServer server(ok_handler);
  asio::io_context io;
  HttpClient client(io);
  run(io, client.post_form(server.url("/v1/payment_intents"), {{"amount", "1500"}, {"note", "a&b=c d"}}));
  const ServerRequest seen = server.last_request();
  EXPECT_EQ(seen[bhttp::field::content_type], "application/x-www-form-urlencoded");
  EXPECT_EQ(seen.body(), "amount=1500&note=a%26b%3Dc+d");
}

TEST(HttpClient, RejectsHeaderInjection) {
  asio::io_context io;
  HttpClient client(io);
  EXPECT_THROW(run(io, client.get("http://127.0.0.1:1/", {{"X-Evil", "a\r\nHost: other"}})), std::invalid_argument);
  EXPECT_THROW(run(io, client.get("http://127.0.0.1:1/", {{"Bad Name", "x"}})), std::invalid_argument);
}

TEST(HttpClient, ReusesOneKeepAliveConnectionForSequentialRequests) {
  TestServer server(ok_handler);
  asio::io_context io;
  HttpClient client(io);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST(HttpClient, DoesNotPoolAConnectionTheServerAsksToClose) {
  TestServer server([](const ServerRequest&, int) { return respond(200, "ok", "Connection: close\r\n"); });
  asio::io_context io;
  HttpClient client(io);
  run(io, client.get(server.url()));
  run(io, client.get(server.url()));
  EXPECT_EQ(client.idle_connections(), 0u);
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, KeepsAtMostMaxIdlePerHost) {
  TestServer server([](const ServerRequest&, int) { return respond(200, "ok"); });
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.max_idle_per_host = 2; }));
  // Four requests in flight at once need four connections; only two stay pooled.
  const auto results = run(io, [](HttpClient& c, std::string url) -> asio::awaitable<std::vector<int>> {
    auto ex = co_await asio::this_coro::executor;
    std::vector<int> statuses;
    int pending = 4;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    for (int i = 0; i < 4; ++i) {
      asio::co_spawn(ex, c.get(url), [&](std::exception_ptr e, ClientResponse r) {
        statuses.push_back(e ? -1 : r.status);
        if (--pending == 0) all_done.cancel();
      });
    }
    boost::system::error_code ec;
    co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    co_return statuses;
  }(client, server.url()));
  EXPECT_EQ(results, (std::vector<int>{200, 200, 200, 200}));
  EXPECT_EQ(server.connections(), 4);
  EXPECT_EQ(client.idle_connections(), 2u);
}

TEST(HttpClient, OpensANewConnectionAfterTheServerClosedAnIdleOne) {
  TestServer server([](const ServerRequest&, int) {
    Reply r = respond(200, "ok");  // says keep-alive, then closes: an idle timeout
    r.close_after = true;
    return r;
  });
  asio::io_context io;
  HttpClient client(io);
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  pause(io, 50ms);  // let the FIN arrive while the connection sits in the pool
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 2);  // the dead connection was noticed before sending on it
}

// The server drops the pooled connection just as the second request arrives.
Reply drop_second_request(const ServerRequest&, int request_on_connection) {
  return request_on_connection == 1 ? Reply::close_without_reply() : respond(200, "ok");
}

TEST(HttpClient, RetriesAnIdempotentRequestOnceWhenAPooledConnectionWasStale) {
  TestServer server(drop_second_request);
  asio::io_context io;
  HttpClient client(io);
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 3);
}

TEST(HttpClient, DoesNotRetryAPostThatMayHaveBeenProcessed) {
  TestServer server(drop_second_request);
  asio::io_context io;
  HttpClient client(io);
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  const ClientError e = failure_of(io, client.post_json(server.url("/charge"), "{}"));
  EXPECT_EQ(e.kind(), ClientError::Kind::Protocol) << e.what();
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, TimesOutWhenTheServerNeverAnswers) {
  TestServer server([](const ServerRequest&, int) { return Reply::hang(); });
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.request_timeout = 200ms; }));
  const auto start = std::chrono::steady_clock::now();
  const ClientError e = failure_of(io, client.get(server.url()));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(e.kind(), ClientError::Kind::Timeout) << e.what();
  EXPECT_GE(elapsed, 190ms);
  EXPECT_LT(elapsed, 2s);
}

TEST(HttpClient, ReportsConnectionRefusedAsConnectError) {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  HttpClient client(io);
  const ClientError e = failure_of(io, client.get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(e.kind(), ClientError::Kind::Connect) << e.what();
}

TEST(HttpClient, TimesOutConnectingToAListenerWhoseBacklogIsFull) {
  asio::io_context io;
  tcp::acceptor full(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), /*reuse_address=*/true);
  full.listen(0);  // never accepts; Linux then queues one connection and drops further SYNs
  tcp::socket queued(io);
  queued.connect(full.local_endpoint());
  HttpClient client(io, options_with([&](ClientOptions& o) { o.connect_timeout = 200ms; }));
  const auto start = std::chrono::steady_clock::now();
  const ClientError e = failure_of(io, client.get("http://127.0.0.1:" + std::to_string(full.local_endpoint().port())));
  EXPECT_EQ(e.kind(), ClientError::Kind::Timeout) << e.what();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(HttpClient, ReadsAChunkedBody) {
  TestServer server([](const ServerRequest&, int) {
    return Reply{Reply::Action::Respond,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
                 "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                 false};
  });
  asio::io_context io;
  HttpClient client(io);
  const ClientResponse res = run(io, client.get(server.url()));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "hello world");
  // Fully read chunked responses leave the connection reusable.
  EXPECT_EQ(run(io, client.get(server.url())).body, "hello world");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, SkipsInterimResponses) {
  TestServer server([](const ServerRequest&, int) {
    return Reply{Reply::Action::Respond,
                 "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                 "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone",
                 false};
  });
  asio::io_context io;
  HttpClient client(io);
  const ClientResponse res = run(io, client.get(server.url()));
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "done");
}

TEST(HttpClient, RejectsAnOversizedBody) {
  TestServer server([](const ServerRequest& req, int) {
    const std::string big(4096, 'x');
    if (req.target() == "/length") return respond(200, big);
    std::string raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 4; ++i) raw += "400\r\n" + std::string(1024, 'y') + "\r\n";
    return Reply{Reply::Action::Respond, raw + "0\r\n\r\n", false};
  });
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.max_response_body = 1024; }));
  for (const char* path : {"/length", "/chunked"}) {
    const ClientError e = failure_of(io, client.get(server.url(path)));
    EXPECT_EQ(e.kind(), ClientError::Kind::TooLarge) << path << ": " << e.what();
  }
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST(HttpClient, ReadsNoBodyForHeadEvenWithALargeContentLength) {
  TestServer server([](const ServerRequest&, int) {
    return Reply{Reply::Action::Respond, "HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n", false};
  });
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.max_response_body = 1024; }));
  ClientRequest head;
  head.method = "HEAD";
  head.url = server.url();
  for (int i = 0; i < 2; ++i) {
    const ClientResponse res = run(io, client.send(head));
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.header("Content-Length"), "999999");
    EXPECT_EQ(res.body, "");
  }
  EXPECT_EQ(server.connections(), 1);
}

// ---- TLS ----------------------------------------------------------------------------------

TEST(HttpClientTls, RejectsASelfSignedCertificateByDefault) {
  TestServer server(ok_handler, &localhost_cert());
  asio::io_context io;
  HttpClient client(io);
  const ClientError e = failure_of(io, client.get(server.url()));
  EXPECT_EQ(e.kind(), ClientError::Kind::Tls) << e.what();
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClientTls, AcceptsACertificateTrustedThroughCaFile) {
  TestServer server(ok_handler, &localhost_cert());
  const TempFile ca(localhost_cert().cert_pem);
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.ca_file = ca.path(); }));

  const ClientResponse by_ip = run(io, client.get(server.url("/by-ip")));
  EXPECT_EQ(by_ip.status, 200);
  EXPECT_EQ(by_ip.body, "ok");
  // By name too: resolves localhost, sends SNI, matches the DNS subjectAltName.
  const ClientResponse by_name =
      run(io, client.get("https://localhost:" + std::to_string(server.port()) + "/by-name"));
  EXPECT_EQ(by_name.status, 200);
}

TEST(HttpClientTls, ReusesTlsConnections) {
  TestServer server(ok_handler, &localhost_cert());
  const TempFile ca(localhost_cert().cert_pem);
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.ca_file = ca.path(); }));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(run(io, client.get(server.url())).status, 200);
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTls, RejectsATrustedCertificateForAnotherHost) {
  TestServer server(ok_handler, &other_host_cert());
  const TempFile ca(other_host_cert().cert_pem);
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.ca_file = ca.path(); }));
  const ClientError e = failure_of(io, client.get(server.url()));
  EXPECT_EQ(e.kind(), ClientError::Kind::Tls) << e.what();
  EXPECT_NE(std::string(e.what()).find("host name"), std::string::npos) << e.what();
  EXPECT_EQ(server.requests(), 0);
}

TEST(HttpClientTls, AcceptsAnyCertificateWhenVerificationIsOff) {
  TestServer server(ok_handler, &other_host_cert());
  asio::io_context io;
  HttpClient client(io, options_with([&](ClientOptions& o) { o.verify_tls = false; }));
  EXPECT_EQ(run(io, client.get(server.url())).status, 200);
}

TEST(HttpClientTls, FailsConstructionOnAMissingCaFile) {
  asio::io_context io;
  const ClientOptions options = options_with([](ClientOptions& o) { o.ca_file = "/nonexistent/ca.pem"; });
  EXPECT_THROW(HttpClient(io, options), std::runtime_error);
}

}  // namespace
}  // namespace ticketly::http
