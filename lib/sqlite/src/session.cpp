// A live SQLite file: the run's transaction and lock (BEGIN IMMEDIATE), the foreign-key check
// before every commit, and reflection.

#include "session.hpp"

#include "internal.hpp"

#include <chrono>
#include <fmt/format.h>
#include <sqlite3.h>

namespace schemagen::sqlite {

namespace {

/// Restores PRAGMA foreign_keys when the run ends, and ends a transaction the run left open.
class RunLock : public dialect::Lock {
public:
  RunLock(Connection& c, bool foreign_keys) : c_(c), foreign_keys_(foreign_keys) {}
  ~RunLock() override {
    try {
      if (c_.in_transaction()) c_.exec("ROLLBACK");
      if (foreign_keys_) c_.exec("PRAGMA foreign_keys = ON");
    } catch (...) {
    }
  }

private:
  Connection& c_;
  bool foreign_keys_;
};

} // namespace

Session::Session(std::filesystem::path file) : file_(std::move(file)) {
  std::error_code ec;
  if (file_ == ":memory:" || std::filesystem::exists(file_, ec)) {
    // not waiting here: a run waits for a lock as long as lock_timeout says, in lock()
    c_.emplace(file_, false, 0);
    try { // SQLite reads the file first here: a file that is not a database fails now, named
      c_->query("SELECT count(*) FROM sqlite_schema");
    } catch (const dialect::QueryError& e) {
      // locked by another connection (a writer in its commit): a database, read once it is free
      if ((std::stoi(e.sqlstate()) & 0xff) != SQLITE_BUSY)
        throw DatabaseError(fmt::format("error: cannot open the SQLite database {}: {}",
                                        file_.string(), e.server_message()));
    }
    c_->busy_timeout(60000);
    return;
  }
  // not created until a run writes to it: until then it reads as an empty database
  const auto dir = file_.parent_path();
  if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
    throw DatabaseError(
        fmt::format("error: cannot open the SQLite database {}: its directory {} does not exist",
                    file_.string(), dir.string()));
  c_.emplace(":memory:", true);
  pending_ = true;
}

Session::Session(sqlite3* borrowed) {
  c_.emplace(borrowed);
  file_ = c_->file();
}

std::unique_ptr<dialect::Session> adopt(sqlite3* db) {
  if (!db) throw UserError("error: the SQLite handle given to the Migrator is null");
  auto s = std::make_unique<Session>(db);
  if (s->connection().file().empty())
    throw UserError("error: the SQLite handle given to the Migrator is an in-memory or temporary "
                    "database: schemagen migrates database files, whose version table outlives "
                    "the connection");
  if (s->connection().in_transaction())
    throw UserError("error: the SQLite handle given to the Migrator is inside a transaction: a "
                    "run opens and commits its own; call it between the application's "
                    "transactions");
  return s;
}

Connection& Session::connection() { return *c_; }

void Session::execute(const std::string& sql) {
  try {
    c_->exec(sql);
  } catch (const dialect::QueryError& e) {
    if (std::stoi(e.sqlstate()) == SQLITE_READONLY_DIRECTORY)
      throw dialect::QueryError(
          e.sql(),
          fmt::format("{}: SQLite writes its journal beside the file, and this process "
                      "cannot write its directory {}",
                      e.server_message(), file_.parent_path().string()),
          e.sqlstate());
    // a rebuild's copy refused a row: SQLite names the new table, which is the table rebuilt
    constexpr std::string_view scratch = "_schemagen_tmp_";
    auto message = e.server_message();
    const auto at = message.find(scratch);
    if (at == std::string::npos) throw;
    message.erase(at, scratch.size());
    throw dialect::QueryError(e.sql(), message + " (in the rows the table rebuild copies)",
                              e.sqlstate());
  }
}

dialect::Rows Session::query(const std::string& sql,
                             const std::vector<std::optional<std::string>>& params) {
  return c_->query(sql, params);
}

namespace {
std::string reference_key(const std::vector<std::optional<std::string>>& row) {
  return fmt::format("{}\x1f{}\x1f{}", row[0].value_or(""), row[1].value_or(""),
                     row[3].value_or(""));
}
} // namespace

dialect::Rows Session::broken_references() {
  return c_->query("SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check");
}

void Session::transaction_began() {
  // what was broken before the run (SQLite leaves foreign keys unchecked unless asked) is not
  // the run's doing: only what the run breaks stops it
  references_before_.clear();
  for (const auto& row : broken_references()) references_before_.insert(reference_key(row));
}

void Session::begin() {
  if (c_->in_transaction()) return; // the one lock() opened
  c_->exec("BEGIN IMMEDIATE");
  // between two transactions of one run (transaction_per_migration), another run may have
  // taken the file: then this run's idea of where the file is no longer holds
  if (data_version_ && c_->query("PRAGMA data_version").at(0).at(0) != *data_version_) {
    c_->exec("ROLLBACK");
    throw DatabaseError(fmt::format(
        "error: another connection changed {} between two transactions of this run "
        "(transaction_per_migration): what this run committed stays; run the command again to "
        "go on from where the file is",
        file_.string()));
  }
  transaction_began();
}

void Session::commit() {
  // the rebuilds ran with foreign keys off: no reference they broke may be committed
  auto broken = broken_references();
  std::erase_if(broken,
                [&](const auto& row) { return references_before_.count(reference_key(row)); });
  if (!broken.empty()) {
    std::string rows;
    const std::size_t shown = std::min<std::size_t>(broken.size(), 10);
    for (std::size_t i = 0; i < shown; ++i)
      rows += fmt::format("\n  {} row {} refers to a missing row of {}", broken[i][0].value_or(""),
                          broken[i][1].value_or("(no rowid)"), broken[i][2].value_or(""));
    if (shown < broken.size()) rows += fmt::format("\n  ... and {} more", broken.size() - shown);
    throw dialect::QueryError("PRAGMA foreign_key_check",
                              fmt::format("{} row{} break{} a foreign key:{}", broken.size(),
                                          broken.size() == 1 ? "" : "s",
                                          broken.size() == 1 ? "s" : "", rows),
                              "foreign_key_check");
  }
  // a rebuild keeps views as written and recreates triggers as the file had them: one that
  // names a column the rebuild dropped or renamed no longer compiles, and SQLite says so only
  // when it is next used
  std::string broken_now;
  for (const auto& [what, message] : broken_dependents())
    if (!broken_before_.count(what)) broken_now += fmt::format("\n  {}: {}", what, message);
  if (!broken_now.empty())
    throw dialect::QueryError(
        "the views and triggers of the file",
        fmt::format("the run left what SQLite can no longer compile:{}\nA table rebuild keeps "
                    "views and triggers as they are written: drop and recreate them around the "
                    "change with execute ops, or rename a column in a revision of its own "
                    "(RENAME COLUMN rewrites them)",
                    broken_now),
        "schema_check");
  c_->exec("COMMIT");
  data_version_ = c_->query("PRAGMA data_version").at(0).at(0);
}

std::map<std::string, std::string> Session::broken_dependents() {
  std::map<std::string, std::string> out;
  auto probe = [&](const std::string& what, const std::string& sql) {
    try {
      c_->exec(sql); // affects no row
    } catch (const dialect::QueryError& e) {
      out.emplace(what, e.server_message());
    }
  };
  for (const auto& row : c_->query("SELECT name FROM sqlite_schema WHERE type = 'view'"))
    probe(fmt::format("view {}", row.at(0).value_or("")),
          fmt::format("SELECT * FROM {} LIMIT 0", ident(row.at(0).value_or(""))));
  // a trigger compiles with the statement that fires it: each kind on each table, on no row
  for (const auto& row : c_->query(
           "SELECT t.name, group_concat(r.name, ', ') FROM sqlite_schema t JOIN sqlite_schema r "
           "ON r.type = 'trigger' AND r.tbl_name = t.name WHERE t.type = 'table' GROUP BY "
           "t.name")) {
    const auto table = row.at(0).value_or("");
    std::vector<std::string> columns, set; // pragma_table_info leaves generated columns out
    for (const auto& c : c_->query("SELECT name FROM pragma_table_info(?1)", {table})) {
      columns.push_back(ident(c.at(0).value_or("")));
      set.push_back(fmt::format("{0} = {0}", columns.back()));
    }
    const auto what = fmt::format("trigger {} on table {}", row.at(1).value_or(""), table);
    // one key per statement, so that one that always fails hides no other
    probe(what + " (on INSERT)", fmt::format("INSERT INTO {0} ({1}) SELECT {1} FROM {0} WHERE 0",
                                             ident(table), fmt::join(columns, ", ")));
    if (!set.empty())
      probe(what + " (on UPDATE)",
            fmt::format("UPDATE {} SET {} WHERE 0", ident(table), fmt::join(set, ", ")));
    probe(what + " (on DELETE)", fmt::format("DELETE FROM {} WHERE 0", ident(table)));
  }
  return out;
}

void Session::rollback() noexcept {
  try {
    if (c_->in_transaction()) c_->exec("ROLLBACK");
  } catch (...) {
  }
}

std::unique_ptr<dialect::Lock> Session::lock(const dialect::LockRequest& request) {
  // one writer per file is SQLite's own rule: a lock table would only add a second lock
  if (request.kind == dialect::LockKind::table)
    throw UserError(fmt::format("error: lock: table is for PostgreSQL-compatible engines; SQLite "
                                "({}) is locked by its own write lock: remove the setting",
                                file_.string()));
  const auto timeout = request.timeout;
  if (pending_) { // the run writes: now the file is created
    c_.reset();
    c_.emplace(file_, true);
    pending_ = false;
  }
  if (sqlite3_db_readonly(c_->handle(), "main") == 1)
    throw DatabaseError(fmt::format("error: cannot write the SQLite database {}: the file is "
                                    "read-only to this process (its permissions, or a read-only "
                                    "file system)",
                                    file_.string()));
  c_->busy_timeout(static_cast<int>(std::min<long long>(timeout.count(), 2147483647)));
  const bool foreign_keys = c_->query("PRAGMA foreign_keys").at(0).at(0) == "1";
  // only outside a transaction: off for the run, so that a rebuilt parent keeps its children
  c_->exec("PRAGMA foreign_keys = OFF");
  auto held = std::make_unique<RunLock>(*c_, foreign_keys);
  try {
    c_->exec("BEGIN IMMEDIATE"); // one writer per file: concurrent runs wait here
  } catch (const dialect::QueryError& e) {
    const int code = std::stoi(e.sqlstate()) & 0xff;
    if (code != SQLITE_BUSY && code != SQLITE_LOCKED) throw;
    throw DatabaseError(fmt::format(
        "error: another connection holds the write lock on {} (SQLite's); gave up after {:.0f} "
        "s. Wait for it to finish, or raise lock_timeout.",
        file_.string(), std::chrono::duration<double>(timeout).count()));
  }
  broken_before_ = broken_dependents();
  transaction_began();
  return held;
}

bool Session::has_table(const std::string&, const std::string& table) {
  return !c_->query("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1", {table})
              .empty();
}

bool Session::has_column(const std::string&, const std::string& table, const std::string& column) {
  return !c_->query("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", {table, column}).empty();
}

std::vector<std::string> Session::schemas() { return {"public"}; }

model::Metadata Session::reflect(const dialect::ReflectOptions& options) {
  return sqlite::reflect(*c_, options);
}

model::Metadata Session::normalize(const model::Metadata& models) {
  return sqlite::normalize(models);
}

std::function<bool(const std::string&, const std::string&)>
Session::cast_checker(const model::Metadata&) {
  // a rebuild converts with CAST; there is no USING to write
  return [](const std::string&, const std::string&) { return false; };
}

} // namespace schemagen::sqlite
