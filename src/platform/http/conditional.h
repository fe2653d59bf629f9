#pragma once
// Conditional requests (RFC 9110 §13): validators for cached representations.
#include <string_view>

namespace ticketly::http {

// Whether an If-None-Match header value matches `etag` (a quoted entity tag, `"…"` or
// `W/"…"`), so that a GET may be answered 304 Not Modified. Weak comparison, as the RFC
// prescribes for If-None-Match: a `W/` prefix on either side is ignored. `*` matches any
// current representation. A malformed list matches nothing from the first bad element on.
bool if_none_match(std::string_view header, std::string_view etag);

}  // namespace ticketly::http
