#include "schemagen/scan/scan.hpp"

#include "builder.hpp"
#include "frontend.hpp"
#include "schemagen/model/binary.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/support/cache.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>

namespace schemagen::scan {

namespace {

std::optional<fs::path> executable_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  return exe.parent_path();
}

/// The first of `candidates` that holds `probe`.
std::string first_holding(const std::vector<fs::path>& candidates, const char* probe) {
  for (const auto& dir : candidates) {
    std::error_code ec;
    if (!dir.empty() && fs::exists(dir / probe, ec)) return dir.lexically_normal().string();
  }
  return {};
}

/// Where a file schemagen ships is: the first of `candidates`, else `installed` under the prefix
/// the binary runs from, else — only for a binary in the build tree — `built`, where the build
/// found it. An installed copy never falls back on the build's paths, so a broken lookup shows
/// up as an error instead of being hidden on the machine that built it.
std::string installed_or_built(std::vector<fs::path> candidates, const char* installed,
                               const char* built, const char* probe) {
  if (auto exe = executable_dir()) {
    candidates.push_back(*exe / ".." / installed);
    const auto from_build =
        fs::weakly_canonical(*exe).lexically_relative(fs::weakly_canonical(SCHEMAGEN_BUILD_DIR));
    if (!from_build.empty() && *from_build.begin() != "..") candidates.emplace_back(built);
  }
  auto found = first_holding(candidates, probe);
  if (found.empty()) {
    std::vector<std::string> looked;
    for (const auto& dir : candidates) looked.push_back(dir.lexically_normal().string());
    throw UserError(fmt::format("error: schemagen is installed incompletely: no {} in {}", probe,
                                fmt::join(looked, " or ")));
  }
  return found;
}

/// The flags every scan adds to the user's: C++20 unless they chose, Clang's builtin headers,
/// the annotations header, no warnings (the models' business, not the scan's).
std::vector<std::string> scan_flags(const std::vector<std::string>& user_args) {
  std::vector<std::string> flags = {"-xc++"};
  const bool has_std = std::any_of(user_args.begin(), user_args.end(), [](const std::string& a) {
    return a.rfind("-std=", 0) == 0 || a.rfind("--std=", 0) == 0;
  });
  if (!has_std) flags.push_back("-std=c++20");
  flags.insert(flags.end(), user_args.begin(), user_args.end());
  flags.push_back("-resource-dir=" + clang_resource_dir());
  flags.push_back("-I" + annotations_include_dir());
  flags.push_back("-Wno-everything");
  flags.push_back("-fno-caret-diagnostics"); // also keeps Clang from printing "N errors generated"
  return flags;
}

/// Paths in diagnostics as the user would type them.
void relativize(DiagnosticList& diags) {
  DiagnosticList out;
  for (auto d : diags.items()) {
    if (d.loc.known()) d.loc.file = display_path(d.loc.file);
    out.add(std::move(d));
  }
  diags = std::move(out);
}

/// Reads the files views name: `virtual_files` first (scan_code's), else the disk, relative
/// paths from `working_dir` as Clang resolves the headers'. Each file read is a dependency, so
/// that an edited query invalidates the cache and reruns a build's scan step.
ReadSqlFile sql_file_reader(const ParseInput& input, std::vector<std::string>& dependencies) {
  return [&input, &dependencies](const fs::path& path, std::string& error) {
    const fs::path abs = fs::path(input.working_dir) / path; // `path` when it is absolute
    for (const auto& [virtual_path, content] : input.virtual_files)
      if (fs::path(virtual_path) == abs) return std::optional<std::string>(content);
    std::error_code ec;
    if (fs::is_directory(abs, ec)) {
      error = "it is a directory";
      return std::optional<std::string>();
    }
    std::ifstream in(abs, std::ios::binary);
    std::string text(std::istreambuf_iterator<char>(in), {});
    if (!in.is_open() || in.bad()) {
      error = std::strerror(errno);
      return std::optional<std::string>();
    }
    dependencies.push_back(abs.lexically_normal().string());
    return std::optional<std::string>(std::move(text));
  };
}

Result run_parse(ParseInput input, const model::NamingConvention& naming) {
  ParseOutput parsed;
  Result result;
  parse(input, parsed, result.diagnostics);
  if (parsed.compiled) { // an annotation's syntax error does not hide the others' mistakes
    auto metadata = build_metadata(parsed.raw, naming, result.diagnostics,
                                   sql_file_reader(input, parsed.dependencies));
    if (!result.diagnostics.has_errors()) {
      result.metadata = std::move(metadata);
      result.yaml = model::to_yaml(*result.metadata);
    }
  }
  relativize(result.diagnostics);
  for (auto& d : parsed.dependencies) result.dependencies.emplace_back(std::move(d));
  std::sort(result.dependencies.begin(), result.dependencies.end());
  result.dependencies.erase(std::unique(result.dependencies.begin(), result.dependencies.end()),
                            result.dependencies.end());
  return result;
}

} // namespace

