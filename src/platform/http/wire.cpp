#include "platform/http/wire.h"

#include <boost/beast/http/status.hpp>

#include <charconv>

namespace ticketly::http {
namespace {

void append_number(std::string& out, std::size_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

}  // namespace

void serialize_response(const Response& res, const WireOptions& o, std::string& out) {
  const auto& m = res.message;
  const auto& body = m.body();
  out.reserve(out.size() + 256 + (o.head ? 0 : body.size()));
  out.append(o.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_number(out, m.result_int());
  out.push_back(' ');
  auto reason = bhttp::obsolete_reason(m.result());
  out.append(reason.data(), reason.size());
  out.append("\r\n");
  for (const auto& f : m) {
    // The server owns framing and connection management.
    auto name = f.name();
    if (name == bhttp::field::content_length || name == bhttp::field::transfer_encoding ||
        name == bhttp::field::connection) {
      continue;
    }
    auto n = f.name_string();
    auto v = f.value();
    out.append(n.data(), n.size()).append(": ").append(v.data(), v.size()).append("\r\n");
  }
  if (!o.server.empty()) out.append("Server: ").append(o.server).append("\r\n");
  if (!o.request_id.empty()) out.append("X-Request-Id: ").append(o.request_id).append("\r\n");
  if (o.chunked) {
    out.append("Transfer-Encoding: chunked\r\n");
  } else if (m.result_int() != 204 && m.result_int() >= 200) {
    out.append("Content-Length: ");
    append_number(out, body.size());
    out.append("\r\n");
  }
  if (o.version == 10) {
    if (o.keep_alive) out.append("Connection: keep-alive\r\n");
  } else if (!o.keep_alive) {
    out.append("Connection: close\r\n");
  }
  out.append("\r\n");
  if (!o.head && !o.chunked) out.append(body);
}

void append_chunk(std::string_view data, std::string& out) {
  if (data.empty()) return;  // an empty chunk would end the stream
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, data.size(), 16);
  out.append(buf, end).append("\r\n").append(data).append("\r\n");
}

}  // namespace ticketly::http
