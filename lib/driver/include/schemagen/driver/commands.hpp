#pragma once
// One function per command, each returning its exit code (SPEC §5). main() only parses the
// command line and calls these; errors are thrown as schemagen::Error and mapped there.

#include "schemagen/support/diagnostics.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace schemagen::driver {

namespace fs = std::filesystem;

/// The options every command takes.
struct Global {
  std::optional<fs::path> config; // -c/--config
  std::optional<std::string> name; // -n/--name
  std::optional<std::string> url;  // --url
  int verbosity = 0;               // -v: 1, -q: -1
};

struct InitOptions {
  fs::path directory;
  std::string template_name = "generic";
};
ExitCode init(const Global& global, const InitOptions& options);
ExitCode list_templates(const Global& global);

struct ScanOptions {
  std::optional<fs::path> output;  // -o; stdout when absent
  std::optional<fs::path> depfile; // Makefile-syntax dependencies of the output, for build steps
  bool use_cache = true;
};
ExitCode scan(const Global& global, const ScanOptions& options);

} // namespace schemagen::driver
