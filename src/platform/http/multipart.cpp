#include "platform/http/multipart.h"

#include <algorithm>
#include <utility>

#include "platform/errors.h"
#include "platform/text/ascii.h"

namespace ticketly::http {

namespace {

// --- small text helpers -------------------------------------------------------------

using text::is_ows;
using text::trim_ows;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = text::ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// --- header values with parameters: `type; a=token; b="quoted \"string\""` ----------

struct HeaderValue {
  std::string value;                                        // lower-cased
  std::vector<std::pair<std::string, std::string>> params;  // names lower-cased, values unquoted

  const std::string* param(std::string_view name) const {
    for (const auto& [n, v] : params) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

// Reads a quoted-string starting at s[i] == '"'; leaves i after the closing quote.
std::string read_quoted(std::string_view s, std::size_t& i, const std::string& what) {
  std::string out;
  for (++i; i < s.size(); ++i) {
    if (s[i] == '"') {
      ++i;
      return out;
    }
    if (s[i] == '\\' && i + 1 < s.size()) ++i;  // quoted-pair: take the next char as is
    out += s[i];
  }
  throw bad_request(what + ": unterminated quoted string");
}

HeaderValue parse_header_value(std::string_view s, const std::string& what) {
  HeaderValue out;
  std::size_t i = std::min(s.find(';'), s.size());
  out.value = text::ascii_lower(trim_ows(s.substr(0, i)));
  while (i < s.size()) {  // s[i] == ';'
    ++i;
    while (i < s.size() && is_ows(s[i])) ++i;
    if (i == s.size() || s[i] == ';') continue;  // tolerate empty and trailing ';'
    std::size_t eq = i;
    while (eq < s.size() && s[eq] != '=' && s[eq] != ';') ++eq;
    const std::string name = text::ascii_lower(trim_ows(s.substr(i, eq - i)));
    if (eq == s.size() || s[eq] != '=' || name.empty()) throw bad_request(what + ": malformed parameter");
    i = eq + 1;
    while (i < s.size() && is_ows(s[i])) ++i;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      value = read_quoted(s, i, what);
      while (i < s.size() && is_ows(s[i])) ++i;
      if (i < s.size() && s[i] != ';') throw bad_request(what + ": unexpected text after quoted parameter");
    } else {
      const std::size_t end = std::min(s.find(';', i), s.size());
      value = std::string(trim_ows(s.substr(i, end - i)));
      i = end;
    }
    // A repeated parameter (two names, two boundaries) is ambiguous: refuse to guess.
    if (out.param(name) != nullptr) throw bad_request(what + ": duplicate parameter '" + name + "'");
    out.params.emplace_back(name, std::move(value));
  }
  return out;
}

// --- the boundary -------------------------------------------------------------------

// RFC 2046 bchars: DIGIT / ALPHA / ' ( ) + _ , - . / : = ? and space.
bool is_bchar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("'()+_,-./:=? ").find(c) != std::string_view::npos;
}

std::string boundary_of(std::string_view content_type) {
  const HeaderValue ct = parse_header_value(content_type, "invalid Content-Type");
  if (ct.value != "multipart/form-data") throw bad_request("Content-Type must be multipart/form-data");
  const std::string* boundary = ct.param("boundary");
  if (boundary == nullptr) throw bad_request("multipart/form-data Content-Type has no boundary");
  const bool valid = !boundary->empty() && boundary->size() <= 70 && boundary->back() != ' ' &&
                     std::all_of(boundary->begin(), boundary->end(), is_bchar);
  if (!valid) {
    throw bad_request(
        "invalid multipart boundary: it must be 1 to 70 letters, digits or '()+_,-./:=? "
        "and must not end with a space");
  }
  return *boundary;
}

// --- finding delimiter lines --------------------------------------------------------

struct Delimiter {
  std::size_t data_end;  // where the preceding part's data ends (its CRLF/LF excluded)
  std::size_t after;     // first byte after the delimiter line
  bool last;             // the close delimiter "--boundary--"
};

// The delimiter line starting at `line` (0 or just after a '\n'), if it is one.
// "--boundary" followed by anything but "--" or padding + newline is data, not a
// delimiter, so boundary-like text inside a part survives.
std::optional<Delimiter> delimiter_at(std::string_view body, std::size_t line, std::string_view dash_boundary) {
  if (!body.substr(line).starts_with(dash_boundary)) return std::nullopt;
  std::size_t data_end = line;
  if (line > 0) {
    --data_end;  // the '\n'
    if (data_end > 0 && body[data_end - 1] == '\r') --data_end;
  }
  std::size_t p = line + dash_boundary.size();
  if (body.substr(p).starts_with("--")) return Delimiter{data_end, p + 2, true};  // the epilogue follows
  while (p < body.size() && is_ows(body[p])) ++p;                                 // transport padding
  if (body.substr(p).starts_with("\n")) return Delimiter{data_end, p + 1, false};
  if (body.substr(p).starts_with("\r\n")) return Delimiter{data_end, p + 2, false};
  return std::nullopt;
}

// The first delimiter at or after the line starting at `from`. Only line starts are
// tried, and a boundary holds no '\n', so each comparison stops within its own line:
// together with memchr-based find() the scan is linear in the body size.
std::optional<Delimiter> next_delimiter(std::string_view body, std::size_t from, std::string_view dash_boundary) {
  for (std::size_t line = from;;) {
    if (auto d = delimiter_at(body, line, dash_boundary)) return d;
    const std::size_t lf = body.find('\n', line);
    if (lf == std::string_view::npos) return std::nullopt;
    line = lf + 1;
  }
}

// --- one part -----------------------------------------------------------------------

// RFC 5987 ext-value: charset'language'percent-encoded bytes.
std::string decode_ext_value(std::string_view v, const std::string& what) {
  const std::size_t q1 = v.find('\'');
  const std::size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) throw bad_request(what + ": malformed filename*");
  const std::string charset = text::ascii_lower(v.substr(0, q1));
  if (charset != "utf-8" && charset != "iso-8859-1") throw bad_request(what + ": unsupported filename* charset");
  std::string bytes;
  for (std::size_t i = q2 + 1; i < v.size(); ++i) {
    if (v[i] != '%') {
      bytes += v[i];
      continue;
    }
    const int hi = i + 2 < v.size() ? hex_value(v[i + 1]) : -1;
    const int lo = i + 2 < v.size() ? hex_value(v[i + 2]) : -1;
    if (hi < 0 || lo < 0) throw bad_request(what + ": malformed percent-encoding in filename*");
    bytes += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  if (charset == "utf-8") return bytes;
  std::string utf8;  // Latin-1 code points are the byte values
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      utf8 += static_cast<char>(c);
    } else {
      utf8 += static_cast<char>(0xC0 | (c >> 6));
      utf8 += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return utf8;
}

struct PartHeaders {
  std::optional<std::string> disposition;
  std::optional<std::string> content_type;
  std::size_t size = 0;  // bytes up to and including the blank line
};

// Reads the header block at the start of `segment`. A block that runs to the end of the
// segment (no blank line) is a part with empty data.
PartHeaders read_headers(std::string_view segment, std::size_t max_bytes, const std::string& what) {
  PartHeaders out;
  const std::string_view head = segment.substr(0, std::min(segment.size(), max_bytes));
  std::string ignored;
  std::string* last = nullptr;  // the header a folded line continues
  std::size_t pos = 0;
  while (pos < segment.size()) {
    const std::size_t lf = head.find('\n', pos);
    if (lf == std::string_view::npos && segment.size() > head.size()) {
      throw bad_request(what + ": headers exceed " + std::to_string(max_bytes) + " bytes");
    }
    std::string_view line = head.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? segment.size() : lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (is_ows(line.front())) {  // obsolete line folding
      if (last == nullptr) throw bad_request(what + ": malformed header line");
      *last += ' ';
      *last += trim_ows(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || trim_ows(line.substr(0, colon)).empty()) {
      throw bad_request(what + ": malformed header line");
    }
    const std::string_view name = trim_ows(line.substr(0, colon));
    const std::string value(trim_ows(line.substr(colon + 1)));
    std::optional<std::string>* slot = text::iequals_ascii(name, "content-disposition") ? &out.disposition
                                       : text::iequals_ascii(name, "content-type")      ? &out.content_type
                                                                                        : nullptr;
    if (slot == nullptr) {
      last = &ignored;
      continue;
    }
    if (slot->has_value()) throw bad_request(what + ": duplicate " + std::string(name) + " header");
    *slot = value;
    last = &**slot;
  }
  out.size = pos;
  return out;
}

MultipartPart parse_part(std::string_view segment, std::size_t number, const MultipartLimits& limits) {
  const std::string what = "multipart part " + std::to_string(number);
  const PartHeaders headers = read_headers(segment, limits.max_header_bytes, what);
  if (!headers.disposition) throw bad_request(what + " has no Content-Disposition header");
  const HeaderValue disposition = parse_header_value(*headers.disposition, what + ": invalid Content-Disposition");
  if (disposition.value != "form-data") throw bad_request(what + ": Content-Disposition is not form-data");
  const std::string* name = disposition.param("name");
  if (name == nullptr || name->empty()) throw bad_request(what + " has no form-data name");

  MultipartPart part;
  part.name = *name;
  if (const std::string* ext = disposition.param("filename*")) {
    part.filename = decode_ext_value(*ext, what);  // preferred over the plain filename
  } else if (const std::string* plain = disposition.param("filename")) {
    part.filename = *plain;
  }
  part.content_type = headers.content_type && !headers.content_type->empty() ? *headers.content_type : "text/plain";
  const std::string_view data = segment.substr(headers.size);
  if (data.size() > limits.max_part_size) {
    throw bad_request(what + " (\"" + part.name + "\") exceeds " + std::to_string(limits.max_part_size) + " bytes");
  }
  part.data = std::string(data);
  return part;
}

}  // namespace

std::vector<MultipartPart> parse_multipart(std::string_view content_type, std::string_view body,
                                           const MultipartLimits& limits) {
  const std::string dash_boundary = "--" + boundary_of(content_type);
  const std::optional<Delimiter> open = next_delimiter(body, 0, dash_boundary);
  if (!open) throw bad_request("multipart body has no opening boundary");

  std::vector<MultipartPart> parts;
  for (Delimiter d = *open; !d.last;) {
    const std::optional<Delimiter> next = next_delimiter(body, d.after, dash_boundary);
    if (!next) throw bad_request("multipart body has no closing boundary");
    if (parts.size() == limits.max_parts) {
      throw bad_request("multipart body has more than " + std::to_string(limits.max_parts) + " parts");
    }
    // "--b\r\n--b": the second delimiter reuses the first one's newline, so the part
    // is empty rather than negative-sized.
    const std::size_t end = std::max(next->data_end, d.after);
    parts.push_back(parse_part(body.substr(d.after, end - d.after), parts.size() + 1, limits));
    d = *next;
  }
  return parts;
}

const MultipartPart* find_part(const std::vector<MultipartPart>& parts, std::string_view name) {
  for (const MultipartPart& p : parts) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<const MultipartPart*> find_parts(const std::vector<MultipartPart>& parts, std::string_view name) {
  std::vector<const MultipartPart*> out;
  for (const MultipartPart& p : parts) {
    if (p.name == name) out.push_back(&p);
  }
  return out;
}

}  // namespace ticketly::http
