// check --committed, for the pre-commit hook: judges what the commit holds. pre-commit stashes
// unstaged changes to tracked files, but files git does not track stay on disk; a revision
// that was never `git add`-ed would make the check pass and a clone of the commit fail it.

#include "project.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <cstdio>
#include <fmt/format.h>
#include <memory>

namespace schemagen::driver {

namespace {

/// The files under `paths` (files or directories) that git does not track, ignored ones
/// included, as paths relative to `dir`.
std::vector<std::string> untracked(const fs::path& dir, const std::vector<fs::path>& paths) {
  std::string command = "git -C " + shell_quote(dir.string()) + " ls-files -z --others --";
  for (const auto& p : paths) command += " " + shell_quote(p.lexically_relative(dir).string());
  command += " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw UserError("error: check --committed: cannot run git");
  std::string output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0;)
    output.append(buffer, n);
  const int status = pclose(pipe.release());
  if (status != 0)
    throw UserError(fmt::format("error: check --committed asks git what the commit holds, and "
                                "git failed in {}: {}",
                                display_path(dir), output));
  std::vector<std::string> files;
  for (std::size_t start = 0, end; (end = output.find('\0', start)) != std::string::npos;
       start = end + 1)
    files.push_back(output.substr(start, end - start));
  return files;
}

} // namespace

ExitCode check_committed(const Global& global, const DiffOptions& options) {
  const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
  auto inputs = version_dirs(cfg);
  inputs.push_back(cfg.file);
  inputs.insert(inputs.end(), cfg.models.sources.begin(), cfg.models.sources.end());
  for (const auto& file : config::object_files(cfg)) inputs.push_back(file);
  std::size_t missing = 0;
  for (const auto& file : untracked(cfg.dir, inputs)) {
    const fs::path path = (cfg.dir / file).lexically_normal();
    const bool revision = path.extension() == ".yaml" && path != cfg.file;
    if (!revision && std::find(inputs.begin(), inputs.end(), path) == inputs.end()) continue;
    std::cerr << fmt::format("{}: error: git does not track this {}, so the commit does not hold "
                             "it: `git add` it, or delete it\n",
                             display_path(path), revision ? "revision file" : "file");
    ++missing;
  }
  if (missing) return ExitCode::user_error;
  return check(global, options);
}

} // namespace schemagen::driver
