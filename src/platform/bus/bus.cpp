#include "platform/bus/bus.h"

namespace ticketly::bus {

const std::string* Message::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? nullptr : &it->second;
}

std::string to_string(const TopicPartition& tp) { return tp.topic + "[" + std::to_string(tp.partition) + "]"; }

std::int32_t murmur2(std::string_view key) {
  // MurmurHash2 exactly as Kafka's Java client (Utils.murmur2) computes it: 32-bit
  // arithmetic, little-endian blocks, seed 0x9747b28c.
  constexpr std::uint32_t m = 0x5bd1e995;
  constexpr int r = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const std::size_t length = key.size();
  std::uint32_t h = 0x9747b28cU ^ static_cast<std::uint32_t>(length);
  const std::size_t blocks = length / 4;
  for (std::size_t i = 0; i < blocks; ++i) {
    const unsigned char* b = data + i * 4;
    std::uint32_t k = std::uint32_t{b[0]} | (std::uint32_t{b[1]} << 8) | (std::uint32_t{b[2]} << 16) |
                      (std::uint32_t{b[3]} << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const unsigned char* tail = data + blocks * 4;
  switch (length % 4) {
    case 3:
      h ^= std::uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= std::uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= std::uint32_t{tail[0]};
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<std::int32_t>(h);
}

std::int32_t partition_for(std::string_view key, std::int32_t partitions) {
  if (partitions <= 1) return 0;
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(murmur2(key)) & 0x7fffffffU) %
                                   static_cast<std::uint32_t>(partitions));
}

}  // namespace ticketly::bus
