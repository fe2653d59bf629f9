#include "platform/auth/service_token.h"

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/this_coro.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/runtime/io_pool.h"

namespace ticketly::auth {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// expires_in in seconds: a JSON number, or a numeric string as some providers send it.
std::optional<double> expires_in_of(const json& doc) {
  auto it = doc.find("expires_in");
  if (it == doc.end()) return std::nullopt;
  double seconds = 0;
  if (it->is_number()) {
    seconds = it->get<double>();
  } else if (it->is_string()) {
    try {
      seconds = std::stod(it->get<std::string>());
    } catch (const std::exception&) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (!std::isfinite(seconds) || seconds <= 0) return std::nullopt;
  return std::min(seconds, 365.0 * 24 * 3600);
}

}  // namespace

ServiceTokenClient::ServiceTokenClient(runtime::IoPool& io, std::string token_url, std::string client_id,
                                       std::string client_secret, http::ClientOptions options, ClientAuth auth,
                                       std::function<Timestamp()> now)
    : io_(io),
      token_url_(std::move(token_url)),
      client_id_(std::move(client_id)),
      client_secret_(std::move(client_secret)),
      auth_(auth),
      now_(now ? std::move(now) : [] { return Clock::now(); }) {
  http::parse_url(token_url_);  // a typo should stop start-up
  if (client_id_.empty()) throw std::invalid_argument("ServiceTokenClient: a client id is required");
  for (std::size_t i = 0; i < io.size(); ++i) {
    clients_.push_back(std::make_unique<http::HttpClient>(io.context(i), options));
  }
}

ServiceTokenClient::~ServiceTokenClient() = default;

asio::awaitable<std::string> ServiceTokenClient::token() {
  std::string cached;
  {
    std::lock_guard lock(mu_);
    if (!cached_.empty() && now_() < cached_until_) cached = cached_;
  }
  if (!cached.empty()) co_return cached;
  auto executor = co_await asio::this_coro::executor;
  const asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto worker = io_.worker_of(context);
  if (!worker || *worker >= clients_.size()) {
    throw std::logic_error("ServiceTokenClient used from a coroutine that does not run on its IoPool");
  }
  co_return co_await fetch(*clients_[*worker]);
}

void ServiceTokenClient::invalidate() {
  std::lock_guard lock(mu_);
  cached_.clear();
}

asio::awaitable<std::string> ServiceTokenClient::fetch(http::HttpClient& client) {
  http::HeaderList fields = {{"grant_type", "client_credentials"}};
  http::HeaderList headers = {{"Accept", "application/json"}};
  if (auth_ == ClientAuth::basic) {
    // RFC 6749 §2.3.1: both parts form-encoded before they are joined and base64'd.
    headers.emplace_back("Authorization", "Basic " + crypto::base64_encode(http::url_encode(client_id_) + ":" +
                                                                           http::url_encode(client_secret_)));
  } else {
    fields.emplace_back("client_id", client_id_);
    fields.emplace_back("client_secret", client_secret_);
  }

  http::ClientResponse res;
  try {
    res = co_await client.post_form(token_url_, std::move(fields), std::move(headers));
  } catch (const http::ClientError& e) {
    throw Error(503, std::string("identity provider unreachable for service token: ") + e.what());
  }
  const json doc = json::parse(res.body, nullptr, /*allow_exceptions=*/false);
  if (res.status != 200) {
    std::string why = "identity provider refused the service token request (HTTP " + std::to_string(res.status);
    // The OAuth error code (e.g. invalid_client) says what to fix; it holds no secret.
    if (doc.is_object() && doc.contains("error") && doc["error"].is_string()) {
      why += ", " + doc["error"].get<std::string>();
    }
    throw Error(503, why + ")");
  }
  if (!doc.is_object() || !doc.contains("access_token") || !doc["access_token"].is_string() ||
      doc["access_token"].get_ref<const std::string&>().empty()) {
    throw Error(503, "identity provider answered the service token request without an access_token");
  }
  std::string token = doc["access_token"].get<std::string>();
  if (auto lifetime = expires_in_of(doc)) {
    const auto usable = std::chrono::duration_cast<Timestamp::duration>(std::chrono::duration<double>(*lifetime)) -
                        std::chrono::duration_cast<Timestamp::duration>(kRefreshMargin);
    if (usable > Timestamp::duration::zero()) {
      std::lock_guard lock(mu_);
      cached_ = token;
      cached_until_ = now_() + usable;
    }
  }
  co_return token;
}

}  // namespace ticketly::auth
