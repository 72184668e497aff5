// The online upgrade/downgrade (see online.hpp): moved here from the command line so that an
// application's Migrator runs exactly what `schemagen upgrade` runs.

#include "schemagen/migrate/online.hpp"

#include "schemagen/support/files.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <thread>

namespace schemagen::migrate {

std::string where(const std::vector<std::string>& heads) {
  return heads.empty() ? "base" : fmt::format("{}", fmt::join(heads, ", "));
}

bool knows(const ChainView& chain, const std::string& id) {
  if (chain.map.contains(id) || chain.by_id.count(id)) return true;
  return std::any_of(chain.revisions.begin(), chain.revisions.end(), [&](const auto& r) {
    return std::find(r.replaces.begin(), r.replaces.end(), id) != r.replaces.end();
  });
}

std::vector<std::string> squashes_named(const ChainView& chain,
                                        const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& s : chain.revisions) {
    if (s.replaces.empty() || !chain.map.contains(s.id)) continue;
    const bool named = std::any_of(names.begin(), names.end(), [&](const std::string& name) {
      // a target's revision: what comes before "@", "+" or "-" ("id@head", "id+1", "id-2")
      const auto id = std::string_view(name).substr(0, name.find_first_of("@+-:"));
      return std::any_of(s.replaces.begin(), s.replaces.end(), [&](const std::string& r) {
        return id == r || (id.size() >= 4 && r.starts_with(id) && !chain.map.contains(r));
      });
    });
    if (named) out.push_back(s.id);
  }
  return out;
}

RunChain::RunChain(const ChainView& chain, std::vector<std::string> expand)
    : expand_(std::move(expand)) {
  if (expand_.empty()) {
    view_.emplace(chain);
    return;
  }
  map_ = std::make_unique<revision::RevisionMap>(
      revision::build_expanded_map(chain.revisions, expand_, parts_));
  by_id_ = chain.by_id;
  for (const auto& r : parts_.alias) by_id_[r.id] = &r;
  view_.emplace(ChainView{*map_, by_id_, chain.revisions});
}

void RunChain::refuse_missing(const std::vector<std::string>& ids,
                              const std::vector<std::string>& heads) const {
  for (const auto& id : ids)
    if (const auto it = parts_.missing.find(id); it != parts_.missing.end())
      throw UserError(fmt::format(
          "error: the database is at {}, inside squash {}; going on from there needs revision "
          "{}, which the squash replaced and whose file is gone: restore the file from version "
          "control (a database inside a squash runs the revisions it replaced)",
          where(heads), it->second, id));
}

