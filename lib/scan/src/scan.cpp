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
#include <future>
#include <iterator>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

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

// ---- the precompiled prelude ----------------------------------------------------------------
//
// The system headers the models include before their first declaration (<chrono>, <string>, ...)
// are most of a parse. With a cache directory, the scan records which they are ("prelude-*"
// entries, keyed as the result is), precompiles a header including them once ("pch-*" entries,
// keyed by Clang's version, the flags and the headers; valid while every file the PCH read is
// unchanged), and later parses start from that PCH. Such a parse reads the prelude's headers
// before the models instead of where they include them; the PreludeWatcher (frontend.cpp) notes
// whatever could make that a difference, and then, as after any error, the scan parses again
// without the PCH. So a PCH never changes a result: at worst it costs a second parse.

/// The last line of a prelude listing whose PCH did not read the models as they are written:
/// not tried again until the models include other headers first.
constexpr std::string_view not_in_place = "# not in place";

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    const auto end = std::min(text.find('\n', pos), text.size());
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

struct PreludePch {
  std::vector<std::string> includes; // "<chrono>"
  fs::path file, header; // the PCH, and the header it was made from
  std::vector<fs::path> dependencies;        // every file it read
  std::set<std::string, std::less<>> names; // every name its preprocessing looked at
};

/// The PCH of `includes` for the input's flags: the cached one while no file it read changed,
/// else one built now. nullopt when none can be had (the cache directory is not writable, the
/// headers do not compile): the parse then reads the headers itself, and reports what is wrong.
std::optional<PreludePch> prelude_pch(const ParseInput& input,
                                      const std::vector<std::string>& includes,
                                      const fs::path& cache_dir) {
  std::string text;
  for (const auto& include : includes) text += "#include " + include + "\n";
  const std::string key = fmt::format("{}\n{}\n{}\n{}", clang_version(), input.working_dir,
                                      fmt::join(input.flags, "\n"), text);
  const fs::path stem = cache_dir / ("pch-" + content_hash(key)); // beside its entry
  PreludePch pch{includes, fs::path(stem) += ".pch", fs::path(stem) += ".hpp", {}, {}};
  ContentCache entry(cache_dir, "pch", key);
  std::error_code ec;
  if (auto hit = entry.lookup(); hit && fs::is_regular_file(pch.file, ec)) {
    pch.dependencies = std::move(hit->dependencies);
    for (auto& name : lines(hit->payload)) pch.names.insert(std::move(name));
    return pch;
  }
  // built under a name of its own and renamed into place: no scan ever reads half a PCH
  const fs::path temp = fs::path(stem) += fmt::format(".{}.tmp", ::getpid());
  Precompiled built;
  std::string error; // the parse without the PCH reports what is wrong, in the models' terms
  try {
    write_file_if_changed(pch.header, text); // its time stamp is in every PCH made from it
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const bool ok = precompile(input, pch.header.string(), temp.string(), built, error);
  if (ok) fs::rename(temp, pch.file, ec);
  if (!ok || ec) {
    fs::remove(temp, ec);
    return std::nullopt;
  }
  for (auto& dep : built.dependencies) pch.dependencies.emplace_back(std::move(dep));
  pch.names.insert(built.consulted_names.begin(), built.consulted_names.end());
  entry.store(fmt::format("{}", fmt::join(built.consulted_names, "\n")), pch.dependencies);
  return pch;
}

/// Whether a parse that started from `pch` read the models as a parse without it would have.
bool read_in_place(const ParseOutput& parsed, const PreludePch& pch) {
  return parsed.prelude_in_place &&
         std::none_of(parsed.early_macros.begin(), parsed.early_macros.end(),
                      [&](const std::string& name) { return pch.names.count(name) > 0; });
}

struct Parsed {
  ParseOutput output;
  DiagnosticList diagnostics;
  std::vector<fs::path> prelude_dependencies; // the PCH's, when the parse started from one
  unsigned parts = 1;
};

// ---- the split parse ------------------------------------------------------------------------
//
// From a precompiled prelude, most of a parse is the models themselves, and several headers can
// be parsed as several translation units, each a run of them, on threads of their own. Each part
// is read as if the parts before it had not been, which reads the models as one translation
// unit would as long as every header includes what it uses (else a part does not compile) and no
// part's macros change how another reads. So the split is kept only when every part compiled
// with no diagnostic, and (MacroUse) no part undefined a macro, no macro was defined in two
// places, and no name a part tested while undefined is defined anywhere other than as the guard
// of a whole file; else the headers are parsed as one translation unit, as without the split. A
// header several parts read (one they all include) gives its declarations once, where the first
// part read it, as the one translation unit would.

/// A translation unit of `headers`, included in order.
std::string including(const std::vector<std::string>& headers) {
  std::string code;
  for (const auto& h : headers) code += fmt::format("#include \"{}\"\n", h);
  return code;
}

/// `headers` cut into at most `parts` runs of about the same size in bytes, in order.
std::vector<std::vector<std::string>> runs_of(const std::vector<std::string>& headers,
                                              unsigned parts) {
  std::vector<std::uintmax_t> sizes;
  std::uintmax_t total = 0;
  for (const auto& h : headers) {
    std::error_code ec;
    const auto size = fs::file_size(h, ec);
    sizes.push_back(ec ? 0 : size);
    total += sizes.back();
  }
  std::vector<std::vector<std::string>> runs(1);
  std::uintmax_t so_far = 0;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    // a new run once this one holds its share, while headers are left for the runs to come
    const auto share = total * runs.size() / parts;
    if (!runs.back().empty() && so_far >= share && runs.size() < parts) runs.emplace_back();
    runs.back().push_back(headers[i]);
    so_far += sizes[i];
  }
  return runs;
}

