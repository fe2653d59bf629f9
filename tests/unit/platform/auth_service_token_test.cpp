// ServiceTokenClient and HttpKeySource against a tiny Beast HTTP server on 127.0.0.1.
// The server runs its own io_context on its own thread; the clients run on IoPool workers.
#include "platform/auth/service_token.h"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <thread>

#include "platform/auth/key_set.h"
#include "platform/auth/key_source.h"
#include "platform/auth/verifier.h"
#include "platform/http/request.h"
#include "unit/platform/auth_test_support.h"

namespace ticketly::auth {
namespace {

using namespace testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Answer {
  int status = 200;
  std::string body;
};

class FakeProvider {
 public:
  using Handler = std::function<Answer(const http::Message&)>;

  explicit FakeProvider(Handler handler)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), handler_(std::move(handler)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~FakeProvider() {
    io_.stop();
    thread_.join();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + path;
  }
  int requests(const std::string& target) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count(targets_.begin(), targets_.end(), target));
  }
  http::Message last() const {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    for (;;) {
      http::Message req;
      boost::system::error_code ec;
      co_await bhttp::async_read(socket, buffer, req, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      {
        std::lock_guard lock(mu_);
        targets_.emplace_back(req.target());
        last_ = req;
      }
      const Answer answer = handler_(req);
      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(answer.status), 11};
      res.set(bhttp::field::content_type, "application/json");
      res.body() = answer.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      co_await bhttp::async_write(socket, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !req.keep_alive()) co_return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  Handler handler_;
  mutable std::mutex mu_;
  std::vector<std::string> targets_;
  http::Message last_;
  std::thread thread_;
};

std::string form_value(std::string_view body, std::string_view name) {
  const std::string key = std::string(name) + "=";
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t end = body.find('&', pos);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(pos, end - pos);
    if (pair.starts_with(key)) return *http::url_decode(pair.substr(key.size()), true);
    pos = end + 1;
  }
  return {};
}

class ServiceTokenTest : public PoolFixture {
 protected:
  FakeProvider provider{[this](const http::Message& req) { return token_endpoint(req); }};
  std::atomic<int> issued{0};
  std::atomic<int> expires_in{300};
  std::atomic<int> status{200};
  TestClock clock;

  Answer token_endpoint(const http::Message& req) {
    if (status != 200) return {status, R"({"error":"invalid_client","error_description":"bad secret"})"};
    if (form_value(req.body(), "grant_type") != "client_credentials") return {400, R"({"error":"unsupported"})"};
    const int n = ++issued;
    return {200, json{{"access_token", "token-" + std::to_string(n)},
                      {"token_type", "Bearer"},
                      {"expires_in", expires_in.load()}}
                     .dump()};
  }

