#include "platform/http/client.h"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <unordered_map>

#ifndef TICKETLY_VERSION
#define TICKETLY_VERSION "dev"
#endif

namespace ticketly::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Kind = ClientError::Kind;
using Request = bhttp::request<bhttp::string_body>;

// Beast's default of 8 KiB is too tight for some APIs' cookie and CSP headers.
constexpr std::uint32_t kMaxResponseHeader = 64 * 1024;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// RFC 9110 token characters: what a method or a header name may contain.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

std::string percent_encode(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (is_unreserved(c)) {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0F];
    }
  }
  return out;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string host_header(const Url& url) {
  std::string h = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const std::uint16_t default_port = url.tls() ? 443 : 80;
  if (url.port != default_port) h += ":" + std::to_string(url.port);
  return h;
}

std::string describe(const Url& url) { return url.scheme + "://" + host_header(url); }

bool is_idempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    if (method == m) return true;
  }
  return false;
}

Request build_request(ClientRequest& in, const Url& url) {
  if (!is_token(in.method)) throw std::invalid_argument("invalid HTTP method '" + in.method + "'");
  Request req;
  req.version(11);
  req.method_string(in.method);
  req.target(url.target);
  req.set(bhttp::field::host, host_header(url));
  bool has_user_agent = false;
  for (auto& [name, value] : in.headers) {
    if (!is_token(name)) throw std::invalid_argument("invalid header name '" + name + "'");
    // A CR or LF in a value would let the caller (or whoever fed it) inject headers.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw std::invalid_argument("invalid value for header '" + name + "'");
    }
    // Framing and routing headers belong to the client.
    if (iequals(name, "host") || iequals(name, "content-length") || iequals(name, "transfer-encoding")) {
      continue;
    }
    if (iequals(name, "user-agent")) has_user_agent = true;
    req.insert(name, value);
  }
  if (!has_user_agent) req.set(bhttp::field::user_agent, "ticketly/" TICKETLY_VERSION);
  req.body() = std::move(in.body);
  // Bodiless GET/HEAD/DELETE send no Content-Length; methods that carry a body always
  // do (some servers answer 411 to a POST without one).
  if (!req.body().empty() || in.method == "POST" || in.method == "PUT" || in.method == "PATCH") {
    req.content_length(req.body().size());
  }
  return req;
}

// Anything already in the socket of an idle connection means it is unusable: EOF
// (the server closed it), a TLS close_notify, or stray bytes.
bool looks_alive(tcp::socket& socket) {
  if (!socket.is_open()) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
}

struct Connection {
  std::string key;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  std::string verify_failure;  // why certificate verification failed, for the error message
  Clock::time_point idle_since;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// What one attempt on one connection produced.
struct Outcome {
  std::optional<ClientResponse> response;
  bool keep_alive = false;
  std::optional<ClientError> error;
  // The connection failed before a single response byte arrived (and not by timeout):
  // the signature of a pooled connection the server had already closed.
  bool stale = false;
  bool nothing_sent = false;
};

}  // namespace

std::string_view to_string(ClientError::Kind kind) {
  switch (kind) {
    case Kind::Timeout: return "timeout";
    case Kind::Connect: return "connect";
    case Kind::Tls: return "tls";
    case Kind::Protocol: return "protocol";
    case Kind::TooLarge: return "too_large";
  }
  return "unknown";
}

std::string ClientResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::string url_encode(std::string_view s) { return percent_encode(s, false); }

std::string form_encode(const HeaderList& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += percent_encode(name, true);
    out += '=';
    out += percent_encode(value, true);
  }
  return out;
}

