#pragma once
// The one place that runs Clang: parses the model headers as one translation unit and hands
// back what the annotations say (raw.hpp). Clang-free interface; the implementation is the only
// file of schemagen that includes Clang.

#include "raw.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace schemagen::scan {

struct ParseInput {
  std::string main_file;          // absolute path of the synthetic translation unit
  std::string main_code;          // its text: #include of every header
  std::vector<std::string> flags; // compiler flags, without the file name
  std::optional<std::filesystem::path> compile_commands; // also take flags from here
  std::string compile_commands_file; // the file whose flags to take (the first header)
  std::string working_dir;
  std::vector<std::pair<std::string, std::string>> virtual_files; // path → content (tests)
};

struct ParseOutput {
  RawModels raw;
  std::vector<std::string> dependencies; // absolute paths of every file read, main file excluded
  bool compiled = false; // Clang reported no error: `raw` is complete, annotation errors aside
};

/// Runs the parse. Compile errors and misplaced annotations go to `diags`. Throws UserError when
/// the compilation database cannot be used.
void parse(const ParseInput& input, ParseOutput& output, DiagnosticList& diags);

} // namespace schemagen::scan
