#pragma once
// The seam between schemagen and one kind of database (Alembic's DefaultImpl and its per-dialect
// subclasses). Everything that differs between PostgreSQL and SQLite sits behind two classes:
//
//   Dialect — what needs no connection: the URL schemes it serves, how the models map to what
//             the database keeps (lower), the canonical spelling used offline, and the compiler
//             of ops to SQL (the same text online and offline);
//   Session — a live connection: statements and transactions, the run's lock, reflection, and
//             the models normalised by the database itself.
//
// A dialect lives in a folder of its own (lib/pg, lib/sqlite): the only one that includes its
// client library. lib/migrate lists the dialects schemagen knows in one place
// (lib/migrate/src/dialects.cpp), for the command line and the in-application Migrator.

#include "schemagen/model/metadata.hpp"
#include "schemagen/ops/ops.hpp"
#include "schemagen/support/diagnostics.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::dialect {

/// A statement the database refused: the SQL, the database's message and its error code
/// (PostgreSQL's SQLSTATE; SQLite's extended result code as a number).
class QueryError : public DatabaseError {
public:
  QueryError(std::string sql, std::string server_message, std::string sqlstate);
  const std::string& sql() const { return sql_; }
  const std::string& server_message() const { return server_message_; }
  const std::string& sqlstate() const { return sqlstate_; }

private:
  std::string sql_, server_message_, sqlstate_;
};

/// One SQL statement an op compiles to.
struct Statement {
  std::string sql;
  /// False for what PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY),
  /// or what must be committed before what follows can use it (ALTER TYPE ... ADD VALUE): the
  /// runtime commits before it and runs it on its own.
  bool transactional = true;
  /// Not SQL but a `call` op's C++ step, by name: run by the runtime on the live connection, a
  /// marked placeholder in --sql.
  std::string call;
  /// An index built or dropped CONCURRENTLY: a resumed run asks the database whether it is done
  /// already, and drops first an INVALID one that an interrupted build left.
  struct ConcurrentIndex {
    std::string schema, name;
    bool drops = false;
  };
  std::optional<ConcurrentIndex> index;
  /// Run outside a transaction, it waits only on what its lock blocks no reads or writes for (a
  /// validation's SHARE UPDATE EXCLUSIVE, a concurrent build waiting out old snapshots): no
  /// lock_timeout, which would throw away the scan or build done so far to spare nobody.
  bool harmless_wait = false;
};

/// A statement of a revision, with the op it carries out (for messages and resuming).
struct Step {
  const ops::LocatedOp* op;
  Statement statement;
};

/// What to read of a live schema.
struct ReflectOptions {
  std::vector<std::string> schemas;        // the schemas to read
  std::vector<std::string> exclude_tables; // fnmatch patterns, on "table" or "schema.table"
  std::string version_table_schema = "public";
  std::string version_table = "schemagen_version"; // never reflected, nor its _log, _lock
};

/// Whether `table` in `schema` matches one of the exclude_tables patterns.
bool excluded(const std::vector<std::string>& patterns, const std::string& schema,
              const std::string& table);

/// The INSERTs that carry out a bulk_insert into `table` (already spelled for SQL): consecutive
/// rows with the same columns share one. `name` quotes a column's name, `text` a string literal,
/// each as the dialect does.
std::vector<std::string> bulk_insert_sql(const ops::BulkInsert& op, const std::string& table,
                                         std::string (*name)(std::string_view),
                                         std::string (*text)(std::string_view));

/// What a concurrent index build left behind, for resuming one.
enum class IndexState { absent, valid, invalid };

/// Rows of a query: text values, nullopt for NULL.
using Rows = std::vector<std::vector<std::optional<std::string>>>;

/// Held for a run (upgrade, downgrade, stamp): runs on one version table serialise.
class Lock {
public:
  virtual ~Lock() = default;
};

