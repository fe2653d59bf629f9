#pragma once
// Images as files in one directory (<TICKETLY_DATA_DIR>/images by default).
//
// File I/O here is synchronous on the calling worker: files are at most 5 MiB and land
// in the page cache, which costs far less than handing them to another thread. A
// deployment with many replicas or large volumes uses S3 instead.
#include <filesystem>

#include "services/event_command/images/storage.h"

namespace ticketly::event_command {

class LocalImageStorage final : public ImageStorage {
 public:
  // Creates the directory when missing (std::filesystem_error when it cannot).
  explicit LocalImageStorage(std::filesystem::path directory);

  boost::asio::awaitable<void> put(std::string key, std::string bytes, std::string content_type) override;
  boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
  boost::asio::awaitable<void> remove(std::string key) override;

  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
};

}  // namespace ticketly::event_command
