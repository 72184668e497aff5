#pragma once
// The annotation grammar (REFERENCE.md, "Annotations"), free of Clang: the text between a
// macro's parentheses,
//   options := [ item { ',' item } ]
//   item    := string | identifier [ '=' value ]
//   value   := string { string } | ['-'] integer | true | false
// where string is a C++ string literal (escapes, raw strings, adjacent literals concatenated).

#include "schemagen/support/diagnostics.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::scan {

struct Value {
  enum class Kind { flag, string, integer, boolean };
  Kind kind = Kind::flag; // flag: a bare identifier, no '='
  std::string text;       // string value
  long long integer = 0;
  bool boolean = true; // a flag means true
};

struct Option {
  std::string key; // empty for a bare string (the name)
  Value value;
  SourceLoc loc;       // of the key, or of the bare string
  SourceLoc value_loc; // of the value
};

/// One SG_* macro as written.
struct Annotation {
  std::string kind; // table, column, index, unique, check, foreign_key, enum, ignore
  SourceLoc loc;    // of the macro
  std::vector<Option> options;
  bool malformed = false; // its options have a syntax error (reported); `options` are those before

  /// The macro's name as users write it: SG_TABLE, SG_COLUMN, ...
  std::string macro() const;
  const Option* find(std::string_view key) const;
};

/// Parses `text` (the options, without parentheses). `start` is where text[0] stands in the
/// source; errors are reported at the offending character.
std::vector<Option> parse_options(std::string_view text, const SourceLoc& start,
                                  DiagnosticList& diags);

/// Finds the options of a macro invocation's source text "SG_X( ... )": the text inside the
/// outermost parentheses, and its offset. nullopt when `invocation` has no parentheses.
std::optional<std::pair<std::string_view, std::size_t>>
macro_arguments(std::string_view invocation);

/// `loc` moved forward over `text[0, offset)`, counting lines and columns.
SourceLoc advance(SourceLoc loc, std::string_view text, std::size_t offset);

} // namespace schemagen::scan
