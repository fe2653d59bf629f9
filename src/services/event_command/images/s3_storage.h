#pragma once
// Images in an S3 bucket (or any S3-compatible store: MinIO, R2, …), over the platform's
// asynchronous HTTP client with AWS Signature V4 — no request blocks a worker.
//
//   TICKETLY_S3_BUCKET             the bucket (turns S3 on)
//   TICKETLY_S3_REGION             us-east-1
//   TICKETLY_S3_ENDPOINT           https://s3.<region>.amazonaws.com
//   TICKETLY_S3_ACCESS_KEY_ID / TICKETLY_S3_SECRET_ACCESS_KEY   required with a bucket
//   TICKETLY_S3_PATH_STYLE         false: <bucket>.<host>/<key>; true: <host>/<bucket>/<key>
//   TICKETLY_S3_PREFIX             images/ (object keys are <prefix><photoId>.<ext>)
#include <functional>
#include <memory>
#include <string>

#include "platform/runtime/io_pool.h"
#include "platform/types/time.h"
#include "services/event_command/images/sigv4.h"
#include "services/event_command/images/storage.h"
#include "services/event_command/worker_clients.h"

namespace ticketly::event_command {

struct S3Config {
  std::string endpoint;  // scheme://host[:port]
  std::string bucket;
  std::string region = "us-east-1";
  sigv4::Credentials credentials;
  bool path_style = false;
  std::string prefix = "images/";
};

class S3ImageStorage final : public ImageStorage {
 public:
  // Throws std::invalid_argument for an endpoint that is not an http(s) URL.
  S3ImageStorage(runtime::IoPool& io, S3Config config, std::function<Timestamp()> now = {});

  boost::asio::awaitable<void> put(std::string key, std::string bytes, std::string content_type) override;
  boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
  boost::asio::awaitable<void> remove(std::string key) override;

  // The URL of an object (for logs and tests).
  std::string object_url(const std::string& key) const;

 private:
  // Signs and sends one request; transport failures become 503.
  boost::asio::awaitable<http::ClientResponse> send(std::string method, std::string key, std::string body,
                                                    std::string content_type);

  S3Config config_;
  std::function<Timestamp()> now_;
  std::string scheme_;
  std::string host_;  // as sent in Host (with a non-default port)
  std::string base_path_;
  WorkerClients clients_;
};

}  // namespace ticketly::event_command