Url parse_url(std::string_view text) {
  auto invalid = [&](std::string_view why) {
    return std::invalid_argument("invalid URL '" + std::string(text) + "': " + std::string(why));
  };
  Url url;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) throw invalid("no scheme");
  for (char c : text.substr(0, scheme_end)) url.scheme += lower(c);
  if (url.scheme != "http" && url.scheme != "https") throw invalid("scheme must be http or https");
  url.port = url.tls() ? 443 : 80;

  const std::string_view rest = text.substr(scheme_end + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::string_view authority = rest.substr(0, authority_end);
  // Credentials in URLs end up in logs; pass them as an Authorization header instead.
  if (authority.find('@') != std::string_view::npos) throw invalid("userinfo is not supported");

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw invalid("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw invalid("junk after IPv6 literal");
      port = after.substr(1);
    }
    boost::system::error_code ec;
    asio::ip::make_address_v6(std::string(host), ec);
    if (ec) throw invalid("bad IPv6 literal");
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    const bool ok_chars = std::all_of(host.begin(), host.end(), [](unsigned char c) {
      return is_unreserved(c) && c != '~';
    });
    if (!ok_chars) throw invalid("bad host");
  }
  if (host.empty()) throw invalid("no host");
  for (char c : host) url.host += lower(c);

  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      throw invalid("bad port");
    }
    const int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) throw invalid("port out of range");
    url.port = static_cast<std::uint16_t>(p);
  }

  std::string_view target = rest.substr(authority_end);
  target = target.substr(0, target.find('#'));
  // The target goes verbatim into the request line.
  if (std::any_of(target.begin(), target.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7F; })) {
    throw invalid("unencoded space or control character in path");
  }
  if (target.empty() || target.front() != '/') url.target = "/";
  url.target += target;
  return url;
}

struct HttpClient::Impl {
  asio::io_context& io;
  ClientOptions options;
  ssl::context tls_context{ssl::context::tls_client};
  std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;

  Impl(asio::io_context& io_context, ClientOptions opts) : io(io_context), options(std::move(opts)) {
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    SSL_CTX_set_min_proto_version(tls_context.native_handle(), TLS1_2_VERSION);
    if (options.verify_tls) {
      tls_context.set_verify_mode(ssl::verify_peer);
      tls_context.set_default_verify_paths();
      if (!options.ca_file.empty()) {
        boost::system::error_code ec;
        tls_context.load_verify_file(options.ca_file, ec);
        if (ec) throw std::runtime_error("cannot load CA file '" + options.ca_file + "': " + ec.message());
      }
    } else {
      tls_context.set_verify_mode(ssl::verify_none);
    }
  }

  // --- pool -------------------------------------------------------------------------

  void prune_idle() {
    const auto cutoff = Clock::now() - options.idle_ttl;
    for (auto it = idle.begin(); it != idle.end();) {
      auto& list = it->second;
      std::erase_if(list, [&](const auto& c) { return c->idle_since < cutoff; });
      it = list.empty() ? idle.erase(it) : std::next(it);
    }
  }

