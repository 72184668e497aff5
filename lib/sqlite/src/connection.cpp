#include "schemagen/sqlite/sqlite.hpp"

#include <fmt/format.h>
#include <memory>
#include <sqlite3.h>

namespace schemagen::sqlite {

namespace {
[[noreturn]] void refuse(sqlite3* db, std::string_view sql) {
  throw dialect::QueryError(std::string(sql), sqlite3_errmsg(db),
                            std::to_string(sqlite3_extended_errcode(db)));
}
} // namespace

Connection::Connection(const std::filesystem::path& file, bool create, int busy_timeout_ms)
    : file_(file) {
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  if (sqlite3_open_v2(file.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError(fmt::format("error: cannot open the SQLite database {}: {}", file.string(),
                                    reason));
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
}

Connection::Connection(sqlite3* borrowed) : db_(borrowed), owned_(false) {
  const char* file = sqlite3_db_filename(db_, "main");
  file_ = file ? file : "";
}

Connection::~Connection() {
  if (owned_) sqlite3_close_v2(db_);
}

void Connection::busy_timeout(int ms) { sqlite3_busy_timeout(db_, ms); }

bool Connection::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Connection::exec(std::string_view sql) {
  // statement by statement, so that a failure names the one refused
  const char* tail = sql.data();
  const char* end = sql.data() + sql.size();
  while (tail < end) {
    sqlite3_stmt* raw = nullptr;
    const char* start = tail;
    if (sqlite3_prepare_v2(db_, start, static_cast<int>(end - start), &raw, &tail) != SQLITE_OK)
      refuse(db_, std::string_view(start, static_cast<std::size_t>(end - start)));
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    if (!raw) continue; // whitespace or a comment
    int rc;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) refuse(db_, std::string_view(start, static_cast<std::size_t>(tail - start)));
  }
}

dialect::Rows Connection::query(std::string_view sql,
                                const std::vector<std::optional<std::string>>& params) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr) !=
      SQLITE_OK)
    refuse(db_, sql);
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  for (std::size_t i = 0; i < params.size(); ++i) {
    const int k = static_cast<int>(i + 1);
    if (params[i])
      sqlite3_bind_text(raw, k, params[i]->data(), static_cast<int>(params[i]->size()),
                        SQLITE_TRANSIENT);
    else
      sqlite3_bind_null(raw, k);
  }
  dialect::Rows rows;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    const int n = sqlite3_column_count(raw);
    auto& row = rows.emplace_back();
    row.reserve(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
        row.emplace_back(std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(raw, c))));
      }
    }
  }
  if (rc != SQLITE_DONE) refuse(db_, sql);
  return rows;
}

} // namespace schemagen::sqlite
