#include "services/order/tickets/qr_png.h"

#include <png.h>
#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "platform/crypto/crypto.h"

namespace ticketly::order::tickets {
namespace {

struct QrDeleter {
  void operator()(QRcode* c) const { QRcode_free(c); }
};

void append_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void flush_nothing(png_structp) {}

// The libpng part alone, with nothing but plain data on the stack: libpng reports errors by
// longjmp, which must not cross C++ objects with destructors.
bool encode_png(const png_byte* image, png_uint_32 size, std::size_t row_bytes, std::string* out) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info) {
    png_destroy_write_struct(&png, nullptr);
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, out, append_bytes, flush_nothing);
  png_set_IHDR(png, info, size, size, 1, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  for (png_uint_32 y = 0; y < size; ++y) png_write_row(png, image + y * row_bytes);
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace

std::string qr_png(std::string_view text, QrImageOptions options) {
  const std::string input(text);
  std::unique_ptr<QRcode, QrDeleter> code(QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M));
  if (!code) throw std::runtime_error("QR encoding failed");
  const int modules = code->width;
  const int scale = std::max(1, options.module_pixels);
  const int border = std::max(0, options.quiet_zone);
  const int size = (modules + 2 * border) * scale;
  const std::size_t row_bytes = static_cast<std::size_t>((size + 7) / 8);
  // 1 bit per pixel, 1 = white.
  std::vector<png_byte> image(row_bytes * static_cast<std::size_t>(size), png_byte{0xFF});
  for (int y = 0; y < size; ++y) {
    const int my = y / scale - border;
    if (my < 0 || my >= modules) continue;
    png_byte* row = image.data() + static_cast<std::size_t>(y) * row_bytes;
    for (int x = 0; x < size; ++x) {
      const int mx = x / scale - border;
      if (mx < 0 || mx >= modules) continue;
      if (code->data[my * modules + mx] & 1) row[x / 8] &= static_cast<png_byte>(~(0x80 >> (x % 8)));
    }
  }
  std::string out;
  if (!encode_png(image.data(), static_cast<png_uint_32>(size), row_bytes, &out)) {
    throw std::runtime_error("PNG encoding failed");
  }
  return out;
}

std::string qr_png_base64(std::string_view text, QrImageOptions options) {
  return crypto::base64_encode(qr_png(text, options));
}

}  // namespace ticketly::order::tickets
