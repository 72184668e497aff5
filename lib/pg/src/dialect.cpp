// The PostgreSQL dialect: a libpq connection as a dialect::Session (transactional DDL, the
// session advisory lock or a lock table's row, catalog reflection, normalisation by the server),
// and ops compiled one by one (ddl.cpp): PostgreSQL alters every table in place.

#include "schemagen/pg/pg.hpp"

#include "schemagen/compare/compare.hpp"
#include "schemagen/pg/connection.hpp"
#include "schemagen/pg/ddl.hpp"
#include "schemagen/pg/reflect.hpp"
#include "schemagen/support/sql.hpp"
#include "table_lock.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <thread>

namespace schemagen::pg {

namespace {

/// PostgreSQL's session advisory lock, held for the run by a session of its own: the run's own
/// session commits between steps, runs CONCURRENTLY outside any transaction, and may be
/// terminated by the server (a killed backend, a statement timeout's cancel turned fatal) and
/// connected again; none of that lets the lock go while the run goes on.
class AdvisoryLock : public dialect::Lock {
public:
  AdvisoryLock(Connection& run, long long key, std::chrono::milliseconds timeout)
      : own_(run.another()), db_(*own_), key_(key) {
    try { // an idle session a server setting would end, and the lock with it (PostgreSQL 14 on)
      db_.exec("SET idle_session_timeout = 0");
    } catch (const QueryError&) {
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto r = db_.exec("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(key_)});
      if (r.get(0, 0) == "t") return;
      if (std::chrono::steady_clock::now() >= deadline) {
        auto who = db_.exec(
            "SELECT coalesce(string_agg(a.pid::text || ' (' || coalesce(a.application_name, '') "
            "|| ')', ', '), 'unknown') "
            "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = "
            "'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = "
            "$1::bigint",
            {std::to_string(key_)});
        throw DatabaseError(fmt::format(
            "error: another migration holds the lock on this version table (advisory lock {}, "
            "held by backend {}); gave up after {:.0f} s. Wait for it to finish, or raise "
            "lock_timeout.",
            key_, who.get(0, 0), std::chrono::duration<double>(timeout).count()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~AdvisoryLock() override {
    try {
      db_.exec("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key_)});
    } catch (...) {
    }
  }

private:
  std::unique_ptr<Connection> own_;
  Connection& db_;
  long long key_;
};

class Session : public dialect::Session {
public:
  explicit Session(const std::string& url) : db_(url) {}
  explicit Session(pg_conn* borrowed) : db_(borrowed) {}
  const dialect::Dialect& dialect() const override { return pg::dialect(); }
  void* native_handle() noexcept override { return db_.handle(); }
  Connection& connection() { return db_; }

  void execute(const std::string& sql) override {
    watched([&] { db_.exec(sql); });
  }
  dialect::Rows query(const std::string& sql,
                      const std::vector<std::optional<std::string>>& params) override {
    auto r = db_.exec(sql, params);
    dialect::Rows rows(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
      for (int c = 0; c < r.columns(); ++c) rows[static_cast<std::size_t>(i)].push_back(r.optional(i, c));
    return rows;
  }
  void begin() override {
    watched([&] { db_.exec("BEGIN"); });
    open_ = true;
  }
  void commit() override {
    watched([&] { db_.exec("COMMIT"); });
    open_ = false;
  }
  void rollback() noexcept override {
    if (!open_) return;
    open_ = false;
    try {
      db_.exec("ROLLBACK");
    } catch (...) {
    }
  }
  std::unique_ptr<dialect::Lock> lock(const dialect::LockRequest& request) override {
    if (request.kind.value_or(engine().lock) == dialect::LockKind::advisory)
      return std::make_unique<AdvisoryLock>(db_, request.key, request.timeout);
    watch_ = std::make_shared<LockWatch>();
    return table_lock(db_, request, watch_);
  }
  dialect::Engine engine() override {
    if (!engine_) engine_ = pg::engine(db_);
    return *engine_;
  }
  bool has_table(const std::string& schema, const std::string& table) override {
    return db_.exec("SELECT to_regclass($1) IS NOT NULL", {sql::qualified(schema, table)})
               .get(0, 0) == "t";
  }
  bool has_column(const std::string& schema, const std::string& table,
                  const std::string& column) override {
    return db_.exec("SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) "
                    "AND attname = $2 AND NOT attisdropped)",
                    {sql::qualified(schema, table), column})
               .get(0, 0) == "t";
  }
  dialect::IndexState index_state(const std::string& schema, const std::string& name) override {
    auto r = db_.exec("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
                      {sql::qualified(schema, name)});
    if (r.rows() == 0) return dialect::IndexState::absent;
    return r.get(0, 0) == "t" ? dialect::IndexState::valid : dialect::IndexState::invalid;
  }
  std::vector<std::string> schemas() override {
    auto r = db_.exec(
        "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> "
        "'information_schema' ORDER BY 1");
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
    return out;
  }
  model::Metadata reflect(const dialect::ReflectOptions& options) override {
    return pg::reflect(db_, options);
  }
  model::Metadata normalize(const model::Metadata& models) override {
    return pg::normalize(db_, models);
  }
  std::function<bool(const std::string&, const std::string&)>
  cast_checker(const model::Metadata& models) override {
    return pg::cast_checker(db_, models);
  }

private:
  /// Runs `f` unless the run's table lock was lost; a statement that failed because losing it
  /// cancelled it says so instead of "canceling statement due to user request".
  template <typename F>
  void watched(F f) {
    if (!watch_) return f();
    watch_->check();
    try {
      f();
    } catch (const QueryError&) {
      watch_->check();
      throw;
    }
  }

  Connection db_;
  bool open_ = false;
  std::shared_ptr<LockWatch> watch_; // the table lock's, when the run holds one
  std::optional<dialect::Engine> engine_;
};

class Dialect : public dialect::Dialect {
public:
  std::string_view name() const override { return "postgresql"; }
  bool handles(std::string_view url) const override {
    if (url.starts_with("postgresql:") || url.starts_with("postgres:")) return true;
    // libpq's key=value connection string: a keyword, then '='
    const auto eq = url.find('=');
    if (eq == std::string_view::npos) return false;
    const auto key = url.substr(0, eq);
    const auto first = key.find_first_not_of(" \t");
    return first != std::string_view::npos &&
           std::all_of(key.begin() + static_cast<std::ptrdiff_t>(first), key.end(), [](char c) {
             return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' ||
                    c == '\t';
           });
  }
  std::unique_ptr<dialect::Session> connect(const std::string& url,
                                            const std::filesystem::path&) const override {
    return std::make_unique<Session>(url);
  }
  model::Metadata canonical_offline(model::Metadata m) const override {
    // a server's spelling (normalize's, reflect's) must not meet an offline one: offline
    // definitions are whatever canonical_text makes of the SQL, or none
    for (auto& v : m.views) v.definition.clear();
    for (auto& o : m.objects) o.definition.clear();
    return compare::canonical_text(std::move(m));
  }
  bool offline_needs_using(const std::string& from, const std::string& to) const override {
    return compare::textual_needs_using(from, to);
  }
  std::vector<dialect::Step> compile(const std::vector<ops::LocatedOp>& ops, model::Metadata*,
                                     dialect::Session*) const override {
    std::vector<dialect::Step> out;
    for (const auto& located : ops)
      for (auto& s : pg::compile(located.op)) out.push_back({&located, std::move(s)});
    return out;
  }
  std::string qualified(const std::string& schema, const std::string& name) const override {
    return sql::qualified(schema, name);
  }
  std::string_view now() const override { return "now()"; }
  std::string transaction_lock_timeout(std::chrono::milliseconds timeout) const override {
    return fmt::format("SET LOCAL lock_timeout = '{}ms'", timeout.count());
  }
  std::string session_lock_timeout(
      std::optional<std::chrono::milliseconds> timeout) const override {
    return timeout ? fmt::format("SET lock_timeout = '{}ms'", timeout->count())
                   : std::string("RESET lock_timeout");
  }
  std::string transaction_statement_timeout(std::chrono::milliseconds timeout) const override {
    return fmt::format("SET LOCAL statement_timeout = '{}ms'", timeout.count());
  }
  std::string lock_slots_sql() const override {
    // the table has room for max_locks_per_transaction objects per server process (every
    // backend the server may start, background workers included) and prepared transaction
    return "SELECT m * n, m, n FROM (SELECT "
           "current_setting('max_locks_per_transaction')::bigint AS m, "
           "current_setting('max_connections')::bigint + "
           "current_setting('autovacuum_max_workers')::bigint + 1 + "
           "current_setting('max_worker_processes')::bigint + "
           "current_setting('max_wal_senders')::bigint + "
           "current_setting('max_prepared_transactions')::bigint AS n) s";
  }
  std::string add_interrupted_column_sql(const std::string& log_table) const override {
    return fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS interrupted TEXT", log_table);
  }
};

} // namespace

const dialect::Dialect& dialect() {
  static const Dialect d;
  return d;
}

std::unique_ptr<dialect::Session> adopt(pg_conn* connection) {
  auto s = std::make_unique<Session>(connection);
  if (s->connection().in_transaction())
    throw UserError("error: the PostgreSQL connection given to the Migrator is inside a "
                    "transaction: a run opens and commits its own; call it between the "
                    "application's transactions");
  return s;
}

} // namespace schemagen::pg
