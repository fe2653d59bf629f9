#pragma once
// A blocking HTTP/1.1 client for tests: one TCP connection, full control over
// the bytes (raw sends for malformed input, partial reads for event streams).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "platform/json/json.h"

namespace ticketly::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercased
  std::string body;
  bool keep_alive = true;

  std::string header(std::string name) const;
  json::Json json() const;  // parses body; fails the test on bad JSON
};

class TestConnection {
 public:
  // `receive_buffer` > 0 caps the socket's receive buffer (set before connecting, so the
  // advertised window stays small): a client that stops reading then stalls its server quickly.
  // `local_address` (e.g. "127.0.0.2") makes the connection come from another loopback
  // address: another client, for limits kept per client address.
  explicit TestConnection(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10),
                          int receive_buffer = 0, const std::string& local_address = "");

  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const Headers& headers = {});
  void send_raw(const std::string& bytes);
  HttpResult read_response();
  // Reads raw bytes until `marker` has been seen (or throws on timeout/EOF).
  std::string read_until(const std::string& marker, std::chrono::milliseconds timeout);
  // True when the server closes the connection within `timeout` (EOF or reset).
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

 private:
  void set_timeout(std::chrono::milliseconds t);

  boost::asio::io_context ctx_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// One request on a fresh connection.
HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = "", const Headers& headers = {});

}  // namespace ticketly::testing
