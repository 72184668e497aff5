// schemagen's command line: parses the arguments, calls the driver, maps errors to exit codes.

#include "schemagen/driver/commands.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

using namespace schemagen;

int main(int argc, char** argv) {
  CLI::App app{"schemagen: schema migrations for annotated C++ models, the Alembic way"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "schemagen " SCHEMAGEN_VERSION);

  driver::Global global;
  std::string config, name, url;
  app.add_option("-c,--config", config, "schemagen.yaml to use (default: $SCHEMAGEN_CONFIG, or search upward)");
  app.add_option("-n,--name", name, "which database of a `databases:` configuration");
  app.add_option("--url", url, "database URL (overrides $SCHEMAGEN_DATABASE_URL and the file)");
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "say more");
  app.add_flag("-q,--quiet", quiet, "say less");

  driver::InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "a new schemagen.yaml, revisions/ and templates/");
  init_cmd->add_option("directory", init.directory, "where to create them")->required();
  init_cmd->add_option("-t,--template", init.template_name, "generic or multidb");
  auto* list_cmd = app.add_subcommand("list_templates", "the templates init can use");

  driver::ScanOptions scan;
  std::string output, depfile;
  bool no_cache = false;
  auto* scan_cmd = app.add_subcommand("scan", "the models' metadata as stable, sorted YAML");
  scan_cmd->add_option("-o,--output", output, "write it here instead of stdout");
  scan_cmd->add_option("--depfile", depfile, "also write the files the scan read, as a Makefile rule");
  scan_cmd->add_flag("--no-cache", no_cache, "parse even when no header changed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::user_error);
  }
  if (!config.empty()) global.config = config;
  if (!name.empty()) global.name = name;
  if (!url.empty()) global.url = url;
  global.verbosity = verbose ? 1 : quiet ? -1 : 0;
  if (!output.empty()) scan.output = output;
  if (!depfile.empty()) scan.depfile = depfile;
  scan.use_cache = !no_cache;

  try {
    ExitCode rc = ExitCode::ok;
    if (*init_cmd) rc = driver::init(global, init);
    else if (*list_cmd) rc = driver::list_templates(global);
    else if (*scan_cmd) rc = driver::scan(global, scan);
    return static_cast<int>(rc);
  } catch (const Error& e) {
    std::cerr << e.what() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "schemagen: internal error: " << e.what() << '\n';
    return 70;
  }
}
