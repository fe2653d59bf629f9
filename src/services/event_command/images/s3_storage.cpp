#include "services/event_command/images/s3_storage.h"

#include <spdlog/spdlog.h>

#include "platform/errors.h"

namespace ticketly::event_command {

namespace asio = boost::asio;

S3ImageStorage::S3ImageStorage(runtime::IoPool& io, S3Config config, std::function<Timestamp()> now)
    : config_(std::move(config)), now_(now ? std::move(now) : [] { return Clock::now(); }),
      clients_(io, http::ClientOptions{.request_timeout = std::chrono::seconds(30)}) {
  http::Url url = http::parse_url(config_.endpoint);
  scheme_ = url.scheme;
  host_ = config_.path_style ? url.host : config_.bucket + "." + url.host;
  if (url.port != (url.tls() ? 443 : 80)) host_ += ":" + std::to_string(url.port);
  base_path_ = url.target == "/" ? "" : url.target;
  while (!base_path_.empty() && base_path_.back() == '/') base_path_.pop_back();
  if (config_.path_style) base_path_ += "/" + config_.bucket;
}

std::string S3ImageStorage::object_url(const std::string& key) const {
  return scheme_ + "://" + host_ + sigv4::encode_path(base_path_ + "/" + config_.prefix + key);
}

asio::awaitable<http::ClientResponse> S3ImageStorage::send(std::string method, std::string key, std::string body,
                                                           std::string content_type) {
  const std::string date = sigv4::amz_date(now_());
  sigv4::CanonicalInput in;
  in.method = method;
  in.path = sigv4::encode_path(base_path_ + "/" + config_.prefix + key);
  in.payload_sha256_hex = sigv4::sha256_hex(body);
  in.headers = {{"host", host_}, {"x-amz-content-sha256", in.payload_sha256_hex}, {"x-amz-date", date}};
  if (!content_type.empty()) in.headers.emplace_back("content-type", content_type);

  http::ClientRequest request;
  request.method = method;
  request.url = scheme_ + "://" + host_ + in.path;
  for (const auto& h : in.headers) {
    if (h.first != "host") request.headers.push_back(h);
  }
  request.headers.emplace_back("Authorization", sigv4::authorization(in, config_.credentials,
                                                                     {config_.region, "s3"}, date));
  request.body = std::move(body);
  http::HttpClient* client = co_await clients_.current();
  try {
    co_return co_await client->send(std::move(request));
  } catch (const http::ClientError& e) {
    spdlog::warn("S3 {} {} failed: {}", method, key, e.what());
  }
  throw unavailable("The image store is unavailable");
}

asio::awaitable<void> S3ImageStorage::put(std::string key, std::string bytes, std::string content_type) {
  auto response = co_await send("PUT", key, std::move(bytes), content_type);
  if (response.status != 200) {
    spdlog::warn("S3 PUT {} answered {}: {}", key, response.status, response.body.substr(0, 300));
    throw unavailable("The image store refused the image");
  }
}

asio::awaitable<std::optional<std::string>> S3ImageStorage::get(std::string key) {
  if (!valid_image_key(key)) co_return std::nullopt;
  auto response = co_await send("GET", key, "", "");
  if (response.status == 404 || response.status == 403) co_return std::nullopt;  // 403: no ListBucket right
  if (response.status != 200) {
    spdlog::warn("S3 GET {} answered {}", key, response.status);
    throw unavailable("The image store is unavailable");
  }
  co_return std::move(response.body);
}

asio::awaitable<void> S3ImageStorage::remove(std::string key) {
  if (!valid_image_key(key)) co_return;
  try {
    auto response = co_await send("DELETE", key, "", "");
    if (response.status != 204 && response.status != 200 && response.status != 404) {
      spdlog::warn("S3 DELETE {} answered {}", key, response.status);
    }
  } catch (const Error& e) {
    spdlog::warn("S3 DELETE {} failed: {}", key, e.what());
  }
}

}  // namespace ticketly::event_command