namespace {

/// Where TARGET is resolved from: the heads before a revision an earlier run left unfinished in
/// this same direction (so `+1` is that revision, finished), else the heads.
std::vector<std::string> heads_to_resolve_from(const revision::RevisionMap& map,
                                               const std::vector<std::string>& heads,
                                               const std::optional<runtime::Interrupted>& resume,
                                               bool upgrade) {
  if (!resume || resume->upgrade != upgrade) return heads;
  return upgrade ? map.heads_after(heads, {}, {resume->revision})
                 : map.heads_after(heads, {resume->revision}, {});
}

/// After a failed run was rolled back: which of the revisions it reported done were undone with
/// it, as the version table now says ("" when none were).
std::string rolled_back_note(dialect::Session& db, const ChainView& chain,
                             const runtime::VersionTable& vt, const std::vector<std::string>& done,
                             bool upgrade) {
  if (done.empty()) return "";
  const char* verb = upgrade ? "upgrade" : "downgrade";
  std::vector<std::string> heads, applied;
  try {
    heads = runtime::read_heads(db, vt);
    applied = chain.map.applied_set(heads);
  } catch (const Error&) {
    return fmt::format("\nthe database could not be asked whether the {} of {} (reported done "
                       "above) stayed: see `schemagen current`",
                       verb, fmt::join(done, ", "));
  }
  std::vector<std::string> undone;
  for (const auto& id : done)
    if ((std::find(applied.begin(), applied.end(), id) != applied.end()) != upgrade)
      undone.push_back(id);
  if (undone.empty()) return "";
  return fmt::format("\nrolled back with the failure: the {} of {} (reported done above); the "
                     "database is at {}",
                     verb, fmt::join(undone, ", "), where(heads));
}

/// After a failure: what an unfinished revision left durable, and how to go on. Asked on a new
/// connection when the run's was lost (the backend terminated, say).
std::string interrupted_note(dialect::Session& db, const runtime::VersionTable& vt,
                             const OnlineRun& run) {
  auto read = [&](dialect::Session& c) { return runtime::read_interrupted(c, vt); };
  const char* unknown = "\nthe database could not be asked whether a revision was left partly "
                        "applied: see `schemagen current`";
  std::optional<runtime::Interrupted> i;
  try {
    i = read(db);
  } catch (const Error&) {
    if (!run.reconnect) return unknown;
    try {
      i = read(*run.reconnect());
    } catch (const Error&) {
      return unknown;
    }
  }
  if (!i) return "";
  return fmt::format("\nthe {} of revision {} is partly applied (what came before statement {} is "
                     "committed, and the version table counts it): the next upgrade or downgrade "
                     "resumes it there; after finishing it by hand, `schemagen stamp` clears the "
                     "mark",
                     i->upgrade ? "upgrade" : "downgrade", i->revision, i->step + 1);
}

/// Refuses a run whose revisions call a C++ step it does not have, before anything runs.
void check_steps(const ChainView& chain, const Plan& p, const OnlineRun& run) {
  auto check = [&](const std::string& id, bool upgrade) {
    const auto& rev = *chain.by_id.at(id);
    for (const auto& lo : upgrade ? rev.upgrade : rev.downgrade)
      if (const auto* c = std::get_if<ops::Call>(&lo.op);
          c && !(run.has_step && run.has_step(c->name)))
        throw UserError(lo.loc, fmt::format("revision {} ({}) calls the C++ step '{}', {}", id,
                                            upgrade ? "upgrade" : "downgrade", c->name,
                                            run.missing_step));
  };
  if (p.resume) check(p.resume->revision, p.resume->upgrade);
  for (const auto& id : p.path) check(id, run.upgrade);
}

/// Whether the run must commit after each revision because its transaction would hold more
/// relation locks than the server's lock table has room for (max_locks_per_transaction): told
/// through `warn`. A revision that alone would not fit is refused before anything runs, saying
/// what to set. Half the table is counted on: other sessions hold locks in it too.
bool split_for_locks(dialect::Session& db, const ChainView& chain, const Plan& p,
                     const OnlineRun& run, const std::function<void(const std::string&)>& warn) {
  const auto sql = db.dialect().lock_slots_sql();
  if (sql.empty()) return false;
  const auto rows = db.query(sql);
  if (rows.empty() || rows[0].size() < 3) return false;
  const auto number = [&](std::size_t i) { return std::stoll(rows[0].at(i).value_or("0")); };
  const long long slots = number(0), per_transaction = number(1), processes = number(2);
  const auto room = static_cast<std::size_t>(slots / 2);
  std::set<std::string> whole;
  auto count = [&](const std::string& id, bool upgrade) {
    std::set<std::string> own;
    const auto& rev = *chain.by_id.at(id);
    for (const auto& lo : upgrade ? rev.upgrade : rev.downgrade) ops::locked_relations(lo.op, own);
    if (own.size() > room)
      throw UserError(fmt::format(
          "{}: error: revision {} ({}) locks about {} tables, indexes and sequences in one "
          "transaction, and the server's lock table has room for {} (max_locks_per_transaction "
          "{} x {} server processes and prepared transactions), of which a run counts on half: set "
          "max_locks_per_transaction = {} or more in postgresql.conf and restart the server, or "
          "split the revision; nothing ran",
          display_path(rev.path), id, upgrade ? "upgrade" : "downgrade", own.size(), slots,
          per_transaction, processes,
          (2 * static_cast<long long>(own.size()) + processes - 1) / std::max(processes, 1LL)));
    whole.insert(own.begin(), own.end());
  };
  if (p.resume) count(p.resume->revision, p.resume->upgrade);
  for (const auto& id : p.path) count(id, run.upgrade);
  if (run.transaction_per_migration || whole.size() <= room) return false;
  if (warn)
    warn(fmt::format("warning: the run locks about {} tables, indexes and sequences, more than one "
                     "transaction has room for (max_locks_per_transaction {} x {}): each revision "
                     "commits on its own (as transaction_per_migration: true)",
                     whole.size(), per_transaction, processes));
  return true;
}

} // namespace

Plan plan(dialect::Session& db, const ChainView& given, const runtime::VersionTable& vt,
          std::vector<std::string> heads, const std::string& target, bool upgrade) {
  Plan p;
  p.heads = std::move(heads);
  p.resume = runtime::read_interrupted(db, vt);
  // a database at a revision a squash replaced (or a target among them) runs on the chain with
  // that squash undone
  auto named = p.heads;
  named.push_back(target);
  if (p.resume) named.push_back(p.resume->revision);
  p.expanded = squashes_named(given, named);
  const RunChain run_chain(given, p.expanded);
  const auto& chain = run_chain.view();
  if (const auto& r = p.resume) {
    if (!chain.map.contains(r->revision))
      throw UserError(fmt::format(
          "error: revision {} was left partly applied by an earlier run, and no revision file "
          "declares it: restore the file, or finish it by hand and `schemagen stamp` where the "
          "database is",
          r->revision));
    const auto& rev = *chain.by_id.at(r->revision);
    if (rev.checksum != r->checksum)
      throw UserError(fmt::format(
          "{}: error: revision {} was changed after a run left it partly applied (before "
          "statement {} of its {}): resuming other ops would run the wrong statements. Restore "
          "what ran, or finish it by hand and `schemagen stamp` where the database is",
          display_path(rev.path), r->revision, r->step + 1, r->upgrade ? "upgrade" : "downgrade"));
  }
  const auto from = heads_to_resolve_from(chain.map, p.heads, p.resume, upgrade);
  p.path = upgrade ? chain.map.upgrade_path(target, from)
                   : chain.map.downgrade_path(target, from, &p.warnings);
  if (p.resume && p.resume->upgrade == upgrade) std::erase(p.path, p.resume->revision);
  run_chain.refuse_missing(p.path, p.heads);
  return p;
}

