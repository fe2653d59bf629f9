#include "platform/types/uuid.h"

#include <chrono>
#include <random>

#include "platform/types/hex.h"

namespace ticketly {

std::optional<Uuid> Uuid::parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u;
  std::size_t byte = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes_[byte++] = static_cast<std::uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

Uuid Uuid::random() {
  // A per-thread generator: UUIDs are identifiers, not secrets (tokens and QR
  // signatures use OpenSSL's CSPRNG), and this keeps id generation lock-free.
  thread_local std::mt19937_64 gen{std::random_device{}()};
  Uuid u;
  std::uint64_t a = gen(), b = gen();
  for (int i = 0; i < 8; ++i) {
    u.bytes_[i] = static_cast<std::uint8_t>(a >> (i * 8));
    u.bytes_[8 + i] = static_cast<std::uint8_t>(b >> (i * 8));
  }
  u.bytes_[6] = (u.bytes_[6] & 0x0F) | 0x40;  // version 4
  u.bytes_[8] = (u.bytes_[8] & 0x3F) | 0x80;  // RFC 4122 variant
  return u;
}

Uuid Uuid::time_ordered(std::int64_t unix_ms) {
  Uuid u = random();
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) u.bytes_[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
  u.bytes_[6] = (u.bytes_[6] & 0x0F) | 0x70;  // version 7; variant kept from random()
  return u;
}

Uuid Uuid::time_ordered() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return time_ordered(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

std::string Uuid::str() const {
    std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHexDigits[bytes_[i] >> 4]);
    out.push_back(kHexDigits[bytes_[i] & 0x0F]);
  }
  return out;
}

bool Uuid::is_nil() const {
  for (auto b : bytes_) {
    if (b != 0) return false;
  }
  return true;
}

}  // namespace ticketly
