#pragma once
// Images as files in one directory (<TICKETLY_DATA_DIR>/images by default).
//
// File I/O blocks, so it runs on a small thread pool of its own, never on an I/O worker
// (a slow disk must not stall every request of that worker); the calling coroutine
// resumes on its own worker. A deployment with many replicas uses S3 instead.
#include <boost/asio/thread_pool.hpp>

#include <filesystem>

#include "services/event_command/images/storage.h"

namespace ticketly::event_command {

class LocalImageStorage final : public ImageStorage {
 public:
  // Creates the directory when missing (std::filesystem_error when it cannot).
  explicit LocalImageStorage(std::filesystem::path directory, std::size_t threads = 2);

  boost::asio::awaitable<void> put(std::string key, std::string bytes, std::string content_type) override;
  boost::asio::awaitable<std::optional<std::string>> get(std::string key) override;
  boost::asio::awaitable<void> remove(std::string key) override;

  const std::filesystem::path& directory() const { return directory_; }

 private:
  std::filesystem::path directory_;
  boost::asio::thread_pool files_;  // last: joined first, while directory_ still exists
};

}  // namespace ticketly::event_command
