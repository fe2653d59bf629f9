// JSON request bodies (platform/json/json.h). Input: the body.
// Properties: refused only with 400; what is accepted holds no NUL in any string or key,
// and serializes to text that parses back to the same value.
#include "fuzz_support.h"
#include "platform/json/json.h"

using namespace ticketly;

namespace {

bool has_nul(const json::Json& v) {
  if (v.is_string()) return v.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) {
      if (key.find('\0') != std::string::npos || has_nul(value)) return true;
    }
  }
  if (v.is_array()) {
    for (const auto& item : v) {
      if (has_nul(item)) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  json::Json value;
  if (!fuzz::accepted([&] { value = json::parse_body(fuzz::as_text(data, size), 16); })) return 0;
  fuzz::check(!has_nul(value), "accepted a NUL character");
  json::Json again;
  fuzz::check(fuzz::accepted([&] { again = json::parse_body(json::dump(value), 16); }), "a serialized body is refused");
  fuzz::check(again == value, "a serialized body parses to another value");
  return 0;
}
