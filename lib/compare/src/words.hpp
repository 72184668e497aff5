#pragma once
// Text searches the comparator shares: a name as a whole word of SQL text.

#include <cctype>
#include <string_view>

namespace schemagen::compare {

/// Whether `text` holds `name` as a word (not inside a longer identifier).
inline bool mentions(std::string_view text, std::string_view name) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (auto at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    const auto end = at + name.size();
    if ((at == 0 || !word(text[at - 1])) && (end == text.size() || !word(text[end]))) return true;
  }
  return false;
}

} // namespace schemagen::compare
