#pragma once
// Migrations inside an application: bring the database up to date at startup with the same
// runtime, version table, lock and SQL as `schemagen upgrade`, with no schemagen command and no
// Clang on that machine. The library writes nothing to stdout or stderr: progress goes through
// on_progress(), and every failure is an exception derived from schemagen::Error carrying the
// message the command line prints (revision, op, SQL, server message; never a password):
//
//   schemagen::IncompatibleDatabase  the database is ahead of the chain, or an applied revision
//                                    changed (the startup guard: thrown before anything runs);
//   schemagen::UserError             a malformed revision, a target the chain cannot resolve, a URL
//                                    no dialect serves;
//   schemagen::Error                 with code() ExitCode::database_error: the database could not
//                                    be reached, or a revision failed (rolled back; the message
//                                    says what was undone).
//
//   schemagen::Migrator m{"sqlite:///var/lib/app/app.db",
//   schemagen::Chain::from_directories({dir})}; m.on_progress([](const schemagen::Step& s) {
//   log(s.revision, s.message, s.elapsed); }); m.upgrade();

#include "schemagen/support/diagnostics.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;                 // <sqlite3.h>
typedef struct pg_conn PGconn;  // <libpq-fe.h>

namespace schemagen {

namespace dialect {
class Session;
}

/// One revision file as schemagen_add_revisions compiles it in: its text, and what the chain's
/// graph and the startup guard need, read from it when the application was built (lists are
/// space-separated).
struct EmbeddedRevision {
  std::string_view file, text;
  std::string_view id, down_revisions, depends_on, branch_labels, message, checksum;
  std::string_view replaces; // a squash's (last: a file generated before squashes has none)
};

/// A revision chain, parsed and checked: the revision files' graph.
class Chain {
public:
  /// Every *.yaml revision in `dirs`, as the command line reads them (sorted by file name within
  /// each directory). A malformed file is a UserError at its file:line.
  static Chain from_directories(std::vector<std::filesystem::path> dirs);
  /// The revision files given by name and text, in this order (a compiled-in chain hands them in
  /// the order from_directories reads them). A malformed one is a UserError at name:line.
  static Chain from_texts(std::vector<std::pair<std::string, std::string_view>> files);
  /// The chain schemagen_add_revisions compiled in (its generated function calls this; the texts
  /// must outlive the chain). The graph and the checksums come from the build, and the files'
  /// ops are parsed only when a run has something to do: a start on an up-to-date database
  /// parses no YAML.
  static Chain from_embedded(std::span<const EmbeddedRevision> files);

  /// The revision ids, in the chain's order.
  std::vector<std::string> ids() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

private:
  explicit Chain(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_; // shared: a Chain is copied into each Migrator
};

/// One revision applied or undone.
struct Step {
  std::string revision, message;
  bool upgrade = true;
  std::chrono::duration<double, std::milli> elapsed{};
};

/// The startup guard's refusal: the database has a revision the chain lacks (it was upgraded by a
/// newer build: an older binary meeting a newer database), or an applied revision whose ops
/// differ from the chain's. Nothing ran.
class IncompatibleDatabase : public Error {
public:
  IncompatibleDatabase(std::string revision, const std::string& message)
      : Error(ExitCode::user_error, message), revision_(std::move(revision)) {}
  /// The revision the database and the chain disagree on.
  const std::string& revision() const { return revision_; }

private:
  std::string revision_;
};

/// The connection a registered C++ step runs on: the revision's, inside its transaction. What
/// the step does commits with the revision or rolls back with it.
class Connection {
public:
  using Row = std::vector<std::optional<std::string>>;

