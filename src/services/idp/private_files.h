#pragma once
// Files only the owner may read (the signing key, client secrets), written so that two
// processes starting together agree on one version.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace ticketly::idp {

// Creates `dir` and its parents (new ones with mode 0700).
void ensure_private_dir(const std::filesystem::path& dir);
// The file's content; nullopt when it does not exist. Throws std::runtime_error when it
// exists but cannot be read. Tightens a group/world-readable file to 0600 (with a warning).
std::optional<std::string> read_private_file(const std::filesystem::path& path);
// Creates `path` with `content` (mode 0600) unless it exists: true when this call created
// it, false when another writer got there first (its content stays).
bool create_private_file(const std::filesystem::path& path, std::string_view content);
// Replaces `path` atomically (write a 0600 temporary, then rename).
void replace_private_file(const std::filesystem::path& path, std::string_view content);

}  // namespace ticketly::idp
