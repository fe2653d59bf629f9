#pragma once
// What an uploaded file really is, judged by its first bytes (magic numbers), never by
// the name or the Content-Type the client declared.
#include <cstddef>
#include <optional>
#include <string_view>

#include "platform/http/multipart.h"

namespace ticketly::event_command {

struct ImageType {
  std::string_view ext;           // jpg | png | gif | webp
  std::string_view content_type;  // image/jpeg …
};

// JPEG (FF D8 FF), PNG (89 'PNG' CR LF 1A LF), GIF (GIF87a / GIF89a), WebP (RIFF….WEBP).
std::optional<ImageType> sniff_image(std::string_view bytes);
// By file extension (jpg, jpeg, png, gif, webp; any case).
std::optional<ImageType> image_type_for_ext(std::string_view ext);

// Checks an uploaded image: not empty (400), at most `max_bytes` (413), an image by its
// bytes (415), and when its name has an image extension, that extension agrees with the
// bytes (415: "logo.png" holding a GIF or a text file is refused). `what` names the
// file in messages ("logo", "cover image 2").
ImageType check_image_upload(const http::MultipartPart& part, std::size_t max_bytes, std::string_view what);

}  // namespace ticketly::event_command