/// Whether the parts read the models as one translation unit would (above).
bool agree(const std::vector<Parsed>& parts) {
  std::map<std::string, std::string, std::less<>> defined_at;
  std::set<std::string, std::less<>> guards;
  for (const auto& part : parts) {
    const auto& m = part.output.macros;
    if (!part.output.compiled || !part.diagnostics.items().empty() || m.undefines) return false;
    for (const auto& [name, at] : m.definitions)
      if (const auto [it, fresh] = defined_at.emplace(name, at); !fresh && it->second != at)
        return false;
    guards.insert(m.include_guards.begin(), m.include_guards.end());
  }
  for (const auto& part : parts)
    for (const auto& name : part.output.macros.tested_undefined)
      if (defined_at.count(name) && !guards.count(name)) return false;
  return true;
}

/// The parts' outputs as one: declarations in order, each once. A header two parts reach by
/// different paths ("../common/x.hpp", "common/x.hpp") is one file: the first part's spelling,
/// the one translation unit's, is kept.
Parsed joined(std::vector<Parsed> parts) {
  Parsed out;
  out.parts = static_cast<unsigned>(parts.size());
  ParseOutput& o = out.output;
  o.compiled = true;
  o.leading_includes = parts.front().output.leading_includes; // where the one unit starts
  std::map<std::string, std::string, std::less<>> file_of; // as spelled → the file itself
  auto file = [&](const std::string& spelled) -> const std::string& {
    auto it = file_of.find(spelled);
    if (it == file_of.end()) {
      std::error_code ec;
      auto real = fs::weakly_canonical(spelled, ec);
      it = file_of.emplace(spelled, ec ? spelled : real.string()).first;
    }
    return it->second;
  };
  std::set<std::string> seen;
  auto once = [&](auto& into, auto& from) {
    for (auto& d : from)
      if (seen.insert(fmt::format("{}\n{}:{}:{}", d.cxx_name, file(d.loc.file), d.loc.line,
                                  d.loc.column))
              .second)
        into.push_back(std::move(d));
  };
  for (auto& part : parts) {
    auto& p = part.output;
    once(o.raw.tables, p.raw.tables);
    once(o.raw.views, p.raw.views);
    once(o.raw.enums, p.raw.enums);
    o.dependencies.insert(o.dependencies.end(), p.dependencies.begin(), p.dependencies.end());
    o.early_macros.insert(o.early_macros.end(), p.early_macros.begin(), p.early_macros.end());
    o.prelude_in_place = o.prelude_in_place && p.prelude_in_place;
  }
  return out;
}

/// How many of the headers the parts read that are another part's: a part that includes the
/// headers of others parses them again (models_5.hpp including models_4.hpp, which includes
/// models_3.hpp, ...), and then the split costs more than it saves.
std::size_t read_twice(const std::vector<std::vector<std::string>>& runs,
                       const std::vector<Parsed>& parts) {
  std::map<std::string, std::size_t, std::less<>> run_of;
  for (std::size_t k = 0; k < runs.size(); ++k)
    for (const auto& h : runs[k]) run_of.emplace(h, k);
  std::size_t n = 0;
  for (std::size_t k = 0; k < parts.size(); ++k)
    for (const auto& dep : parts[k].output.dependencies)
      if (const auto it = run_of.find(dep); it != run_of.end() && it->second != k) ++n;
  return n;
}

/// The headers parsed in parts (above) from the prelude `input` names, or nullopt when there
/// is one part only or the parts do not agree (then `disagreed`). `overlapped` when the parts
/// read each other's headers.
std::optional<Parsed> parse_split(const ParseInput& input, unsigned jobs, bool& disagreed,
                                  bool& overlapped) {
  if (jobs == 0) jobs = std::max(1u, std::thread::hardware_concurrency());
  if (jobs < 2 || input.headers.size() < 2 || input.pch.empty()) return std::nullopt;
  const auto runs = runs_of(input.headers, std::min<unsigned>(jobs, input.headers.size()));
  if (runs.size() < 2) return std::nullopt;
  std::vector<Parsed> parts(runs.size());
  auto parse_part = [&](std::size_t k) {
    ParseInput in = input;
    in.watch_macros = true;
    in.main_file = (fs::path(input.main_file).parent_path() /
                    fmt::format("schemagen-models-{}.cpp", k + 1))
                       .string();
    in.main_code = including(runs[k]);
    parse(in, parts[k].output, parts[k].diagnostics);
  };
  std::vector<std::future<void>> others;
  for (std::size_t k = 1; k < runs.size(); ++k)
    others.push_back(std::async(std::launch::async, parse_part, k));
  parse_part(0);
  for (auto& f : others) f.get();
  if (!agree(parts)) {
    disagreed = true;
    return std::nullopt;
  }
  overlapped = read_twice(runs, parts) * 4 > input.headers.size();
  return joined(std::move(parts));
}

