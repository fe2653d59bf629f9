#pragma once
// Money in integer minor units (cents of LKR). The wire carries JSON numbers in major
// units with at most two decimals (docs/EVENTS.md): read with llround(x * 100).
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>

namespace ticketly::order {

class Money {
 public:
  constexpr Money() = default;
  static constexpr Money minor(std::int64_t units) { return Money(units); }
  // nullopt when `major` is not finite or out of range (more than 10^13 major units).
  static std::optional<Money> from_major(double major) {
    if (!std::isfinite(major) || std::fabs(major) > 1e13) return std::nullopt;
    return Money(static_cast<std::int64_t>(std::llround(major * 100.0)));
  }

  constexpr std::int64_t units() const { return units_; }
  double major() const { return static_cast<double>(units_) / 100.0; }

  constexpr Money operator+(Money o) const { return Money(units_ + o.units_); }
  constexpr Money operator-(Money o) const { return Money(units_ - o.units_); }
  constexpr Money& operator+=(Money o) {
    units_ += o.units_;
    return *this;
  }
  constexpr Money& operator-=(Money o) {
    units_ -= o.units_;
    return *this;
  }
  friend constexpr auto operator<=>(Money, Money) = default;

 private:
  constexpr explicit Money(std::int64_t units) : units_(units) {}
  std::int64_t units_ = 0;
};

constexpr Money min(Money a, Money b) { return a < b ? a : b; }
constexpr Money max(Money a, Money b) { return a < b ? b : a; }

}  // namespace ticketly::order
