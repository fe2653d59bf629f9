#include "services/event_query/live/gzip.h"

#include <zlib.h>

#include <optional>
#include <stdexcept>

#include "platform/text/ascii.h"

namespace ticketly::event_query {

std::string gzip(std::string_view data, int level) {
  z_stream zs{};
  // 15 window bits + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  const auto written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate did not finish");
  out.resize(written);
  return out;
}

namespace {

using text::trim_ows;

// "0", "0.", "0.0" … "0.000": a weight that refuses (RFC 9110 §12.4.2).
bool is_zero_weight(std::string_view q) {
  if (q.empty() || q.front() != '0') return false;
  if (q.size() == 1) return true;
  if (q[1] != '.' || q.size() > 5) return false;
  return q.substr(2).find_first_not_of('0') == std::string_view::npos;
}

// Whether one "coding;param=v;q=w" item accepts its coding: only a zero weight refuses.
bool item_accepts(std::string_view params) {
  while (!params.empty()) {
    const auto semi = params.find(';');
    const auto param = trim_ows(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view{} : params.substr(semi + 1);
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && text::iequals_ascii(trim_ows(param.substr(0, eq)), "q")) {
      return !is_zero_weight(trim_ows(param.substr(eq + 1)));
    }
  }
  return true;
}

}  // namespace

// RFC 9110 §12.5.3: gzip's own item decides, wherever it stands in the list; without one,
// "*" decides; with neither, identity. Codings and parameter names are case-insensitive.
bool accepts_gzip(std::string_view header) {
  std::optional<bool> gzip_item, any_item;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto semi = item.find(';');
    const auto coding = trim_ows(item.substr(0, semi));
    const auto params = semi == std::string_view::npos ? std::string_view{} : item.substr(semi + 1);
    if (text::iequals_ascii(coding, "gzip") || text::iequals_ascii(coding, "x-gzip")) {
      if (!gzip_item) gzip_item = item_accepts(params);
    } else if (coding == "*") {
      if (!any_item) any_item = item_accepts(params);
    }
  }
  return gzip_item.value_or(any_item.value_or(false));
}

}  // namespace ticketly::event_query
