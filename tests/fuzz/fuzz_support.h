#pragma once
// Shared by the fuzz targets. Beyond "does not crash" (the sanitizers' part), every
// target checks the contract of the HTTP edge: bad input is the client's fault, so the
// code under test may refuse it only with ticketly::Error of a 4xx status. Any other
// exception is what a handler would turn into a 500; it escapes LLVMFuzzerTestOneInput
// and libFuzzer (or the replay driver) reports it with the input.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

#include "platform/errors.h"

namespace ticketly::fuzz {

// A property of the code under test that does not hold: print it and abort, so that
// libFuzzer saves the input and the replay driver fails.
[[noreturn]] inline void violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

inline void check(bool ok, const char* what) {
  if (!ok) violated(what);
}

// Runs `f`; true when it returned, false when it refused with a client error (4xx).
template <class F>
bool accepted(F&& f) {
  try {
    std::forward<F>(f)();
    return true;
  } catch (const ticketly::Error& e) {
    if (e.status() < 400 || e.status() > 499) violated("refused with a status that is not 4xx");
    return false;
  }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// "first line\nrest": two inputs from one (the rest may hold further newlines).
struct Lines {
  std::string_view first;
  std::string_view rest;
};
inline Lines split_first_line(std::string_view input) {
  auto nl = input.find('\n');
  if (nl == std::string_view::npos) return {input, {}};
  return {input.substr(0, nl), input.substr(nl + 1)};
}

}  // namespace ticketly::fuzz
