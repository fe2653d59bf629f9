#include "services/event_command/images/image_type.h"

#include <string>

#include "platform/errors.h"
#include "platform/text/ascii.h"

namespace ticketly::event_command {
namespace {

constexpr ImageType kJpeg{"jpg", "image/jpeg"};
constexpr ImageType kPng{"png", "image/png"};
constexpr ImageType kGif{"gif", "image/gif"};
constexpr ImageType kWebp{"webp", "image/webp"};

std::string size_text(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes / 1024) + " KiB";
}

}  // namespace

std::optional<ImageType> sniff_image(std::string_view b) {
  using namespace std::string_view_literals;
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF"sv) return kJpeg;
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1A\n"sv) return kPng;
  if (b.size() >= 6 && (b.substr(0, 6) == "GIF87a"sv || b.substr(0, 6) == "GIF89a"sv)) return kGif;
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF"sv && b.substr(8, 4) == "WEBP"sv) return kWebp;
  return std::nullopt;
}

std::optional<ImageType> image_type_for_ext(std::string_view ext) {
  std::string e = text::ascii_lower(ext);
  if (e == "jpg" || e == "jpeg") return kJpeg;
  if (e == "png") return kPng;
  if (e == "gif") return kGif;
  if (e == "webp") return kWebp;
  return std::nullopt;
}

ImageType check_image_upload(const http::MultipartPart& part, std::size_t max_bytes, std::string_view what) {
  const std::string name(what);
  if (part.data.empty()) throw bad_request("The " + name + " file is empty");
  if (part.data.size() > max_bytes) throw Error(413, "The " + name + " must be at most " + size_text(max_bytes));
  auto type = sniff_image(part.data);
  if (!type) throw Error(415, "The " + name + " is not a JPEG, PNG, GIF or WebP image");
  if (part.filename) {
    auto dot = part.filename->rfind('.');
    if (dot != std::string::npos) {
      auto named = image_type_for_ext(part.filename->substr(dot + 1));
      if (named && named->ext != type->ext) {
        throw Error(415, "The " + name + " is named ." + text::ascii_lower(part.filename->substr(dot + 1)) +
                             " but contains " + std::string(type->content_type) + " data");
      }
    }
  }
  return *type;
}

}  // namespace ticketly::event_command
