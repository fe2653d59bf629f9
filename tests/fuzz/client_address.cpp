// Trusted proxies and X-Forwarded-For (platform/http/client_address.h): who a request's
// client is, for every per-client limit. Input: "<TICKETLY_TRUSTED_PROXIES value>\n<header>".
// Properties: a bad setting is refused only with std::invalid_argument; the peer's header
// counts only when the peer is trusted; the client found is never a trusted proxy unless
// every hop is one.
#include <stdexcept>

#include "fuzz_support.h"
#include "platform/http/client_address.h"

using namespace ticketly;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::split_first_line(fuzz::as_text(data, size));
  try {
    http::TrustedProxies::parse(lines.first);
  } catch (const std::invalid_argument&) {
  }
  static const auto trusted = http::TrustedProxies::parse("10.0.0.0/8, fd00::/8, 127.0.0.1");
  const auto outsider = boost::asio::ip::make_address("198.51.100.7");
  fuzz::check(trusted.client_of(outsider, lines.rest) == outsider, "an untrusted peer named another client");
  const auto proxy = boost::asio::ip::make_address("10.0.0.5");
  const auto client = trusted.client_of(proxy, lines.rest);
  if (trusted.contains(client)) {
    // Then every hop walked was trusted: the header ends in trusted addresses only.
    fuzz::check(trusted.client_of(proxy, std::string(lines.rest) + ", 198.51.100.9") ==
                    boost::asio::ip::make_address("198.51.100.9"),
                "an untrusted last hop was passed over");
  }
  return 0;
}
