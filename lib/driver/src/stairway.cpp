// test: the stairway test. Every revision of the chain, in order, on a scratch database: upgraded
// one step, downgraded one step, upgraded again, and after each step the schema the database has
// compared with the schema the chain's ops say it has (replayed in memory). What pytest-alembic
// users write by hand, as one command.
//
// check --linear is here too: both judge the chain itself, not the models.

#include "autogenerate.hpp"
#include "schemagen/render/render.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <chrono>
#include <fmt/format.h>
#include <set>
#include <utility>

namespace schemagen::driver {

namespace {

/// `url` (PostgreSQL's, URL or key=value form) naming database `name` on the same server, with
/// the same user, password and options.
std::string with_database(const std::string& url, const std::string& name) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + name; // a later keyword wins
  // the host starts after the userinfo, whose password may hold any character (sql.hpp)
  auto host = scheme + 3;
  if (const auto password = sql::url_password(url); !password.empty())
    host = url.find('@', url.find(password, host) + password.size()) + 1;
  else if (const auto at = url.find('@', host); at < url.find_first_of("/?#", host))
    host = at + 1;
  const auto path = url.find_first_of("/?#", host);
  if (path == std::string::npos) return url + "/" + name;
  const auto rest = url[path] == '/' ? url.find_first_of("?#", path) : path;
  return url.substr(0, path) + "/" + name + (rest == std::string::npos ? "" : url.substr(rest));
}

/// A database that lives for one run: made on the configured PostgreSQL server (whose own
/// database is only asked to CREATE and DROP it), or a temporary SQLite file. Dropped when the
/// run ends, however it ends, unless kept.
class Scratch {
public:
  Scratch(const Project& p, bool keep) : keep_(keep) {
    const auto name = "schemagen_test_" + render::new_revision_id();
    if (p.dialect().name() == "sqlite") {
      file_ = fs::temp_directory_path() / (name + ".db");
      url_ = "sqlite:///" + file_.string();
      return;
    }
    server_ = p.connect();
    try {
      server_->execute("CREATE DATABASE " + name);
    } catch (const dialect::QueryError& e) {
      throw DatabaseError(fmt::format(
          "error: cannot make the scratch database {} on {}: {}\n(the stairway test runs the "
          "chain on a database of its own: the configured role needs CREATEDB)",
          name, sql::redact_url(p.url()), e.server_message()));
    }
    database_ = name;
    url_ = with_database(p.url(), name);
  }
  ~Scratch() {
    if (keep_) { // said last, where it is seen
      std::cerr << fmt::format("The scratch database is kept: {}\n", sql::redact_url(url_));
      return;
    }
    if (!database_.empty()) try {
        // the run's connections are closed; a backend still exiting is waited for by the server
        server_->execute("DROP DATABASE " + database_);
      } catch (const Error& e) {
        std::cerr << fmt::format("warning: the scratch database {} was not dropped: {}\n",
                                 database_, e.what());
      }
    std::error_code ec;
    if (!file_.empty())
      for (const char* suffix : {"", "-journal", "-wal", "-shm"})
        fs::remove(file_.string() + suffix, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::string& url() const { return url_; }

private:
  bool keep_;
  std::unique_ptr<dialect::Session> server_; // the configured database: CREATE, DROP
  std::string database_;                     // PostgreSQL: the scratch database's name
  fs::path file_;                            // SQLite: the scratch file
  std::string url_;
};

/// The three steps each revision takes.
enum class Step { up, down, up_again };

/// The stairway on one scratch database.
class Stairway {
public:
  Stairway(const Project& p, dialect::Session& db, int verbosity)
      : p_(p), db_(db), vt_(p.version_table()), loud_(verbosity >= 0) {}

  /// Each revision up, down and up again; the first that misbehaves is reported (stdout) and
  /// ends the run with false.
  bool run() {
    const auto order = p_.map().upgrade_path("heads", {});
    for (const auto& id : order) {
      const auto& rev = p_.get(id);
      if (loud_) std::cerr << id << std::flush;
      const bool ok = step(rev, Step::up) && step(rev, Step::down) && step(rev, Step::up_again);
      if (loud_) std::cerr << "\n";
      for (const auto& note : notes_) std::cerr << note << "\n";
      notes_.clear();
      if (!ok) return false;
    }
    if (loud_)
      std::cout << fmt::format("All {} revision{} did what their ops say, upgraded, downgraded and "
                               "upgraded again.\n",
                               order.size(), order.size() == 1 ? "" : "s");
    return true;
  }

private:
  /// Runs one step of `rev` and compares; the progress line grows by " up ok", ", down ok", ...
  bool step(const revision::Revision& rev, Step s) {
    const bool upgrade = s != Step::down;
    if (loud_) std::cerr << (s == Step::up ? " up" : s == Step::down ? ", down" : ", up");
    try {
      migrate(rev, upgrade);
    } catch (const Error&) {
      if (loud_) std::cerr << " FAILED\n" << std::flush;
      throw;
    }
    const auto diff = difference();
    const bool ok = diff.upgrade.empty() && diff.warnings.empty();
    if (loud_) std::cerr << (ok ? " ok" : " FAILED") << std::flush;
    if (!ok) report(rev, s, diff);
    return ok;
  }

  /// `rev` applied or undone: exactly that one revision, however the chain branches.
  void migrate(const revision::Revision& rev, bool upgrade) {
    // as every run takes it: the lock is also where a dialect readies the connection for one
    // (SQLite creates the file there, and turns foreign keys off for table rebuilds)
    const auto lock = db_.lock(p_.lock_request());
    runtime::OnlineSink sink(db_);
    runtime::RunOptions options;
    options.prelude = runtime::version_table_prelude(db_, vt_);
    // a C++ step changes data, never the schema (ops.hpp): the command line has none to run, and
    // the schema is what this test checks
    options.call = [&](const std::string& name, dialect::Session&) {
      auto note = fmt::format("note: revision {}: the C++ step '{}' was not run (a step changes "
                              "data, which this test does not check)",
                              rev.id, name);
      if (std::find(notes_.begin(), notes_.end(), note) == notes_.end()) notes_.push_back(note);
    };
    try {
      heads_ = runtime::migrate(p_.map(), p_.by_id(), vt_, sink, {rev.id}, upgrade, heads_, options,
                                &db_);
    } catch (...) {
      sink.rollback();
      throw;
    }
  }

  /// What would make the database the schema the chain's ops give where it now stands (none:
  /// they agree), as `check` reports a difference.
  compare::Result difference() {
    const auto& cfg = p_.config();
    const auto& d = p_.dialect();
    std::vector<std::string> unaccounted;
    compare::Managed managed;
    auto replayed = replay_chain(
        p_, unaccounted, heads_.empty() ? std::vector<std::string>{"base"} : heads_, &managed);
    unaccounted_before_ = std::exchange(unaccounted_, std::move(unaccounted));
    // the schemas the chain made and those the database has: SQL the ops do not say may have
    // made one (include_schemas narrows this as everywhere else)
    auto schemas = cfg.include_schemas;
    if (schemas.empty()) {
      std::set<std::string> all{"public"};
      for (const auto& s : db_.schemas()) all.insert(s);
      for (const auto& s : replayed.schemas) all.insert(s);
      for (const auto& t : replayed.tables) all.insert(t.schema);
      schemas.assign(all.begin(), all.end());
    }
    const std::set<std::string> compared(schemas.begin(), schemas.end());
    std::erase_if(replayed.tables, [&](const auto& t) {
      return !compared.count(t.schema) || dialect::excluded(cfg.exclude_tables, t.schema, t.name);
    });
    std::erase_if(replayed.enums, [&](const auto& e) { return !compared.count(e.schema); });
    std::erase_if(replayed.schemas, [&](const auto& s) { return !compared.count(s); });

    const auto database = d.spelled_like(
        db_.reflect({schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table}),
        replayed);
    // types and defaults are always compared: an op names them exactly, unlike a model
    compare::Options options;
    options.same_type = [&d](const std::string& a, const std::string& b) {
      return d.same_type(a, b);
    };
    options.needs_using = db_.cast_checker(replayed);
    options.managed = managed;
    return compare::compare(replayed, db_.normalize(replayed), database, options);
  }

  void report(const revision::Revision& rev, Step s, const compare::Result& diff) {
    const auto file = display_path(rev.path);
    const bool upgrade = s != Step::down;
    if (upgrade)
      std::cout << fmt::format("The upgrade of revision {} ({}){} left the database differing "
                               "from what its ops say; to match them it would need:\n",
                               rev.id, file,
                               s == Step::up_again ? ", run again after its downgrade," : "");
    else
      std::cout << fmt::format("The downgrade of revision {} ({}) left the database differing "
                               "from the schema before it ({}); to match that it would need:\n",
                               rev.id, file, where(heads_));
    for (const auto& op : diff.upgrade) std::cout << "  " << ops::describe(op) << "\n";
    for (const auto& w : diff.warnings) std::cout << "  " << w << "\n";
    // the likely cause: SQL of this revision whose effect on the schema replay was never told
    // (what the previous comparison's replay had not met yet)
    if (upgrade)
      for (const auto& u : unaccounted_)
        if (std::find(unaccounted_before_.begin(), unaccounted_before_.end(), u) ==
            unaccounted_before_.end())
          std::cout << u << "\n";
  }

  const Project& p_;
  dialect::Session& db_;
  runtime::VersionTable vt_;
  bool loud_;
  std::vector<std::string> heads_; // where the scratch database is
  std::vector<std::string> notes_; // printed after the revision's progress line
  /// What replay could not follow, at this comparison and the one before it.
  std::vector<std::string> unaccounted_, unaccounted_before_;
};

} // namespace

ExitCode stairway_test(const Global& global, const StairwayOptions& options) {
  const auto p = Project::load(global);
  // made first, so that it outlives (and is dropped after) every connection to it
  Scratch scratch(p, options.keep);
  bool ok;
  {
    auto db = p.dialect().connect(scratch.url(), fs::current_path());
    ok = Stairway(p, *db, global.verbosity).run();
  }
  return ok ? ExitCode::ok : ExitCode::drift;
}

ExitCode check_linear(const Global& global) {
  const auto p = Project::load(global);
  const auto& map = p.map();
  const auto heads = map.heads();
  if (heads.size() < 2) return ExitCode::ok;
  // each head's branch: what it applies that no other head does, from the branch point up
  const auto order = map.upgrade_path("heads", {});
  std::vector<std::string> lines;
  for (const auto& h : heads) {
    std::vector<std::string> others;
    for (const auto& o : heads)
      if (o != h) others.push_back(o);
    const auto mine = map.applied_set({h});
    const auto theirs = map.applied_set(others);
    std::vector<std::string> branch;
    for (const auto& id : order)
      if (std::find(mine.begin(), mine.end(), id) != mine.end() &&
          std::find(theirs.begin(), theirs.end(), id) == theirs.end())
        branch.push_back(id);
    if (branch.empty()) branch.push_back(h); // another head depends_on this one
    std::vector<std::string> from;
    for (const auto& d : p.map().record(branch.front()).down_revisions)
      if (std::find(branch.begin(), branch.end(), d) == branch.end()) from.push_back(d);
    lines.push_back(fmt::format("  from {}: {} (head)", where(from), fmt::join(branch, " -> ")));
  }
  std::cerr << fmt::format("error: the chain has {} heads, and --linear allows one:\n{}\njoin them "
                           "with `schemagen merge heads -m ...`, or move one branch onto the "
                           "other's head\n",
                           heads.size(), fmt::join(lines, "\n"));
  return ExitCode::drift;
}

} // namespace schemagen::driver
