// schemagen's command line: parses the arguments, calls the driver, maps errors to exit codes.

#include "schemagen/driver/commands.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

using namespace schemagen;

int main(int argc, char** argv) {
  CLI::App app{"schemagen: schema migrations for annotated C++ models, the Alembic way"};
  app.require_subcommand(1);
  app.fallthrough(); // global options after the command too: schemagen check -c schemagen.yaml
  app.set_version_flag("--version", "schemagen " SCHEMAGEN_VERSION);

  driver::Global global;
  std::string config, name, url;
  app.add_option("-c,--config", config,
                 "schemagen.yaml to use (default: $SCHEMAGEN_CONFIG, or search upward)");
  app.add_option("-n,--name", name, "which database of a `databases:` configuration");
  auto* url_opt =
      app.add_option("--url", url, "database URL (overrides $SCHEMAGEN_DATABASE_URL and the file)");
  std::vector<std::string> x;
  app.add_option("-x", x, "key=value: a field of the revision template ({{key}}); repeatable");
  bool verbose = false, quiet = false;
  app.add_flag("-v,--verbose", verbose, "say more");
  app.add_flag("-q,--quiet", quiet, "say less");
  app.add_option("-j,--jobs", global.jobs,
                 "a fleet's databases migrated at once (upgrade, downgrade, current, check)")
      ->check(CLI::Range(1, 256));
  app.add_flag("--fail-fast", global.fail_fast,
               "a fleet: the first database that fails stops the rest");

  // init, list_templates
  driver::InitOptions init;
  auto* init_cmd = app.add_subcommand("init", "a new schemagen.yaml, revisions/ and templates/");
  init_cmd->add_option("directory", init.directory, "where to create them")->required();
  init_cmd->add_option("-t,--template", init.template_name, "generic or multidb");
  auto* list_cmd = app.add_subcommand("list_templates", "the templates init can use");

  // scan
  driver::ScanOptions scan;
  std::string output, depfile;
  bool no_cache = false;
  auto* scan_cmd = app.add_subcommand("scan", "the models' metadata as stable, sorted YAML");
  scan_cmd->add_option("-o,--output", output, "write it here instead of stdout");
  scan_cmd->add_option("--depfile", depfile,
                       "also write the files the scan read, as a Makefile rule");
  scan_cmd->add_flag("--no-cache", no_cache, "parse even when no header changed");
  scan_cmd->add_option("args", scan.args, "compiler flags after models.args: scan -- -Idir -DX");

  // embed-revisions: a build step, so it needs no schemagen.yaml
  driver::EmbedOptions embed;
  std::string embed_depfile;
  auto* embed_cmd = app.add_subcommand(
      "embed-revisions", "the revision chain as C++, for an application's schemagen::Migrator");
  embed_cmd->add_option("--name", embed.name, "the function to define: schemagen::Chain NAME()")
      ->required();
  embed_cmd->add_option("--cpp", embed.cpp, "the source to write")->required();
  embed_cmd->add_option("--header", embed.header, "the header to write")->required();
  embed_cmd->add_option("--depfile", embed_depfile,
                        "also write the files and directories read, as a Makefile rule");
  embed_cmd->add_option("directories", embed.directories, "the revision directories, in order")
      ->required();

  // revision, merge
  driver::RevisionOptions rev;
  auto* revision_cmd = app.add_subcommand("revision", "a new revision file");
  revision_cmd->add_option("-m,--message", rev.message, "what the revision does")->required();
  revision_cmd->add_flag("--autogenerate", rev.autogenerate,
                         "fill it with the difference between the models and the database");
  revision_cmd->add_flag("--offline", rev.offline,
                         "autogenerate against the schema the revision chain builds, no database");
  revision_cmd->add_option("--head", rev.heads, "the revision to build on (default: head)");
  revision_cmd->add_flag("--splice", rev.splice,
                         "allow a --head that is not a head (a new branch)");
  revision_cmd->add_option("--branch-label", rev.branch_labels,
                           "a branch label for the new revision");
  revision_cmd->add_option("--depends-on", rev.depends_on, "revisions or labels it depends on");
  revision_cmd->add_option("--rev-id", rev.rev_id, "its id instead of a random one");
  revision_cmd->add_option("--version-path", rev.version_path,
                           "the revision directory to write it to");
  revision_cmd->add_flag("--allow-empty", rev.allow_empty,
                         "with --autogenerate, write it even when nothing changed");
  revision_cmd->add_flag("--baseline", rev.baseline,
                         "with --autogenerate: the first revision, creating the schema the "
                         "database has, with its own names (stamps nothing)");
  revision_cmd->add_flag("--online-ddl", global.online_ddl,
                         "write changes to existing tables in the form that holds no long lock "
                         "(as online_ddl: true in the configuration)");
  driver::RevisionOptions merge;
  auto* merge_cmd = app.add_subcommand("merge", "a revision joining heads");
  merge_cmd->add_option("revisions", merge.heads, "the revisions to join, e.g. heads")->required();
  merge_cmd->add_option("-m,--message", merge.message,
                        "what the merge is for (default: \"merge <ids>\")");
  merge_cmd->add_option("--branch-label", merge.branch_labels, "a branch label for the merge");
  merge_cmd->add_option("--rev-id", merge.rev_id, "its id instead of a random one");
  driver::SquashOptions squash;
  auto* squash_cmd = app.add_subcommand(
      "squash", "replace the revisions after FROM up to TO with one that builds the same schema");
  squash_cmd->add_option("range", squash.range, "FROM:TO (FROM may be base)")->required();
  squash_cmd->add_option("-m,--message", squash.message,
                         "what the squash is for (default: \"squash <first>..<last>\")");
  squash_cmd->add_option("--rev-id", squash.rev_id, "its id instead of a random one");

  // upgrade, downgrade, stamp
  driver::MigrateOptions up, down;
  auto* upgrade_cmd =
      app.add_subcommand("upgrade", "run revisions up to REV (head, +N, an id, label@head)");
  upgrade_cmd->add_option("revision", up.target, "the target; FROM:TO with --sql")->required();
  upgrade_cmd->add_flag("--sql", up.sql, "print the SQL instead of running it");
  auto* downgrade_cmd =
      app.add_subcommand("downgrade", "undo revisions down to REV (base, -N, an id)");
  downgrade_cmd->add_option("revision", down.target, "the target; FROM:TO with --sql")->required();
  downgrade_cmd->add_flag("--sql", down.sql, "print the SQL instead of running it");
  driver::StampOptions stamp;
  auto* stamp_cmd =
      app.add_subcommand("stamp", "set the version table to REV without running anything");
  stamp_cmd->add_option("revision", stamp.target, "the revision(s) the database is at")->required();
  stamp_cmd->add_flag("--sql", stamp.sql, "print the SQL instead of running it");
  stamp_cmd->add_flag("--purge", stamp.purge, "empty the version table first");

  // where things stand
  driver::ListOptions list;
  driver::HistoryOptions hist;
  auto* current_cmd = app.add_subcommand("current", "the revision(s) the database is at");
  auto* heads_cmd = app.add_subcommand("heads", "the chain's heads");
  auto* branches_cmd = app.add_subcommand("branches", "the chain's branch points");
  for (auto* cmd : {current_cmd, heads_cmd, branches_cmd}) {
    cmd->add_flag("-v,--verbose", list.verbose, "the full entry of each");
    if (cmd != branches_cmd)
      cmd->add_option("--format", list.format, "text or json")
          ->check(CLI::IsMember({"text", "json"}));
  }
  auto* history_cmd = app.add_subcommand("history", "the chain, newest first");
  history_cmd->add_option("-r,--rev-range", hist.range, "[start]:[end]");
  history_cmd->add_flag("-v,--verbose", hist.verbose, "the full entry of each");
  history_cmd->add_flag("-i,--indicate-current", hist.indicate_current,
                        "mark the database's revision(s)");
  history_cmd
      ->add_option("--format", hist.format, "text or json; with --graph dot, mmd, svg or png")
      ->check(CLI::IsMember({"text", "json", "dot", "mmd", "svg", "png"}));
  history_cmd->add_flag("--graph", hist.graph,
                        "draw the graph: branches, merges, labels, the database's revision");
  std::string history_output;
  history_cmd->add_option("-o,--output", history_output,
                          "with --graph: .svg, .png, .dot or .mmd (default: DOT on stdout)");
  std::string show_rev;
  auto* show_cmd = app.add_subcommand("show", "one revision's full entry");
  show_cmd->add_option("revision", show_rev, "an id, head, current, ...")->required();

  // diff, check
  driver::DiffOptions diffo, checko;
  auto* diff_cmd =
      app.add_subcommand("diff", "print the ops autogenerate would write, without writing");
  diff_cmd->add_flag("--offline", diffo.offline,
                     "against the schema the revision chain builds, no database");
  diff_cmd->add_option("--head", diffo.heads,
                       "compare with the schema these revisions build (default: every head)");
  diff_cmd->add_option("--format", diffo.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  diff_cmd->add_flag("--online-ddl", global.online_ddl,
                     "the ops in the form that holds no long lock (online_ddl: true)");
  auto* check_cmd =
      app.add_subcommand("check", "exit 1 when the models and the database (or chain) differ");
  check_cmd->add_flag("--offline", checko.offline,
                      "against the schema the revision chain builds, no database");
  check_cmd->add_flag("--strict", checko.strict,
                      "fail on risky operations the revisions do not acknowledge");
  check_cmd->add_option("--head", checko.heads,
                        "compare with the schema these revisions build (default: every head)");
  check_cmd->add_option("--format", checko.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  bool committed = false;
  check_cmd->add_flag("--committed", committed,
                      "first refuse revisions and models git does not track (pre-commit)");
  bool linear = false;
  check_cmd->add_flag("--linear", linear, "also fail when the chain has more than one head");

  driver::StairwayOptions stairway;
  auto* test_cmd = app.add_subcommand(
      "test", "each revision upgraded, downgraded and upgraded again on a scratch database, and "
              "checked to do what its ops say");
  test_cmd->add_flag("--keep", stairway.keep, "keep the scratch database, and print its URL");

  // pictures
  driver::ErdOptions erdo;
  std::string erd_output;
  auto* erd_cmd = app.add_subcommand(
      "erd", "the models (or --database, the database) as an entity-relationship diagram");
  erd_cmd->add_option("-o,--output", erd_output,
                      "write .svg, .png, .dot or .mmd (default: DOT on stdout)");
  erd_cmd->add_option("--format", erdo.format, "dot, mmd, svg or png, over -o's extension")
      ->check(CLI::IsMember({"dot", "mmd", "svg", "png"}));
  erd_cmd->add_flag("--database", erdo.database, "the live database's schema instead");

  driver::InspectOptions inspecto;
  auto* inspect_cmd = app.add_subcommand(
      "inspect", "a schema as metadata YAML: the database's, or the chain's (--offline)");
  inspect_cmd->add_flag("--offline", inspecto.offline, "the schema the revision chain builds");
  inspect_cmd->add_flag("--canonical", inspecto.canonical,
                        "spelled the one way comparisons see it");
  inspect_cmd->add_option("--head", inspecto.heads,
                          "with --offline: the schema the chain builds up to REV (repeatable)");

  driver::ImportOptions importo;
  auto* import_cmd = app.add_subcommand(
      "import", "write the database's schema as annotated model headers, one per schema");
  import_cmd->add_option("-o,--output", importo.out, "the directory to write them to (default .)");
  import_cmd->add_option("--schema", importo.schemas,
                         "a schema to import (repeatable; default: include_schemas, or all)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ExitCode::user_error);
  }
  if (!config.empty()) global.config = config;
  if (!name.empty()) global.name = name;
  if (url_opt->count()) global.url = url; // given empty: an error where a database is needed
  for (const auto& item : x) {
    const auto eq = item.find('=');
    if (eq == 0 || eq == std::string::npos) {
      std::cerr << "error: -x " << item << ": give key=value\n";
      return static_cast<int>(ExitCode::user_error);
    }
    global.x[item.substr(0, eq)] = item.substr(eq + 1);
  }
  global.verbosity = verbose ? 1 : quiet ? -1 : 0;
  if (!output.empty()) scan.output = output;
  if (!depfile.empty()) scan.depfile = depfile;
  scan.use_cache = !no_cache;
  if (!embed_depfile.empty()) embed.depfile = embed_depfile;
  if (!history_output.empty()) hist.output = history_output;
  if (!erd_output.empty()) erdo.output = erd_output;

  // without -n, these serve every database of a `databases:` map in turn; the rest need -n
  auto each = [&](const std::string& format, auto command) {
    return driver::for_each_database(global, format == "json", command);
  };
  try {
    ExitCode rc = ExitCode::ok;
    if (*init_cmd)
      rc = driver::init(global, init);
    else if (*list_cmd)
      rc = driver::list_templates(global);
    else if (*scan_cmd)
      rc = driver::scan(global, scan);
    else if (*embed_cmd)
      rc = driver::embed_revisions(global, embed);
    else if (*revision_cmd)
      rc = driver::revision(global, rev);
    else if (*merge_cmd)
      rc = driver::merge(global, merge);
    else if (*squash_cmd)
      rc = driver::squash(global, squash);
    else if (*upgrade_cmd)
      rc = up.sql ? driver::upgrade(global, up) : each("text", [&](const auto& g) {
        return driver::serves_fleet(g)
                   ? driver::run_fleet(g, {driver::FleetCommand::migrate, true, up.target})
                   : driver::upgrade(g, up);
      });
    else if (*downgrade_cmd)
      rc = down.sql ? driver::downgrade(global, down) : each("text", [&](const auto& g) {
        return driver::serves_fleet(g)
                   ? driver::run_fleet(g, {driver::FleetCommand::migrate, false, down.target})
                   : driver::downgrade(g, down);
      });
    else if (*stamp_cmd)
      rc = driver::stamp(global, stamp);
    else if (*current_cmd)
      rc = each(list.format, [&](const auto& g) {
        return driver::serves_fleet(g) ? driver::run_fleet(g, {driver::FleetCommand::current})
                                       : driver::current(g, list);
      });
    else if (*heads_cmd)
      rc = each(list.format, [&](const auto& g) { return driver::heads(g, list); });
    else if (*branches_cmd)
      rc = each("text", [&](const auto& g) { return driver::branches(g, list); });
    else if (*history_cmd && hist.graph) // one picture, of the database -n names
      rc = driver::history(global, hist);
    else if (*history_cmd)
      rc = each(hist.format, [&](const auto& g) { return driver::history(g, hist); });
    else if (*show_cmd)
      rc = driver::show(global, show_rev);
    else if (*diff_cmd)
      rc = each(diffo.format, [&](const auto& g) { return driver::diff(g, diffo); });
    else if (*check_cmd)
      rc = each(checko.format, [&](const auto& g) {
        // the chain's shape first: it needs no database, and a branch is said even when the
        // check cannot run
        const auto shape = linear ? driver::check_linear(g) : ExitCode::ok;
        if (!checko.offline && !committed && driver::serves_fleet(g))
          return std::max(shape, driver::run_fleet(g, {driver::FleetCommand::check}));
        return std::max(shape,
                        committed ? driver::check_committed(g, checko) : driver::check(g, checko));
      });
    else if (*test_cmd)
      rc = each("text", [&](const auto& g) { return driver::stairway_test(g, stairway); });
    else if (*erd_cmd)
      rc = driver::erd(global, erdo);
    else if (*inspect_cmd)
      rc = driver::inspect(global, inspecto);
    else if (*import_cmd)
      rc = driver::import_models(global, importo);
    return static_cast<int>(rc);
  } catch (const Error& e) {
    std::cerr << e.what() << '\n';
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "schemagen: internal error: " << e.what() << '\n';
    return 70;
  }
}
