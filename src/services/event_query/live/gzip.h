#pragma once
// gzip (RFC 1952) through zlib, for responses sent with Content-Encoding: gzip.
#include <string>
#include <string_view>

namespace ticketly::event_query {

// Throws std::runtime_error if zlib fails (it does not for in-memory input).
std::string gzip(std::string_view data, int level = 1);

// The level of the cached seat maps' gzip copies, made once per change (every seat change
// during an on-sale rush). A 10,000-seat map (1.80 MB; building it takes ~22 ms):
// level 1 → 303 KB in 7.5 ms, 6 → 272 KB in 19 ms, 9 → 270 KB in 50 ms
// (bench/micro/seat_map_encoding.cpp). Level 6 would save 10 % of the bytes for 2.5× the CPU
// on every rebuild, on the path that rebuilds most often: level 1.
inline constexpr int kSeatMapGzipLevel = 1;

// Whether an Accept-Encoding header value admits gzip: gzip's own item decides wherever it
// stands ("gzip;q=0" refuses, also after a "*"), else "*", else no.
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace ticketly::event_query
