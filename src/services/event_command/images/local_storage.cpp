#include "services/event_command/images/local_storage.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
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

namespace {

namespace asio = boost::asio;

// The blocking parts, run on the storage's own threads (see local_storage.h). They take
// their arguments by value: the caller's frame is suspended, not gone, but copies keep the
// pool independent of it.
asio::awaitable<bool> write_file(fs::path directory, std::string key, std::string bytes) {
  // Write a temporary file and rename it: a reader never sees half an image.
  const fs::path final_path = directory / key;
  const fs::path temp = directory / ("." + key + "." + crypto::hex_encode(crypto::random_bytes(6)) + ".tmp");
  std::error_code ec;
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      fs::remove(temp, ec);
      co_return false;
    }
  }
  fs::rename(temp, final_path, ec);
  if (ec) {
    fs::remove(temp, ec);
    co_return false;
  }
  co_return true;
}

asio::awaitable<std::optional<std::string>> read_file(fs::path path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) co_return std::nullopt;
  std::ostringstream data;
  data << in.rdbuf();
  co_return std::move(data).str();
}

asio::awaitable<void> remove_file(fs::path path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) spdlog::warn("could not remove image {}: {}", path.filename().string(), ec.message());
  co_return;
}

}  // namespace

LocalImageStorage::LocalImageStorage(fs::path directory, std::size_t threads)
    : directory_(std::move(directory)), files_(threads) {
  fs::create_directories(directory_);
}

asio::awaitable<void> LocalImageStorage::put(std::string key, std::string bytes, std::string) {
  if (!valid_image_key(key)) throw std::invalid_argument("invalid image key " + key);
  auto write = write_file(directory_, std::move(key), std::move(bytes));
  const bool stored = co_await asio::co_spawn(files_, std::move(write), asio::use_awaitable);
  if (!stored) throw unavailable("Could not store the image");
}

asio::awaitable<std::optional<std::string>> LocalImageStorage::get(std::string key) {
  if (!valid_image_key(key)) co_return std::nullopt;
  auto read = read_file(directory_ / key);
  co_return co_await asio::co_spawn(files_, std::move(read), asio::use_awaitable);
}

asio::awaitable<void> LocalImageStorage::remove(std::string key) {
  if (!valid_image_key(key)) co_return;
  auto removal = remove_file(directory_ / key);
  co_await asio::co_spawn(files_, std::move(removal), asio::use_awaitable);
}

}  // namespace ticketly::event_command
