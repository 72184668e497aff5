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

/// "FROM:TO" → {FROM, TO}; no colon → {"", spec}.
std::pair<std::string, std::string> split_range(const std::string& spec) {
  const auto colon = spec.find(':');
  if (colon == std::string::npos) return {"", spec};
  return {spec.substr(0, colon), spec.substr(colon + 1)};
}

/// The lock_timeout of each transaction when the configuration turns online DDL on; unset, a run
/// of a revision with online ops takes the default.
std::optional<std::chrono::milliseconds> ddl_lock_timeout(const Project& p) {
  const auto& o = p.config().online_ddl;
  if (!o.enabled) return std::nullopt;
  return std::chrono::milliseconds(o.lock_timeout_ms);
}

/// online_ddl.statement_timeout_ms, when online DDL is on and it is set.
std::optional<std::chrono::milliseconds> ddl_statement_timeout(const Project& p) {
  const auto& o = p.config().online_ddl;
  if (!o.enabled || o.statement_timeout_ms == 0) return std::nullopt;
  return std::chrono::milliseconds(o.statement_timeout_ms);
}

/// Runs `fn(sink)` in the database under the run's lock; a failure rolls back (exit 2).
template <class Fn>
void online(const Project& p, Fn fn) {
  auto db = p.connect();
  auto request = p.lock_request();
  request.on_warning = [](const std::string& w) { std::cerr << w << "\n"; };
  const auto lock = db->lock(request);
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

/// What hooks are told of the run: the database's name, with a `databases:` map.
std::vector<std::pair<std::string, std::string>> hook_env(const Project& p) {
  if (!p.config().database_name) return {};
  return {{"SCHEMAGEN_DATABASE_NAME", *p.config().database_name}};
}

} // namespace

migrate::OnlineRun online_run(const Project& p, const std::string& target, bool upgrade) {
  migrate::OnlineRun run;
  run.target = target;
  run.upgrade = upgrade;
  const auto lock = p.lock_request();
  run.lock_timeout = lock.timeout;
  run.lock = lock.kind;
  run.lock_expiry = lock.expiry;
  run.transaction_per_migration = p.config().transaction_per_migration;
  run.ddl_lock_timeout = ddl_lock_timeout(p);
  run.ddl_statement_timeout = ddl_statement_timeout(p);
  run.lock_retries = p.config().online_ddl.lock_retries;
  run.reconnect = [&p] { return p.connect(); };
  run.missing_step = fmt::format(
      "which only the application that registers it (Migrator::register_step) can run: migrate "
      "with the application, or {} the command line only as far as the revision before it",
      upgrade ? "upgrade" : "downgrade");
  return run;
}

