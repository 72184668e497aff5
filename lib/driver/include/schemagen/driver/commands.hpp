#pragma once
// One function per command, each returning its exit code (REFERENCE.md, "Exit codes"). main()
// only parses the command line and calls these; errors are thrown as schemagen::Error and mapped
// there.

#include "schemagen/support/diagnostics.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemagen::driver {

namespace fs = std::filesystem;

/// The options every command takes.
struct Global {
  std::optional<fs::path> config;       // -c/--config
  std::optional<std::string> name;      // -n/--name
  std::optional<std::string> url;       // --url
  int verbosity = 0;                    // -v: 1, -q: -1
  std::map<std::string, std::string> x; // -x key=value: the revision template's own fields
  bool online_ddl = false;              // --online-ddl (revision, diff): as online_ddl: true
  int jobs = 0;                         // -j: a fleet's members at once (0: fleet.jobs)
  bool fail_fast = false;               // --fail-fast: a fleet member's failure stops the rest
};

/// What a fleet run does to each member.
enum class FleetCommand { migrate, current, check };
struct FleetOptions {
  FleetCommand command = FleetCommand::migrate;
  bool upgrade = true;  // migrate: upgrade or downgrade
  std::string target;   // migrate: the revision
};
/// Whether upgrade, downgrade, current and check serve a fleet here: `fleet:` configured (for
/// the database -n picks), and no --url or $SCHEMAGEN_DATABASE_URL naming one database.
bool serves_fleet(const Global& global);
/// Runs one command on every member of the fleet, -j (or fleet.jobs) at a time: a progress line
/// on stderr, then a table (database, from, to, time, result) and a summary on stdout, each
/// failed member's whole error on stderr. A failure does not stop the others unless
/// --fail-fast. The exit code is the worst member's.
ExitCode run_fleet(const Global& global, const FleetOptions& options);

/// Runs `command` for the database -n names, or, without -n, for each database of a
/// `databases:` map in turn: text output headed by "[name]", JSON output (`json`) gathered into one
/// object by name. A database's error is reported and the next one still runs; the exit code is
/// the worst of them.
ExitCode for_each_database(const Global& global, bool json,
                           const std::function<ExitCode(const Global&)>& command);

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
  std::vector<std::string> args; // compiler flags after models.args (the build step's TARGET)
};
ExitCode scan(const Global& global, const ScanOptions& options);

struct EmbedOptions {
  std::string name;                  // the function: schemagen::Chain NAME()
  fs::path cpp, header;              // what to write: its definition and its declaration
  std::optional<fs::path> depfile;   // the files and directories read, as a Makefile rule
  std::vector<fs::path> directories; // the revision directories, in load order
};
/// Reads and checks the revision chain of `directories` as every command does (no schemagen.yaml)
/// and writes it as C++ for schemagen::Migrator: a header declaring NAME() and a source holding
/// each file's bytes. An error writes nothing; an output whose content is unchanged keeps its
/// time stamp.
ExitCode embed_revisions(const Global& global, const EmbedOptions& options);

} // namespace schemagen::driver

