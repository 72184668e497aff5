#pragma once
// schemagen.yaml (tools/schemagen/REFERENCE.md, "Configuration"): found by -c, $SCHEMAGEN_CONFIG
// or an upward search; paths relative to the file; ${VAR} and ${VAR:-default} taken from the
// environment. Every mistake names the file and the line.

#include "schemagen/support/diagnostics.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemagen::config {

namespace fs = std::filesystem;

inline constexpr const char* file_name = "schemagen.yaml";
/// The longest lock_timeout: PostgreSQL's own (INT_MAX milliseconds), far from any overflow.
inline constexpr long long max_lock_timeout_seconds = 2147483;

struct Models {
  std::vector<fs::path> sources;            // absolute
  std::optional<fs::path> compile_commands; // directory holding compile_commands.json
  std::vector<std::string> args;
};

/// One pattern of `objects:`: SQL files of functions, triggers, grants, ... (lib/pgparse).
struct ObjectsPattern {
  std::string pattern; // as written, ${VAR}s expanded: what an error names
  fs::path absolute;   // the pattern below the configuration's directory
  SourceLoc at;        // where the configuration writes it
};

/// One hook's shell command: what runs, and what a message may show of it.
struct Hook {
  std::string command; // ${VAR}s expanded
  std::string shown;   // as written, ${VAR}s unexpanded and passwords masked: never a secret
  friend bool operator==(const Hook&, const Hook&) = default;
};

struct Hooks {
  std::vector<Hook> pre_upgrade, post_upgrade, post_write;
};

/// The settings one database is served with: the file's top level, overlaid by its entry in
/// `databases:` when one is picked.
/// `online_ddl:`: autogenerate writes changes to existing tables in the form that holds no long
/// lock (PostgreSQL), and runs wait so long for a lock before trying again.
struct OnlineDdl {
  bool enabled = false;
  long long lock_timeout_ms = 2000; // each transaction's lock_timeout
  long long statement_timeout_ms = 0; // each transaction's statement_timeout; 0: the server's
  int lock_retries = 5;             // runs again after a lock timeout, backing off
  long batch_size = 10000;          // rows per transaction when a new column's default is filled
};

/// `fleet:`: many databases (or schemas of one) that one chain serves, migrated together by
/// upgrade, downgrade, current and check. Exactly one of urls, file and query says which.
struct Fleet {
  std::vector<std::string> urls; // listed here (may hold passwords: never printed)
  fs::path file;                 // one URL (or schema) per line; blank lines and # comments skipped
  std::string query;             // SQL run on the configured database; each row's first column
  /// Each entry is a schema of the configured database, not a URL: the chain's objects in
  /// `public` go into it, and its version table too (schema per tenant).
  bool schemas = false;
  int jobs = 1; // connections at once (-j overrides)
  SourceLoc at; // where `fleet:` is written
  bool configured() const { return at.known(); }
};

struct Config {
  fs::path file;                            // the schemagen.yaml read
  fs::path dir;                             // its directory: relative paths start here
  std::optional<std::string> database_name; // the `databases:` entry in use, if any
  std::vector<std::string> database_names;  // every entry of `databases:`

  fs::path script_location;
  std::vector<fs::path> version_locations; // more revision directories (revision --version-path)
  fs::path template_path;
  bool template_configured = false; // false: the built-in template serves when the file is absent
  std::string file_template = "{rev}_{slug}";
  std::string url; // may hold a password: never print it, see sql::redact_url()
  /// Where the file names a database URL, unless it names none: `url` absent, or every ${VAR} in
  /// it defaulted to empty (`${DATABASE_URL:-}`). A URL named here is used or is an error; it
  /// never quietly becomes "no database".
  std::optional<SourceLoc> url_at;
  std::vector<std::string> url_unset; // the ${VAR}s of that URL that were unset or empty
  Models models;
  std::vector<ObjectsPattern> objects; // a databases: entry's replace the top level's
  std::string version_table = "schemagen_version"; // a databases: entry's: <this>_<name> by default
  /// A databases: entry's table before version tables were per database (<this> unsuffixed), when
  /// the suffixed default applies: a database still holding it is refused, not taken as at base.
  std::string unsuffixed_version_table;
  std::string version_table_schema = "public";
  std::vector<std::string> include_schemas;
  std::vector<std::string> exclude_tables;
  bool compare_type = true;
  bool compare_server_default = true;
  bool transaction_per_migration = false;
  std::map<std::string, std::string> naming_convention;
  Hooks hooks;
  std::string log_level = "info";
  double lock_timeout_seconds = 60; // how long a run waits for another run's lock
  /// The run's lock: "advisory" or "table"; unset: the one the engine needs (a lock table on
  /// CockroachDB and YugabyteDB before 2.25, else advisory).
  std::optional<std::string> lock;
  long long lock_expiry_seconds = 30; // a table lock's row, unless renewed, expires after this
  /// The database kind when no URL says it (`dialect: sqlite`, for --sql and --offline without a
  /// URL); a URL's scheme must agree with it.
  std::optional<std::string> dialect;
  std::optional<SourceLoc> dialect_at;
  /// Schemas the models name → the schema they are kept in (SQLite has one: `auth: main`).
  std::map<std::string, std::string> schema_map;
  OnlineDdl online_ddl;
  Fleet fleet;
};

/// The configuration file to use: `explicit_path` (-c), else $SCHEMAGEN_CONFIG, else the first
/// schemagen.yaml found from `start` upwards. Throws UserError when there is none.
fs::path find(const std::optional<fs::path>& explicit_path, const fs::path& start);

/// Reads and validates `file`. With a `databases:` map, `database` (-n) picks the entry; it may
/// be omitted when there is only one. Throws UserError at file:line:col on any mistake.
Config load(const fs::path& file, const std::optional<std::string>& database = std::nullopt);

/// The files `objects:` names: each pattern's matches (glob(3): *, ?, [...]) in name order, the
/// patterns in the configuration's order, each file once. A pattern that matches no file is a
/// UserError at the pattern, naming it.
std::vector<fs::path> object_files(const Config& config);

/// The names of `file`'s `databases:` map, in the file's order; empty when it has none.
std::vector<std::string> database_names(const fs::path& file);

/// Every key load() accepts, dotted by the map it sits in ("models.sources"; an entry of
/// `databases:` is "databases.NAME.url"). REFERENCE.md documents each; a unit test holds it to
/// that.
std::vector<std::string> keys();

/// Replaces ${VAR} and ${VAR:-default} by the environment's values ("" when unset and no
/// default); `$$` is a literal `$`. Throws UserError(message) on an unterminated ${. The names
/// of the variables that were unset or empty and had no default go to `unset`, when given.
std::string expand_env(std::string_view text, std::vector<std::string>* unset = nullptr);

} // namespace schemagen::config