model::Metadata Result::take() && {
  get();
  return std::move(*metadata);
}

const model::Metadata& Result::get() {
  if (!metadata) {
    if (auto m = model::from_binary(binary))
      metadata = std::move(*m);
    else
      metadata = model::from_yaml(yaml, "<scan cache>");
  }
  return *metadata;
}

std::string clang_resource_dir() {
  std::vector<fs::path> candidates;
  if (const char* env = std::getenv("SCHEMAGEN_CLANG_RESOURCE_DIR")) candidates.emplace_back(env);
  return installed_or_built(candidates, "lib/schemagen/clang", SCHEMAGEN_CLANG_RESOURCE_DIR,
                            "include/stddef.h");
}

std::string annotations_include_dir() {
  return installed_or_built({}, "include", SCHEMAGEN_ANNOTATIONS_DIR, "schemagen/annotations.hpp");
}

Result scan(const Options& options) {
  if (options.sources.empty())
    throw UserError("error: models.sources names no header: nothing to scan");
  ParseInput input;
  std::error_code ec;
  input.working_dir =
      options.working_dir.empty() ? fs::current_path(ec).string() : options.working_dir.string();
  for (const auto& source : options.sources) {
    const fs::path abs = fs::absolute(source).lexically_normal();
    if (!fs::is_regular_file(abs, ec))
      throw UserError(fmt::format("{}: error: model header not found", display_path(abs)));
    input.main_code += fmt::format("#include \"{}\"\n", abs.string());
  }
  const fs::path first = fs::absolute(options.sources.front()).lexically_normal();
  input.main_file = (first.parent_path() / "schemagen-models.cpp").string();
  input.flags = scan_flags(options.args);
  if (options.compile_commands) {
    input.compile_commands = options.compile_commands;
    input.compile_commands_file = first.string();
  }

  // The cache key: everything but the files' contents that decides the result.
  std::string key = fmt::format("{}\n{}\n{}\n{}\n", executable_identity(), input.working_dir,
                                fmt::join(input.flags, "\n"), input.main_code);
  if (options.compile_commands) key += options.compile_commands->string() + "\n";
  for (const auto& [k, v] : options.naming) key += k + "=" + v + "\n";

  // the entry: the YAML the scan prints, then the metadata with its origins in binary
  static constexpr std::string_view separator = "\n--- binary\n";
  std::optional<ContentCache> cache;
  if (options.cache_dir) {
    cache.emplace(*options.cache_dir, "scan", key);
    if (auto hit = cache->lookup(); hit && hit->payload.find(separator) != std::string::npos) {
      Result r;
      const auto at = hit->payload.find(separator);
      r.binary = hit->payload.substr(at + separator.size());
      hit->payload.resize(at);
      r.yaml = std::move(hit->payload);
      r.dependencies = std::move(hit->dependencies);
      r.from_cache = true;
      r.cache_file = cache->path();
      return r;
    }
  }
  Result result = run_parse(std::move(input), options.naming);
  if (options.compile_commands)
    result.dependencies.push_back(*options.compile_commands / "compile_commands.json");
  if (cache && result.ok()) {
    if (cache->store(result.yaml + std::string(separator) + model::to_binary(*result.metadata),
                     result.dependencies))
      result.cache_file = cache->path();
  }
  return result;
}

Result scan_code(const std::string& code, const std::vector<std::string>& args,
                 const model::NamingConvention& naming, const std::string& file_name,
                 const std::vector<std::pair<std::string, std::string>>& files) {
  ParseInput input;
  const std::string dir = "/schemagen-virtual";
  input.working_dir = fs::current_path().string();
  input.main_file = dir + "/schemagen-models.cpp";
  input.main_code = fmt::format("#include \"{}/{}\"\n", dir, file_name);
  input.virtual_files.emplace_back(dir + "/" + file_name, code);
  for (const auto& [path, content] : files)
    input.virtual_files.emplace_back((fs::path(dir) / path).lexically_normal().string(), content);
  input.flags = scan_flags(args);
  return run_parse(std::move(input), naming);
}

} // namespace schemagen::scan
