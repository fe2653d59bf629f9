#include "platform/http/request.h"

#include <charconv>
#include <cmath>

#include "platform/errors.h"
#include "platform/text/ascii.h"
#include "platform/types/hex.h"

namespace ticketly::http {

std::optional<std::string> url_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_digit(in[i + 1]), lo = hex_digit(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

QueryParams QueryParams::parse(std::string_view query) {
  QueryParams q;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = url_decode(pair.substr(0, eq), true);
    auto value = url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!key || !value) throw bad_request("Malformed percent-encoding in the query string");
    // %00 would reach PostgreSQL (which refuses NUL in text) or C APIs as a truncated string.
    if (key->find('\0') != std::string::npos || value->find('\0') != std::string::npos) {
      throw bad_request("The query string must not contain a NUL character (%00)");
    }
    q.items_.emplace_back(std::move(*key), std::move(*value));
  }
  return q;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::all(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : items_) {
    if (k == name) out.emplace_back(v);
  }
  return out;
}

std::optional<std::int64_t> QueryParams::integer(std::string_view name, std::int64_t min, std::int64_t max) const {
  auto v = get(name);
  if (!v || v->empty()) return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < min || n > max) {
    throw bad_request("Query parameter '" + std::string(name) + "' must be an integer between " +
                      std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

std::optional<double> QueryParams::number(std::string_view name, double min, double max) const {
  auto v = get(name);
  if (!v || v->empty()) return std::nullopt;
  double d = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), d);
  if (ec != std::errc() || p != v->data() + v->size() || !std::isfinite(d) || d < min || d > max) {
    throw bad_request("Query parameter '" + std::string(name) + "' must be a number in range");
  }
  return d;
}

std::optional<Uuid> QueryParams::uuid(std::string_view name) const {
  auto v = get(name);
  if (!v || v->empty()) return std::nullopt;
  auto id = Uuid::parse(*v);
  if (!id) throw bad_request("Query parameter '" + std::string(name) + "' must be a valid UUID");
  return id;
}

std::optional<bool> QueryParams::boolean(std::string_view name) const {
  auto v = get(name);
  if (!v || v->empty()) return std::nullopt;
  if (text::iequals_ascii(*v, "true") || *v == "1") return true;
  if (text::iequals_ascii(*v, "false") || *v == "0") return false;
  throw bad_request("Query parameter '" + std::string(name) + "' must be true or false");
}

const std::string& PathParams::get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (k == name) return v;
  }
  throw std::out_of_range("route declares no path parameter '" + std::string(name) + "'");
}

Uuid PathParams::uuid(std::string_view name) const {
  auto id = Uuid::parse(get(name));
  if (!id) throw bad_request("Path parameter '" + std::string(name) + "' must be a valid UUID");
  return *id;
}

std::int64_t PathParams::integer(std::string_view name) const {
  const auto& s = get(name);
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) {
    throw bad_request("Path parameter '" + std::string(name) + "' must be an integer");
  }
  return n;
}

std::string_view Request::header(Field f) const {
  auto it = message.find(f);
  return it == message.end() ? std::string_view{} : std::string_view(it->value());
}

std::string_view Request::header(std::string_view name) const {
  auto it = message.find(name);
  return it == message.end() ? std::string_view{} : std::string_view(it->value());
}

json::Json Request::json() const {
  auto type = header(Field::content_type);
  if (!type.empty()) {
    auto semi = type.find(';');
    auto mime = type.substr(0, semi);
    while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
    // application/json and any +json type (application/merge-patch+json, …)
    bool is_json = text::iequals_ascii(mime, "application/json") ||
                   (mime.size() > 5 && text::iequals_ascii(mime.substr(mime.size() - 5), "+json"));
    if (!is_json) throw Error(415, "Content-Type must be application/json");
  }
  return json::parse_body(message.body());
}

}  // namespace ticketly::http
