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
  std::vector<std::string> headers; // those headers, absolute (none: main_code is all there is)
  std::vector<std::string> flags; // compiler flags, without the file name
  std::optional<std::filesystem::path> compile_commands; // also take flags from here
  std::string compile_commands_file; // the file whose flags to take (the first header)
  std::string working_dir;
  std::vector<std::pair<std::string, std::string>> virtual_files; // path → content (tests)
  // A precompiled prelude (precompile()) to start from, and the includes it holds ("<chrono>")
  std::string pch;
  std::vector<std::string> prelude;
  // A part of a split parse (scan.cpp): record what the parts must agree on (ParseOutput::macros)
  bool watch_macros = false;
};

/// What a part of a split parse did with macros outside its precompiled prelude: where the
/// parse reads each part as if the parts before it had not been read, these are what could
/// make that read differently.
struct MacroUse {
  std::vector<std::pair<std::string, std::string>> definitions; // (name, "file:offset")
  std::vector<std::string> tested_undefined; // names tested or read in #if while undefined
  std::vector<std::string> include_guards;   // the macros that guard whole files read
  bool undefines = false;                    // an #undef
};

struct ParseOutput {
  RawModels raw;
  std::vector<std::string> dependencies; // absolute paths of every file read, main file excluded
  bool compiled = false; // Clang reported no error: `raw` is complete, annotation errors aside
  // The system headers the user's files include (#include <...>) before their first declaration,
  // as written ("<chrono>"), first inclusion first: what a prelude can hold.
  std::vector<std::string> leading_includes;
  // Started from a prelude: the macros the user's files defined or undefined before they had
  // included every prelude header themselves ...
  std::vector<std::string> early_macros;
  // ... and false when they did more before that: declared something, tested a system header's
  // macro, or never included a prelude header. Then the parse may not read as one without would.
  bool prelude_in_place = true;
  MacroUse macros; // with ParseInput::watch_macros
};

/// Runs the parse. Compile errors and misplaced annotations go to `diags`. Throws UserError when
/// the compilation database cannot be used.
void parse(const ParseInput& input, ParseOutput& output, DiagnosticList& diags);

/// Takes the flags compile_commands.json gives into `input.flags` (before its own) and its
/// working directory, so that they are known before the parse. Throws as parse() does.
void resolve_compile_commands(ParseInput& input);

struct Precompiled {
  std::vector<std::string> dependencies; // every file read, the prelude header excluded
  // every name the prelude's preprocessing looked at: tested, expanded, defined or undefined
  std::vector<std::string> consulted_names;
};

/// Precompiles the header `prelude` with the flags of `input` into the PCH `output`. False, with
/// Clang's reason in `error`, when it could not.
bool precompile(const ParseInput& input, const std::string& prelude, const std::string& output,
                Precompiled& result, std::string& error);

/// The Clang the scan runs, as `clang --version` names it: part of every PCH's key.
std::string clang_version();

} // namespace schemagen::scan