namespace schemagen::driver {

struct MigrateOptions {
  std::string target; // REV, or FROM:TO with --sql
  bool sql = false;   // print the SQL instead of running it
};
ExitCode upgrade(const Global& global, const MigrateOptions& options);
ExitCode downgrade(const Global& global, const MigrateOptions& options);

struct StampOptions {
  std::string target;
  bool sql = false;
  bool purge = false;
};
ExitCode stamp(const Global& global, const StampOptions& options);

struct ListOptions {
  bool verbose = false;
  std::string format = "text"; // text or json
};
ExitCode current(const Global& global, const ListOptions& options);
ExitCode heads(const Global& global, const ListOptions& options);
ExitCode branches(const Global& global, const ListOptions& options);

struct HistoryOptions {
  std::string range; // A:B, A:, :B; empty: base:heads
  bool verbose = false;
  bool indicate_current = false;
  std::string format = "text";    // with graph: "" (by -o's extension), dot, mmd, svg or png
  bool graph = false;             // --graph: the revisions drawn, the database's marked
  std::optional<fs::path> output; // with graph: -o; stdout when absent or "-"
};
ExitCode history(const Global& global, const HistoryOptions& options);
ExitCode show(const Global& global, const std::string& rev);

struct RevisionOptions {
  std::string message;
  bool autogenerate = false;
  bool offline = false;           // autogenerate against the chain's head schema
  std::vector<std::string> heads; // --head (several for merge); default "head"
  bool splice = false;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string rev_id;
  std::string version_path;
  bool allow_empty = false;
  bool baseline = false; // with --autogenerate: the database's whole schema, from nothing
};
ExitCode revision(const Global& global, const RevisionOptions& options);
ExitCode merge(const Global& global, const RevisionOptions& options);

struct SquashOptions {
  std::string range; // FROM:TO — the revision before the run (or base), and its last
  std::string message;
  std::string rev_id;
};
/// Replaces the revisions after FROM up to TO with one revision that builds TO's schema from
/// FROM's and back, recording the ids it replaces (`replaces:`): their files stay, and a database
/// at any of them goes on through them. Refuses, writing nothing, a range with a merge, a branch
/// leaving its middle, a squash inside it, or an execute whose effect on the schema replay
/// cannot know.
ExitCode squash(const Global& global, const SquashOptions& options);

} // namespace schemagen::driver

namespace schemagen::driver {

struct DiffOptions {
  bool offline = false; // against the schema the revision chain builds, no database
  /// --head: compare with the schema these revisions build (a branch's head), not all heads
  std::vector<std::string> heads;
  bool strict = false; // check: risky operations fail unless the revision acknowledges them
  std::string format = "text";
};
/// Prints the ops autogenerate would write; exit 0.
ExitCode diff(const Global& global, const DiffOptions& options);
/// Exit 1 and the ops when the models and the database (or the chain's head schema) differ.
ExitCode check(const Global& global, const DiffOptions& options);
/// check, for a commit (pre-commit): first refuses, with exit 1, the revision files, model
/// headers and configuration that are on disk but not tracked by git, so not in the commit.
ExitCode check_committed(const Global& global, const DiffOptions& options);

/// check --linear: exit 1, naming each branch's revisions from where it branches, when the chain
/// has more than one head (for teams that forbid branches). Needs no database.
ExitCode check_linear(const Global& global);

struct StairwayOptions {
  bool keep = false; // leave the scratch database for inspection
};
/// The stairway test: on a scratch database (made on the configured PostgreSQL server and dropped
/// afterwards; a temporary file for SQLite), each revision in order upgraded, downgraded and
/// upgraded again, the database's schema compared after each step with the schema the chain's
/// ops give. Exit 1 at the first revision that does not do what its ops say.
ExitCode stairway_test(const Global& global, const StairwayOptions& options);

} // namespace schemagen::driver

namespace schemagen::driver {

struct InspectOptions {
  bool offline = false; // the schema the revision chain builds, instead of the database's
  /// With --offline: spelled as the server spells things (format_type, pg_get_expr), when a
  /// database is configured to ask; textually canonical (bigint, not int8 or BIGINT) otherwise.
  bool canonical = false;
  /// With --offline: the schema these revisions build (default: every head).
  std::vector<std::string> heads;
};
/// Prints a schema as metadata YAML (the format of `scan`): the database's, or the chain's.
ExitCode inspect(const Global& global, const InspectOptions& options);

struct ImportOptions {
  fs::path out = ".";               // -o: the directory the headers go to
  std::vector<std::string> schemas; // --schema (repeatable): default the configuration's, or all
};
/// Writes the database's schema as annotated model headers, one per schema (<schema>_models.hpp):
/// scanned, they compare equal to the database. An edited header is left alone, the import
/// written beside it (FILE.new).
ExitCode import_models(const Global& global, const ImportOptions& options);

} // namespace schemagen::driver

namespace schemagen::driver {

struct ErdOptions {
  std::optional<fs::path> output; // -o: .svg, .png, .dot or .mmd; stdout (DOT) when absent or "-"
  std::string format;             // --format dot|mmd|svg|png, over the extension
  bool database = false;          // the live schema instead of the models
};
/// The models (or the database's schema) as an entity-relationship diagram.
ExitCode erd(const Global& global, const ErdOptions& options);

} // namespace schemagen::driver
