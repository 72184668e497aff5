#pragma once
// The one online upgrade/downgrade that both the command line (`schemagen upgrade`, `downgrade`)
// and an application's Migrator run: the lock, where the database is, a revision an earlier run
// left partly applied, the path, the version tables, the run, and after a failure what was
// rolled back. What the command line prints is told through callbacks; nothing here prints.

#include "schemagen/dialect/dialect.hpp"
#include "schemagen/revision/file.hpp"
#include "schemagen/runtime/runtime.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::migrate {

/// The dialects schemagen serves. Adding one is a folder under lib/ implementing
/// schemagen/dialect/dialect.hpp, a line in dialects() (lib/migrate/src/dialects.cpp), and its
/// target in lib/migrate/CMakeLists.txt.
const std::vector<const dialect::Dialect*>& dialects();
/// Their names, for messages ("pg, sqlite").
std::string dialect_names();
/// The dialect that serves `url` (by its scheme); UserError when none does.
const dialect::Dialect& dialect_for_url(std::string_view url);

/// A revision chain as a run needs it: its graph and its revisions by id (those a squash
/// replaced among them), and every revision in load order.
struct ChainView {
  const revision::RevisionMap& map;
  const std::map<std::string, const revision::Revision*>& by_id;
  const std::vector<revision::Revision>& revisions;
};

/// Whether the chain knows revision `id`: one of its graph, or one a squash of it replaced (a
/// database may stand there; its file may be gone).
bool knows(const ChainView& chain, const std::string& id);

/// The squashes (ids) that replaced a revision `names` name: version-table rows, a revision an
/// earlier run left partly applied, or a target ("id", "id@+1", "id-2", a prefix of four or more).
std::vector<std::string> squashes_named(const ChainView& chain,
                                        const std::vector<std::string>& names);

/// The chain a database inside a squash runs on: the squashes `expand` undone, their replaced
/// revisions in the graph and each squash a step without ops from the last of them (see
/// revision::build_expanded_map). With nothing to expand, the chain itself.
class RunChain {
public:
  RunChain(const ChainView& chain, std::vector<std::string> expand);
  RunChain(const RunChain&) = delete; // its view points into it
  RunChain& operator=(const RunChain&) = delete;
  const ChainView& view() const { return *view_; }
  /// The squashes undone.
  const std::vector<std::string>& expanded() const { return expand_; }
  /// UserError when `ids` (revisions a run would apply or undo) hold a replaced revision whose
  /// file is gone, naming it, the squash, and where the database is.
  void refuse_missing(const std::vector<std::string>& ids,
                      const std::vector<std::string>& heads) const;

private:
  std::vector<std::string> expand_;
  revision::Expanded parts_;
  std::unique_ptr<revision::RevisionMap> map_;
  std::map<std::string, const revision::Revision*> by_id_;
  std::optional<ChainView> view_;
};

/// What `upgrade`/`downgrade TARGET` would do from where the database is.
struct Plan {
  std::vector<std::string> heads;             // the version table's rows
  std::optional<runtime::Interrupted> resume; // a revision an earlier run left partly applied
  std::vector<std::string> path;              // the revisions to run after finishing `resume`
  std::vector<std::string> warnings;          // what was ambiguous and how it was resolved
  /// The squashes the database is inside of (or the target reaches into): the path is over the
  /// chain with them undone (RunChain).
  std::vector<std::string> expanded;
  bool nothing() const { return path.empty() && !resume; }
};

/// Plans the run to `target` from `heads` (the version table's rows). UserError for a partly
/// applied revision the chain does not declare, or one whose ops changed since it ran.
Plan plan(dialect::Session& db, const ChainView& chain, const runtime::VersionTable& vt,
          std::vector<std::string> heads, const std::string& target, bool upgrade);

/// The applied revisions whose recorded checksum differs from the chain's (ids, in the log's
/// order); applied revisions the chain lacks are not among them.
std::vector<std::string> changed_since_applied(dialect::Session& db, const ChainView& chain,
                                               const runtime::VersionTable& vt);
/// The same from the log's checksums already read (runtime::read_checksums), by id.
std::vector<std::string> changed_since_applied(const ChainView& chain,
                                               const std::map<std::string, std::string>& applied);

struct OnlineRun {
  std::string target;
  bool upgrade = true;
  std::chrono::milliseconds lock_timeout{60000};
  /// The run's lock (advisory or a lock table's row); unset: the one the engine needs.
  std::optional<dialect::LockKind> lock;
  std::chrono::seconds lock_expiry{30}; // a table lock's row, unless renewed
  bool transaction_per_migration = false;
  /// Called under the lock with the version table's rows, before anything is planned or runs:
  /// the command line warns of changed revisions, a Migrator refuses a database it does not know.
  std::function<void(dialect::Session& db, const std::vector<std::string>& heads)> check;
  /// A new connection, to ask what a failure left behind when the run's own was lost.
  std::function<std::unique_ptr<dialect::Session>()> reconnect;
  /// Told when there is nothing to do (the heads).
  std::function<void(const std::vector<std::string>& heads)> on_nothing;
  /// See runtime::RunOptions.
  std::function<void(const std::string&line)> on_start, on_resume;
  std::function<void(const revision::Revision&, bool upgrade, double ms)> on_step;
  /// The chain with every revision's ops, asked for once a run has something to do (a chain
  /// compiled in parses its files only then); unset: the chain given has them.
  std::function<ChainView()> with_ops;
  /// Told what was ambiguous in the target and how it was resolved ("warning: ...").
  std::function<void(const std::string&)> on_warning;
  /// Told when a revision failed, before it is rolled back.
  std::function<void()> on_failure;
  /// The C++ steps this run has (`call` ops), by name, and how to run one. A run whose revisions
  /// call a step it lacks is refused before anything runs, the message ending `missing_step`.
  std::function<bool(const std::string& name)> has_step;
  std::function<void(const std::string& name, dialect::Session& db)> call;
  std::string missing_step;
  /// See runtime::RunOptions::ddl_lock_timeout.
  std::optional<std::chrono::milliseconds> ddl_lock_timeout;
  /// See runtime::RunOptions::ddl_statement_timeout.
  std::optional<std::chrono::milliseconds> ddl_statement_timeout;
  /// When a statement gives up waiting for a lock (lock_timeout), what the failure rolled back is
  /// run again from where the database stands, up to this many times, waiting 1 s, 2 s, 4 s, ...
  /// (at most 30 s) in between; on_warning is told each time.
  int lock_retries = 5;
};

/// Runs `run` on `db` under the version table's lock. A failure rolls back and rethrows, its
/// message followed by what the rollback undid and what an unfinished revision left behind.
void run_online(dialect::Session& db, const ChainView& chain, const runtime::VersionTable& vt,
                const OnlineRun& run);

/// Where a database stands, as messages say it: "base", or its heads.
std::string where(const std::vector<std::string>& heads);

} // namespace schemagen::migrate
