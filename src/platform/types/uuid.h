#pragma once
// Uuid: 16 bytes, parsed from and printed as the canonical 36-character form.
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ticketly {

class Uuid {
 public:
  Uuid() = default;  // the nil UUID
  static std::optional<Uuid> parse(std::string_view text);  // canonical form, any case
  static Uuid random();                                      // version 4
  // Version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids of rows
  // inserted at a high rate: they land at the right edge of a B-tree instead of on a
  // random page each. They reveal their creation time, so not for anything secret.
  static Uuid time_ordered(std::int64_t unix_ms);
  static Uuid time_ordered();  // now
  static Uuid nil() { return Uuid(); }

  std::string str() const;  // lowercase canonical form
  bool is_nil() const;
  const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }

  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

}  // namespace ticketly

template <>
struct std::hash<ticketly::Uuid> {
  std::size_t operator()(const ticketly::Uuid& u) const noexcept {
    std::uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; ++i) a = (a << 8) | u.bytes()[i];
    for (int i = 8; i < 16; ++i) b = (b << 8) | u.bytes()[i];
    return std::hash<std::uint64_t>{}(a ^ (b * 0x9e3779b97f4a7c15ULL));
  }
};
