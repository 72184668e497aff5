#include "schemagen/runtime/runtime.hpp"

#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <thread>

namespace schemagen::runtime {

using sql::quote_literal;

// ---- the version table ---------------------------------------------------------------------

std::string VersionTable::qualified() const { return sql::qualified(schema, table); }

std::vector<std::string> VersionTable::create_sql() const {
  return {
      fmt::format("CREATE TABLE IF NOT EXISTS {} (\n    version_num VARCHAR(32) NOT NULL,\n    "
                  "CONSTRAINT {} PRIMARY KEY (version_num)\n)",
                  qualified(), sql::quote_ident(table + "_pkc")),
      fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (\n    revision VARCHAR(32) NOT NULL PRIMARY KEY,\n    "
          "checksum VARCHAR(64) NOT NULL,\n    applied_at TIMESTAMP WITH TIME ZONE NOT NULL "
          "DEFAULT now()\n)",
          sql::qualified(schema, log_table())),
  };
}

std::string VersionTable::insert_sql(const std::string& rev) const {
  return fmt::format("INSERT INTO {} (version_num) VALUES ({})", qualified(), quote_literal(rev));
}
std::string VersionTable::update_sql(const std::string& from, const std::string& to) const {
  return fmt::format("UPDATE {} SET version_num={} WHERE version_num = {}", qualified(),
                     quote_literal(to), quote_literal(from));
}
std::string VersionTable::delete_sql(const std::string& rev) const {
  return fmt::format("DELETE FROM {} WHERE version_num = {}", qualified(), quote_literal(rev));
}
std::string VersionTable::log_insert_sql(const std::string& rev,
                                         const std::string& checksum) const {
  return fmt::format(
      "INSERT INTO {} (revision, checksum) VALUES ({}, {}) ON CONFLICT (revision) DO "
      "UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()",
      sql::qualified(schema, log_table()), quote_literal(rev), quote_literal(checksum));
}
std::string VersionTable::log_delete_sql(const std::string& rev) const {
  return fmt::format("DELETE FROM {} WHERE revision = {}", sql::qualified(schema, log_table()),
                     quote_literal(rev));
}

long long VersionTable::lock_key() const {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : "schemagen:" + schema + "." + table) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<long long>(h >> 1);
}

// ---- sinks ---------------------------------------------------------------------------------

void OnlineSink::begin() {
  db_.exec("BEGIN");
  open_ = true;
}
void OnlineSink::commit() {
  db_.exec("COMMIT");
  open_ = false;
}
void OnlineSink::execute(const std::string& sql) { db_.exec(sql); }
void OnlineSink::rollback() noexcept {
  if (!open_) return;
  open_ = false;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
  }
}

void OfflineSink::begin() { out_ << "BEGIN;\n\n"; }
void OfflineSink::commit() { out_ << "COMMIT;\n\n"; }
void OfflineSink::execute(const std::string& sql) { out_ << sql << ";\n\n"; }
void OfflineSink::comment(const std::string& text) { out_ << "-- " << text << "\n\n"; }

// ---- the run -------------------------------------------------------------------------------

namespace {

std::string arrow(const std::vector<std::string>& from, const std::string& to, bool upgrade) {
  const std::string downs = fmt::format("{}", fmt::join(from, ", "));
  return upgrade ? fmt::format("{} -> {}", downs, to) : fmt::format("{} -> {}", to, downs);
}

} // namespace

std::vector<std::string> migrate(const revision::RevisionMap& map,
                                 const std::map<std::string, const revision::Revision*>& revisions,
                                 const VersionTable& vt, Sink& sink,
                                 const std::vector<std::string>& path, bool upgrade,
                                 std::vector<std::string> heads, const RunOptions& options) {
  std::set<std::string> applied;
  for (const auto& id : map.applied_set(heads)) applied.insert(id);
  bool open = false;
  auto begin = [&] {
    sink.begin();
    open = true;
  };
  auto commit = [&] {
    if (open) sink.commit();
    open = false;
  };
  begin();
  for (const auto& statement : options.prelude) sink.execute(statement);
  for (const auto& id : path) {
    const revision::Revision& rev = *revisions.at(id);
    const std::string line = fmt::format("Running {} {}", upgrade ? "upgrade" : "downgrade",
                                         arrow(rev.down_revisions, id, upgrade));
    if (options.on_start) options.on_start(fmt::format("{}, {}", line, rev.message));
    sink.comment(line);
    const auto started = std::chrono::steady_clock::now();
    for (const auto& located : upgrade ? rev.upgrade : rev.downgrade) {
      for (const auto& stmt : ddl::compile(located.op)) {
        try {
          if (!stmt.transactional) { // e.g. CREATE INDEX CONCURRENTLY: outside any transaction
            commit();
            sink.execute(stmt.sql);
            begin();
          } else {
            sink.execute(stmt.sql);
          }
        } catch (const pg::QueryError& e) {
          throw MigrationError(fmt::format("{}: error: revision {} ({}), {} failed\n  {}\n{}",
                                           located.loc.str(), id, upgrade ? "upgrade" : "downgrade",
                                           ops::describe(located.op), stmt.sql,
                                           e.server_message()));
        }
      }
    }
    // the version table: the heads after this revision, as Alembic's HeadMaintainer keeps them
    std::vector<std::string> replaced, added;
    if (upgrade) {
      for (const auto& d : rev.down_revisions)
        if (std::find(heads.begin(), heads.end(), d) != heads.end()) replaced.push_back(d);
      applied.insert(id);
      added.push_back(id);
      std::erase_if(heads, [&](const auto& h) {
        return std::find(replaced.begin(), replaced.end(), h) != replaced.end();
      });
      heads.push_back(id);
      // replaced → removed rows; id → new row
      if (replaced.empty()) {
        sink.execute(vt.insert_sql(id));
      } else {
        sink.execute(vt.update_sql(replaced.front(), id));
        for (std::size_t i = 1; i < replaced.size(); ++i) sink.execute(vt.delete_sql(replaced[i]));
      }
      sink.execute(vt.log_insert_sql(id, rev.checksum));
    } else {
      applied.erase(id);
      std::erase(heads, id);
      for (const auto& d : rev.down_revisions) {
        bool child_applied = false;
        for (const auto& c : map.children(d)) child_applied = child_applied || applied.count(c);
        if (!child_applied && std::find(heads.begin(), heads.end(), d) == heads.end()) {
          added.push_back(d);
          heads.push_back(d);
        }
      }
      if (added.empty()) {
        sink.execute(vt.delete_sql(id));
      } else {
        sink.execute(vt.update_sql(id, added.front()));
        for (std::size_t i = 1; i < added.size(); ++i) sink.execute(vt.insert_sql(added[i]));
      }
      sink.execute(vt.log_delete_sql(id));
    }
    if (options.transaction_per_migration) {
      commit();
      begin();
    }
    if (options.on_step)
      options.on_step(
          rev, upgrade,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count());
  }
  commit();
  return heads;
}

