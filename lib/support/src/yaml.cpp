#include "schemagen/support/yaml.hpp"

#include "schemagen/support/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <set>

namespace schemagen::yaml {

namespace {

/// Strings that a YAML reader would take for a boolean, null or number.
bool looks_like_non_string(std::string_view s) {
  static const std::set<std::string, std::less<>> words = {"true", "false", "yes", "no",   "on",
                                                           "off",  "y",     "n",   "null", "~"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty() || words.count(lower)) return true;
  char* end = nullptr;
  std::strtod(lower.c_str(), &end);
  return end && *end == '\0';
}

/// A character a YAML reader refuses in a document (a C1 control, U+FFFE, U+FFFF) or reads as a
/// line break (U+0085, U+2028, U+2029), or a byte order mark: written as an escape.
bool needs_escape(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
         cp == 0xFFFE || cp == 0xFFFF;
}


/// Whether `s` can stand unquoted inside a flow collection ({...} or [...]).
bool plain_safe(std::string_view s) {
  if (holds_escaped(s)) return false;
  if (looks_like_non_string(s) || s.front() == ' ' || s.back() == ' ') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
        c == '"')
      return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  return true;
}

} // namespace

bool holds_escaped(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = utf8_at(s, i);
    if (c.length > 1 && needs_escape(c.code_point)) return true;
    i += std::max<std::size_t>(c.length, 1);
  }
  return false;
}

std::string quote(std::string_view s) {
  if (plain_safe(s)) return std::string(s);
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char ch = s[i];
    const unsigned char c = static_cast<unsigned char>(ch);
    if (const auto u = utf8_at(s, i); u.length > 1) {
      const auto cp = static_cast<unsigned>(u.code_point);
      if (needs_escape(u.code_point))
        out += cp <= 0xFF ? fmt::format("\\x{:02x}", cp) : fmt::format("\\u{:04x}", cp);
      else
        out.append(s.substr(i, u.length));
      i += u.length - 1;
      continue;
    }
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c < 0x20 || c == 0x7f)
        out += fmt::format("\\x{:02x}", c);
      else
        out += ch;
    }
  }
  return out + '"';
}

yaml::Node Reader::parse(std::string_view text) const {
  try {
    return yaml::Node::parse(text);
  } catch (const ParseError& e) {
    throw UserError(SourceLoc{filename_, static_cast<unsigned>(e.mark.line + 1),
                              static_cast<unsigned>(e.mark.column + 1)},
                    fmt::format("malformed YAML: {}", e.message));
  }
}

SourceLoc Reader::loc(const yaml::Node& node) const {
  const auto mark = node.Mark();
  if (mark.is_null()) return SourceLoc{filename_};
  return SourceLoc{filename_, static_cast<unsigned>(mark.line + 1),
                   static_cast<unsigned>(mark.column + 1)};
}

void Reader::fail(const yaml::Node& node, const std::string& message) const {
  throw UserError(loc(node), message);
}

void Reader::expect_map(const yaml::Node& node, std::string_view what,
                        std::initializer_list<std::string_view> allowed) const {
  if (!node.IsMap()) fail(node, fmt::format("{} must be a map", what));
  std::map<std::string, yaml::Mark, std::less<>> seen;
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const auto nearest = std::min_element(allowed.begin(), allowed.end(), [&](auto a, auto b) {
        return edit_distance(key, a) < edit_distance(key, b);
      });
      if (nearest != allowed.end() && edit_distance(key, *nearest) <= 2)
        fail(kv.first,
             fmt::format("unknown key '{}' in {}; did you mean '{}'?", key, what, *nearest));
      fail(kv.first, fmt::format("unknown key '{}' in {} (expected one of: {})", key, what,
                                 fmt::join(allowed, ", ")));
    }
    const auto [first, fresh] = seen.emplace(key, kv.first.Mark());
    if (!fresh)
      fail(kv.first, fmt::format("duplicate key '{}' in {} (first at line {})", key, what,
                                 first->second.line + 1));
  }
}

void Reader::expect_sequence(const yaml::Node& node, std::string_view what) const {
  if (!node.IsSequence()) fail(node, fmt::format("{} must be a list", what));
}

std::string Reader::string(const yaml::Node& node, std::string_view what) const {
  if (!node.IsScalar()) fail(node, fmt::format("{} must be a string", what));
  return node.Scalar();
}

bool Reader::boolean(const yaml::Node& node, std::string_view what) const {
  bool value = false;
  if (!node.IsScalar() || !node.decode(value))
    fail(node, fmt::format("{} must be true or false", what));
  return value;
}

long long Reader::integer(const yaml::Node& node, std::string_view what) const {
  long long value = 0;
  if (!node.IsScalar() || !node.decode(value))
    fail(node, fmt::format("{} must be an integer", what));
  return value;
}

std::vector<std::string> Reader::strings(const yaml::Node& node, std::string_view what,
                                         bool lenient) const {
  if (lenient && node.IsScalar()) return {node.Scalar()};
  expect_sequence(node, what);
  std::vector<std::string> out;
  for (const auto& item : node) out.push_back(string(item, what));
  return out;
}

yaml::Node Reader::required(const yaml::Node& map, const char* key, std::string_view what) const {
  auto node = map[key];
  if (!node) fail(map, fmt::format("{} has no '{}'", what, key));
  return node;
}

std::optional<std::string> Reader::optional_string(const yaml::Node& map, const char* key) const {
  const auto node = map[key];
  if (!node || node.IsNull()) return std::nullopt;
  return string(node, key);
}

} // namespace schemagen::yaml
