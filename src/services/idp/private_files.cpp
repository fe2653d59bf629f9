#include "services/idp/private_files.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "platform/crypto/crypto.h"

namespace ticketly::idp {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

// A unique 0600 temporary next to `path`, holding `content`, flushed to disk.
fs::path write_temporary(const fs::path& path, std::string_view content) {
  fs::path tmp = path;
  tmp += ".tmp-" + crypto::hex_encode(crypto::random_bytes(6));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) fail("cannot create", tmp);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      fail("cannot write", tmp);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  return tmp;
}

}  // namespace

void ensure_private_dir(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return;
  if (!dir.parent_path().empty() && dir.parent_path() != dir) ensure_private_dir(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create directory", dir);
}

std::optional<std::string> read_private_file(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    fail("cannot read", path);
  }
  if ((st.st_mode & 077) != 0) {
    spdlog::warn("{} was readable by others; restricting it to its owner (0600)", path.string());
    ::chmod(path.c_str(), 0600);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read", path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool create_private_file(const fs::path& path, std::string_view content) {
  fs::path tmp = write_temporary(path, content);
  // link() fails with EEXIST when another process created the file first, so the
  // first complete file wins and nobody ever sees a half-written one.
  int rc = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (rc == 0) return true;
  errno = err;
  if (err == EEXIST) return false;
  fail("cannot create", path);
}

void replace_private_file(const fs::path& path, std::string_view content) {
  fs::path tmp = write_temporary(path, content);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    errno = err;
    fail("cannot replace", path);
  }
}

}  // namespace ticketly::idp