  std::unique_ptr<ServiceTokenClient> client(ClientAuth auth = ClientAuth::basic) {
    return std::make_unique<ServiceTokenClient>(pool_,
                                                provider.url("/realms/event-ticketing/protocol/openid-connect/token"),
                                                "order-service", "s3cr&t", http::ClientOptions{}, auth, clock.fn());
  }
};

TEST_F(ServiceTokenTest, FetchesWithClientCredentialsAndBasicAuth) {
  auto c = client();
  EXPECT_EQ(run(c->token()), "token-1");
  const http::Message req = provider.last();
  EXPECT_EQ(req.method(), bhttp::verb::post);
  EXPECT_EQ(form_value(req.body(), "grant_type"), "client_credentials");
  EXPECT_EQ(std::string(req[bhttp::field::authorization]), "Basic " + crypto::base64_encode("order-service:s3cr%26t"));
  EXPECT_EQ(form_value(req.body(), "client_secret"), "");  // never in two places
}

TEST_F(ServiceTokenTest, CanSendCredentialsAsFormFields) {
  auto c = client(ClientAuth::post);
  EXPECT_EQ(run(c->token()), "token-1");
  const http::Message req = provider.last();
  EXPECT_EQ(form_value(req.body(), "client_id"), "order-service");
  EXPECT_EQ(form_value(req.body(), "client_secret"), "s3cr&t");
  EXPECT_TRUE(std::string(req[bhttp::field::authorization]).empty());
}

TEST_F(ServiceTokenTest, CachesTheTokenAcrossCallsAndWorkers) {
  auto c = client();
  EXPECT_EQ(run(c->token()), "token-1");
  EXPECT_EQ(run(c->token()), "token-1");
  EXPECT_EQ(run(c->token(), 1), "token-1");
  EXPECT_EQ(issued.load(), 1);
}

TEST_F(ServiceTokenTest, RefetchesThirtySecondsBeforeExpiry) {
  auto c = client();
  EXPECT_EQ(run(c->token()), "token-1");
  clock.advance(269s);
  EXPECT_EQ(run(c->token()), "token-1");
  clock.advance(2s);  // 271 s of 300: inside the 30 s margin
  EXPECT_EQ(run(c->token()), "token-2");
  EXPECT_EQ(issued.load(), 2);

  c->invalidate();
  EXPECT_EQ(run(c->token()), "token-3");
}

TEST_F(ServiceTokenTest, DoesNotCacheVeryShortLivedTokens) {
  expires_in = 20;
  auto c = client();
  EXPECT_EQ(run(c->token()), "token-1");
  EXPECT_EQ(run(c->token()), "token-2");
}

TEST_F(ServiceTokenTest, ProviderRefusalIs503WithTheOAuthError) {
  status = 401;
  auto c = client();
  Error e = error_of(*this, c->token());
  EXPECT_EQ(e.status(), 503);
  EXPECT_NE(std::string(e.what()).find("invalid_client"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find("s3cr"), std::string::npos);
}

TEST_F(ServiceTokenTest, UnreachableProviderIs503) {
  http::ClientOptions quick;
  quick.connect_timeout = std::chrono::milliseconds(500);
  // A port nobody listens on: bind one, then close it.
  std::uint16_t port = 0;
  {
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  ServiceTokenClient c(pool_, "http://127.0.0.1:" + std::to_string(port) + "/token", "order-service", "x", quick);
  EXPECT_EQ(error_of(*this, c.token()).status(), 503);
}

// ---- HttpKeySource ------------------------------------------------------------------------

class HttpKeySourceTest : public PoolFixture {
 protected:
  FakeProvider provider{[this](const http::Message& req) { return serve(req); }};
  std::atomic<int> jwks_status{200};
  std::string issuer() const { return provider.url("/realms/event-ticketing"); }

  Answer serve(const http::Message& req) {
    if (req.target() == "/realms/event-ticketing/.well-known/openid-configuration") {
      return {200, json{{"issuer", issuer()},
                        {"jwks_uri", provider.url("/realms/event-ticketing/protocol/openid-connect/certs")}}
                       .dump()};
    }
    if (req.target() == "/realms/event-ticketing/protocol/openid-connect/certs") {
      return {jwks_status.load(), jwks_status == 200 ? jwks({rsa_jwk()}) : "<html>oops</html>"};
    }
    if (req.target() == "/custom/jwks") return {200, jwks({ec_jwk()})};
    if (req.target() == "/broken/jwks") return {200, "not json"};
    return {404, "{}"};
  }
};

TEST_F(HttpKeySourceTest, DiscoversTheJwksUriOnce) {
  HttpKeySource source(pool_, issuer(), std::nullopt);
  EXPECT_EQ(KeySet::parse(run(source.fetch_jwks())).size(), 1u);
  EXPECT_EQ(KeySet::parse(run(source.fetch_jwks(), 1)).size(), 1u);
  EXPECT_EQ(provider.requests("/realms/event-ticketing/.well-known/openid-configuration"), 1);
  EXPECT_EQ(provider.requests("/realms/event-ticketing/protocol/openid-connect/certs"), 2);
}

TEST_F(HttpKeySourceTest, UsesAConfiguredJwksUrlWithoutDiscovery) {
  HttpKeySource source(pool_, issuer(), provider.url("/custom/jwks"));
  EXPECT_TRUE(KeySet::parse(run(source.fetch_jwks())).find("ec1"));
  EXPECT_EQ(provider.requests("/realms/event-ticketing/.well-known/openid-configuration"), 0);
}

TEST_F(HttpKeySourceTest, NonOkOrNonJsonAnswersThrowAndRediscover) {
  jwks_status = 500;
  HttpKeySource source(pool_, issuer(), std::nullopt);
  EXPECT_THROW(run(source.fetch_jwks()), std::runtime_error);
  jwks_status = 200;
  EXPECT_NO_THROW(run(source.fetch_jwks()));
  EXPECT_EQ(provider.requests("/realms/event-ticketing/.well-known/openid-configuration"), 2);

  HttpKeySource broken(pool_, issuer(), provider.url("/broken/jwks"));
  EXPECT_THROW(run(broken.fetch_jwks()), std::runtime_error);
  HttpKeySource missing(pool_, provider.url("/realms/nowhere"), std::nullopt);
  EXPECT_THROW(run(missing.fetch_jwks()), std::runtime_error);
}

TEST_F(HttpKeySourceTest, FeedsAVerifier) {
  VerifierOptions o;
  o.issuer = issuer();
  Verifier verifier(o, std::make_shared<HttpKeySource>(pool_, issuer(), std::nullopt));
  json claims = user_claims(std::chrono::duration_cast<std::chrono::seconds>(Clock::now().time_since_epoch()).count());
  claims["iss"] = issuer();
  const std::string token = sign_jwt(rsa_key(), "RS256", "rsa1", claims);
  // No refresh_keys() first: the unknown kid makes the verifier fetch on demand.
  auto p = run(verifier.verify(token), 1);
  EXPECT_EQ(p->subject, kUserId);
}

TEST_F(HttpKeySourceTest, RefusesToRunOutsideItsPool) {
  HttpKeySource source(pool_, issuer(), std::nullopt);
  asio::io_context other;
  auto future = asio::co_spawn(other, source.fetch_jwks(), asio::use_future);
  other.run();
  EXPECT_THROW(future.get(), std::logic_error);
}

}  // namespace
}  // namespace ticketly::auth