/// How a run keeps the other runs on its version table out.
///   advisory — PostgreSQL's session advisory lock (SQLite: its write lock on the file);
///   table    — a row in a lock table beside the version table, for PostgreSQL-compatible
///              engines whose advisory locks lock nothing (CockroachDB, YugabyteDB before 2.25).
enum class LockKind { advisory, table };

/// What Session::lock() is asked for.
struct LockRequest {
  long long key = 0;         // the advisory lock's key (VersionTable::lock_key)
  std::string schema, table; // the lock table (VersionTable::lock_table)
  std::chrono::milliseconds timeout{60000};
  std::optional<LockKind> kind; // unset: the one the engine needs (Engine::lock)
  /// A table lock's row expires this long after its last renewal: a run that died without
  /// releasing it holds it no longer.
  std::chrono::seconds expiry{30};
  /// Told when a table lock was taken over from a run that died holding it ("warning: ...").
  std::function<void(const std::string&)> on_warning;
};

/// The database behind a connection, where it differs from what the dialect assumes.
struct Engine {
  std::string name;                   // "PostgreSQL", "CockroachDB", "YugabyteDB", "Citus"
  LockKind lock = LockKind::advisory; // the lock that works on it
  /// Its DDL cannot share a transaction with other DDL: each statement of a revision runs on
  /// its own, the version log recording how far the revision got (as around CONCURRENTLY).
  bool ddl_alone = false;
};

class Dialect;

/// A live connection.
class Session {
public:
  virtual ~Session() = default;
  virtual const Dialect& dialect() const = 0;
  /// The driver's own handle (PGconn*, sqlite3*), for an application's C++ step; may be null.
  virtual void* native_handle() noexcept { return nullptr; }

  /// Runs one statement (or, for what schemagen itself writes, several); a refusal is a
  /// QueryError naming the SQL.
  virtual void execute(const std::string& sql) = 0;
  /// Runs one query with text parameters ($1, $2, ... on PostgreSQL; ?1, ?2, ... on SQLite).
  virtual Rows query(const std::string& sql,
                     const std::vector<std::optional<std::string>>& params = {}) = 0;

  /// The run's transactions. begin() inside the transaction the lock opened is that one;
  /// commit() first checks what the dialect checks (SQLite: every foreign key, naming the rows
  /// that break one, and rolls back instead).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;

  /// Waits at most `request.timeout` for the run's lock, then throws DatabaseError saying who
  /// holds it. A kind this database has no use for is a UserError.
  virtual std::unique_ptr<Lock> lock(const LockRequest& request) = 0;
  /// What the database is (asked of the server once).
  virtual Engine engine();

  virtual bool has_table(const std::string& schema, const std::string& table) = 0;
  virtual bool has_column(const std::string& schema, const std::string& table,
                          const std::string& column) = 0;
  /// The state of index `name`, for resuming a concurrent build (absent where there are none).
  virtual IndexState index_state(const std::string& schema, const std::string& name);

  /// Every schema that holds user tables, for `inspect`.
  virtual std::vector<std::string> schemas() = 0;
  /// The live schema, as the same metadata `scan` produces.
  virtual model::Metadata reflect(const ReflectOptions& options) = 0;
  /// The models as the database would spell them once created (same shape and order); a type or
  /// expression it refuses is a UserError at the model's file:line:col with its message.
  virtual model::Metadata normalize(const model::Metadata& models) = 0;
  /// Whether changing a column's type from → to (as normalize spells them) needs USING.
  virtual std::function<bool(const std::string&, const std::string&)>
  cast_checker(const model::Metadata& models) = 0;
};

/// The offline form of a run's transaction: what --sql prints around and inside it.
struct OfflineText {
  std::string before_run;    // before the first BEGIN (SQLite: PRAGMA foreign_keys = OFF)
  std::string begin = "BEGIN";
  std::string before_commit; // last in each transaction (SQLite: fails on a broken foreign key)
  std::string after_run;     // after the last COMMIT
};

