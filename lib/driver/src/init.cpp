#include "schemagen/driver/commands.hpp"
#include "schemagen/driver/embedded.hpp"
#include "schemagen/support/files.hpp"

#include <fmt/format.h>
#include <iostream>

namespace schemagen::driver {

std::string_view embedded_file(std::string_view name) {
  for (const auto& f : templates::files())
    if (f.name == name) return f.content;
  throw UserError(fmt::format("error: no embedded file '{}'", name));
}

namespace {

struct InitTemplate {
  std::string_view name, description;
};
constexpr InitTemplate init_templates[] = {
    {"generic", "one database: schemagen.yaml, revisions/, templates/"},
    {"multidb", "several databases, each with its URL, models, revisions and version table"},
};

} // namespace

ExitCode list_templates(const Global&) {
  std::cout << "Available templates:\n\n";
  for (const auto& t : init_templates)
    std::cout << fmt::format("{:<8} - {}\n", t.name, t.description);
  std::cout << "\nTemplates are used via the 'init' command, e.g.:\n\n  schemagen init --template "
               "generic ./\n";
  return ExitCode::ok;
}

ExitCode init(const Global& global, const InitOptions& options) {
  bool known = false;
  for (const auto& t : init_templates) known = known || t.name == options.template_name;
  if (!known)
    throw UserError(fmt::format("error: no template '{}' (see `schemagen list_templates`)",
                                options.template_name));
  const fs::path dir = options.directory;
  const fs::path config = dir / "schemagen.yaml";
  const fs::path revisions = dir / "revisions";
  const fs::path revision_template = dir / "templates/revision.yaml.mustache";
  std::error_code ec;
  for (const auto& p : {config, revision_template})
    if (fs::exists(p, ec))
      throw UserError(
          fmt::format("error: {} exists already: init writes a new project only", display_path(p)));
  if (fs::exists(revisions, ec) && !fs::is_empty(revisions, ec))
    throw UserError(fmt::format("error: {} exists and is not empty", display_path(revisions)));

  write_file_atomic(revision_template, embedded_file("revision.yaml.mustache"));
  if (options.template_name == "multidb") {
    for (const char* db : {"primary", "analytics"}) write_file_atomic(revisions / db / ".keep", "");
  } else {
    write_file_atomic(revisions / ".keep", "");
  }
  write_file_atomic(config, embedded_file(options.template_name + "/schemagen.yaml"));
  if (global.verbosity >= 0) {
    std::cout << fmt::format("  Creating directory {} ...  done\n", display_path(revisions));
    std::cout << fmt::format("  Generating {} ...  done\n", display_path(revision_template));
    std::cout << fmt::format("  Generating {} ...  done\n", display_path(config));
    std::cout << fmt::format("Please edit {}: point models.sources at your annotated headers and "
                             "database.url at your database.\n",
                             display_path(config));
  }
  return ExitCode::ok;
}

} // namespace schemagen::driver