/// The parse, from the precompiled prelude where the cache directory has one for these models
/// (`key`: the result cache's). Records the prelude the next parse can start from.
Parsed parse_with_prelude(ParseInput input, const fs::path& cache_dir, const std::string& key,
                          unsigned jobs) {
  resolve_compile_commands(input);
  ContentCache listing(cache_dir, "prelude", key);
  std::vector<std::string> recorded;
  bool refused = false;
  if (auto hit = listing.lookup()) recorded = lines(hit->payload);
  if (!recorded.empty() && recorded.back() == not_in_place) {
    refused = true;
    recorded.pop_back();
  }
  Parsed p;
  std::optional<PreludePch> pch;
  if (!recorded.empty() && !refused) pch = prelude_pch(input, recorded, cache_dir);
  bool in_place = true;
  if (pch) {
    input.pch = pch->file.string();
    input.prelude = pch->includes;
    // the split, unless an earlier scan of these headers found it not worth it: its parts read
    // each other's headers, or could not be read apart though the headers compile as one (a
    // failure the headers' own errors explain is no reason not to try again)
    ContentCache one_unit(cache_dir, "split", key);
    std::optional<Parsed> split;
    bool disagreed = false, overlapped = false;
    if (!one_unit.lookup()) split = parse_split(input, jobs, disagreed, overlapped);
    if (split)
      p = std::move(*split);
    else
      parse(input, p.output, p.diagnostics);
    if (overlapped || (disagreed && p.output.compiled && p.diagnostics.items().empty()))
      one_unit.store("parse as one translation unit", {});
    in_place = read_in_place(p.output, *pch);
    if (p.output.compiled && in_place) {
      p.prelude_dependencies = pch->dependencies;
      std::erase(p.output.dependencies, pch->header.string()); // the cache's, not the models'
      if (p.output.leading_includes != recorded)
        listing.store(fmt::format("{}", fmt::join(p.output.leading_includes, "\n")), {});
      return p;
    }
    // again without: errors as a parse without reports them, models read as written
    const bool failed = !p.output.compiled;
    input.pch.clear();
    input.prelude.clear();
    p = Parsed{};
    parse(input, p.output, p.diagnostics);
    std::error_code ec;
    if (failed && p.output.compiled) fs::remove(pch->file, ec); // unreadable: build it again
  } else {
    parse(input, p.output, p.diagnostics);
  }
  if (!p.output.compiled) return p;
  if (!in_place && p.output.leading_includes == recorded)
    listing.store(fmt::format("{}\n{}", fmt::join(recorded, "\n"), not_in_place), {});
  else if (p.output.leading_includes != recorded)
    listing.store(fmt::format("{}", fmt::join(p.output.leading_includes, "\n")), {});
  return p;
}

/// The metadata of a parse: the parse's own diagnostics, then the builder's.
Result build(const ParseInput& input, Parsed parsed, const model::NamingConvention& naming) {
  Result result;
  result.diagnostics = std::move(parsed.diagnostics);
  result.precompiled = !parsed.prelude_dependencies.empty();
  result.parts = parsed.parts;
  ParseOutput& out = parsed.output;
  if (out.compiled) { // an annotation's syntax error does not hide the others' mistakes
    auto metadata = build_metadata(out.raw, naming, result.diagnostics,
                                   sql_file_reader(input, out.dependencies));
    if (!result.diagnostics.has_errors()) {
      result.metadata = std::move(metadata);
      result.yaml = model::to_yaml(*result.metadata);
    }
  }
  relativize(result.diagnostics);
  for (auto& d : out.dependencies) result.dependencies.emplace_back(std::move(d));
  for (auto& d : parsed.prelude_dependencies) result.dependencies.push_back(std::move(d));
  std::sort(result.dependencies.begin(), result.dependencies.end());
  result.dependencies.erase(std::unique(result.dependencies.begin(), result.dependencies.end()),
                            result.dependencies.end());
  return result;
}

Result run_parse(const ParseInput& input, const model::NamingConvention& naming) {
  Parsed parsed;
  parse(input, parsed.output, parsed.diagnostics);
  return build(input, std::move(parsed), naming);
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
    input.headers.push_back(abs.string());
  }
  input.main_code = including(input.headers);
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
      r.cache_entry = std::move(hit->identity);
      return r;
    }
  }
  Result result = cache ? build(input,
                                parse_with_prelude(input, *options.cache_dir, key, options.jobs),
                                options.naming)
                        : run_parse(input, options.naming);
  if (options.compile_commands)
    result.dependencies.push_back(*options.compile_commands / "compile_commands.json");
  if (cache && result.ok())
    cache->store(result.yaml + std::string(separator) + model::to_binary(*result.metadata),
                 result.dependencies);
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
  return run_parse(input, naming);
}

} // namespace schemagen::scan
