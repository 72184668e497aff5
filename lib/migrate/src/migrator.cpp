#include "schemagen/migrate.hpp"
#include "schemagen/migrate/online.hpp"
#include "schemagen/pg/pg.hpp"
#include "schemagen/sqlite/sqlite.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <mutex>

namespace schemagen {

struct Chain::Impl {
  std::vector<revision::Revision> revisions; // compiled in: without their ops until parsed
  revision::RevisionMap map;
  std::map<std::string, const revision::Revision*> by_id;
  /// Compiled in: each file's name and text, parsed into `parsed` by the first run that needs
  /// the ops (the graph and checksums above came from the build).
  std::vector<std::pair<std::string, std::string_view>> texts;
  struct Parsed {
    std::vector<revision::Revision> revisions;
    std::map<std::string, const revision::Revision*> by_id;
  };
  mutable std::once_flag once;
  mutable std::unique_ptr<const Parsed> parsed;

  explicit Impl(std::vector<revision::Revision> revs)
      : revisions(std::move(revs)), map(revision::build_map(revisions)) {
    index();
  }
  Impl(std::vector<revision::Revision> revs, revision::RevisionMap m)
      : revisions(std::move(revs)), map(std::move(m)) {
    index();
  }
  void index() {
    for (const auto& r : revisions) by_id[r.id] = &r;
  }

  /// The graph and what the guard reads: no ops needed.
  migrate::ChainView view() const { return {map, by_id, revisions}; }
  /// With every revision's ops, for a run.
  migrate::ChainView with_ops() const {
    if (texts.empty()) return view();
    std::call_once(once, [this] {
      auto p = std::make_unique<Parsed>();
      p->revisions.reserve(texts.size());
      for (std::size_t i = 0; i < texts.size(); ++i) {
        auto rev = revision::parse_revision(texts[i].first, texts[i].second);
        const auto& built = revisions[i];
        if (rev.id != built.id || rev.checksum != built.checksum)
          throw UserError(fmt::format("{}: error: the compiled-in revision {} is not what the build "
                                  "read from it (checksum {}, now {}): rebuild the program",
                                  texts[i].first, built.id, built.checksum, rev.checksum));
        p->revisions.push_back(std::move(rev));
      }
      for (const auto& r : p->revisions) p->by_id[r.id] = &r;
      parsed = std::move(p);
    });
    return {map, parsed->by_id, parsed->revisions};
  }
};

Chain Chain::from_directories(std::vector<std::filesystem::path> dirs) {
  return Chain(std::make_shared<const Impl>(revision::load_revisions(dirs)));
}

Chain Chain::from_texts(std::vector<std::pair<std::string, std::string_view>> files) {
  std::vector<revision::Revision> revisions;
  revisions.reserve(files.size());
  for (const auto& [name, text] : files) revisions.push_back(revision::parse_revision(name, text));
  return Chain(std::make_shared<const Impl>(std::move(revisions)));
}

namespace {
std::vector<std::string> words(std::string_view list) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < list.size();) {
    const auto end = std::min(list.find(' ', at), list.size());
    if (end > at) out.emplace_back(list.substr(at, end - at));
    at = end + 1;
  }
  return out;
}
} // namespace

Chain Chain::from_embedded(std::span<const EmbeddedRevision> files) {
  std::vector<revision::Revision> revisions;
  std::vector<std::pair<std::string, std::string_view>> texts;
  revisions.reserve(files.size());
  for (const auto& f : files) {
    revision::Revision r;
    r.id = f.id;
    r.down_revisions = words(f.down_revisions);
    r.depends_on = words(f.depends_on);
    r.branch_labels = words(f.branch_labels);
    r.replaces = words(f.replaces);
    r.message = f.message;
    r.checksum = f.checksum;
    r.path = std::string(f.file);
    r.down_loc = r.depends_loc = SourceLoc{std::string(f.file), 1, 0};
    revisions.push_back(std::move(r));
    texts.emplace_back(f.file, f.text);
  }
  auto impl = std::make_shared<Impl>(std::move(revisions)); // a squash in the place of its run
  impl->texts = std::move(texts);
  return Chain(std::move(impl));
}

std::vector<std::string> Chain::ids() const {
  std::vector<std::string> out;
  for (const auto& r : impl_->revisions) out.push_back(r.id);
  return out;
}

namespace {

/// The guard: the first revision the database has applied and the chain lacks, then the first
/// applied one whose ops changed. Heads first: they name the newest revision a newer build ran.
void check(dialect::Session& db, const Chain::Impl& chain, const runtime::VersionTable& vt,
           const std::vector<std::string>& heads) {
  auto ahead = [](const std::string& id) {
    return IncompatibleDatabase(
        id, fmt::format("error: the database is at revision {}, which this program's revision "
                        "chain does not have: a newer version of it upgraded the database. Run "
                        "that version, or downgrade the database to a revision this one knows",
                        id));
  };
  for (const auto& h : heads)
    if (!migrate::knows(chain.view(), h)) throw ahead(h);
  const auto applied = runtime::read_checksums(db, vt);
  for (const auto& [id, checksum] : applied)
    if (!migrate::knows(chain.view(), id)) throw ahead(id);
  // the checksums just read: asking the database again costs two more round trips at startup
  if (const auto changed = migrate::changed_since_applied(chain.view(), applied); !changed.empty())
    throw IncompatibleDatabase(
        changed.front(),
        fmt::format("{}: error: revision {} was changed after it was applied: its ops no longer "
                    "match what ran on the database",
                    display_path(chain.by_id.at(changed.front())->path), changed.front()));
}

} // namespace

