#include "services/idp/client_secrets.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "platform/crypto/crypto.h"
#include "services/idp/private_files.h"

namespace ticketly::idp {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// An exclusive flock() on a lock file: serializes the read-modify-write of the secrets
// file across processes (and, since every call opens its own descriptor, across threads).
class FileLock {
 public:
  explicit FileLock(const fs::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd_);
        throw std::runtime_error("cannot lock " + path.string() + ": " + std::strerror(errno));
      }
    }
  }
  ~FileLock() { ::close(fd_); }  // closing releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

std::string secret_override_key(std::string_view client_id) {
  std::string key = "TICKETLY_IDP_SECRET_";
  for (unsigned char c : client_id) key.push_back(std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_');
  return key;
}

std::map<std::string, std::string> stored_client_secrets(const fs::path& data_dir,
                                                         const std::vector<std::string>& client_ids) {
  const fs::path dir = data_dir / "idp";
  const fs::path path = dir / "client-secrets.json";
  ensure_private_dir(dir);
  FileLock lock(dir / ".client-secrets.lock");

  Json stored = Json::object();
  if (auto text = read_private_file(path)) {
    stored = Json::parse(*text, nullptr, false);
    if (!stored.is_object()) {
      throw std::runtime_error(path.string() + " is not a JSON object of client id -> secret; fix or delete it");
    }
  }
  bool changed = false;
  std::map<std::string, std::string> out;
  for (const auto& id : client_ids) {
    auto it = stored.find(id);
    if (it == stored.end() || !it->is_string() || it->get<std::string>().empty()) {
      stored[id] = crypto::random_token(32);
      changed = true;
    }
    out[id] = stored[id].get<std::string>();
  }
  if (changed) replace_private_file(path, stored.dump(2) + "\n");
  return out;
}

std::map<std::string, std::string> resolve_client_secrets(const config::Source& config, const fs::path& data_dir,
                                                          const std::vector<std::string>& client_ids) {
  std::vector<std::string> from_file;
  std::map<std::string, std::string> out;
  for (const auto& id : client_ids) {
    if (auto v = config.get(secret_override_key(id)); v && !v->empty())
      out[id] = *v;
    else
      from_file.push_back(id);
  }
  if (!from_file.empty()) {
    for (auto& [id, secret] : stored_client_secrets(data_dir, from_file)) out[id] = secret;
  }
  return out;
}

}  // namespace ticketly::idp