void stamp(const VersionTable& vt, Sink& sink, const std::vector<std::string>& current,
           const std::vector<std::string>& heads, bool purge,
           const std::vector<std::string>& prelude,
           const std::vector<std::pair<std::string, std::string>>& logged,
           const std::vector<std::string>& forgotten) {
  sink.begin();
  for (const auto& statement : prelude) sink.execute(statement);
  if (purge) sink.execute(fmt::format("DELETE FROM {}", vt.qualified()));
  for (const auto& h : purge ? std::vector<std::string>{} : current)
    if (std::find(heads.begin(), heads.end(), h) == heads.end()) sink.execute(vt.delete_sql(h));
  for (const auto& h : heads)
    if (purge || std::find(current.begin(), current.end(), h) == current.end())
      sink.execute(vt.insert_sql(h));
  for (const auto& id : forgotten) sink.execute(vt.log_delete_sql(id));
  for (const auto& [id, checksum] : logged) sink.execute(vt.log_insert_sql(id, checksum));
  sink.commit();
}

std::vector<std::string> read_heads(pg::Connection& db, const VersionTable& vt) {
  auto exists = db.exec("SELECT to_regclass($1) IS NOT NULL", {vt.qualified()});
  if (exists.get(0, 0) != "t") return {};
  auto r = db.exec(fmt::format("SELECT version_num FROM {} ORDER BY version_num", vt.qualified()));
  std::vector<std::string> out;
  for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.get(i, 0));
  return out;
}

std::map<std::string, std::string> read_checksums(pg::Connection& db, const VersionTable& vt) {
  const auto log = sql::qualified(vt.schema, vt.log_table());
  auto exists = db.exec("SELECT to_regclass($1) IS NOT NULL", {log});
  std::map<std::string, std::string> out;
  if (exists.get(0, 0) != "t") return out;
  auto r = db.exec(fmt::format("SELECT revision, checksum FROM {}", log));
  for (int i = 0; i < r.rows(); ++i) out.emplace(r.get(i, 0), r.get(i, 1));
  return out;
}

void ensure_version_table(pg::Connection& db, const VersionTable& vt) {
  auto exists = db.exec("SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL",
                        {vt.qualified(), sql::qualified(vt.schema, vt.log_table())});
  if (exists.get(0, 0) == "t" && exists.get(0, 1) == "t") return;
  for (const auto& s : vt.create_sql()) db.exec(s);
}

AdvisoryLock::AdvisoryLock(pg::Connection& db, long long key, std::chrono::milliseconds timeout)
    : db_(db), key_(key) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto r = db_.exec("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(key_)});
    if (r.get(0, 0) == "t") return;
    if (std::chrono::steady_clock::now() >= deadline) {
      auto who = db_.exec(
          "SELECT coalesce(string_agg(a.pid::text || ' (' || coalesce(a.application_name, '') || "
          "')', ', '), 'unknown') "
          "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
          "AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint",
          {std::to_string(key_)});
      throw DatabaseError(fmt::format(
          "error: another migration holds the lock on this version table (advisory lock {}, held "
          "by "
          "backend {}); gave up after {:.0f} s. Wait for it to finish, or raise lock_timeout.",
          key_, who.get(0, 0), std::chrono::duration<double>(timeout).count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

AdvisoryLock::~AdvisoryLock() {
  try {
    db_.exec("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key_)});
  } catch (...) {
  }
}

} // namespace schemagen::runtime
