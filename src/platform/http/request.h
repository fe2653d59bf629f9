#pragma once
// The request a handler sees: the parsed HTTP message plus what the server
// derived from it (decoded query, typed path parameters, request id).
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/json/json.h"
#include "platform/types/uuid.h"

namespace ticketly::auth {
struct Principal;  // defined by platform/auth; the HTTP layer only carries it
}

namespace ticketly::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Verb = bhttp::verb;
using Field = bhttp::field;
using Message = bhttp::request<bhttp::string_body>;

// Percent-decoding; `plus_is_space` for query strings. nullopt on a bad escape.
std::optional<std::string> url_decode(std::string_view in, bool plus_is_space);

class QueryParams {
 public:
  QueryParams() = default;
  // Parses "a=1&b=x%20y"; a malformed escape throws ticketly::Error(400).
  static QueryParams parse(std::string_view query);

  std::optional<std::string_view> get(std::string_view name) const;  // first value
  std::vector<std::string_view> all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }

  // Typed accessors; a present but malformed value throws ticketly::Error(400)
  // naming the parameter. Empty values count as absent.
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t min, std::int64_t max) const;
  std::optional<double> number(std::string_view name, double min, double max) const;
  std::optional<Uuid> uuid(std::string_view name) const;
  std::optional<bool> boolean(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

class PathParams {
 public:
  void add(std::string_view name, std::string value) { items_.emplace_back(name, std::move(value)); }
  void clear() { items_.clear(); }
  // The router has already checked typed parameters, so these only throw
  // std::out_of_range for a name the route does not declare (a programming error).
  const std::string& get(std::string_view name) const;
  Uuid uuid(std::string_view name) const;
  std::int64_t integer(std::string_view name) const;

 private:
  std::vector<std::pair<std::string_view, std::string>> items_;
};

struct Request {
  Message message;
  std::string_view path;  // target without the query string (points into message)
  QueryParams query;
  PathParams params;
  std::string request_id;
  std::string_view route;  // the matched route pattern, for metrics and logs
  boost::asio::ip::address remote;  // the client: the peer, or named by a trusted proxy
  // Set by an authentication guard, read by handlers; null for public routes.
  std::shared_ptr<const auth::Principal> principal;

  Verb method() const { return message.method(); }
  std::string_view header(Field f) const;
  std::string_view header(std::string_view name) const;
  const std::string& body() const { return message.body(); }

  // Parses the body as JSON; 415 when another content type is declared,
  // 400 when it is empty or malformed.
  json::Json json() const;
};

}  // namespace ticketly::http
