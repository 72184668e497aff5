#pragma once
// The SQLite dialect (lib/sqlite): a database file named by sqlite:///relative/path.db (from the
// configuration file's directory) or sqlite:////absolute/path.db.

#include "schemagen/dialect/dialect.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace schemagen::sqlite {

const dialect::Dialect& dialect();

/// A session on an application's open database file, which stays open and the application's
/// (a run sets its busy timeout to the lock timeout). It must not be inside a transaction, nor
/// in-memory or temporary: a UserError says so.
std::unique_ptr<dialect::Session> adopt(sqlite3* db);

/// The triggers an objects file declares for a SQLite database (SQLite's own syntax: what
/// PostgreSQL's parser reads for other databases), each at its file:line:col; anything else is
/// an error in `diags` at its place.
std::vector<model::DbObject> read_triggers(std::string_view text, const std::string& file,
                                           DiagnosticList& diags);

/// The file a sqlite: URL names: sqlite:///rel.db is `base`/rel.db, sqlite:////abs.db is /abs.db.
/// UserError for anything else, :memory: and query options (?mode=ro) included.
std::filesystem::path url_path(std::string_view url, const std::filesystem::path& base);

/// sqlite3* behind RAII. Every failure is a dialect::QueryError naming the SQL with SQLite's
/// message.
class Connection {
public:
  /// Opens (and, with `create`, creates) the file; waits up to `busy_timeout_ms` on a lock.
  explicit Connection(const std::filesystem::path& file, bool create = true,
                      int busy_timeout_ms = 60000);
  /// Works on an application's open handle: it stays open.
  explicit Connection(sqlite3* borrowed);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Runs one or more statements with no parameters.
  void exec(std::string_view sql);
  /// Runs one statement with text parameters (?1, ?2, ...; nullopt is NULL); returns its rows as
  /// text (NULL as nullopt).
  dialect::Rows query(std::string_view sql,
                      const std::vector<std::optional<std::string>>& params = {});
  bool in_transaction() const;
  void busy_timeout(int ms);
  sqlite3* handle() const { return db_; }
  const std::filesystem::path& file() const { return file_; }

private:
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
  bool owned_ = true;
};

} // namespace schemagen::sqlite
