// The annotation-option parser (lib/scan/src/annotation.*, free of Clang) on arbitrary bytes,
// taken as a macro invocation as written in a header, SG_COLUMN(...): its arguments are found
// and parsed as the scanner does. It reports errors as diagnostics, never by throwing, and
// every diagnostic must point into the text it was given.
#include "annotation.hpp"
#include "fuzz.hpp"

#include <fmt/format.h>

namespace {

using namespace schemagen;

bool before(const SourceLoc& a, const SourceLoc& b) {
  return a.line < b.line || (a.line == b.line && a.column <= b.column);
}

/// Parses `text` starting at `offset` of `whole`, the way the scanner parses an invocation.
void parse(std::string_view whole, std::string_view text, std::size_t offset) {
  const SourceLoc origin{"fuzz.hpp", 1, 1};
  const SourceLoc start = scan::advance(origin, whole, offset);
  const SourceLoc end = scan::advance(origin, whole, whole.size());
  DiagnosticList diags;
  scan::parse_options(text, start, diags);
  for (const auto& d : diags.items())
    if (!before(start, d.loc) || !before(d.loc, end))
      fuzz::finding("a diagnostic outside the text",
                    fmt::format("{} (the text spans {} to {})", d.str(), start.str(), end.str()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto invocation = fuzz::text(data, size);
  if (const auto args = scan::macro_arguments(invocation))
    parse(invocation, args->first, args->second);
  parse(invocation, invocation, 0); // as the options of an annotate attribute's string literal
  return 0;
}
