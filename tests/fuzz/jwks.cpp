// JWKS documents from the identity provider (platform/auth/key_set.h). Input: the
// document. Properties: refused only with std::runtime_error; every key kept is usable
// (a key, an RSA or P-256 type, a kid seen once).
#include <set>
#include <stdexcept>

#include "fuzz_support.h"
#include "platform/auth/key_set.h"

using namespace ticketly;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auth::KeySet set;
  try {
    set = auth::KeySet::parse(fuzz::as_text(data, size));
  } catch (const std::runtime_error&) {
    return 0;
  }
  std::set<std::string> kids;
  for (const auto& key : set.keys()) {
    fuzz::check(key.key != nullptr, "a kept key without a key");
    fuzz::check(kids.insert(key.kid).second, "two kept keys with one kid");
    fuzz::check(set.find(key.kid) == &key, "find() does not return the first key of a kid");
  }
  return 0;
}