  std::unique_ptr<Connection> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    std::unique_ptr<Connection> found;
    // Most recently used first: the likeliest to still be open on the server side.
    while (!list.empty() && !found) {
      auto c = std::move(list.back());
      list.pop_back();
      if (looks_alive(c->tcp().socket())) found = std::move(c);
    }
    if (list.empty()) idle.erase(it);
    return found;
  }

  void give_back(std::unique_ptr<Connection> c) {
    if (options.max_idle_per_host == 0) return;
    c->tcp().expires_never();
    c->idle_since = Clock::now();
    auto& list = idle[c->key];
    list.push_back(std::move(c));
    if (list.size() > options.max_idle_per_host) list.erase(list.begin());  // drop the oldest
  }

  // --- connection set-up ----------------------------------------------------------------

  ClientError connect_error(const boost::system::error_code& ec, Clock::time_point deadline,
                            const Url& url, std::string_view what) {
    if (ec == beast::error::timeout || Clock::now() >= deadline) {
      return ClientError(Kind::Timeout, std::string(what) + " " + describe(url) + " timed out");
    }
    return ClientError(Kind::Connect, std::string(what) + " " + describe(url) + " failed: " + ec.message());
  }

  // getaddrinfo cannot be interrupted, so the lookup races a timer instead; a lookup
  // that loses keeps its state alive until it finishes in asio's resolver thread.
  asio::awaitable<std::vector<tcp::endpoint>> resolve(const Url& url, Clock::time_point deadline) {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(url.host, ec);
    if (!ec) co_return std::vector<tcp::endpoint>{tcp::endpoint(address, url.port)};

    struct Lookup {
      tcp::resolver resolver;
      asio::steady_timer timer;
      bool done = false;
      boost::system::error_code ec;
      std::vector<tcp::endpoint> endpoints;
      explicit Lookup(asio::io_context& io) : resolver(io), timer(io) {}
    };
    auto lookup = std::make_shared<Lookup>(io);
    lookup->timer.expires_at(deadline);
    lookup->resolver.async_resolve(url.host, std::to_string(url.port),
                                   [lookup](const boost::system::error_code& e, tcp::resolver::results_type r) {
                                     lookup->done = true;
                                     lookup->ec = e;
                                     for (const auto& entry : r) lookup->endpoints.push_back(entry.endpoint());
                                     lookup->timer.cancel();
                                   });
    boost::system::error_code timer_ec;
    co_await lookup->timer.async_wait(asio::redirect_error(asio::use_awaitable, timer_ec));
    if (!lookup->done) {
      lookup->resolver.cancel();
      throw ClientError(Kind::Timeout, "resolving " + url.host + " timed out");
    }
    if (lookup->ec || lookup->endpoints.empty()) {
      throw ClientError(Kind::Connect, "cannot resolve " + url.host + ": " +
                                           (lookup->ec ? lookup->ec.message() : "no addresses"));
    }
    co_return std::move(lookup->endpoints);
  }

  asio::awaitable<std::unique_ptr<Connection>> connect(const Url& url, const std::string& key,
                                                       Clock::time_point request_deadline) {
    const auto deadline = std::min(request_deadline, Clock::now() + options.connect_timeout);
    const auto endpoints = co_await resolve(url, deadline);

    auto c = std::make_unique<Connection>();
    c->key = key;
    if (url.tls()) {
      c->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io, tls_context);
    } else {
      c->plain = std::make_unique<beast::tcp_stream>(io);
    }
    auto& stream = c->tcp();
    stream.expires_at(deadline);
    boost::system::error_code ec;
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) throw connect_error(ec, deadline, url, "connecting to");
    stream.socket().set_option(tcp::no_delay(true), ec);  // best effort

    if (c->tls) {
      SSL* handle = c->tls->native_handle();
      // SNI carries host names only, never address literals (RFC 6066 §3).
      if (!is_ip_literal(url.host) && SSL_set_tlsext_host_name(handle, url.host.c_str()) != 1) {
        throw ClientError(Kind::Tls, "cannot set SNI for " + url.host);
      }
      if (options.verify_tls) {
        c->tls->set_verify_callback([conn = c.get(), check = ssl::host_name_verification(url.host)](
                                        bool preverified, ssl::verify_context& ctx) {
          if (!preverified) {
            const int err = X509_STORE_CTX_get_error(ctx.native_handle());
            conn->verify_failure = std::string("certificate verification failed: ") +
                                   X509_verify_cert_error_string(err);
            return false;
          }
          if (!check(preverified, ctx)) {
            conn->verify_failure = "certificate does not match host name";
            return false;
          }
          return true;
        });
      }
      co_await c->tls->async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == beast::error::timeout || Clock::now() >= deadline) {
          throw ClientError(Kind::Timeout, "TLS handshake with " + describe(url) + " timed out");
        }
        throw ClientError(Kind::Tls, "TLS handshake with " + describe(url) + " failed: " +
                                         (c->verify_failure.empty() ? ec.message() : c->verify_failure));
      }
    }
    co_return c;
  }

  // --- one request/response on one connection ---------------------------------------------

  static Outcome failed(Outcome out, const boost::system::error_code& ec, Clock::time_point deadline,
                        const Url& url, std::string_view phase) {
    if (ec == beast::error::timeout || Clock::now() >= deadline) {
      out.error.emplace(Kind::Timeout, "request to " + describe(url) + " timed out while " + std::string(phase));
      out.stale = false;
    } else if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
               ec == bhttp::error::buffer_overflow) {
      out.error.emplace(Kind::TooLarge, "response from " + describe(url) + " too large: " + ec.message());
      out.stale = false;
    } else if (ec == bhttp::error::end_of_stream) {
      out.error.emplace(Kind::Protocol, "connection to " + describe(url) + " closed before the response");
    } else {
      out.error.emplace(Kind::Protocol, std::string(phase) + " " + describe(url) + " failed: " + ec.message());
    }
    return out;
  }

  template <class Stream>
  asio::awaitable<Outcome> exchange(Stream& stream, Connection& c, Request& req, const Url& url,
                                    Clock::time_point deadline) {
    Outcome out;
    c.tcp().expires_at(deadline);
    boost::system::error_code ec;
    const std::size_t sent =
        co_await bhttp::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.stale = true;
      out.nothing_sent = sent == 0;
      co_return failed(std::move(out), ec, deadline, url, "sending request to");
    }

    const bool head = req.method() == bhttp::verb::head;
    bool got_any = false;
    for (;;) {
      bhttp::response_parser<bhttp::string_body> parser;
      parser.header_limit(kMaxResponseHeader);
      parser.body_limit(options.max_response_body);
      if (head) parser.skip(true);
      // Header first, then body: Beast 1.74's eager parse (what async_read does) drops
      // the body_limit error for an oversized Content-Length when body bytes arrive in
      // the same read as the header, and then reads the whole body regardless.
      co_await bhttp::async_read_header(stream, c.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      got_any = got_any || parser.got_some();
      if (!ec && !parser.is_done()) {  // a body follows (not HEAD, 1xx, 204, 304)
        if (parser.content_length() && *parser.content_length() > options.max_response_body) {
          ec = bhttp::error::body_limit;
        } else {
          co_await bhttp::async_read(stream, c.buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
      }
      if (ec) {
        out.stale = !got_any;
        co_return failed(std::move(out), ec, deadline, url, "reading response from");
      }
      auto& msg = parser.get();
      const int status = static_cast<int>(msg.result_int());
      // Interim responses (100 Continue, 103 Early Hints) precede the real one.
      if (status >= 100 && status < 200 && status != 101) continue;

      ClientResponse res;
      res.status = status;
      for (const auto& field : msg) {
        res.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      res.body = std::move(msg.body());
      // Leftover bytes after a complete response mean the framing cannot be trusted.
      out.keep_alive = msg.keep_alive() && status != 101 && c.buffer.size() == 0;
      out.response = std::move(res);
      co_return out;
    }
  }

  asio::awaitable<Outcome> exchange(Connection& c, Request& req, const Url& url, Clock::time_point deadline) {
    if (c.tls) co_return co_await exchange(*c.tls, c, req, url, deadline);
    co_return co_await exchange(*c.plain, c, req, url, deadline);
  }

  asio::awaitable<ClientResponse> send(ClientRequest in) {
    const Url url = parse_url(in.url);
    const bool idempotent = is_idempotent(in.method);
    Request req = build_request(in, url);
    const auto deadline = Clock::now() + options.request_timeout;
    const std::string key = url.scheme + "://" + url.host + ":" + std::to_string(url.port);
    prune_idle();

    for (int attempt = 0;; ++attempt) {
      // The retry always takes a fresh connection: the pool just proved unreliable.
      auto conn = attempt == 0 ? take_idle(key) : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) conn = co_await connect(url, key, deadline);

      Outcome out = co_await exchange(*conn, req, url, deadline);
      if (out.response) {
        if (out.keep_alive) give_back(std::move(conn));
        co_return std::move(*out.response);
      }
      // A pooled connection can die between our liveness check and the write (the
      // server's idle timeout firing). Repeat once, but never a non-idempotent request
      // the server may already have acted on.
      if (reused && out.stale && (idempotent || out.nothing_sent)) {
        spdlog::debug("http client: pooled connection to {} was stale ({}), retrying", describe(url),
                      out.error->what());
        continue;
      }
      throw *out.error;
    }
  }
};

HttpClient::HttpClient(boost::asio::io_context& io, ClientOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

HttpClient::~HttpClient() = default;

boost::asio::awaitable<ClientResponse> HttpClient::send(ClientRequest request) {
  return impl_->send(std::move(request));
}

boost::asio::awaitable<ClientResponse> HttpClient::get(std::string url, HeaderList headers) {
  ClientRequest req;
  req.url = std::move(url);
  req.headers = std::move(headers);
  return impl_->send(std::move(req));
}

namespace {
void default_content_type(HeaderList& headers, std::string_view type) {
  for (const auto& [name, value] : headers) {
    if (iequals(name, "content-type")) return;
  }
  headers.emplace_back("Content-Type", std::string(type));
}
}  // namespace

boost::asio::awaitable<ClientResponse> HttpClient::post_form(std::string url, HeaderList fields,
                                                             HeaderList headers) {
  ClientRequest req;
  req.method = "POST";
  req.url = std::move(url);
  req.body = form_encode(fields);
  default_content_type(headers, "application/x-www-form-urlencoded");
  req.headers = std::move(headers);
  return impl_->send(std::move(req));
}

boost::asio::awaitable<ClientResponse> HttpClient::post_json(std::string url, std::string body,
                                                             HeaderList headers) {
  ClientRequest req;
  req.method = "POST";
  req.url = std::move(url);
  req.body = std::move(body);
  default_content_type(headers, "application/json");
  req.headers = std::move(headers);
  return impl_->send(std::move(req));
}

std::size_t HttpClient::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [key, list] : impl_->idle) n += list.size();
  return n;
}

}  // namespace ticketly::http
