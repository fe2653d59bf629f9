#include "platform/http/client_address.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string>

#include "platform/text/ascii.h"

namespace ticketly::http {
namespace {

namespace ip = boost::asio::ip;

using text::trim_ows;

// An IPv4-mapped IPv6 address (a dual-stack listener's view of an IPv4 peer) as IPv4.
ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<ip::address> parse_address(std::string_view text) {
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

// An X-Forwarded-For entry: an address, an IPv4 address with a port, or "[v6]:port".
std::optional<ip::address> forwarded_address(std::string_view entry) {
  entry = trim_ows(entry);
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    return parse_address(entry.substr(1, close - 1));
  }
  if (std::count(entry.begin(), entry.end(), ':') == 1) entry = entry.substr(0, entry.find(':'));
  return parse_address(entry);
}

}  // namespace

TrustedProxies TrustedProxies::parse(std::string_view spec) {
  TrustedProxies out;
  while (!spec.empty()) {
    const auto comma = spec.find(',');
    const auto entry = trim_ows(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (entry.empty()) continue;
    const auto slash = entry.find('/');
    const auto address = parse_address(entry.substr(0, slash));
    if (!address) throw std::invalid_argument("'" + std::string(entry) + "' is not an IP address or CIDR range");
    Range r;
    r.v4 = address->is_v4();
    const unsigned bits = r.v4 ? 32 : 128;
    r.prefix = bits;
    if (slash != std::string_view::npos) {
      const auto len = entry.substr(slash + 1);
      unsigned prefix = 0;
      const auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
      if (ec != std::errc() || end != len.data() + len.size() || prefix > bits || len.empty()) {
        throw std::invalid_argument("'" + std::string(entry) + "' has a bad prefix length");
      }
      r.prefix = prefix;
    }
    if (r.v4) {
      const auto b = address->to_v4().to_bytes();
      std::copy(b.begin(), b.end(), r.bytes.begin());
    } else {
      r.bytes = address->to_v6().to_bytes();
    }
    out.ranges_.push_back(r);
  }
  return out;
}

bool TrustedProxies::in(const Range& r, const ip::address& a) {
  if (a.is_v4() != r.v4) return false;
  std::array<std::uint8_t, 16> bytes{};
  if (a.is_v4()) {
    const auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), bytes.begin());
  } else {
    bytes = a.to_v6().to_bytes();
  }
  const unsigned whole = r.prefix / 8, rest = r.prefix % 8;
  if (!std::equal(bytes.begin(), bytes.begin() + whole, r.bytes.begin())) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (bytes[whole] & mask) == (r.bytes[whole] & mask);
}

bool TrustedProxies::contains(const ip::address& address) const {
  const auto a = unmapped(address);
  return std::any_of(ranges_.begin(), ranges_.end(), [&](const Range& r) { return in(r, a); });
}

ip::address TrustedProxies::client_of(const ip::address& peer, std::string_view forwarded_for) const {
  ip::address client = unmapped(peer);
  if (!contains(client)) return client;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.rfind(',');
    const auto entry = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
    forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
    const auto hop = forwarded_address(entry);
    if (!hop) break;
    client = *hop;
    if (!contains(client)) break;
  }
  return client;
}

}  // namespace ticketly::http
