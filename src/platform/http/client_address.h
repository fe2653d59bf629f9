#pragma once
// The client a request comes from. Behind a reverse proxy (the ingress of a distributed
// deployment) every connection comes from the proxy, so limits kept per client (event
// streams, page views, uploads) would treat all users as one. With the proxies listed in
// TICKETLY_TRUSTED_PROXIES the client is the nearest address in X-Forwarded-For that is
// not one of them. Only a listed peer's header is read: anyone else could name any
// address in it.
#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace ticketly::http {

class TrustedProxies {
 public:
  TrustedProxies() = default;
  // "10.0.0.0/8, 192.168.1.7, fd00::/8": addresses and CIDR ranges, IPv4 or IPv6.
  // Throws std::invalid_argument naming the bad entry.
  static TrustedProxies parse(std::string_view spec);

  bool empty() const { return ranges_.empty(); }
  bool contains(const boost::asio::ip::address& address) const;

  // The client of a connection from `peer` that sent `forwarded_for` (the X-Forwarded-For
  // value, "client, proxy1, proxy2"): `peer` unless it is trusted; then, walking the list
  // from the right, the first address that is not trusted (or the leftmost one). An entry
  // that is not an address ends the walk at the hop before it.
  boost::asio::ip::address client_of(const boost::asio::ip::address& peer, std::string_view forwarded_for) const;

 private:
  struct Range {
    bool v4 = true;
    std::array<std::uint8_t, 16> bytes{};
    unsigned prefix = 0;  // bits compared
  };
  static bool in(const Range& r, const boost::asio::ip::address& a);
  std::vector<Range> ranges_;
};

}  // namespace ticketly::http
