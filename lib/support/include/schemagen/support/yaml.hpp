#pragma once
// Strict reading of YAML input files (metadata, configuration, revisions): every mistake is a
// UserError naming file:line:col, unknown keys included, so a typo never passes silently.

#include "schemagen/support/diagnostics.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include "schemagen/support/yaml_node.hpp"

namespace schemagen::yaml {

/// `s` as a YAML scalar that reads back as the same string anywhere, flow collections included:
/// plain when that is safe, else double-quoted with escapes.
std::string quote(std::string_view s);

/// Whether `s` holds a character that quote() writes only as an escape: one a YAML reader
/// refuses raw (a C1 control, U+FFFE, U+FFFF), reads as a line break (U+0085, U+2028, U+2029),
/// or a byte order mark. A block scalar cannot hold it.
bool holds_escaped(std::string_view s);

/// A YAML document being read, and the file it came from.
class Reader {
public:
  explicit Reader(std::string filename) : filename_(std::move(filename)) {}

  /// Parses `text`; a syntax error becomes a UserError at its line and column.
  yaml::Node parse(std::string_view text) const;

  SourceLoc loc(const yaml::Node& node) const;
  [[noreturn]] void fail(const yaml::Node& node, const std::string& message) const;

  /// Requires a map whose keys are all in `allowed`.
  void expect_map(const yaml::Node& node, std::string_view what,
                  std::initializer_list<std::string_view> allowed) const;
  void expect_sequence(const yaml::Node& node, std::string_view what) const;

  std::string string(const yaml::Node& node, std::string_view what) const;
  bool boolean(const yaml::Node& node, std::string_view what) const;
  long long integer(const yaml::Node& node, std::string_view what) const;
  /// A sequence of strings; a single string is taken as a one-element list when `lenient`.
  std::vector<std::string> strings(const yaml::Node& node, std::string_view what,
                                   bool lenient = false) const;

  /// `map[key]`, which must be present: else an error at the map naming the missing key.
  yaml::Node required(const yaml::Node& map, const char* key, std::string_view what) const;

  /// `map[key]` as a string when present and not null.
  std::optional<std::string> optional_string(const yaml::Node& map, const char* key) const;

  const std::string& filename() const { return filename_; }

private:
  std::string filename_;
};

} // namespace schemagen::yaml
