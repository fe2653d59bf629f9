// multipart/form-data bodies of image uploads (platform/http/multipart.h).
// Input: "<Content-Type value>\n<body>". Properties: only 400s; the limits hold; every
// part's data is bytes of the body (nothing invented or carried over between parts).
#include "fuzz_support.h"
#include "platform/http/multipart.h"

using namespace ticketly;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto lines = fuzz::split_first_line(fuzz::as_text(data, size));
  const std::string_view content_type = lines.first, body = lines.rest;
  for (const http::MultipartLimits limits :
       {http::MultipartLimits{}, http::MultipartLimits{.max_parts = 3, .max_part_size = 64, .max_header_bytes = 128}}) {
    std::vector<http::MultipartPart> parts;
    if (!fuzz::accepted([&] { parts = http::parse_multipart(content_type, body, limits); })) continue;
    fuzz::check(parts.size() <= limits.max_parts, "more parts than max_parts");
    for (const auto& part : parts) {
      fuzz::check(part.data.size() <= limits.max_part_size, "a part larger than max_part_size");
      fuzz::check(body.find(part.data) != std::string_view::npos, "a part's data is not in the body");
      fuzz::check(!part.content_type.empty(), "a part without a content type");
      fuzz::check(http::find_part(parts, part.name) != nullptr, "find_part misses a parsed part");
    }
  }
  return 0;
}
