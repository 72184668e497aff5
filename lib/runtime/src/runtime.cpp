#include "schemagen/runtime/runtime.hpp"

#include "schemagen/ops/apply.hpp"
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

std::string VersionTable::qualified() const { return dialect->qualified(schema, table); }

std::vector<std::string> VersionTable::create_sql() const {
  return {
      fmt::format("CREATE TABLE IF NOT EXISTS {} (\n    version_num VARCHAR(32) NOT NULL,\n    "
                  "CONSTRAINT {} PRIMARY KEY (version_num)\n)",
                  qualified(), sql::quote_ident(table + "_pkc")),
      fmt::format(
          "CREATE TABLE IF NOT EXISTS {} (\n    revision VARCHAR(32) NOT NULL PRIMARY KEY,\n    "
          "checksum VARCHAR(64) NOT NULL,\n    applied_at TIMESTAMP WITH TIME ZONE NOT NULL "
          "DEFAULT {},\n    interrupted TEXT\n)",
          dialect->qualified(schema, log_table()), dialect->now()),
  };
}

std::string VersionTable::upgrade_log_sql() const {
  return dialect->add_interrupted_column_sql(dialect->qualified(schema, log_table()));
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
      "DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = {}, interrupted = "
      "EXCLUDED.interrupted",
      dialect->qualified(schema, log_table()), quote_literal(rev), quote_literal(checksum),
      interrupted ? quote_literal(*interrupted) : "NULL", dialect->now());
}
std::string VersionTable::log_delete_sql(const std::string& rev) const {
  return fmt::format("DELETE FROM {} WHERE revision = {}", dialect->qualified(schema, log_table()),
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

OfflineSink::OfflineSink(std::ostream& out, const dialect::Dialect& dialect)
    : out_(out), text_(dialect.offline_text()) {}
OfflineSink::~OfflineSink() {
  if (started_ && std::uncaught_exceptions() == 0) out_ << text_.after_run;
}
void OfflineSink::begin() {
  if (!started_) out_ << text_.before_run;
  started_ = true;
  out_ << text_.begin << ";\n\n";
}
void OfflineSink::commit() { out_ << text_.before_commit << "COMMIT;\n\n"; }
void OfflineSink::execute(const std::string& sql) { out_ << sql << ";\n\n"; }
void OfflineSink::comment(const std::string& text) { out_ << "-- " << text << "\n\n"; }

// ---- the run -------------------------------------------------------------------------------

namespace {

std::string arrow(const std::vector<std::string>& from, const std::string& to, bool upgrade) {
  const std::string downs = fmt::format("{}", fmt::join(from, ", "));
  return upgrade ? fmt::format("{} -> {}", downs, to) : fmt::format("{} -> {}", to, downs);
}


std::string marker(bool upgrade, std::size_t step) {
  return fmt::format("{} {}", upgrade ? "upgrade" : "downgrade", step);
}

/// For a concurrent index statement run live: whether it is done already (a resumed run, an index
/// made by hand), and what must go first.
/// A finished build is done; an INVALID one (the build was interrupted or failed) is dropped and
/// built again; a drop whose index is gone is done.
bool concurrent_index_done(const dialect::Statement& stmt, dialect::Session* live, Sink& sink) {
  if (!live || !stmt.index) return false;
  const auto& ix = *stmt.index;
  const auto state = live->index_state(ix.schema, ix.name);
  if (ix.drops) return state == IndexState::absent;
  if (state == IndexState::invalid)
    sink.execute(fmt::format("DROP INDEX CONCURRENTLY {}", sql::qualified(ix.schema, ix.name)));
  return state == IndexState::valid;
}

} // namespace

std::vector<std::string> migrate(const revision::RevisionMap& map,
                                 const std::map<std::string, const revision::Revision*>& revisions,
                                 const VersionTable& vt, Sink& sink,
                                 const std::vector<std::string>& path, bool upgrade,
                                 std::vector<std::string> heads, const RunOptions& options,
                                 dialect::Session* live) {
  std::set<std::string> applied;
  for (const auto& id : map.applied_set(heads)) applied.insert(id);
  // what a dialect that rebuilds tables compiles from: the schema as the chain built it so far
  std::optional<model::Metadata> state;
  if (vt.dialect->needs_state()) {
    auto ids = map.applied_set(heads); // a resumed upgrade's revision is counted, its ops not run
    if (options.resume && options.resume->upgrade) std::erase(ids, options.resume->revision);
    if (options.resume && !options.resume->upgrade) ids.push_back(options.resume->revision);
    state = replayed_schema(map, revisions, ids);
  }
  // a revision written for a busy database waits for no lock longer than this, in its
  // transactions and in what runs outside one where waiting blocks others (a batched fill's
  // batch waiting on a row holds the rows it has): such a timeout is run again like any other
  auto lock_timeout = options.ddl_lock_timeout;
  if (!lock_timeout) {
    auto online_ops = [&](const std::string& id, bool up) {
      const auto& rev = *revisions.at(id);
      return std::any_of((up ? rev.upgrade : rev.downgrade).begin(),
                         (up ? rev.upgrade : rev.downgrade).end(),
                         [](const ops::LocatedOp& lo) { return ops::is_online(lo.op); });
    };
    bool online = options.resume && online_ops(options.resume->revision, options.resume->upgrade);
    for (const auto& id : path) online = online || online_ops(id, upgrade);
    if (online) lock_timeout = default_online_lock_timeout;
  }
  const auto lock_timeout_sql =
      lock_timeout ? vt.dialect->transaction_lock_timeout(*lock_timeout) : std::string();
  const auto statement_timeout_sql =
      options.ddl_statement_timeout
          ? vt.dialect->transaction_statement_timeout(*options.ddl_statement_timeout)
          : std::string();
  bool open = false;
  auto begin = [&] {
    sink.begin();
    if (!lock_timeout_sql.empty()) sink.execute(lock_timeout_sql);
    if (!statement_timeout_sql.empty()) sink.execute(statement_timeout_sql);
    open = true;
  };
  auto commit = [&] {
    if (open) sink.commit();
    open = false;
  };

  // a revision's parents as the graph holds them: one written before a squash landed goes on
  // from the squash
  auto parents = [&](const revision::Revision& rev) -> const std::vector<std::string>& {
    return map.contains(rev.id) ? map.record(rev.id).down_revisions : rev.down_revisions;
  };
  // the version table: the heads after `rev` is applied or undone, as Alembic's HeadMaintainer
  // keeps them
  auto move_heads = [&](const revision::Revision& rev, bool up) {
    const auto& id = rev.id;
    const auto& downs = parents(rev);
    std::vector<std::string> replaced, added;
    if (up) {
      for (const auto& d : downs)
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
      for (const auto& d : downs) {
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

  // A `call` op: the application's C++ step, on the run's connection inside the revision's
  // transaction. Offline there is no program to run it: the script marks where it belongs.
  auto call = [&](const revision::Revision& rev, bool up, const ops::LocatedOp& op,
                  const std::string& name) {
    if (!live) {
      sink.comment(fmt::format("SCHEMAGEN CALL {}: the application's C++ step '{}' runs here "
                               "(Migrator::register_step); this script does not run it",
                               name, name));
      return;
    }
    auto failed = [&](std::string_view why) {
      return MigrationError(fmt::format("{}: error: revision {} ({}), {} failed\n  {}",
                                        op.loc.str(), rev.id, up ? "upgrade" : "downgrade",
                                        ops::describe(op.op), why));
    };
    if (!options.call) throw failed("no C++ step is registered under this name");
    try {
      options.call(name, *live);
    } catch (const dialect::QueryError& e) {
      throw failed(fmt::format("{}\n{}", e.sql(), e.server_message()));
    } catch (const std::exception& e) {
      throw failed(fmt::format("the step threw: {}", e.what()));
    } catch (...) { // every failure reaches the application as a schemagen::Error
      throw failed("the step threw something that is not a std::exception");
    }
  };

  // One revision, from statement `first` on. Every commit that makes part of it durable moves
  // the version table with it and records where a rerun resumes, so no run leaves a revision
  // applied in part with the version table saying otherwise.
  auto run = [&](const revision::Revision& rev, bool up, std::size_t first, bool resumed) {
    bool heads_moved = resumed;
    const auto& id = rev.id;
    const std::string line = fmt::format("Running {} {}", up ? "upgrade" : "downgrade",
                                         arrow(parents(rev), id, up));
    if (options.on_start) options.on_start(fmt::format("{}, {}", line, rev.message));
    sink.comment(line);
    const auto started = std::chrono::steady_clock::now();
    const auto steps =
        vt.dialect->compile(up ? rev.upgrade : rev.downgrade, state ? &*state : nullptr, live);
    for (std::size_t k = first; k < steps.size(); ++k) {
      const auto& [located, stmt] = steps[k];
      if (!stmt.call.empty()) {
        call(rev, up, *located, stmt.call);
        continue;
      }
      try {
        // e.g. CREATE INDEX CONCURRENTLY: outside any transaction
        if (!stmt.transactional || options.ddl_alone) {
          if (!heads_moved) move_heads(rev, up);
          heads_moved = true;
          sink.execute(vt.log_insert_sql(id, rev.checksum, marker(up, k)));
          commit();
          const bool harmless = stmt.harmless_wait || stmt.index;
          const auto bounded = lock_timeout && !harmless
                                   ? vt.dialect->session_lock_timeout(lock_timeout)
                                   : std::string();
          if (!bounded.empty()) sink.execute(bounded);
          try {
            if (!concurrent_index_done(stmt, live, sink)) sink.execute(stmt.sql);
          } catch (...) { // the session (the application's own, maybe) is given back as it was
            if (!bounded.empty()) try {
                sink.execute(vt.dialect->session_lock_timeout(std::nullopt));
              } catch (...) {
              }
            throw;
          }
          if (!bounded.empty()) sink.execute(vt.dialect->session_lock_timeout(std::nullopt));
          sink.execute(vt.log_insert_sql(id, rev.checksum, marker(up, k + 1)));
          begin();
        } else {
          sink.execute(stmt.sql);
        }
      } catch (const dialect::QueryError& e) { // e.sql(): the op's statement, or the commit before it
        throw MigrationError(fmt::format("{}: error: revision {} ({}), {} failed\n  {}\n{}",
                                         located->loc.str(), id, up ? "upgrade" : "downgrade",
                                         ops::describe(located->op), e.sql(), e.server_message()),
                             e.sqlstate());
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

  // the version tables' DDL, too, each statement on its own where DDL stands alone
  if (options.ddl_alone)
    for (const auto& statement : options.prelude) sink.execute(statement);
  begin();
  if (!options.ddl_alone)
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
                           vt.dialect->qualified(vt.schema, vt.log_table())));
  sink.commit();
}

std::vector<std::string> read_heads(dialect::Session& db, const VersionTable& vt) {
  if (!db.has_table(vt.schema, vt.table)) return {};
  std::vector<std::string> out;
  for (auto& row : db.query(
           fmt::format("SELECT version_num FROM {} ORDER BY version_num", vt.qualified())))
    out.push_back(row.at(0).value_or(""));
  return out;
}

std::map<std::string, std::string> read_checksums(dialect::Session& db, const VersionTable& vt) {
  std::map<std::string, std::string> out;
  if (!db.has_table(vt.schema, vt.log_table())) return out;
  for (auto& row : db.query(fmt::format("SELECT revision, checksum FROM {}",
                                        vt.dialect->qualified(vt.schema, vt.log_table()))))
    out.emplace(row.at(0).value_or(""), row.at(1).value_or(""));
  return out;
}

namespace {
/// Whether the version table, the log table and the log's `interrupted` column exist.
std::array<bool, 3> version_tables(dialect::Session& db, const VersionTable& vt) {
  const bool log = db.has_table(vt.schema, vt.log_table());
  return {db.has_table(vt.schema, vt.table), log,
          log && db.has_column(vt.schema, vt.log_table(), "interrupted")};
}
} // namespace

std::vector<std::string> version_table_prelude(dialect::Session& db, const VersionTable& vt) {
  const auto [version, log, interrupted] = version_tables(db, vt);
  std::vector<std::string> out;
  if (!version || !log) out = vt.create_sql(); // IF NOT EXISTS: what exists stays as it is
  if (log && !interrupted && !vt.upgrade_log_sql().empty()) out.push_back(vt.upgrade_log_sql());
  return out;
}

std::optional<Interrupted> read_interrupted(dialect::Session& db, const VersionTable& vt) {
  if (!version_tables(db, vt)[2]) return std::nullopt;
  auto rows = db.query(fmt::format("SELECT revision, interrupted, checksum FROM {} WHERE "
                                   "interrupted IS NOT NULL ORDER BY applied_at LIMIT 1",
                                   vt.dialect->qualified(vt.schema, vt.log_table())));
  if (rows.empty()) return std::nullopt;
  const std::string mark = rows[0].at(1).value_or("");
  Interrupted out;
  out.revision = rows[0].at(0).value_or("");
  out.checksum = rows[0].at(2).value_or("");
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

model::Metadata replayed_schema(const revision::RevisionMap& map,
                                const std::map<std::string, const revision::Revision*>& revisions,
                                const std::vector<std::string>& applied) {
  const std::set<std::string> in(applied.begin(), applied.end());
  model::Metadata schema;
  ops::Replay replay(schema);
  for (const auto& id : map.upgrade_path("heads", {})) {
    if (!in.count(id)) continue;
    for (const auto& lo : revisions.at(id)->upgrade) {
      try {
        replay.apply(lo.op); // an execute without replay: its SQL is not followed
      } catch (const UserError&) {
        // an op on what the chain did not make (a table there before the chain was adopted): the
        // schema stays without it, and a dialect reads such a table from the database it runs on
      }
    }
  }
  return schema;
}

} // namespace schemagen::runtime
