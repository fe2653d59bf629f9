#pragma once
// Router: method + path pattern → handler, matched segment by segment.
//
// Patterns are literal segments and parameters: `{id}` (any non-empty segment),
// `{id:uuid}`, `{n:int}`, and a trailing `{rest:*}` that takes the remainder.
// Literal segments win over typed parameters, which win over plain ones, so
// `/v1/events/search` and `/v1/events/{id:uuid}` coexist. A path that matches a
// route only if a typed parameter were relaxed is a 400 ("must be a valid UUID"),
// not a 404; a path with routes for other methods is a 405 with `Allow`.
#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/http/request.h"
#include "platform/http/response.h"

namespace ticketly::http {

using Handler = std::function<boost::asio::awaitable<Response>(Request&)>;
// Runs before the handler (authentication, role checks); rejects by throwing ticketly::Error.
using Guard = std::function<boost::asio::awaitable<void>(Request&)>;

struct RouteOptions {
  std::optional<std::size_t> body_limit;  // bytes; the server default otherwise (uploads: up to 50 MiB)
  Guard guard;
};

struct Route {
  Verb method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
};

struct RouteMatch {
  enum class Kind { Found, NotFound, MethodNotAllowed, BadParameter };
  Kind kind = Kind::NotFound;
  const Route* route = nullptr;
  PathParams params;
  std::string allow;  // MethodNotAllowed: e.g. "GET, POST, OPTIONS"
  std::string error;  // BadParameter: the message for the 400
};

class Router {
 public:
  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Throws std::invalid_argument on a malformed pattern or a duplicate route.
  const Route& add(Verb method, std::string pattern, Handler handler, RouteOptions options = {});
  const Route& get(std::string p, Handler h, RouteOptions o = {}) { return add(Verb::get, std::move(p), std::move(h), std::move(o)); }
  const Route& post(std::string p, Handler h, RouteOptions o = {}) { return add(Verb::post, std::move(p), std::move(h), std::move(o)); }
  const Route& put(std::string p, Handler h, RouteOptions o = {}) { return add(Verb::put, std::move(p), std::move(h), std::move(o)); }
  const Route& patch(std::string p, Handler h, RouteOptions o = {}) { return add(Verb::patch, std::move(p), std::move(h), std::move(o)); }
  const Route& del(std::string p, Handler h, RouteOptions o = {}) { return add(Verb::delete_, std::move(p), std::move(h), std::move(o)); }

  // HEAD falls back to the GET route (the server drops the body).
  RouteMatch match(Verb method, std::string_view path) const;

  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

  struct Node;  // the trie; defined in router.cpp

 private:
  std::unique_ptr<Node> root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace ticketly::http