/// What needs no connection.
class Dialect {
public:
  virtual ~Dialect() = default;
  /// The name `execute:` ops key their SQL by, and `dialect:` in the configuration takes.
  virtual std::string_view name() const = 0;
  /// Whether `url` is one of this dialect's (by its scheme).
  virtual bool handles(std::string_view url) const = 0;
  /// Connects; `base` is the directory a relative path in the URL starts from (the
  /// configuration file's). A failure names the URL with any password redacted.
  virtual std::unique_ptr<Session> connect(const std::string& url,
                                           const std::filesystem::path& base) const = 0;

  /// The models as this database keeps them (SQLite: an enum becomes TEXT with a CHECK of its
  /// values). What it cannot keep is a DiagnosticsError at each annotation.
  virtual model::Metadata lower(model::Metadata models) const { return models; }
  /// `database` (reflected or replayed) with each name the database takes for one the models
  /// spell otherwise (SQLite: tables and columns whose names differ only in case) spelled as the
  /// models spell it, so that the comparison sees one thing, not a drop and a create.
  virtual model::Metadata spelled_like(model::Metadata database, const model::Metadata& models) const {
    (void)models;
    return database;
  }
  /// The canonical spelling used to compare without a connection.
  virtual model::Metadata canonical_offline(model::Metadata m) const = 0;
  /// Whether two column types (as normalize or reflection spell them) are the same to this
  /// database (SQLite: the same affinity).
  virtual bool same_type(const std::string& a, const std::string& b) const { return a == b; }
  /// Without a connection: whether a type change from → to (canonical) needs USING.
  virtual bool offline_needs_using(const std::string& from, const std::string& to) const = 0;

  /// Whether the lint rule `rule` (lint/lint.hpp) says something true of this database.
  virtual bool lint_rule_applies(std::string_view rule) const {
    (void)rule;
    return true;
  }
  /// Why `op` cannot be carried out on this database, or nullopt.
  virtual std::optional<std::string> unsupported(const ops::Op&) const { return std::nullopt; }
  /// Whether compile() needs the schema the chain has built before the ops (SQLite rebuilds a
  /// table from it).
  virtual bool needs_state() const { return false; }
  /// The statements that carry out `ops` (a revision's upgrade or downgrade), in order. With
  /// needs_state(), `state` is the schema before them and is moved past them; `live` is the
  /// connection when online (nullptr for --sql). Throws UserError at the op's line for what this
  /// database cannot do.
  virtual std::vector<Step> compile(const std::vector<ops::LocatedOp>& ops,
                                    model::Metadata* state, Session* live) const = 0;
  /// `schema.name` as this database spells a table's name in SQL.
  virtual std::string qualified(const std::string& schema, const std::string& name) const = 0;
  /// The SQL function for the current time, in the version log.
  virtual std::string_view now() const = 0;
  /// What makes the statements of the transaction just begun give up waiting for a lock after
  /// `timeout` ("" where the dialect has no such setting).
  virtual std::string transaction_lock_timeout(std::chrono::milliseconds) const { return ""; }
  /// The same for the session, for what runs outside a transaction (CONCURRENTLY, a validation,
  /// a batched fill); without `timeout`, what puts the session's setting back.
  virtual std::string session_lock_timeout(std::optional<std::chrono::milliseconds>) const {
    return "";
  }
  /// What makes the statements of the transaction just begun give up after running `timeout`.
  virtual std::string transaction_statement_timeout(std::chrono::milliseconds) const {
    return "";
  }
  virtual OfflineText offline_text() const { return {}; }
  /// A query of one row: how many relation locks the server's shared lock table holds, and what
  /// sizes it: max_locks_per_transaction × the server's processes and prepared transactions
  /// (columns: slots, max_locks_per_transaction, processes). Empty where a transaction's locks
  /// are not bounded so.
  virtual std::string lock_slots_sql() const { return ""; }
  /// A log table made by an earlier schemagen may lack the `interrupted` column: the statement
  /// that adds it where missing (empty where no earlier version ever made one).
  virtual std::string add_interrupted_column_sql(const std::string& log_table_qualified) const {
    (void)log_table_qualified;
    return "";
  }
};

} // namespace schemagen::dialect
