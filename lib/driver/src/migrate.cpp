// upgrade, downgrade, stamp, current: the commands that move a database along the chain.

#include "project.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/json.hpp"
#include "schemagen/support/sql.hpp"

#include <chrono>
#include <fmt/format.h>
#include <set>
#include <sstream>

namespace schemagen::driver {

namespace {

std::chrono::milliseconds lock_timeout(const Project& p) {
  return std::chrono::milliseconds(static_cast<long long>(p.config().lock_timeout_seconds * 1000));
}

/// "FROM:TO" → {FROM, TO}; no colon → {"", spec}.
std::pair<std::string, std::string> split_range(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {"", spec};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

/// What a run reported done, so that a failure can say which of those it rolled back.
struct Progress {
  std::vector<std::string> done;
  bool line_open = false; // "Running ... " printed, its "done" not yet
};

runtime::RunOptions run_options(const Project& p, const Global& g, Progress& progress) {
  runtime::RunOptions o;
  o.transaction_per_migration = p.config().transaction_per_migration;
  const bool loud = g.verbosity >= 0;
  o.on_start = [&progress, loud](const std::string& line) {
    if (loud) std::cerr << line << " ... " << std::flush;
    progress.line_open = loud;
  };
  o.on_step = [&progress, loud](const revision::Revision& rev, bool, double ms) {
    progress.done.push_back(rev.id);
    if (loud) std::cerr << fmt::format("done ({:.1f} ms)\n", ms);
    progress.line_open = false;
  };
  return o;
}

/// After a failed run was rolled back: which of the revisions it reported done were undone with
/// it, as the version table now says ("" when none were).
std::string rolled_back_note(dialect::Session& db, const Project& p, const Progress& progress,
                             bool upgrade) {
  if (progress.done.empty()) return "";
  const char* verb = upgrade ? "upgrade" : "downgrade";
  std::vector<std::string> heads, applied;
  try {
    heads = runtime::read_heads(db, p.version_table());
    applied = p.map().applied_set(heads);
  } catch (const Error&) {
    return fmt::format("\nthe database could not be asked whether the {} of {} (reported done "
                       "above) stayed: see `schemagen current`",
                       verb, fmt::join(progress.done, ", "));
  }
  std::vector<std::string> undone;
  for (const auto& id : progress.done)
    if ((std::find(applied.begin(), applied.end(), id) != applied.end()) != upgrade)
      undone.push_back(id);
  if (undone.empty()) return "";
  return fmt::format("\nrolled back with the failure: the {} of {} (reported done above); the "
                     "database is at {}",
                     verb, fmt::join(undone, ", "), where(heads));
}

/// Runs `fn(sink)` in the database under the advisory lock; a failure rolls back (exit 2).
template <class Fn>
void online(const Project& p, Fn fn) {
  auto db = p.connect();
  const auto lock = db->lock(p.version_table().lock_key(), lock_timeout(p));
  runtime::OnlineSink sink(*db);
  try {
    fn(*db, sink);
  } catch (...) {
    sink.rollback();
    throw;
  }
}

/// The first statements of an offline run from `heads`: the version tables created from base,
/// or, from elsewhere, a log table an earlier version made given what this one records.
std::vector<std::string> offline_prelude(const runtime::VersionTable& vt,
                                         const std::vector<std::string>& heads) {
  if (heads.empty()) return vt.create_sql();
  if (auto sql = vt.upgrade_log_sql(); !sql.empty()) return {sql};
  return {};
}

/// Where `upgrade`/`downgrade` TARGET is resolved from: the heads before a revision an earlier run
/// left unfinished in this same direction (so `+1` is that revision, finished), else the heads.
std::vector<std::string> heads_to_resolve_from(const Project& p,
                                               const std::vector<std::string>& heads,
                                               const std::optional<runtime::Interrupted>& resume,
                                               bool upgrade) {
  if (!resume || resume->upgrade != upgrade) return heads;
  return upgrade ? p.map().heads_after(heads, {}, {resume->revision})
                 : p.map().heads_after(heads, {resume->revision}, {});
}

/// After a failure: what an unfinished revision left durable, and how to go on. Asked on a new
/// connection when the run's was lost (the backend terminated, say).
std::string interrupted_note(dialect::Session& db, const Project& p) {
  auto read = [&](dialect::Session& c) { return runtime::read_interrupted(c, p.version_table()); };
  std::optional<runtime::Interrupted> i;
  try {
    i = read(db);
  } catch (const Error&) {
    try {
      i = read(*p.connect());
    } catch (const Error&) {
      return "\nthe database could not be asked whether a revision was left partly applied: "
             "see `schemagen current`";
    }
  }
  if (!i) return "";
  return fmt::format("\nthe {} of revision {} is partly applied (what came before statement {} is "
                     "committed, and the version table counts it): the next upgrade or downgrade "
                     "resumes it there; after finishing it by hand, `schemagen stamp` clears the "
                     "mark",
                     i->upgrade ? "upgrade" : "downgrade", i->revision, i->step + 1);
}

/// What hooks are told of the run: the database's name, with a `databases:` map.
std::vector<std::pair<std::string, std::string>> hook_env(const Project& p) {
  if (!p.config().database_name) return {};
  return {{"SCHEMAGEN_DATABASE_NAME", *p.config().database_name}};
}

ExitCode migrate_command(const Global& global, const MigrateOptions& options, bool upgrade) {
  const auto p = Project::load(global);
  const auto vt = p.version_table();
  Progress progress;
  auto opts = run_options(p, global, progress);
  const char* verb = upgrade ? "upgrade" : "downgrade";

  if (options.sql) {
    auto [from, to] = split_range(options.target);
    if (!upgrade && from.empty())
      throw UserError("error: downgrade with --sql needs a range, FROM:TO (the database is not "
                      "asked where it is)");
    const std::vector<std::string> heads =
        from.empty() || from == "base" ? std::vector<std::string>{} : p.map().resolve(from);
    const auto path = upgrade ? p.map().upgrade_path(to, heads) : p.map().downgrade_path(to, heads);
    opts.prelude = offline_prelude(vt, heads);
    opts.on_start = nullptr;
    opts.on_step = nullptr;
    // printed whole or not at all: a script cut short by an error would still pipe into a shell
    std::ostringstream script;
    {
      runtime::OfflineSink sink(script, p.dialect());
      runtime::migrate(p.map(), p.by_id(), vt, sink, path, upgrade, heads, opts);
    }
    std::cout << script.str();
    return ExitCode::ok;
  }
  if (options.target.find(':') != std::string::npos)
    throw UserError(fmt::format(
        "error: a FROM:TO range is for --sql; online, {} starts where the database is", verb));

  if (upgrade) run_hooks(p.config().hooks.pre_upgrade, "pre_upgrade", p.config().dir, hook_env(p));
  online(p, [&](dialect::Session& db, runtime::OnlineSink& sink) {
    const auto heads = runtime::read_heads(db, vt);
    p.checksum_drift(db, global.verbosity >= 0);
    opts.resume = runtime::read_interrupted(db, vt);
    if (const auto& r = opts.resume) {
      if (!p.map().contains(r->revision))
        throw UserError(fmt::format(
            "error: revision {} was left partly applied by an earlier run, and no revision file "
            "declares it: restore the file, or finish it by hand and `schemagen stamp` where the "
            "database is",
            r->revision));
      if (p.get(r->revision).checksum != r->checksum)
        throw UserError(fmt::format(
            "{}: error: revision {} was changed after a run left it partly applied (before "
            "statement {} of its {}): resuming other ops would run the wrong statements. Restore "
            "what ran, or finish it by hand and `schemagen stamp` where the database is",
            display_path(p.get(r->revision).path), r->revision, r->step + 1,
            r->upgrade ? "upgrade" : "downgrade"));
    }
    const auto from = heads_to_resolve_from(p, heads, opts.resume, upgrade);
    auto path = upgrade ? p.map().upgrade_path(options.target, from)
                        : p.map().downgrade_path(options.target, from);
    if (opts.resume && opts.resume->upgrade == upgrade) std::erase(path, opts.resume->revision);
    if (path.empty() && !opts.resume) {
      if (global.verbosity >= 0)
        std::cerr << fmt::format("Nothing to {}: the database is at {}\n", verb, where(heads));
      return;
    }
    opts.prelude = runtime::version_table_prelude(db, vt);
    if (global.verbosity >= 0)
      opts.on_resume = [](const std::string& line) { std::cerr << line << "\n"; };
    try {
      runtime::migrate(p.map(), p.by_id(), vt, sink, path, upgrade, heads, opts, &db);
    } catch (const Error& e) {
      if (progress.line_open) std::cerr << "failed\n";
      sink.rollback();
      throw Error(e.code(),
                  e.what() + rolled_back_note(db, p, progress, upgrade) + interrupted_note(db, p));
    }
  });
  if (upgrade)
    run_hooks(p.config().hooks.post_upgrade, "post_upgrade", p.config().dir, hook_env(p));
  return ExitCode::ok;
}

} // namespace

ExitCode upgrade(const Global& global, const MigrateOptions& options) {
  return migrate_command(global, options, true);
}

ExitCode downgrade(const Global& global, const MigrateOptions& options) {
  return migrate_command(global, options, false);
}

ExitCode stamp(const Global& global, const StampOptions& options) {
  const auto p = Project::load(global);
  const auto vt = p.version_table();
  const auto& map = p.map();
  auto [from, to] = split_range(options.target);
  const auto targets = map.resolve(to);

  auto plan = [&](const std::vector<std::string>& current) {
    std::vector<std::string> next;
    if (!options.purge)
      for (const auto& h : current) {
        bool replaced = to == "base";
        for (const auto& t : targets) replaced = replaced || map.shares_lineage(h, t);
        if (!replaced) next.push_back(h);
      }
    for (const auto& t : targets)
      if (std::find(next.begin(), next.end(), t) == next.end()) next.push_back(t);
    // what becomes applied and what stops being: their checksums follow
    const auto before = map.applied_set(current), after = map.applied_set(next);
    std::vector<std::pair<std::string, std::string>> logged;
    std::vector<std::string> forgotten;
    for (const auto& id : after)
      if (std::find(before.begin(), before.end(), id) == before.end())
        logged.emplace_back(id, p.get(id).checksum);
    for (const auto& id : before)
      if (std::find(after.begin(), after.end(), id) == after.end()) forgotten.push_back(id);
    return std::tuple{next, logged, forgotten};
  };

  if (options.sql) {
    const std::vector<std::string> current =
        from.empty() || from == "base" ? std::vector<std::string>{} : map.resolve(from);
    auto [next, logged, forgotten] = plan(current);
    std::ostringstream script; // whole or not at all, as upgrade --sql
    {
      runtime::OfflineSink sink(script, p.dialect());
      runtime::stamp(vt, sink, current, next, options.purge, offline_prelude(vt, current), logged,
                     forgotten);
    }
    std::cout << script.str();
    return ExitCode::ok;
  }
  online(p, [&](dialect::Session& db, runtime::OnlineSink& sink) {
    const auto rows = runtime::read_heads(db, vt);
    auto current = rows;
    std::vector<std::string> unknown; // rows naming no revision file: what --purge is for
    if (options.purge)
      std::erase_if(current, [&](const auto& h) {
        if (map.contains(h)) return false;
        unknown.push_back(h);
        return true;
      });
    auto [next, logged, forgotten] = plan(current);
    runtime::stamp(vt, sink, current, next, options.purge, runtime::version_table_prelude(db, vt),
                   logged, forgotten);
    if (global.verbosity >= 0)
      std::cerr << fmt::format("Stamped {} (was {}){}\n", where(next), where(rows),
                               unknown.empty()
                                   ? ""
                                   : fmt::format("; purged {}, which no revision file declares",
                                                 fmt::join(unknown, ", ")));
  });
  return ExitCode::ok;
}

ExitCode current(const Global& global, const ListOptions& options) {
  const auto p = Project::load(global);
  auto db = p.connect();
  const auto heads = runtime::read_heads(*db, p.version_table());
  const auto drift = p.checksum_drift(*db, options.format != "json" && global.verbosity >= 0);
  if (const auto i = runtime::read_interrupted(*db, p.version_table()); i && global.verbosity >= 0)
    std::cerr << fmt::format("warning: the {} of revision {} was interrupted before statement {}; "
                             "the next upgrade or downgrade finishes it first\n",
                             i->upgrade ? "upgrade" : "downgrade", i->revision, i->step + 1);
  if (options.format == "json") {
    std::cout << fmt::format("{{\"heads\": {}, \"changed_since_applied\": {}}}\n",
                             json::list(heads), json::list(drift));
    return ExitCode::ok;
  }
  if (options.verbose)
    std::cout << fmt::format("Current revision(s) for {}:\n", sql::redact_url(p.url()));
  for (const auto& h : heads) {
    if (!p.map().contains(h))
      throw UserError(
          fmt::format("error: the database is at revision {}, which no revision file declares", h));
    const auto& rev = p.get(h);
    std::cout << (options.verbose ? revision_entry(p, rev, false) : revision_line(p, rev, {}))
              << "\n";
  }
  return ExitCode::ok;
}

} // namespace schemagen::driver
