#include "platform/http/client_address.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ticketly::http {
namespace {

namespace ip = boost::asio::ip;

ip::address addr(const char* text) { return ip::make_address(text); }

TEST(TrustedProxies, RangesOfBothFamilies) {
  const auto t = TrustedProxies::parse(" 10.0.0.0/8, 192.168.1.7 ,fd00::/8,172.16.0.0/12");
  EXPECT_TRUE(t.contains(addr("10.200.3.4")));
  EXPECT_TRUE(t.contains(addr("192.168.1.7")));
  EXPECT_FALSE(t.contains(addr("192.168.1.8")));
  EXPECT_TRUE(t.contains(addr("172.31.255.255")));
  EXPECT_FALSE(t.contains(addr("172.32.0.1")));
  EXPECT_TRUE(t.contains(addr("fd12::1")));
  EXPECT_FALSE(t.contains(addr("fe80::1")));
  // A dual-stack listener sees IPv4 peers as IPv4-mapped IPv6 addresses.
  EXPECT_TRUE(t.contains(addr("::ffff:10.1.2.3")));
  EXPECT_TRUE(TrustedProxies::parse("").empty());
  EXPECT_TRUE(TrustedProxies::parse("0.0.0.0/0").contains(addr("8.8.8.8")));
}

TEST(TrustedProxies, BadEntriesAreRefusedByName) {
  for (const char* spec : {"10.0.0.0/33", "proxy.local", "10.0.0.1/", "10.0.0.0/8x", "::1/129"}) {
    try {
      TrustedProxies::parse(spec);
      ADD_FAILURE() << spec;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find('\''), std::string::npos) << e.what();
    }
  }
}

TEST(TrustedProxies, TheClientIsTheNearestUntrustedHop) {
  const auto t = TrustedProxies::parse("10.0.0.0/8");
  // The ingress (10.0.0.5) forwards for 203.0.113.9, which came through a proxy of ours.
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "198.51.100.1, 203.0.113.9, 10.0.0.7"), addr("203.0.113.9"));
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "203.0.113.9"), addr("203.0.113.9"));
  // Ports and brackets as some proxies write them.
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "203.0.113.9:4711"), addr("203.0.113.9"));
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "[2001:db8::7]:4711"), addr("2001:db8::7"));
  // Only trusted hops: the leftmost one; no header: the peer.
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "10.1.1.1, 10.2.2.2"), addr("10.1.1.1"));
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), ""), addr("10.0.0.5"));
  // Garbage ends the walk at the hop before it.
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "203.0.113.9, unknown"), addr("10.0.0.5"));
  EXPECT_EQ(t.client_of(addr("10.0.0.5"), "unknown, 10.0.0.8"), addr("10.0.0.8"));
}

TEST(TrustedProxies, AnUntrustedPeerCannotNameAnotherClient) {
  const auto t = TrustedProxies::parse("10.0.0.0/8");
  EXPECT_EQ(t.client_of(addr("198.51.100.1"), "203.0.113.9"), addr("198.51.100.1"));
  EXPECT_EQ(TrustedProxies().client_of(addr("10.0.0.5"), "203.0.113.9"), addr("10.0.0.5"));
}

}  // namespace
}  // namespace ticketly::http
