// A fleet: many databases (or tenant schemas of one) served by one chain, migrated together,
// -j at a time. Each member gets a Project of its own (its URL, or its schema), so that a member
// runs exactly what `schemagen upgrade --url ...` runs on it; the results are gathered into one
// table, and a failing member stops the others only with --fail-fast.

#include "autogenerate.hpp"
#include "project.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <atomic>
#include <chrono>
#include <fmt/format.h>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace schemagen::driver {

namespace {

struct Member {
  std::string entry; // a URL (may hold a password: shown redacted) or a schema
  std::string label; // as the table shows it
};

struct Outcome {
  enum class State { pending, ok, failed, skipped } state = State::pending;
  std::string from, to, result;
  double ms = 0;
  ExitCode code = ExitCode::ok;
  std::string error; // the whole message, printed after the table
};

/// The fleet's members, in the configuration's order (a file's lines, a query's rows).
std::vector<Member> members(const Project& p) {
  const auto& f = p.config().fleet;
  std::vector<std::string> entries = f.urls;
  if (!f.file.empty()) {
    std::istringstream lines(read_file(f.file));
    for (std::string line; std::getline(lines, line);) {
      const auto first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos || line[first] == '#') continue;
      const auto last = line.find_last_not_of(" \t\r");
      entries.push_back(line.substr(first, last - first + 1));
    }
  }
  if (!f.query.empty()) {
    auto db = p.connect();
    for (const auto& row : db->query(f.query)) {
      if (row.empty() || !row.at(0))
        throw UserError(f.at, "fleet.query returned a row whose first column is NULL; each row "
                              "names one database (or schema)");
      entries.push_back(*row.at(0));
    }
  }
  std::vector<Member> out;
  for (auto& e : entries) {
    auto label = f.schemas ? e : sql::redact_url(e);
    out.push_back({std::move(e), std::move(label)});
  }
  return out;
}

/// The member's own project: its URL, or the configured database serving its schema.
Project member_project(const Global& global, const Member& m, bool schemas) {
  Global g = global;
  if (!schemas) g.url = m.entry;
  auto p = Project::load(g);
  if (schemas) p.serve_schema(m.entry);
  return p;
}

/// One member's upgrade or downgrade, quietly: where it was, where it is.
void migrate_member(const Project& p, const FleetOptions& o, Outcome& out) {
  auto db = p.connect();
  const auto vt = p.version_table();
  if (p.config().fleet.schemas && o.upgrade && o.command == FleetCommand::migrate)
    db->execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}", sql::quote_ident(vt.schema)));
  out.from = where(runtime::read_heads(*db, vt));
  auto run = online_run(p, o.target, o.upgrade);
  std::size_t steps = 0;
  run.on_step = [&](const revision::Revision&, bool, double) { ++steps; };
  migrate::run_online(*db, p.chain(), vt, run);
  out.to = where(runtime::read_heads(*db, vt));
  out.result = steps ? fmt::format("ok, {} revision{}", steps, steps == 1 ? "" : "s") : "ok";
}

/// Where one member stands against the chain.
void current_member(const Project& p, Outcome& out) {
  auto db = p.connect();
  const auto vt = p.version_table();
  const auto heads = runtime::read_heads(*db, vt);
  out.from = out.to = where(heads);
  for (const auto& h : heads)
    if (!migrate::knows(p.chain(), h)) {
      out.result = fmt::format("at {}, which no revision file declares", h);
      return;
    }
  if (const auto i = runtime::read_interrupted(*db, vt)) {
    out.result = fmt::format("partly applied: the {} of {}", i->upgrade ? "upgrade" : "downgrade",
                             i->revision);
    return;
  }
  const migrate::RunChain chain(p.chain(), migrate::squashes_named(p.chain(), heads));
  const auto to_go = chain.view().map.upgrade_path("heads", heads).size();
  out.result = to_go ? fmt::format("behind: {} revision{} to apply", to_go, to_go == 1 ? "" : "s")
                     : "at head";
}

/// Whether one member's schema is what the models say (check, online).
void check_member(const Project& p, Outcome& out) {
  auto db = p.connect();
  const auto vt = p.version_table();
  const auto heads = runtime::read_heads(*db, vt);
  out.from = out.to = where(heads);
  const migrate::RunChain chain(p.chain(), migrate::squashes_named(p.chain(), heads));
  if (const auto to_go = chain.view().map.upgrade_path("heads", heads).size()) {
    out.result = fmt::format("behind: {} revision{} to apply", to_go, to_go == 1 ? "" : "s");
    out.code = ExitCode::drift;
    return;
  }
  const auto c = compare_online(p, *db, std::nullopt);
  const auto changes = c.result.upgrade.size() + c.result.warnings.size();
  out.result = changes ? fmt::format("differs from the models: {} change{}", changes,
                                     changes == 1 ? "" : "s")
                       : "matches the models";
  if (changes) out.code = ExitCode::drift;
}