std::vector<std::string> changed_since_applied(const ChainView& chain,
                                               const std::map<std::string, std::string>& applied) {
  std::vector<std::string> changed;
  for (const auto& [id, checksum] : applied) {
    auto it = chain.by_id.find(id);
    if (it != chain.by_id.end() && it->second->checksum != checksum) changed.push_back(id);
  }
  return changed;
}

std::vector<std::string> changed_since_applied(dialect::Session& db, const ChainView& chain,
                                               const runtime::VersionTable& vt) {
  return changed_since_applied(chain, runtime::read_checksums(db, vt));
}

void run_online(dialect::Session& db, const ChainView& chain, const runtime::VersionTable& vt,
                const OnlineRun& run) {
  auto request = vt.lock_request(run.lock_timeout, run.lock, run.lock_expiry);
  request.on_warning = run.on_warning;
  const auto lock = db.lock(request);
  runtime::OnlineSink sink(db);
  std::vector<std::string> done; // what a failure may have rolled back
  std::optional<RunChain> ran;   // the chain the run ran on
  auto fail = [&](const Error& e) {
    if (run.on_failure) run.on_failure();
    sink.rollback();
    // asked on the chain the run ran on: one that went through a squash's replaced revisions
    // may have stopped among them
    auto message = e.what() + rolled_back_note(db, ran ? ran->view() : chain, vt, done,
                                               run.upgrade) +
                   interrupted_note(db, vt, run);
    // a refusal of the revision's (an op this dialect cannot run) stays a UserError, as
    // migrate.hpp documents it: only the message grows
    if (e.code() == ExitCode::user_error) throw UserError(message);
    throw Error(e.code(), message);
  };
  for (int attempt = 0;; ++attempt) {
    try {
      auto heads = runtime::read_heads(db, vt);
      if (run.check && attempt == 0) run.check(db, heads);
      auto p = plan(db, chain, vt, std::move(heads), run.target, run.upgrade);
      if (run.on_warning && attempt == 0)
        for (const auto& w : p.warnings) run.on_warning(w);
      if (p.nothing()) {
        if (run.on_nothing && attempt == 0) run.on_nothing(p.heads);
        return;
      }
      ran.emplace(run.with_ops ? run.with_ops() : chain, p.expanded);
      const ChainView& full = ran->view();
      check_steps(full, p, run);
      runtime::RunOptions opts;
      opts.transaction_per_migration =
          run.transaction_per_migration ||
          split_for_locks(db, full, p, run, attempt == 0 ? run.on_warning : nullptr);
      opts.ddl_alone = db.engine().ddl_alone;
      opts.on_start = run.on_start;
      opts.on_resume = run.on_resume;
      opts.call = run.call;
      opts.ddl_lock_timeout = run.ddl_lock_timeout;
      opts.ddl_statement_timeout = run.ddl_statement_timeout;
      opts.on_step = [&](const revision::Revision& rev, bool upgrade, double ms) {
        done.push_back(rev.id);
        if (run.on_step) run.on_step(rev, upgrade, ms);
      };
      opts.resume = std::move(p.resume);
      opts.prelude = runtime::version_table_prelude(db, vt);
      try {
        runtime::migrate(full.map, full.by_id, vt, sink, p.path, run.upgrade, p.heads, opts, &db);
        return;
      } catch (const runtime::MigrationError& e) {
        if (!e.lock_not_available() || attempt >= run.lock_retries) {
          fail(e);
        }
        // the lock was not had in time: what this attempt did is rolled back (to the last commit
        // a non-transactional step made), and the next one goes on from there
        if (run.on_failure) run.on_failure();
        sink.rollback();
        const auto wait =
            std::chrono::milliseconds(std::min(1000LL << std::min(attempt, 5), 30000LL));
        if (run.on_warning)
          run.on_warning(fmt::format(
              "warning: a statement gave up waiting for its lock (lock_timeout); trying again in "
              "{} s ({} of {}):\n{}",
              wait.count() / 1000.0, attempt + 1, run.lock_retries, e.what()));
        std::this_thread::sleep_for(wait);
        done.clear();
        continue;
      } catch (const Error& e) {
        fail(e);
      }
    } catch (...) {
      sink.rollback();
      throw;
    }
  }
}

} // namespace schemagen::migrate