// ---- the step's connection ----------------------------------------------------------------

std::string_view Connection::dialect() const { return session_.dialect().name(); }

void Connection::execute(const std::string& sql) { session_.execute(sql); }

std::vector<Connection::Row> Connection::query(const std::string& sql,
                                               const std::vector<std::optional<std::string>>& params) {
  return session_.query(sql, params);
}

sqlite3* Connection::sqlite() const {
  return dialect() == "sqlite" ? static_cast<sqlite3*>(session_.native_handle()) : nullptr;
}

PGconn* Connection::postgres() const {
  return dialect() == "postgresql" ? static_cast<PGconn*>(session_.native_handle()) : nullptr;
}

// ---- the Migrator ------------------------------------------------------------------------

Migrator::Migrator(std::string url, Chain chain, Options options)
    : url_(std::move(url)), chain_(std::move(chain)), options_(std::move(options)) {}

Migrator::Migrator(sqlite3* db, Chain chain, Options options)
    : sqlite_(db), chain_(std::move(chain)), options_(std::move(options)) {
  if (!db) throw UserError("error: the SQLite handle given to the Migrator is null");
}

Migrator::Migrator(PGconn* db, Chain chain, Options options)
    : postgres_(db), chain_(std::move(chain)), options_(std::move(options)) {
  if (!db) throw UserError("error: the PostgreSQL connection given to the Migrator is null");
}

void Migrator::on_progress(std::function<void(const Step&)> callback) {
  progress_ = std::move(callback);
}

void Migrator::on_warning(std::function<void(const std::string&)> callback) {
  warning_ = std::move(callback);
}

void Migrator::register_step(std::string name, StepFunction step) {
  if (!step) throw UserError(fmt::format("error: the C++ step '{}' registered is empty", name));
  steps_.insert_or_assign(std::move(name), std::move(step));
}

/// A call's connection to the database and its version table.
struct Migrator::Open {
  std::unique_ptr<dialect::Session> db;
  runtime::VersionTable vt;
};

Migrator::Open Migrator::open() const {
  const auto& o = options_;
  auto vt = [&](const dialect::Dialect& d) {
    return runtime::VersionTable{o.version_table_schema, o.version_table, &d};
  };
  if (sqlite_) return {sqlite::adopt(sqlite_), vt(sqlite::dialect())};
  if (postgres_) return {pg::adopt(postgres_), vt(pg::dialect())};
  const auto& d = migrate::dialect_for_url(url_);
  const auto base = o.base.empty() ? std::filesystem::current_path() : o.base;
  return {d.connect(url_, base), vt(d)};
}

void Migrator::run(const std::string& target, bool upgrade) {
  auto c = open();
  const auto& chain = chain_.impl();
  migrate::OnlineRun run;
  run.target = target;
  run.upgrade = upgrade;
  run.lock_timeout = options_.lock_timeout;
  if (options_.lock != Options::Lock::automatic)
    run.lock = options_.lock == Options::Lock::table ? dialect::LockKind::table
                                                     : dialect::LockKind::advisory;
  run.lock_expiry = options_.lock_expiry;
  run.transaction_per_migration = options_.transaction_per_migration;
  run.check = [&](dialect::Session& db, const std::vector<std::string>& heads) {
    check(db, chain, c.vt, heads);
  };
  if (!sqlite_ && !postgres_) // a lost connection of the application's own is not ours to renew
    run.reconnect = [this] { return open().db; };
  run.on_warning = warning_;
  run.with_ops = [&chain] { return chain.with_ops(); };
  run.has_step = [this](const std::string& name) { return steps_.contains(name); };
  run.call = [this](const std::string& name, dialect::Session& db) {
    Connection connection(db);
    steps_.find(name)->second(connection);
  };
  run.missing_step = "which this program has not registered (Migrator::register_step)";
  run.on_step = [this](const revision::Revision& rev, bool up, double ms) {
    if (progress_)
      progress_(Step{rev.id, rev.message, up, std::chrono::duration<double, std::milli>(ms)});
  };
  migrate::run_online(*c.db, chain.view(), c.vt, run);
}

void Migrator::upgrade(const std::string& target) { run(target, true); }

void Migrator::downgrade(const std::string& target) { run(target, false); }

std::vector<std::string> Migrator::current() {
  auto c = open();
  return runtime::read_heads(*c.db, c.vt);
}

std::vector<std::string> Migrator::pending(const std::string& target) {
  auto c = open();
  auto heads = runtime::read_heads(*c.db, c.vt);
  check(*c.db, chain_.impl(), c.vt, heads);
  auto p = migrate::plan(*c.db, chain_.impl().view(), c.vt, std::move(heads), target, true);
  std::vector<std::string> out;
  if (p.resume && p.resume->upgrade) out.push_back(p.resume->revision);
  out.insert(out.end(), p.path.begin(), p.path.end());
  return out;
}

void Migrator::check_compatible() {
  auto c = open();
  check(*c.db, chain_.impl(), c.vt, runtime::read_heads(*c.db, c.vt));
}

} // namespace schemagen
