#pragma once
// What most commands start from: the configuration, the revision files and their graph, and,
// when they need one, a connection.

#include "schemagen/config/config.hpp"
#include "schemagen/dialect/dialect.hpp"
#include "schemagen/driver/commands.hpp"
#include "schemagen/migrate/online.hpp"
#include "schemagen/revision/file.hpp"
#include "schemagen/runtime/runtime.hpp"

#include <iostream>
#include <map>
#include <memory>

namespace schemagen::driver {

class Project {
public:
  /// Reads the configuration and every revision file; a malformed one stops here (exit 1).
  static Project load(const Global& global);

  const config::Config& config() const { return cfg_; }
  const revision::RevisionMap& map() const { return *map_; }
  const revision::Revision& get(const std::string& id) const { return *by_id_.at(id); }
  const std::map<std::string, const revision::Revision*>& by_id() const { return by_id_; }
  migrate::ChainView chain() const { return {*map_, by_id_, revisions_}; }
  const std::vector<revision::Revision>& revisions() const { return revisions_; }
  runtime::VersionTable version_table() const;
  /// The run's lock on it as the configuration says (lock_timeout, lock, lock_expiry).
  dialect::LockRequest lock_request() const;
  /// The revision directories: script_location, then version_locations.
  std::vector<fs::path> version_dirs() const;

  /// See database_url() and names_database().
  std::string url() const;
  bool has_url() const;
  /// The database kind: the URL's, else the configuration's `dialect`, else PostgreSQL.
  const dialect::Dialect& dialect() const;
  std::unique_ptr<dialect::Session> connect() const;

  /// Serves one tenant's schema of the configured database (`fleet: {schemas: true}`): the
  /// chain's objects in `public` go into `schema`, the version table too, comparisons see that
  /// schema as the models' `public`, and connections search it first.
  void serve_schema(const std::string& schema);

  /// Warns on stderr about applied revisions whose ops changed since; returns their ids.
  std::vector<std::string> checksum_drift(dialect::Session& db, bool warn) const;

private:
  Global global_;
  config::Config cfg_;
  std::vector<revision::Revision> revisions_;
  std::unique_ptr<revision::RevisionMap> map_;
  std::map<std::string, const revision::Revision*> by_id_;
  mutable const dialect::Dialect* dialect_ = nullptr; // resolved when first asked
  std::optional<std::string> tenant_schema_;           // serve_schema()'s
};

/// The dialect `cfg` serves with `global`'s URL: see Project::dialect(). UserError for a URL no
/// dialect serves, an unknown `dialect:`, or the two disagreeing.
const dialect::Dialect& dialect_for(const Global& global, const config::Config& cfg);
using migrate::where;

/// An online upgrade or downgrade to `target` with the project's settings: the lock, its
/// timeouts, online DDL's, transaction_per_migration, reconnecting. What it prints is the
/// caller's to add.
migrate::OnlineRun online_run(const Project& p, const std::string& target, bool upgrade);

/// The parents a new revision gets from --head (default "head"; --splice allows a non-head).
std::vector<std::string> new_revision_parents(const Project& p, const RevisionOptions& options);

/// A new revision file, rendered through the project's template and read back, not yet written.
struct NewRevision {
  fs::path path;
  std::string text;
  revision::Revision parsed;
};
/// Renders a new revision with the given ops (and, a squash's, the revisions it `replaces`).
/// Validates before anything is written: the template renders, the result parses back as a
/// revision file saying what was given. Writes nothing.
NewRevision render_revision(const Project& p, const Global& global, const RevisionOptions& options,
                            const std::vector<ops::Op>& upgrade,
                            const std::vector<ops::Op>& downgrade,
                            const std::vector<std::string>& replaces = {});
/// Writes a rendered revision once the graph is valid with it, then runs the post_write hooks.
revision::Revision write_revision(const Project& p, const Global& global, NewRevision rev);
/// Both: what revision, merge and autogenerate write.
revision::Revision write_revision(const Project& p, const Global& global,
                                  const RevisionOptions& options,
                                  const std::vector<ops::Op>& upgrade,
                                  const std::vector<ops::Op>& downgrade);

/// The revision directories of `cfg`: script_location, then version_locations.
std::vector<fs::path> version_dirs(const config::Config& cfg);

/// `s` as one word of a POSIX shell command.
std::string shell_quote(const std::string& s);

/// The URL given for this run, set or empty: --url, else $SCHEMAGEN_DATABASE_URL.
std::optional<std::string> url_given(const Global& global);
/// Whether a database is named: by --url, $SCHEMAGEN_DATABASE_URL or the configuration (even
/// one whose ${VAR} is unset). Commands that can work without a database do so only when not.
bool names_database(const Global& global, const config::Config& cfg);
/// --url, else $SCHEMAGEN_DATABASE_URL, else the configuration's. UserError when there is none,
/// or the configuration's is empty or needs an unset variable (named, at the URL's line).
std::string database_url(const Global& global, const config::Config& cfg);

/// Runs the configured shell commands of one hook; a non-zero exit stops the run (exit 1), with
/// the command shown as written, no secret in it.
void run_hooks(const std::vector<config::Hook>& commands, const char* hook, const fs::path& dir,
               const std::vector<std::pair<std::string, std::string>>& env = {});

/// Alembic's one-line form of a revision ("a -> b (label) (head), message"), and its verbose form.
struct LineOptions {
  bool branches = false, doc = false, parents = false, tree = true, heads = true;
  bool current = false;
};
std::string revision_line(const Project& p, const revision::Revision& rev, const LineOptions& o);
std::string revision_entry(const Project& p, const revision::Revision& rev, bool current);

} // namespace schemagen::driver
