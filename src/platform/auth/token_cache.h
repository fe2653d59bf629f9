#pragma once
// TokenCache: verified tokens → their Principal, until the token expires.
//
// Keyed by the SHA-256 of the token (the token itself is never stored), so a repeated
// token costs one hash and one lookup instead of a signature check. Sixteen shards,
// each with its own mutex held only for a map operation, keep workers from contending.
// Bounded: a full shard first drops expired entries, then arbitrary ones.
#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "platform/auth/principal.h"
#include "platform/types/time.h"

namespace ticketly::auth {

class TokenCache {
 public:
  using Digest = std::array<unsigned char, 32>;
  static Digest digest(std::string_view token);

  // capacity 0 turns the cache off.
  explicit TokenCache(std::size_t capacity);

  // The cached principal, or nullptr when absent or no longer valid at `now`.
  std::shared_ptr<const Principal> find(const Digest& key, Timestamp now);
  void insert(const Digest& key, std::shared_ptr<const Principal> principal, Timestamp valid_until, Timestamp now);
  void clear();
  std::size_t size() const;

 private:
  struct DigestHash {
    std::size_t operator()(const Digest& d) const noexcept {
      std::size_t h;  // the digest is uniformly distributed already
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct Entry {
    std::shared_ptr<const Principal> principal;
    Timestamp valid_until;
  };
  struct alignas(64) Shard {
    mutable std::mutex mu;
    std::unordered_map<Digest, Entry, DigestHash> entries;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_of(const Digest& key) { return shards_[key[31] % kShards]; }

  std::size_t shard_capacity_;
  std::array<Shard, kShards> shards_;
};

}  // namespace ticketly::auth
