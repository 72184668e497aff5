#pragma once
// Running revisions: the version table, transactions, and the one switch between online (a sink
// that executes) and offline (a sink that prints). The migrator writes the same statements to
// either, so `--sql` piped to psql or sqlite3 does what the online run does. What differs between
// databases (the SQL each op compiles to, the lock) is the dialect's.

#include "schemagen/dialect/dialect.hpp"
#include "schemagen/revision/file.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace schemagen::runtime {

/// Alembic's version table (one row per applied head), and beside it a log of every applied
/// revision with the checksum of its ops and, while a revision is only partly applied (a
/// statement that cannot run in a transaction committed what came before it), how far it got.
struct VersionTable {
  std::string schema = "public";
  std::string table = "schemagen_version";
  const dialect::Dialect* dialect = nullptr; // spells the SQL; set by whoever makes one

  std::string qualified() const;
  std::string log_table() const { return table + "_log"; }
  std::vector<std::string> create_sql() const;
  /// Adds to a log table an earlier version made what this one records (idempotent).
  std::string upgrade_log_sql() const;
  std::string insert_sql(const std::string& rev) const;
  std::string update_sql(const std::string& from, const std::string& to) const;
  std::string delete_sql(const std::string& rev) const;
  /// Records `rev` as applied: completely, or, with `interrupted` ("upgrade 3"), up to the
  /// statement a rerun resumes at.
  std::string log_insert_sql(const std::string& rev, const std::string& checksum,
                             const std::optional<std::string>& interrupted = {}) const;
  std::string log_delete_sql(const std::string& rev) const;
  /// The lock key of this version table: runs on one table serialise.
  long long lock_key() const;
  /// The table a table lock keeps its row in (LockKind::table).
  std::string lock_table() const { return table + "_lock"; }
  /// This table's lock as Session::lock() takes it; `kind` unset: the engine's.
  dialect::LockRequest lock_request(std::chrono::milliseconds timeout,
                                    std::optional<dialect::LockKind> kind = std::nullopt,
                                    std::chrono::seconds expiry = std::chrono::seconds(30)) const {
    return {lock_key(), schema, lock_table(), timeout, kind, expiry};
  }
};

/// A revision a run left partly applied: the version table already counts it (or, downgrading,
/// no longer does), and its statements from `step` on have still to run.
struct Interrupted {
  std::string revision;
  bool upgrade = true;
  std::size_t step = 0;
  std::string checksum; // of the revision's ops when it ran: resuming other ops would misstep
};

using dialect::IndexState;

/// Where the statements of a run go.
class Sink {
public:
  virtual ~Sink() = default;
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void execute(const std::string& sql) = 0;
  virtual void comment(const std::string& text) = 0;
};

/// Executes on a connection.
class OnlineSink : public Sink {
public:
  explicit OnlineSink(dialect::Session& db) : db_(db) {}
  void begin() override { db_.begin(); }
  void commit() override { db_.commit(); }
  void execute(const std::string& sql) override { db_.execute(sql); }
  void comment(const std::string&) override {}
  /// Rolls back an open transaction (after a failure).
  void rollback() noexcept { db_.rollback(); }

private:
  dialect::Session& db_;
};

/// Prints SQL that the database's shell (psql, sqlite3) runs the same way.
class OfflineSink : public Sink {
public:
  OfflineSink(std::ostream& out, const dialect::Dialect& dialect);
  ~OfflineSink() override;
  void begin() override;
  void commit() override;
  void execute(const std::string& sql) override;
  void comment(const std::string& text) override;

private:
  std::ostream& out_;
  dialect::OfflineText text_;
  bool started_ = false;
};

/// A revision file's op failed: names the revision, the op, the SQL and the server's message.
class MigrationError : public DatabaseError {
public:
  using DatabaseError::DatabaseError;
  MigrationError(std::string message, std::string sqlstate)
      : DatabaseError(std::move(message)), sqlstate_(std::move(sqlstate)) {}
  /// The server's SQLSTATE for the statement that failed ("" when not known).
  const std::string& sqlstate() const { return sqlstate_; }
  /// Whether the statement gave up waiting for a lock (lock_timeout): a run may try again.
  bool lock_not_available() const { return sqlstate_ == "55P03"; }

private:
  std::string sqlstate_;
};

