// Query strings, percent-decoding, If-None-Match and Accept-Encoding (platform/http/
// request.h, conditional.h; event-query's live/gzip.h). Input: "<query string>\n<header value>".
// Properties: only 400s from the typed accessors; decoding what was percent-encoded
// gives back the bytes; an entity tag always matches itself; gzip's own item decides
// wherever it stands, and case does not matter.
#include <string>

#include "fuzz_support.h"
#include "platform/http/conditional.h"
#include "platform/http/request.h"
#include "services/event_query/live/gzip.h"

using namespace ticketly;

namespace {

std::string percent_encode_all(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// Every name the query could hold, as the parser will see it.
std::vector<std::string> names_in(std::string_view query) {
  std::vector<std::string> names;
  while (!query.empty()) {
    auto amp = query.find('&');
    auto item = query.substr(0, amp);
    auto name = item.substr(0, item.find('='));
    if (auto decoded = http::url_decode(name, true)) names.push_back(*decoded);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::split_first_line(fuzz::as_text(data, size));
  const std::string_view query = lines.first, if_none_match = lines.rest;

  for (bool plus_is_space : {false, true}) {
    auto decoded = http::url_decode(query, plus_is_space);
    if (!decoded) continue;
    auto again = http::url_decode(percent_encode_all(*decoded), plus_is_space);
    fuzz::check(again && *again == *decoded, "percent-encoding a decoded string does not decode back");
  }

  http::QueryParams params;
  if (fuzz::accepted([&] { params = http::QueryParams::parse(query); })) {
    for (const auto& name : names_in(query)) {
      fuzz::check(params.has(name) == !params.all(name).empty(), "has() and all() disagree");
      fuzz::accepted([&] { params.integer(name, -1000, 1000); });
      fuzz::accepted([&] { params.number(name, -90, 90); });
      fuzz::accepted([&] { params.uuid(name); });
      fuzz::accepted([&] { params.boolean(name); });
    }
  }

  const std::string_view accept_encoding = if_none_match;
  fuzz::check(event_query::accepts_gzip("gzip, " + std::string(accept_encoding)), "a leading gzip is not accepted");
  fuzz::check(!event_query::accepts_gzip("gzip;q=0, " + std::string(accept_encoding)), "a leading gzip;q=0 is accepted");
  std::string upper(accept_encoding);
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  fuzz::check(event_query::accepts_gzip(accept_encoding) == event_query::accepts_gzip(upper),
              "Accept-Encoding depends on case");

  http::if_none_match(if_none_match, query);
  if (if_none_match.size() >= 2 && if_none_match.front() == '"' && if_none_match.back() == '"' &&
      if_none_match.substr(1, if_none_match.size() - 2).find('"') == std::string_view::npos) {
    fuzz::check(http::if_none_match(if_none_match, if_none_match), "an entity tag does not match itself");
  }
  return 0;
}