namespace {

ExitCode migrate_command(const Global& global, const MigrateOptions& options, bool upgrade) {
  const auto p = Project::load(global);
  const auto vt = p.version_table();
  const char* verb = upgrade ? "upgrade" : "downgrade";

  if (options.sql) {
    auto [from, to] = split_range(options.target);
    if (!upgrade && from.empty())
      throw UserError("error: downgrade with --sql needs a range, FROM:TO (the database is not "
                      "asked where it is)");
    // from or to a revision a squash replaced: over the chain with that squash undone
    const migrate::RunChain run_chain(p.chain(), migrate::squashes_named(p.chain(), {from, to}));
    const auto& chain = run_chain.view();
    const std::vector<std::string> heads =
        from.empty() || from == "base" ? std::vector<std::string>{} : chain.map.resolve(from);
    std::vector<std::string> warnings;
    const auto path = upgrade ? chain.map.upgrade_path(to, heads)
                              : chain.map.downgrade_path(to, heads, &warnings);
    run_chain.refuse_missing(path, heads);
    for (const auto& w : warnings) std::cerr << w << "\n";
    runtime::RunOptions opts;
    opts.ddl_lock_timeout = ddl_lock_timeout(p);
    opts.ddl_statement_timeout = ddl_statement_timeout(p);
    opts.transaction_per_migration = p.config().transaction_per_migration;
    opts.prelude = offline_prelude(vt, heads);
    // printed whole or not at all: a script cut short by an error would still pipe into a shell
    std::ostringstream script;
    {
      runtime::OfflineSink sink(script, p.dialect());
      runtime::migrate(chain.map, chain.by_id, vt, sink, path, upgrade, heads, opts);
    }
    std::cout << script.str();
    return ExitCode::ok;
  }
  if (options.target.find(':') != std::string::npos)
    throw UserError(fmt::format(
        "error: a FROM:TO range is for --sql; online, {} starts where the database is", verb));

  if (upgrade) run_hooks(p.config().hooks.pre_upgrade, "pre_upgrade", p.config().dir, hook_env(p));
  const bool loud = global.verbosity >= 0;
  bool line_open = false; // "Running ... " printed, its "done" not yet
  auto run = online_run(p, options.target, upgrade);
  run.check = [&](dialect::Session& db, const std::vector<std::string>&) {
    p.checksum_drift(db, loud);
  };
  run.on_warning = [](const std::string& w) { std::cerr << w << "\n"; };
  if (loud) {
    run.on_nothing = [verb](const std::vector<std::string>& heads) {
      std::cerr << fmt::format("Nothing to {}: the database is at {}\n", verb, where(heads));
    };
    run.on_start = [&line_open](const std::string& line) {
      std::cerr << line << " ... " << std::flush;
      line_open = true;
    };
    run.on_step = [&line_open](const revision::Revision&, bool, double ms) {
      std::cerr << fmt::format("done ({:.1f} ms)\n", ms);
      line_open = false;
    };
    run.on_resume = [](const std::string& line) { std::cerr << line << "\n"; };
    run.on_failure = [&line_open] {
      if (line_open) std::cerr << "failed\n";
    };
  }
  migrate::run_online(*p.connect(), p.chain(), vt, run);
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
  auto [from, to] = split_range(options.target);
  // the rows, read under the lock online, may stand inside a squash: the chain with every
  // squash a name reaches undone
  std::optional<migrate::RunChain> run_chain;
  auto chain_for = [&](std::vector<std::string> names) -> const migrate::ChainView& {
    names.push_back(from);
    names.push_back(to);
    run_chain.emplace(p.chain(), migrate::squashes_named(p.chain(), names));
    return run_chain->view();
  };

  auto plan = [&](const std::vector<std::string>& current) {
    const auto& chain = chain_for(current);
    const auto& map = chain.map;
    const auto targets = map.resolve(to);
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
        logged.emplace_back(id, chain.by_id.at(id)->checksum);
    for (const auto& id : before)
      if (std::find(after.begin(), after.end(), id) == after.end()) forgotten.push_back(id);
    return std::tuple{next, logged, forgotten};
  };

  if (options.sql) {
    const std::vector<std::string> current =
        from.empty() || from == "base" ? std::vector<std::string>{}
                                       : chain_for({}).map.resolve(from);
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
        if (migrate::knows(p.chain(), h)) return false;
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
  // a revision whose steps are only partly done is shown as such, wherever it stands
  const auto interrupted = runtime::read_interrupted(*db, p.version_table());
  if (interrupted && global.verbosity >= 0)
    std::cerr << fmt::format("warning: the {} of revision {} was interrupted before statement {}; "
                             "the next upgrade or downgrade finishes it first\n",
                             interrupted->upgrade ? "upgrade" : "downgrade", interrupted->revision,
                             interrupted->step + 1);
  auto partly = [&](const std::string& id) {
    if (!interrupted || interrupted->revision != id) return std::string();
    return fmt::format(" (partly applied: its {} stopped before statement {}; the next upgrade or "
                       "downgrade finishes it first)",
                       interrupted->upgrade ? "upgrade" : "downgrade", interrupted->step + 1);
  };
  if (options.format == "json") {
    const auto i = interrupted
                       ? fmt::format("{{\"revision\": {}, \"direction\": \"{}\", \"step\": {}}}",
                                     json::str(interrupted->revision),
                                     interrupted->upgrade ? "upgrade" : "downgrade",
                                     interrupted->step + 1)
                       : std::string("null");
    std::cout << fmt::format(
        "{{\"heads\": {}, \"changed_since_applied\": {}, \"interrupted\": {}}}\n",
        json::list(heads), json::list(drift), i);
    return ExitCode::ok;
  }
  if (options.verbose)
    std::cout << fmt::format("Current revision(s) for {}:\n", sql::redact_url(p.url()));
  const auto replaced = revision::replaced_by(p.revisions());
  for (const auto& h : heads) {
    if (!p.map().contains(h) && replaced.count(h)) { // a revision a squash replaced
      const auto& squash = p.get(replaced.at(h));
      const auto* rev = p.by_id().count(h) ? &p.get(h) : nullptr;
      std::cout << (rev ? fmt::format("{} -> {}, {}", where(rev->down_revisions), h, rev->message)
                        : h)
                << (squash.replaces.back() == h
                        ? fmt::format(" (squashed into {}, which builds the same schema: the "
                                      "next upgrade records the database as at {})",
                                      squash.id, squash.id)
                        : fmt::format(" (inside squash {}: the next upgrade runs the revisions "
                                      "it replaced after this one, then goes on from {})",
                                      squash.id, squash.id))
                << partly(h) << "\n";
      continue;
    }
    if (!p.map().contains(h))
      throw UserError(
          fmt::format("error: the database is at revision {}, which no revision file declares", h));
    const auto& rev = p.get(h);
    std::cout << (options.verbose ? revision_entry(p, rev, false) : revision_line(p, rev, {}))
              << partly(h) << "\n";
  }
  // a downgrade stopped part way: the version table is already past the revision
  if (interrupted && std::find(heads.begin(), heads.end(), interrupted->revision) == heads.end() &&
      p.map().contains(interrupted->revision))
    std::cout << revision_line(p, p.get(interrupted->revision), {}) << partly(interrupted->revision)
              << "\n";
  return ExitCode::ok;
}

} // namespace schemagen::driver
