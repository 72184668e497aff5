#include "schemagen/runtime/runtime.hpp"

#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
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
          "DEFAULT now(),\n    interrupted TEXT\n)",
          sql::qualified(schema, log_table())),
  };
}

std::string VersionTable::upgrade_log_sql() const {
  return fmt::format("ALTER TABLE {} ADD COLUMN IF NOT EXISTS interrupted TEXT",
                     sql::qualified(schema, log_table()));
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
std::string VersionTable::log_insert_sql(const std::string& rev, const std::string& checksum,
                                         const std::optional<std::string>& interrupted) const {
  return fmt::format(
      "INSERT INTO {} (revision, checksum, interrupted) VALUES ({}, {}, {}) ON CONFLICT (revision) "
      "DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now(), interrupted = "
      "EXCLUDED.interrupted",
      sql::qualified(schema, log_table()), quote_literal(rev), quote_literal(checksum),
      interrupted ? quote_literal(*interrupted) : "NULL");
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

/// One statement of a revision, with the op it carries out.
struct Step {
  const ops::LocatedOp* op;
  ddl::Statement statement;
};

std::vector<Step> steps_of(const revision::Revision& rev, bool upgrade) {
  std::vector<Step> out;
  for (const auto& located : upgrade ? rev.upgrade : rev.downgrade)
    for (auto& s : ddl::compile(located.op)) out.push_back({&located, std::move(s)});
  return out;
}

std::string marker(bool upgrade, std::size_t step) {
  return fmt::format("{} {}", upgrade ? "upgrade" : "downgrade", step);
}

/// For a resumed concurrent index statement: whether it is done already, and what must go first.
/// A finished build is done; an INVALID one (the build was interrupted or failed) is dropped and
/// built again; a drop whose index is gone is done.
bool resumed_index_done(const ops::Op& op, const RunOptions& options, Sink& sink) {
  if (!options.index_state) return false;
  if (const auto* c = std::get_if<ops::CreateIndex>(&op)) {
    switch (options.index_state(c->schema, c->index.name)) {
    case IndexState::valid: return true;
    case IndexState::invalid:
      sink.execute(
          fmt::format("DROP INDEX CONCURRENTLY {}", sql::qualified(c->schema, c->index.name)));
      return false;
    case IndexState::absent: return false;
    }
  }
  if (const auto* d = std::get_if<ops::DropIndex>(&op))
    return options.index_state(d->schema, d->name) == IndexState::absent;
  return false;
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

  // the version table: the heads after `rev` is applied or undone, as Alembic's HeadMaintainer
  // keeps them
  auto move_heads = [&](const revision::Revision& rev, bool up) {
    const auto& id = rev.id;
    std::vector<std::string> replaced, added;
    if (up) {
      for (const auto& d : rev.down_revisions)
        if (std::find(heads.begin(), heads.end(), d) != heads.end()) replaced.push_back(d);
      applied.insert(id);
      std::erase_if(heads, [&](const auto& h) {
        return std::find(replaced.begin(), replaced.end(), h) != replaced.end();
      });
      heads.push_back(id);
      if (replaced.empty()) {
        sink.execute(vt.insert_sql(id));
      } else {
        sink.execute(vt.update_sql(replaced.front(), id));
        for (std::size_t i = 1; i < replaced.size(); ++i) sink.execute(vt.delete_sql(replaced[i]));
      }
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
    }
  };

  // One revision, from statement `first` on. Every commit that makes part of it durable moves
  // the version table with it and records where a rerun resumes, so no run leaves a revision
  // applied in part with the version table saying otherwise.
  auto run = [&](const revision::Revision& rev, bool up, std::size_t first, bool resumed) {
    bool heads_moved = resumed;
    const auto& id = rev.id;
    const std::string line = fmt::format("Running {} {}", up ? "upgrade" : "downgrade",
                                         arrow(rev.down_revisions, id, up));
    if (options.on_start) options.on_start(fmt::format("{}, {}", line, rev.message));
    sink.comment(line);
    const auto started = std::chrono::steady_clock::now();
    const auto steps = steps_of(rev, up);
    for (std::size_t k = first; k < steps.size(); ++k) {
      const auto& [located, stmt] = steps[k];
      try {
        if (!stmt.transactional) { // e.g. CREATE INDEX CONCURRENTLY: outside any transaction
          if (!heads_moved) move_heads(rev, up);
          heads_moved = true;
          sink.execute(vt.log_insert_sql(id, rev.checksum, marker(up, k)));
          commit();
          if (!(resumed && k == first && resumed_index_done(located->op, options, sink)))
            sink.execute(stmt.sql);
          sink.execute(vt.log_insert_sql(id, rev.checksum, marker(up, k + 1)));
          begin();
        } else {
          sink.execute(stmt.sql);
        }
      } catch (const pg::QueryError& e) { // e.sql(): the op's statement, or the commit before it
        throw MigrationError(fmt::format("{}: error: revision {} ({}), {} failed\n  {}\n{}",
                                         located->loc.str(), id, up ? "upgrade" : "downgrade",
                                         ops::describe(located->op), e.sql(), e.server_message()));
      }
    }
    if (!heads_moved) move_heads(rev, up);
    sink.execute(up ? vt.log_insert_sql(id, rev.checksum) : vt.log_delete_sql(id));
    if (options.transaction_per_migration) {
      commit();
      begin();
    }
    if (options.on_step)
      options.on_step(
          rev, up,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
              .count());
  };

  begin();
  for (const auto& statement : options.prelude) sink.execute(statement);
  if (options.resume) {
    const auto& r = *options.resume;
    if (options.on_resume)
      options.on_resume(fmt::format("Resuming the interrupted {} of {} at statement {}",
                                    r.upgrade ? "upgrade" : "downgrade", r.revision, r.step + 1));
    run(*revisions.at(r.revision), r.upgrade, r.step, true);
  }
  for (const auto& id : path) run(*revisions.at(id), upgrade, 0, false);
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
  // a stamp says where the database is: no revision is left to resume
  sink.execute(fmt::format("UPDATE {} SET interrupted = NULL WHERE interrupted IS NOT NULL",
                           sql::qualified(vt.schema, vt.log_table())));
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

namespace {
/// Whether the version table, the log table and the log's `interrupted` column exist.
std::array<bool, 3> version_tables(pg::Connection& db, const VersionTable& vt) {
  const auto log = sql::qualified(vt.schema, vt.log_table());
  auto r = db.exec("SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL, "
                   "EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($2) AND "
                   "attname = 'interrupted' AND NOT attisdropped)",
                   {vt.qualified(), log});
  return {r.get(0, 0) == "t", r.get(0, 1) == "t", r.get(0, 2) == "t"};
}
} // namespace

std::vector<std::string> version_table_prelude(pg::Connection& db, const VersionTable& vt) {
  const auto [version, log, interrupted] = version_tables(db, vt);
  std::vector<std::string> out;
  if (!version || !log) out = vt.create_sql(); // IF NOT EXISTS: what exists stays as it is
  if (log && !interrupted) out.push_back(vt.upgrade_log_sql());
  return out;
}

std::optional<Interrupted> read_interrupted(pg::Connection& db, const VersionTable& vt) {
  if (!version_tables(db, vt)[2]) return std::nullopt;
  auto r = db.exec(fmt::format("SELECT revision, interrupted, checksum FROM {} WHERE interrupted "
                               "IS NOT NULL ORDER BY applied_at LIMIT 1",
                               sql::qualified(vt.schema, vt.log_table())));
  if (r.rows() == 0) return std::nullopt;
  const std::string mark(r.get(0, 1));
  Interrupted out;
  out.revision = r.get(0, 0);
  out.checksum = r.get(0, 2);
  unsigned long step = 0;
  char direction[16] = {};
  if (std::sscanf(mark.c_str(), "%15s %lu", direction, &step) != 2 ||
      (std::string_view(direction) != "upgrade" && std::string_view(direction) != "downgrade"))
    throw DatabaseError(fmt::format("error: the log table's mark for revision {} is not one "
                                    "schemagen writes ('{}'); `schemagen stamp` clears it",
                                    out.revision, mark));
  out.upgrade = std::string_view(direction) == "upgrade";
  out.step = step;
  return out;
}

IndexState index_state(pg::Connection& db, const std::string& schema, const std::string& name) {
  auto r = db.exec("SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass($1)",
                   {sql::qualified(schema, name)});
  if (r.rows() == 0) return IndexState::absent;
  return r.get(0, 0) == "t" ? IndexState::valid : IndexState::invalid;
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
