#include "platform/http/conditional.h"

#include "platform/text/ascii.h"

namespace ticketly::http {
namespace {

std::string_view opaque(std::string_view tag) {
  if (tag.starts_with("W/")) tag.remove_prefix(2);
  return tag;
}

}  // namespace

bool if_none_match(std::string_view header, std::string_view etag) {
  const std::string_view mine = opaque(etag);
  std::size_t i = 0;
  while (i < header.size()) {
    // Elements are separated by commas and optional whitespace; a quoted tag may itself
    // contain a comma, so the list is scanned tag by tag, not split.
    while (i < header.size() && (text::is_ows(header[i]) || header[i] == ',')) ++i;
    if (i == header.size()) break;
    if (header[i] == '*') return true;
    const std::size_t start = i;
    if (header.compare(i, 2, "W/") == 0) i += 2;
    if (i >= header.size() || header[i] != '"') return false;
    const auto close = header.find('"', i + 1);
    if (close == std::string_view::npos) return false;
    if (opaque(header.substr(start, close + 1 - start)) == mine) return true;
    i = close + 1;
  }
  return false;
}

}  // namespace ticketly::http
