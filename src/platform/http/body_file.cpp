#include "platform/http/body_file.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ticketly::http {

namespace {

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::shared_ptr<const BodyFile> BodyFile::create(std::string_view bytes) {
  const int fd = ::memfd_create("ticketly-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) {
    spdlog::warn("memfd_create failed ({}): large bodies are sent from memory", std::strerror(errno));
    return nullptr;
  }
  auto file = std::make_shared<const BodyFile>(Key{}, fd, bytes.size());  // closes fd from here on
  if (!write_all(fd, bytes) ||
      ::fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    spdlog::warn("an in-memory body file could not be filled and sealed ({}): sent from memory",
                 std::strerror(errno));
    return nullptr;
  }
  return file;
}

std::shared_ptr<const BodyFile> BodyFile::for_body(std::string_view bytes) {
  return bytes.size() >= kMinimumSize ? create(bytes) : nullptr;
}

BodyFile::~BodyFile() { ::close(fd_); }

}  // namespace ticketly::http
