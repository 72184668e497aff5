#pragma once
// scan(headers, flags) → metadata: the annotated models read with Clang's LibTooling. This header
// is free of Clang; only lib/scan's sources include it.

#include "schemagen/model/metadata.hpp"
#include "schemagen/model/naming.hpp"
#include "schemagen/support/diagnostics.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace schemagen::scan {

namespace fs = std::filesystem;

struct Options {
  std::vector<fs::path> sources; // model headers; they form one metadata
  std::vector<std::string> args; // extra compiler flags (models.args)
  fs::path working_dir;          // relative paths in args start here; default: cwd
  std::optional<fs::path>
      compile_commands; // directory of a compile_commands.json to take flags from
  model::NamingConvention naming;
  std::optional<fs::path> cache_dir; // content-hash cache; nullopt: always parse
  // With precompiled system headers (a cache directory) and several headers: parse them as up to
  // this many translation units in parallel, when that reads them as one would. 0: one per core.
  unsigned jobs = 0;
};

struct Result {
  std::string yaml;                        // the metadata as canonical YAML (model::to_yaml)
  std::string binary;                      // the same, with origins, as model::to_binary (cache)
  std::optional<model::Metadata> metadata; // parsed form; absent when answered from the cache
  DiagnosticList diagnostics;              // compile errors and annotation mistakes, in order
  std::vector<fs::path> dependencies; // every file the parse read: headers and what they include
  bool from_cache = false;
  std::string cache_entry; // the cache entry it was read from (ContentCache::Hit::identity)
  bool precompiled = false; // the parse started from the cache's precompiled system headers
  unsigned parts = 1;        // translation units parsed in parallel (1: the headers as one)

  bool ok() const { return !diagnostics.has_errors(); }
  /// The metadata, parsed from `yaml` when it came from the cache.
  const model::Metadata& get();
  /// The metadata, moved out of a result that is done with.
  model::Metadata take() &&;
};

/// Parses the headers as one translation unit and builds their metadata. Never throws for
/// problems in the input: they are in `diagnostics`. Throws UserError for unusable options
/// (a missing header, an unreadable compile_commands.json).
Result scan(const Options& options);

/// Scans in-memory code as if it were a header named `file_name` (tests). `files` are more
/// in-memory files (path relative to the header → content): what it includes, or views' SQL.
Result scan_code(const std::string& code, const std::vector<std::string>& args = {},
                 const model::NamingConvention& naming = {},
                 const std::string& file_name = "models.hpp",
                 const std::vector<std::pair<std::string, std::string>>& files = {});

/// Where Clang's builtin headers (stddef.h, ...) are found: $SCHEMAGEN_CLANG_RESOURCE_DIR, else
/// beside an installed schemagen (<prefix>/lib/schemagen/clang), else — only for a binary in the
/// build tree — where the Clang it was built with keeps them. Throws UserError when none has them.
std::string clang_resource_dir();
/// The directory holding <schemagen/annotations.hpp>: <prefix>/include, else — only for a binary
/// in the build tree — the source tree's. Throws UserError when neither has it.
std::string annotations_include_dir();

/// One annotation macro as the scan accepts it: its name (SG_COLUMN) and its options.
struct MacroOptions {
  std::string macro;
  std::vector<std::string> options;
};
/// Every macro and option the scan accepts, read from the table it checks annotations against
/// (tools/schemagen/REFERENCE.md documents each; a unit test holds it to that).
std::vector<MacroOptions> annotation_options();

} // namespace schemagen::scan
