#pragma once
// gzip (RFC 1952) through zlib, for responses sent with Content-Encoding: gzip.
#include <string>
#include <string_view>

namespace ticketly::event_query {

// Level 1: a 1.8 MB seat map shrinks about six-fold for a few milliseconds of CPU, once
// per change. Throws std::runtime_error if zlib fails (it does not for in-memory input).
std::string gzip(std::string_view data, int level = 1);

// Whether an Accept-Encoding header value admits gzip (a "gzip;q=0" refuses it).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace ticketly::event_query