struct RunOptions {
  bool transaction_per_migration = false;
  /// Every statement on its own, outside a transaction, the version log recording how far its
  /// revision got (as around CONCURRENTLY): for engines whose DDL cannot share a transaction with
  /// other DDL (dialect::Engine::ddl_alone). A failure leaves the revision to be resumed.
  bool ddl_alone = false;
  /// Called after each revision with its id, direction and the time it took.
  std::function<void(const revision::Revision&, bool upgrade, double ms)> on_step;
  /// Called before each revision ("Running upgrade a -> b, message").
  std::function<void(const std::string& line)> on_start;
  /// Statements run first in the first transaction (creating or completing the version tables).
  std::vector<std::string> prelude;
  /// A revision an earlier run left partly applied: finished first, from where it stopped.
  std::optional<Interrupted> resume;
  /// Called when a revision is resumed ("Resuming upgrade a -> b at statement 3").
  std::function<void(const std::string& line)> on_resume;
  /// Runs a `call` op's C++ step by name on the live connection, inside the revision's
  /// transaction (online only; offline a marked placeholder is written instead).
  std::function<void(const std::string& name, dialect::Session& db)> call;
  /// How long a transaction's statement waits for a lock before it gives up (set at the start of
  /// each transaction). Unset: 2 s when the run has an online op (a revision written for a busy
  /// database), else the server's setting.
  std::optional<std::chrono::milliseconds> ddl_lock_timeout;
  /// How long a statement of a transaction may run (set at the start of each); unset: the
  /// server's setting. What runs outside a transaction (CONCURRENTLY, VALIDATE, a batched fill)
  /// is not bounded: it blocks no one, and stopping it half-way gains nothing.
  std::optional<std::chrono::milliseconds> ddl_statement_timeout;
};

/// The lock_timeout of a run's transactions when a revision has online ops and none is set.
inline constexpr std::chrono::milliseconds default_online_lock_timeout{2000};

/// Applies `path` (revision ids, in order) upgrading or downgrading from the version table's
/// `heads`, writing every statement to `sink`, compiled by `vt.dialect` (`live`: the connection
/// when online). Returns the heads afterwards.
std::vector<std::string> migrate(const revision::RevisionMap& map,
                                 const std::map<std::string, const revision::Revision*>& revisions,
                                 const VersionTable& vt, Sink& sink,
                                 const std::vector<std::string>& path, bool upgrade,
                                 std::vector<std::string> heads, const RunOptions& options,
                                 dialect::Session* live = nullptr);

/// Sets the version table to `heads` without running ops (stamp), from `current`; records the
/// checksums of revisions that become applied (`logged`) and forgets those no longer applied.
void stamp(const VersionTable& vt, Sink& sink, const std::vector<std::string>& current,
           const std::vector<std::string>& heads, bool purge,
           const std::vector<std::string>& prelude,
           const std::vector<std::pair<std::string, std::string>>& logged,
           const std::vector<std::string>& forgotten);

/// The version table's rows; empty when the table does not exist.
std::vector<std::string> read_heads(dialect::Session& db, const VersionTable& vt);
/// The applied revisions' checksums (revision → checksum); empty when there is no log table.
std::map<std::string, std::string> read_checksums(dialect::Session& db, const VersionTable& vt);
/// The revision an earlier run left partly applied, if any.
std::optional<Interrupted> read_interrupted(dialect::Session& db, const VersionTable& vt);
/// What a run must do first so that the version and log tables exist as this version of
/// schemagen uses them: create them, or add to a log table an earlier version created.
std::vector<std::string> version_table_prelude(dialect::Session& db, const VersionTable& vt);

/// The schema the applied revisions `applied` (ids) build, their upgrade ops replayed in memory
/// in the chain's order (what a dialect that rebuilds tables compiles from). An op on something
/// the chain did not make (a database adopted with its tables) leaves it out.
model::Metadata replayed_schema(const revision::RevisionMap& map,
                                const std::map<std::string, const revision::Revision*>& revisions,
                                const std::vector<std::string>& applied);

} // namespace schemagen::runtime
