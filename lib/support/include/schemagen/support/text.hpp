#pragma once
// Small text helpers shared by the parsers.

#include <cstddef>
#include <string_view>

namespace schemagen {

/// Levenshtein distance: "did you mean" suggestions for a mistyped option or key.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The character of well-formed UTF-8 at `s[i]`: its length in bytes and its code point. Length 0
/// where there is none: a byte no character starts with, a sequence cut short, an overlong form,
/// a surrogate, or past U+10FFFF.
struct Utf8Char {
  std::size_t length = 0;
  char32_t code_point = 0;
};
Utf8Char utf8_at(std::string_view s, std::size_t i);

/// Whether `s` is well-formed UTF-8 throughout.
bool valid_utf8(std::string_view s);

} // namespace schemagen
