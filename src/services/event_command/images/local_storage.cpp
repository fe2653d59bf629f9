#include "services/event_command/images/local_storage.h"

#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>

#include "platform/crypto/crypto.h"
#include "platform/errors.h"
#include "platform/types/uuid.h"

namespace ticketly::event_command {

namespace fs = std::filesystem;

bool valid_image_key(std::string_view key) {
  auto dot = key.find('.');
  if (dot != 36 || !Uuid::parse(key.substr(0, dot))) return false;
  auto ext = key.substr(dot + 1);
  return ext == "jpg" || ext == "png" || ext == "gif" || ext == "webp";
}

LocalImageStorage::LocalImageStorage(fs::path directory) : directory_(std::move(directory)) {
  fs::create_directories(directory_);
}

boost::asio::awaitable<void> LocalImageStorage::put(std::string key, std::string bytes, std::string) {
  if (!valid_image_key(key)) throw std::invalid_argument("invalid image key " + key);
  // Write a temporary file and rename it: a reader never sees half an image.
  fs::path final_path = directory_ / key;
  fs::path temp = directory_ / ("." + key + "." + crypto::hex_encode(crypto::random_bytes(6)) + ".tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(temp, ec);
      throw unavailable("Could not store the image");
    }
  }
  std::error_code ec;
  fs::rename(temp, final_path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw unavailable("Could not store the image");
  }
  co_return;
}

boost::asio::awaitable<std::optional<std::string>> LocalImageStorage::get(std::string key) {
  if (!valid_image_key(key)) co_return std::nullopt;
  std::ifstream in(directory_ / key, std::ios::binary);
  if (!in) co_return std::nullopt;
  std::ostringstream data;
  data << in.rdbuf();
  co_return std::move(data).str();
}

boost::asio::awaitable<void> LocalImageStorage::remove(std::string key) {
  if (!valid_image_key(key)) co_return;
  std::error_code ec;
  fs::remove(directory_ / key, ec);
  if (ec) spdlog::warn("could not remove image {}: {}", key, ec.message());
  co_return;
}

}  // namespace ticketly::event_command
