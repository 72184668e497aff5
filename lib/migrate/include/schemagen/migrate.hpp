#pragma once
// Migrations inside an application: bring the database up to date at startup with the same
// runtime, version table, lock and SQL as `schemagen upgrade`, with no schemagen command and no
// Clang on that machine. The library writes nothing to stdout or stderr: progress goes through
// on_progress(), and every failure is an exception derived from schemagen::Error carrying the
// message the command line prints (revision, op, SQL, server message; never a password):
//
//   schemagen::IncompatibleDatabase  the database is ahead of the chain, or an applied revision
//                                    changed (the startup guard: thrown before anything runs);
//   schemagen::UserError             a malformed revision, a target the chain cannot resolve, a URL
//                                    no dialect serves;
//   schemagen::Error                 with code() ExitCode::database_error: the database could not
//                                    be reached, or a revision failed (rolled back; the message
//                                    says what was undone).
//
//   schemagen::Migrator m{"sqlite:///var/lib/app/app.db",
//   schemagen::Chain::from_directories({dir})}; m.on_progress([](const schemagen::Step& s) {
//   log(s.revision, s.message, s.elapsed); }); m.upgrade();

#include "schemagen/support/diagnostics.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schemagen {

/// A revision chain, parsed and checked: the revision files' graph.
class Chain {
public:
  /// Every *.yaml revision in `dirs`, as the command line reads them (sorted by file name within
  /// each directory). A malformed file is a UserError at its file:line.
  static Chain from_directories(std::vector<std::filesystem::path> dirs);
  /// The revision files given by name and text, in this order (a compiled-in chain hands them in
  /// the order from_directories reads them). A malformed one is a UserError at name:line.
  static Chain from_texts(std::vector<std::pair<std::string, std::string_view>> files);

  /// The revision ids, in the chain's order.
  std::vector<std::string> ids() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

private:
  explicit Chain(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_; // shared: a Chain is copied into each Migrator
};

/// One revision applied or undone.
struct Step {
  std::string revision, message;
  bool upgrade = true;
  std::chrono::duration<double, std::milli> elapsed{};
};

/// The startup guard's refusal: the database has a revision the chain lacks (it was upgraded by a
/// newer build: an older binary meeting a newer database), or an applied revision whose ops
/// differ from the chain's. Nothing ran.
class IncompatibleDatabase : public Error {
public:
  IncompatibleDatabase(std::string revision, const std::string& message)
      : Error(ExitCode::user_error, message), revision_(std::move(revision)) {}
  /// The revision the database and the chain disagree on.
  const std::string& revision() const { return revision_; }

private:
  std::string revision_;
};

/// Moves one database along a chain. Each call connects, does its work and disconnects; upgrade
/// and downgrade take the same lock as the command line, so runs on one database serialise.
class Migrator {
public:
  struct Options {
    std::string version_table = "schemagen_version";
    std::string version_table_schema = "public";
    /// How long a run waits for another run's lock.
    std::chrono::milliseconds lock_timeout = std::chrono::seconds(60);
    /// Where a relative path in a sqlite: URL starts; empty: the working directory.
    std::filesystem::path base;
    /// One transaction per revision instead of one for the whole run.
    bool transaction_per_migration = false;
  };

  Migrator(std::string url, Chain chain, Options options);
  Migrator(std::string url, Chain chain) : Migrator(std::move(url), std::move(chain), Options{}) {}

  /// Called after each revision is applied or undone.
  void on_progress(std::function<void(const Step&)> callback);

  /// Applies what `target` (as the command line takes it: "head", "heads", an id, "+1", a
  /// label) needs; nothing when the database is there already. Runs the startup guard first.
  void upgrade(const std::string& target = "head");
  /// Undoes revisions down to `target` ("-1", an id, "base"), after the startup guard: undoing
  /// with other ops than the ones that ran would not undo what ran.
  void downgrade(const std::string& target);
  /// The version table's rows: the applied heads (empty at base).
  std::vector<std::string> current();
  /// What upgrade(target) would apply, in order (a revision an earlier run left partly applied
  /// first). Runs the startup guard: what a chain cannot run is not pending.
  std::vector<std::string> pending(const std::string& target = "head");
  /// The startup guard alone: throws IncompatibleDatabase naming the revision when the database
  /// has one the chain lacks, or an applied revision whose ops changed.
  void check_compatible();

private:
  void run(const std::string& target, bool upgrade);

  std::string url_;
  Chain chain_;
  Options options_;
  std::function<void(const Step&)> progress_;
};

} // namespace schemagen
