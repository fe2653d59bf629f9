#include "platform/auth/key_source.h"

#include <spdlog/spdlog.h>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "platform/runtime/io_pool.h"

namespace ticketly::auth {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

const http::HeaderList kAcceptJson = {{"Accept", "application/json"}};

json parse_object(const http::ClientResponse& res, const std::string& url, const char* what) {
  if (res.status != 200) {
    throw std::runtime_error(std::string(what) + " " + url + " answered HTTP " + std::to_string(res.status));
  }
  json doc = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) throw std::runtime_error(std::string(what) + " " + url + " is not a JSON object");
  return doc;
}

std::string without_trailing_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

asio::awaitable<std::string> StaticKeySource::fetch_jwks() { co_return jwks_(); }

HttpKeySource::HttpKeySource(runtime::IoPool& io, std::string issuer, std::optional<std::string> jwks_url,
                             http::ClientOptions options)
    : io_(io), issuer_(std::move(issuer)), configured_url_(std::move(jwks_url)) {
  if (configured_url_) {
    http::parse_url(*configured_url_);  // a typo should stop start-up, not every refresh
  } else {
    http::parse_url(issuer_);
  }
  for (std::size_t i = 0; i < io.size(); ++i) {
    clients_.push_back(std::make_unique<http::HttpClient>(io.context(i), options));
  }
}

HttpKeySource::~HttpKeySource() = default;

asio::awaitable<std::string> HttpKeySource::fetch_jwks() {
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker || *worker >= clients_.size()) {
    throw std::logic_error("HttpKeySource used from a coroutine that does not run on its IoPool");
  }
  http::HttpClient& client = *clients_[*worker];

  const std::string url = co_await jwks_url(client);
  http::ClientResponse res = co_await client.get(url, kAcceptJson);
  try {
    json doc = parse_object(res, url, "JWKS");
    if (!doc.contains("keys") || !doc["keys"].is_array())
      throw std::runtime_error("JWKS " + url + " has no keys array");
  } catch (const std::exception&) {
    // The provider may have moved its JWKS: discover again next time.
    std::lock_guard lock(mu_);
    discovered_url_.reset();
    throw;
  }
  co_return std::move(res.body);
}

asio::awaitable<std::string> HttpKeySource::jwks_url(http::HttpClient& client) {
  if (configured_url_) co_return *configured_url_;
  std::optional<std::string> known;
  {
    std::lock_guard lock(mu_);
    known = discovered_url_;
  }
  if (known) co_return std::move(*known);
  const std::string base = without_trailing_slash(issuer_);
  const std::string url = base + "/.well-known/openid-configuration";
  http::ClientResponse res = co_await client.get(url, kAcceptJson);
  json doc = parse_object(res, url, "OpenID configuration");
  auto jwks_uri = doc.find("jwks_uri");
  if (jwks_uri == doc.end() || !jwks_uri->is_string()) throw std::runtime_error(url + " has no jwks_uri");
  std::string found = jwks_uri->get<std::string>();
  http::parse_url(found);  // throws std::invalid_argument for a relative or non-http URL
  if (auto iss = doc.find("issuer");
      iss != doc.end() && iss->is_string() && without_trailing_slash(iss->get<std::string>()) != base) {
    // Tokens are still checked against the configured issuer; this only hints at a
    // misconfiguration (e.g. a provider that sees itself under another host name).
    spdlog::warn("OpenID configuration at {} names issuer {}, not {}", url, iss->get<std::string>(), issuer_);
  }
  {
    std::lock_guard lock(mu_);
    discovered_url_ = found;
  }
  co_return found;
}

}  // namespace ticketly::auth
