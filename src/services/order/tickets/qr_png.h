#pragma once
// A ticket's QR code as a PNG (libqrencode for the symbol, libpng for the image), and as
// the base64 text the API's `qr_code` field carries.
#include <string>
#include <string_view>

namespace ticketly::order::tickets {

struct QrImageOptions {
  int module_pixels = 6;  // size of one QR module
  int quiet_zone = 4;     // modules of white border (the standard asks for 4)
};

// PNG bytes of a QR code (error correction level M) holding `text`. Throws
// std::runtime_error if the text cannot be encoded (far longer than a ticket payload).
std::string qr_png(std::string_view text, QrImageOptions options = {});
// base64 (standard alphabet) of qr_png(text).
std::string qr_png_base64(std::string_view text, QrImageOptions options = {});

}  // namespace ticketly::order::tickets