/// The run's progress on stderr: one line rewritten on a terminal, a line per member elsewhere
/// (a CI log).
class Progress {
public:
  Progress(std::size_t total, bool quiet) : total_(total), quiet_(quiet), tty_(isatty(2) == 1) {}
  void done(const Member& m, const Outcome& o) {
    if (quiet_) return;
    const std::lock_guard lock(mutex_);
    ++done_;
    failed_ += o.state == Outcome::State::failed ? 1 : 0;
    if (tty_)
      std::cerr << fmt::format("\r[{}/{}] {} failed", done_, total_, failed_) << std::flush;
    else
      std::cerr << fmt::format("[{}/{}] {}: {} ({:.0f} ms)\n", done_, total_, m.label,
                               o.state == Outcome::State::failed ? "FAILED" : o.result, o.ms);
  }
  ~Progress() {
    if (tty_ && done_ && !quiet_) std::cerr << "\n";
  }

private:
  std::mutex mutex_;
  std::size_t total_, done_ = 0, failed_ = 0;
  bool quiet_, tty_;
};

void print_table(const std::vector<Member>& fleet, const std::vector<Outcome>& outcomes) {
  std::size_t w_db = 8, w_from = 4, w_to = 2;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    w_db = std::max(w_db, fleet[i].label.size());
    w_from = std::max(w_from, outcomes[i].from.size());
    w_to = std::max(w_to, outcomes[i].to.size());
  }
  std::cout << fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>9}  {}\n", "database", w_db, "from", w_from,
                           "to", w_to, "time", "result");
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    const auto& o = outcomes[i];
    const auto result = o.state == Outcome::State::skipped  ? std::string("skipped (--fail-fast)")
                        : o.state == Outcome::State::failed ? "FAILED: " + o.result
                                                            : o.result;
    std::cout << fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>6.0f} ms  {}\n", fleet[i].label, w_db,
                             o.from, w_from, o.to, w_to, o.ms, result);
  }
}

} // namespace

bool serves_fleet(const Global& global) {
  if (url_given(global)) return false; // one database named: that one
  const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
  return cfg.fleet.configured();
}

ExitCode run_fleet(const Global& global, const FleetOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto p = Project::load(global);
  const auto& cfg = p.config();
  if (cfg.fleet.schemas && p.dialect().name() != "postgresql")
    throw UserError(cfg.fleet.at, fmt::format("fleet.schemas: a tenant per schema needs "
                                              "PostgreSQL; {} keeps one schema",
                                              p.dialect().name()));
  const auto fleet = members(p);
  if (fleet.empty()) {
    std::cerr << "The fleet is empty: nothing to do\n";
    return ExitCode::ok;
  }
  if (options.command == FleetCommand::check) (void)models_for(cfg, p.dialect()); // scanned once
  const auto jobs = static_cast<std::size_t>(
      std::clamp<int>(global.jobs ? global.jobs : cfg.fleet.jobs, 1,
                      static_cast<int>(fleet.size())));
  if (options.command == FleetCommand::migrate && options.upgrade)
    run_hooks(cfg.hooks.pre_upgrade, "pre_upgrade", cfg.dir);

  std::vector<Outcome> outcomes(fleet.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  Progress progress(fleet.size(), global.verbosity < 0);
  auto work = [&] {
    for (std::size_t i; (i = next++) < fleet.size();) {
      auto& out = outcomes[i];
      if (stop) {
        out.state = Outcome::State::skipped;
        continue;
      }
      const auto began = std::chrono::steady_clock::now();
      try {
        const auto member = member_project(global, fleet[i], cfg.fleet.schemas);
        switch (options.command) {
        case FleetCommand::migrate: migrate_member(member, options, out); break;
        case FleetCommand::current: current_member(member, out); break;
        case FleetCommand::check: check_member(member, out); break;
        }
        out.state = out.code == ExitCode::ok ? Outcome::State::ok : Outcome::State::failed;
      } catch (const Error& e) {
        out.state = Outcome::State::failed;
        out.code = e.code();
        out.error = e.what();
        const std::string message = e.what();
        out.result = message.substr(0, message.find('\n'));
        if (out.result.size() > 100) out.result = out.result.substr(0, 97) + "...";
      }
      out.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began)
                   .count();
      if (out.state == Outcome::State::failed && global.fail_fast) stop = true;
      progress.done(fleet[i], out);
    }
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t w = 1; w < jobs; ++w) pool.emplace_back(work);
    work();
  }

  print_table(fleet, outcomes);
  ExitCode worst = ExitCode::ok;
  std::size_t ok = 0, failed = 0, skipped = 0;
  for (std::size_t i = 0; i < fleet.size(); ++i) {
    const auto& o = outcomes[i];
    worst = std::max(worst, o.code);
    ok += o.state == Outcome::State::ok;
    failed += o.state == Outcome::State::failed;
    skipped += o.state == Outcome::State::skipped;
    if (!o.error.empty()) std::cerr << fmt::format("[{}] {}\n", fleet[i].label, o.error);
  }
  std::cout << fmt::format(
      "{} database{}: {} ok, {} failed{} in {:.1f} s, {} at a time\n", fleet.size(),
      fleet.size() == 1 ? "" : "s", ok, failed,
      skipped ? fmt::format(", {} skipped", skipped) : std::string(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), jobs);
  if (options.command == FleetCommand::migrate && options.upgrade && failed + skipped == 0)
    run_hooks(cfg.hooks.post_upgrade, "post_upgrade", cfg.dir);
  return worst;
}

} // namespace schemagen::driver
