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
