#pragma once
// Outgoing HTTP/1.1 client: OIDC discovery and JWKS, the Stripe REST API,
// service-to-service calls.
//
// One HttpClient per worker io_context; like everything else on a worker it takes no
// locks and must only be used from that io_context's thread. It keeps idle keep-alive
// connections per scheme+host+port and reuses them.
//
// Errors: transport failures (DNS, connect, TLS, timeouts, malformed or oversized
// responses) throw ClientError. Any HTTP status, 4xx and 5xx included, is a normal
// response: the caller decides what a 404 from Stripe means. A malformed URL or header
// in the request is a programming error and throws std::invalid_argument.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ticketly::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientOptions {
  // Resolving, connecting and the TLS handshake must finish within this.
  std::chrono::milliseconds connect_timeout{3000};
  // The whole exchange, connection set-up included.
  std::chrono::milliseconds request_timeout{10000};
  // Keep-alive reuse: idle connections kept per scheme+host+port, and for how long.
  std::size_t max_idle_per_host = 8;
  std::chrono::seconds idle_ttl{30};
  std::size_t max_response_body = 8u << 20;
  // false only for explicit development set-ups: it turns off certificate AND
  // host name verification.
  bool verify_tls = true;
  // Extra PEM CA bundle (tests, private CAs), trusted on top of the system store.
  std::string ca_file;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host[:port]/path?query or https://…; [v6] literals allowed
  // Host, Content-Length and Transfer-Encoding are set by the client and ignored here;
  // User-Agent defaults to "ticketly/<version>" unless given.
  HeaderList headers;
  std::string body;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;  // in the order received
  std::string body;

  // First value of the header `name` (case-insensitive), or "" if absent.
  std::string header(std::string_view name) const;
};

class ClientError : public std::runtime_error {
 public:
  enum class Kind {
    Timeout,   // connect_timeout or request_timeout elapsed
    Connect,   // DNS failure, refused, unreachable
    Tls,       // handshake failed, certificate or host name not trusted
    Protocol,  // connection dropped mid-exchange, malformed response
    TooLarge,  // response body over max_response_body (or absurd headers)
  };

  ClientError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

std::string_view to_string(ClientError::Kind kind);

// A parsed absolute http(s) URL. Host is lower-cased and without IPv6 brackets.
struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;
  std::uint16_t port = 0;
  std::string target;  // path and query, never empty ("/" at least); fragment dropped
  bool tls() const { return scheme == "https"; }
};
// Throws std::invalid_argument for anything that is not an absolute http(s) URL.
Url parse_url(std::string_view url);

// RFC 3986 percent-encoding: everything but ALPHA / DIGIT / "-" / "." / "_" / "~".
std::string url_encode(std::string_view s);
// application/x-www-form-urlencoded: k=v pairs joined by '&', each side url_encode'd
// except that a space becomes '+'.
std::string form_encode(const HeaderList& fields);

class HttpClient {
 public:
  explicit HttpClient(boost::asio::io_context& io, ClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // The client must outlive every send() in flight.
  boost::asio::awaitable<ClientResponse> send(ClientRequest request);

  boost::asio::awaitable<ClientResponse> get(std::string url, HeaderList headers = {});
  // Body is form_encode(fields); Content-Type defaults to application/x-www-form-urlencoded.
  boost::asio::awaitable<ClientResponse> post_form(std::string url, HeaderList fields,
                                                   HeaderList headers = {});
  // Content-Type defaults to application/json.
  boost::asio::awaitable<ClientResponse> post_json(std::string url, std::string body,
                                                   HeaderList headers = {});

  // Idle pooled connections right now (all hosts); for tests and metrics.
  std::size_t idle_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketly::http
