#pragma once
// Just enough JSON writing for --format json: strings escaped, lists of strings.

#include <string>
#include <string_view>
#include <vector>

namespace schemagen::json {

/// `s` as a JSON string literal.
std::string str(std::string_view s);
/// ["a", "b"]
std::string list(const std::vector<std::string>& items);

} // namespace schemagen::json
