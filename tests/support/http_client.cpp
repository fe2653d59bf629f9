#include "support/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>

namespace ticketly::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

std::string HttpResult::header(std::string name) const {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

json::Json HttpResult::json() const {
  try {
    return json::Json::parse(body);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "response body is not JSON: " << e.what() << "\nbody: " << body;
    return {};
  }
}

TestConnection::TestConnection(std::uint16_t port, std::chrono::milliseconds timeout, int receive_buffer,
                               const std::string& local_address)
    : socket_(ctx_), timeout_(timeout) {
  socket_.open(tcp::v4());
  if (receive_buffer > 0) socket_.set_option(asio::socket_base::receive_buffer_size(receive_buffer));
  if (!local_address.empty()) socket_.bind(tcp::endpoint(asio::ip::make_address(local_address), 0));
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  socket_.set_option(tcp::no_delay(true));
  set_timeout(timeout_);
}

void TestConnection::set_timeout(std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = t.count() / 1000;
  tv.tv_usec = (t.count() % 1000) * 1000;
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

HttpResult TestConnection::request(const std::string& method, const std::string& target, const std::string& body,
                                   const Headers& headers) {
  bhttp::request<bhttp::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
  bhttp::write(socket_, req);
  return read_response();
}

void TestConnection::send_raw(const std::string& bytes) { asio::write(socket_, asio::buffer(bytes)); }

HttpResult TestConnection::read_response() {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  parser.skip(false);
  bhttp::read(socket_, buffer_, parser);
  auto res = parser.release();
  HttpResult r;
  r.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    r.headers[name] = std::string(f.value());
  }
  r.body = std::move(res.body());
  r.keep_alive = res.keep_alive();
  return r;
}

std::string TestConnection::read_until(const std::string& marker, std::chrono::milliseconds timeout) {
  set_timeout(timeout);
  std::string seen(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  buffer_.consume(buffer_.size());
  char chunk[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (seen.find(marker) == std::string::npos) {
    if (std::chrono::steady_clock::now() > deadline) {
      set_timeout(timeout_);
      throw std::runtime_error("read_until('" + marker + "') timed out; got " + std::to_string(seen.size()) + " bytes");
    }
    boost::system::error_code ec;
    auto n = socket_.read_some(asio::buffer(chunk), ec);
    if (ec) {
      set_timeout(timeout_);
      throw std::runtime_error("read_until('" + marker + "') failed: " + ec.message() + "; got: " + seen);
    }
    seen.append(chunk, n);
  }
  set_timeout(timeout_);
  return seen;
}

bool TestConnection::wait_closed(std::chrono::milliseconds timeout) {
  set_timeout(timeout);
  char chunk[4096];
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool closed = false;
  while (std::chrono::steady_clock::now() < deadline) {
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(chunk), ec);
    if (ec == asio::error::eof || ec == asio::error::connection_reset) {
      closed = true;
      break;
    }
    if (ec) break;  // timeout
  }
  set_timeout(timeout_);
  return closed;
}

void TestConnection::close() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
}

HttpResult http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const Headers& headers) {
  TestConnection c(port);
  return c.request(method, target, body, headers);
}

}  // namespace ticketly::testing
