#pragma once
// Hexadecimal digits, shared by UUID parsing and percent-decoding.
namespace ticketly {

// The value of a hex digit (either case), or -1.
constexpr int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

inline constexpr char kHexDigits[] = "0123456789abcdef";

}  // namespace ticketly
