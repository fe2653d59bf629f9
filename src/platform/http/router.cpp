#include "platform/http/router.h"

#include <algorithm>
#include <stdexcept>

namespace ticketly::http {

enum class ParamType { String, Uuid, Int, Rest };

struct Router::Node {
  std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
  struct Param {
    std::string name;
    ParamType type;
    std::unique_ptr<Node> next;
  };
  std::vector<Param> params;  // kept ordered: Uuid/Int before String before Rest
  std::map<Verb, const Route*> routes;
};

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));  // empty segments ("//", trailing "/") collapse
    i = j + 1;
  }
  return out;
}

int rank(ParamType t) {
  switch (t) {
    case ParamType::Uuid:
    case ParamType::Int: return 0;
    case ParamType::String: return 1;
    case ParamType::Rest: return 2;
  }
  return 3;
}

bool accepts(ParamType t, std::string_view v) {
  switch (t) {
    case ParamType::Uuid: return Uuid::parse(v).has_value();
    case ParamType::Int:
      return !v.empty() && v.size() <= 18 && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
    case ParamType::String:
    case ParamType::Rest: return !v.empty();
  }
  return false;
}

std::string describe(ParamType t) { return t == ParamType::Uuid ? "a valid UUID" : "an integer"; }

struct Search {
  std::vector<std::string> segments;  // decoded
  bool relaxed = false;
  // Candidate terminal nodes in priority order, with their captured params.
  struct Hit {
    const Router::Node* node;
    std::vector<std::pair<const std::string*, std::string>> params;
    std::string first_failure;  // relaxed search: the typed parameter that did not fit
  };
  std::vector<Hit> hits;
  std::vector<std::pair<const std::string*, std::string>> stack;
  std::string failure;
};

}  // namespace

// Depth-first over the trie in priority order; collects every terminal node that
// matches so the caller can pick the first one with the request's method.
static void collect(const Router::Node& node, std::size_t depth, Search& s) {
  if (depth == s.segments.size()) {
    if (!node.routes.empty()) s.hits.push_back({&node, s.stack, s.failure});
    return;
  }
  const std::string& seg = s.segments[depth];
  if (auto it = node.literals.find(seg); it != node.literals.end()) collect(*it->second, depth + 1, s);
  for (const auto& p : node.params) {
    if (p.type == ParamType::Rest) {
      std::string rest = seg;
      for (std::size_t i = depth + 1; i < s.segments.size(); ++i) rest += "/" + s.segments[i];
      s.stack.emplace_back(&p.name, std::move(rest));
      if (!p.next->routes.empty()) s.hits.push_back({p.next.get(), s.stack, s.failure});
      s.stack.pop_back();
      continue;
    }
    bool ok = accepts(p.type, seg);
    if (!ok && !(s.relaxed && !seg.empty())) continue;
    std::string saved = s.failure;
    if (!ok && s.failure.empty()) {
      s.failure = "Path parameter '" + p.name + "' must be " + describe(p.type) + ", got '" + seg + "'";
    }
    s.stack.emplace_back(&p.name, seg);
    collect(*p.next, depth + 1, s);
    s.stack.pop_back();
    s.failure = std::move(saved);
  }
}

Router::Router() : root_(std::make_unique<Node>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

const Route& Router::add(Verb method, std::string pattern, Handler handler, RouteOptions options) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route pattern must start with '/': " + pattern);
  Node* node = root_.get();
  auto segments = split_path(pattern);
  for (std::size_t i = 0; i < segments.size(); ++i) {
    std::string_view seg = segments[i];
    if (seg.front() != '{') {
      if (seg.find_first_of("{}") != std::string_view::npos) throw std::invalid_argument("bad segment in " + pattern);
      auto& next = node->literals[std::string(seg)];
      if (!next) next = std::make_unique<Node>();
      node = next.get();
      continue;
    }
    if (seg.back() != '}') throw std::invalid_argument("unterminated parameter in " + pattern);
    std::string_view inner = seg.substr(1, seg.size() - 2);
    auto colon = inner.find(':');
    std::string name(inner.substr(0, colon));
    std::string_view type = colon == std::string_view::npos ? "" : inner.substr(colon + 1);
    ParamType pt;
    if (type.empty() || type == "str") pt = ParamType::String;
    else if (type == "uuid") pt = ParamType::Uuid;
    else if (type == "int") pt = ParamType::Int;
    else if (type == "*") pt = ParamType::Rest;
    else throw std::invalid_argument("unknown parameter type '" + std::string(type) + "' in " + pattern);
    if (name.empty()) throw std::invalid_argument("unnamed parameter in " + pattern);
    if (pt == ParamType::Rest && i + 1 != segments.size()) throw std::invalid_argument("{…:*} must be last in " + pattern);
    auto it = std::find_if(node->params.begin(), node->params.end(),
                           [&](const Node::Param& p) { return p.name == name && p.type == pt; });
    if (it == node->params.end()) {
      node->params.push_back({name, pt, std::make_unique<Node>()});
      std::stable_sort(node->params.begin(), node->params.end(),
                       [](const Node::Param& a, const Node::Param& b) { return rank(a.type) < rank(b.type); });
      it = std::find_if(node->params.begin(), node->params.end(),
                        [&](const Node::Param& p) { return p.name == name && p.type == pt; });
    }
    node = it->next.get();
  }
  if (node->routes.count(method)) {
    throw std::invalid_argument("duplicate route " + std::string(bhttp::to_string(method)) + " " + pattern);
  }
  routes_.push_back(std::make_unique<Route>(Route{method, std::move(pattern), std::move(handler), std::move(options)}));
  node->routes[method] = routes_.back().get();
  return *routes_.back();
}

RouteMatch Router::match(Verb method, std::string_view path) const {
  RouteMatch m;
  Search s;
  for (auto seg : split_path(path)) {
    auto decoded = url_decode(seg, false);
    if (!decoded) {
      m.kind = RouteMatch::Kind::BadParameter;
      m.error = "Malformed percent-encoding in the path";
      return m;
    }
    if (decoded->find('\0') != std::string::npos) {  // %00: no id or file name holds one
      m.kind = RouteMatch::Kind::BadParameter;
      m.error = "The path must not contain a NUL character (%00)";
      return m;
    }
    s.segments.push_back(std::move(*decoded));
  }
  collect(*root_, 0, s);
  if (s.hits.empty()) {
    s.relaxed = true;
    collect(*root_, 0, s);
    if (!s.hits.empty()) {
      m.kind = RouteMatch::Kind::BadParameter;
      m.error = s.hits.front().first_failure;
    }
    return m;
  }
  Verb lookup = method == Verb::head ? Verb::get : method;
  for (const auto& hit : s.hits) {
    auto it = hit.node->routes.find(lookup);
    if (it == hit.node->routes.end()) continue;
    m.kind = RouteMatch::Kind::Found;
    m.route = it->second;
    for (auto& [name, value] : hit.params) m.params.add(*name, std::move(value));
    return m;
  }
  std::vector<std::string> allowed;
  for (const auto& hit : s.hits) {
    for (const auto& [verb, route] : hit.node->routes) {
      std::string v(bhttp::to_string(verb));
      if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) allowed.push_back(v);
      if (verb == Verb::get && std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) allowed.push_back("HEAD");
    }
  }
  allowed.push_back("OPTIONS");
  m.kind = RouteMatch::Kind::MethodNotAllowed;
  for (const auto& a : allowed) m.allow += (m.allow.empty() ? "" : ", ") + a;
  return m;
}

}  // namespace ticketly::http
