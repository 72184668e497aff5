#pragma once
// What every fuzz target shares: schemagen's own errors are the expected answer to bad input;
// anything else — another exception escaping, a broken invariant, a sanitizer report — is a
// finding, and ends the run so that libFuzzer keeps the input.

#include "schemagen/support/diagnostics.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace schemagen::fuzz {

/// The input as text.
inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Reports a finding and aborts, which libFuzzer records as a crash with its input.
[[noreturn]] inline void finding(std::string_view what, std::string_view detail = {}) {
  std::fprintf(stderr, "==fuzz== finding: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// Runs `parse`: true when it accepted the input, false when it rejected it with a user error.
/// Any other exception is not caught, so that it ends the run as an uncaught exception.
template <class Parse>
bool accepts(Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const Error& e) {
    if (e.code() != ExitCode::user_error)
      finding("a parser threw an error that is not the user's", e.what());
    return false;
  }
}

} // namespace schemagen::fuzz