  explicit Connection(dialect::Session& session) : session_(session) {}
  /// "postgresql" or "sqlite".
  std::string_view dialect() const;
  /// Runs one statement. A refusal throws (schemagen::Error naming the SQL and the database's
  /// message): the revision fails, and the run rolls back.
  void execute(const std::string& sql);
  /// Runs one query with text parameters ($1, $2, ... on PostgreSQL; ?1, ?2, ... on SQLite;
  /// nullopt is NULL) and returns its rows as text.
  std::vector<Row> query(const std::string& sql,
                         const std::vector<std::optional<std::string>>& params = {});
  /// The driver's handle, for the application's own data layer; null on the other dialect.
  sqlite3* sqlite() const;
  PGconn* postgres() const;

private:
  dialect::Session& session_;
};

/// Moves one database along a chain. Each call connects, does its work and disconnects; upgrade
/// and downgrade take the same lock as the command line, so runs on one database serialise.
class Migrator {
public:
  struct Options {
    std::string version_table = "schemagen_version";
    std::string version_table_schema = "public";
    /// How long a run waits for another run's lock.
    std::chrono::milliseconds lock_timeout = std::chrono::seconds(60);
    /// Where a relative path in a sqlite: URL starts; empty: the working directory.
    std::filesystem::path base;
    /// One transaction per revision instead of one for the whole run.
    bool transaction_per_migration = false;
    /// How runs keep each other out: PostgreSQL's advisory lock, or a row in
    /// `<version_table>_lock` renewed while the run lives, for engines whose advisory locks lock
    /// nothing (CockroachDB, YugabyteDB before 2.25). `automatic`: the one the server's engine
    /// needs. SQLite refuses `table`: its write lock serves.
    enum class Lock { automatic, advisory, table };
    Lock lock = Lock::automatic;
    /// With a lock table: a run's row not renewed for this long (the run died) is taken over.
    std::chrono::seconds lock_expiry = std::chrono::seconds(30);
  };

  Migrator(std::string url, Chain chain, Options options);
  Migrator(std::string url, Chain chain) : Migrator(std::move(url), std::move(chain), Options{}) {}
  /// On the application's open connection, which stays open and the application's: each call
  /// runs between the application's transactions (inside one is a UserError). A sqlite3* must be
  /// a database file; a run sets its busy timeout to Options::lock_timeout.
  Migrator(sqlite3* db, Chain chain, Options options);
  Migrator(sqlite3* db, Chain chain) : Migrator(db, std::move(chain), Options{}) {}
  Migrator(PGconn* db, Chain chain, Options options);
  Migrator(PGconn* db, Chain chain) : Migrator(db, std::move(chain), Options{}) {}

  /// A C++ step that revisions name with `call: NAME`: run inside the revision's transaction on
  /// its connection when the revision runs (upgrade or downgrade, as the op is written). An
  /// exception it throws fails the revision, which rolls back. A run whose revisions call a step
  /// not registered is refused before anything runs.
  using StepFunction = std::function<void(Connection&)>;
  void register_step(std::string name, StepFunction step);

  /// Called after each revision is applied or undone.
  void on_progress(std::function<void(const Step&)> callback);
  /// Called with what the command line prints as a warning ("warning: downgrade -1 from several
  /// heads is ambiguous; ..."): the library itself writes nothing to stdout or stderr.
  void on_warning(std::function<void(const std::string&)> callback);

  /// Applies what `target` (as the command line takes it: "head", "heads", an id, "+1", a
  /// label) needs; nothing when the database is there already. Runs the startup guard first.
  void upgrade(const std::string& target = "head");
  /// Undoes revisions down to `target` ("-1", an id, "base"), after the startup guard: undoing
  /// with other ops than the ones that ran would not undo what ran.
  void downgrade(const std::string& target);
  /// The version table's rows: the applied heads (empty at base).
  std::vector<std::string> current();
  /// What upgrade(target) would apply, in order (a revision an earlier run left partly applied
  /// first). Runs the startup guard: what a chain cannot run is not pending.
  std::vector<std::string> pending(const std::string& target = "head");
  /// The startup guard alone: throws IncompatibleDatabase naming the revision when the database
  /// has one the chain lacks, or an applied revision whose ops changed.
  void check_compatible();

private:
  void run(const std::string& target, bool upgrade);
  struct Open;
  Open open() const;

  std::string url_; // or one of the application's handles:
  sqlite3* sqlite_ = nullptr;
  PGconn* postgres_ = nullptr;
  std::map<std::string, StepFunction, std::less<>> steps_;
  Chain chain_;
  Options options_;
  std::function<void(const Step&)> progress_;
  std::function<void(const std::string&)> warning_;
};

} // namespace schemagen
