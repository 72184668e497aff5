#pragma once
// Small text helpers shared by the parsers.

#include <cstddef>
#include <string_view>

namespace schemagen {

/// Levenshtein distance: "did you mean" suggestions for a mistyped option or key.
std::size_t edit_distance(std::string_view a, std::string_view b);

} // namespace schemagen
