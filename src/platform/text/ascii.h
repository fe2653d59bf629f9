#pragma once
// ASCII case folding. HTTP header names, media types, URI schemes, e-mail addresses and
// enum-like strings from JSON are case-insensitive in ASCII only, so these fold 'A'-'Z'
// and leave every other byte (digits, punctuation, UTF-8 sequences) as it is. Unlike
// std::tolower they never depend on the process locale. Also HTTP's optional whitespace,
// which every hand-written header parser trims.
#include <cstddef>
#include <string>
#include <string_view>

namespace ticketly::text {

// 'A'-'Z' to 'a'-'z'; any other byte unchanged.
constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A lower-cased copy of `s`.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

// Whether `a` and `b` are equal ignoring ASCII case.
constexpr bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// HTTP's optional whitespace (RFC 9110 §5.6.3): space and horizontal tab.
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// `s` without its leading and trailing optional whitespace.
constexpr std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace ticketly::text
