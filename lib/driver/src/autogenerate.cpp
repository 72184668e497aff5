// revision --autogenerate, diff and check: models compared with the database, or with the schema
// the revision chain builds.

#include "autogenerate.hpp"

#include "schemagen/lint/lint.hpp"
#include "schemagen/model/binary.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/pgparse/pgparse.hpp"
#include "schemagen/scan/scan.hpp"
#include "schemagen/support/cache.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/json.hpp"

#include <charconv>
#include <chrono>
#include <fmt/format.h>
#include <set>

namespace schemagen::driver {

namespace {

bool acknowledged(const revision::Revision& rev, const std::string& rule) {
  return std::find(rev.acknowledged.begin(), rev.acknowledged.end(), rule) !=
             rev.acknowledged.end() ||
         std::find(rev.acknowledged.begin(), rev.acknowledged.end(), "all") !=
             rev.acknowledged.end();
}

/// One lint finding, as printed and as cached.
struct Finding {
  bool acknowledged = false;
  std::string loc, revision, op, rule, reason;
};

std::vector<Finding> findings_of(const std::vector<const revision::Revision*>& revs,
                                 const Project& p) {
  const auto& d = p.dialect();
  // with online_ddl, every transaction of a run sets lock_timeout (driver/migrate.cpp)
  const lint::Options options{std::string(d.name()), p.config().online_ddl.enabled};
  std::vector<Finding> out;
  for (const auto* rev : revs)
    for (const auto& f : lint::lint(rev->upgrade, options))
      if (d.lint_rule_applies(f.rule))
        out.push_back({acknowledged(*rev, f.rule), f.loc.str(), rev->id, f.op, f.rule, f.reason});
  return out;
}

/// Prints the findings; returns how many are not acknowledged.
std::size_t print_findings(const std::vector<Finding>& findings, bool strict, bool quiet) {
  std::size_t open = 0;
  std::string text; // written at once: stderr is unbuffered, and a chain can have thousands
  for (const auto& f : findings) {
    if (!f.acknowledged) ++open;
    if (quiet || (f.acknowledged && !strict)) continue;
    fmt::format_to(std::back_inserter(text), "{}: {}: revision {}: {} [{}]: {}{}\n", f.loc,
                   f.acknowledged ? "note"
                   : strict       ? "error"
                                  : "warning",
                   f.revision, f.op, f.rule, f.acknowledged ? "acknowledged. " : "", f.reason);
  }
  std::cerr << text;
  return open;
}

std::size_t lint_revisions(const std::vector<const revision::Revision*>& revs, const Project& p,
                           bool strict, bool quiet) {
  return print_findings(findings_of(revs, p), strict, quiet);
}

/// With `on`, how long each phase took since the last, on stderr ("reflect: 12.3 ms"): -v
/// prints it, and the benchmarks read it.
class PhaseTimer {
public:
  explicit PhaseTimer(bool on) : on_(on) {}
  void operator()(const char* name) {
    const auto now = std::chrono::steady_clock::now();
    if (on_)
      std::cerr << fmt::format("{}: {:.1f} ms\n", name,
                               std::chrono::duration<double, std::milli>(now - started_).count());
    started_ = now;
  }

private:
  bool on_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// -- the offline chain: replayed head schema, what replay could not follow, lint findings --

struct OfflineChain {
  model::Metadata head;
  std::vector<std::string> unaccounted;
  std::vector<Finding> findings;
  compare::Managed managed; // what kinds of view and object the chain's ops made
};

/// A Managed as one field: "v" for views, "d" for the database's grants, then each kind's name.
std::string encode(const compare::Managed& m) {
  std::string out = std::string(m.views ? "v" : "-") + (m.database_grants ? "d" : "-");
  for (auto k : m.objects) out += " " + std::string(model::to_string(k));
  return out;
}
std::optional<compare::Managed> decode_managed(std::string_view in) {
  if (in.size() < 2) return std::nullopt;
  compare::Managed m;
  m.views = in[0] == 'v';
  m.database_grants = in[1] == 'd';
  for (std::size_t at = 2; at < in.size();) {
    if (in[at] != ' ') return std::nullopt;
    const auto end = std::min(in.find(' ', at + 1), in.size());
    const auto kind = model::object_kind(in.substr(at + 1, end - at - 1));
    if (!kind) return std::nullopt;
    m.objects.insert(*kind);
    at = end;
  }
  return m;
}

void put(std::string& out, std::string_view s) {
  out += fmt::format("{}:", s.size()) + std::string(s);
}
std::optional<std::string_view> get(std::string_view in, std::size_t& pos) {
  const auto colon = in.find(':', pos);
  if (colon == std::string_view::npos) return std::nullopt;
  std::size_t n = 0;
  for (std::size_t i = pos; i < colon; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(in[i]))) return std::nullopt;
    n = n * 10 + static_cast<std::size_t>(in[i] - '0');
  }
  if (colon + 1 + n > in.size()) return std::nullopt;
  pos = colon + 1 + n;
  return in.substr(colon + 1, n);
}

/// A field that holds a count, or nullopt (what a damaged cache entry holds: a miss, not an error).
std::optional<std::size_t> count_field(std::optional<std::string_view> field) {
  std::size_t n = 0;
  if (!field || field->empty() ||
      std::from_chars(field->data(), field->data() + field->size(), n).ptr !=
          field->data() + field->size())
    return std::nullopt;
  return n;
}

std::string encode(const OfflineChain& c) {
  std::string out;
  put(out, model::to_binary(c.head));
  put(out, encode(c.managed));
  put(out, std::to_string(c.unaccounted.size()));
  for (const auto& u : c.unaccounted) put(out, u);
  put(out, std::to_string(c.findings.size()));
  for (const auto& f : c.findings)
    for (const auto* field : {f.acknowledged ? "1" : "0", f.loc.c_str(), f.revision.c_str(),
                              f.op.c_str(), f.rule.c_str(), f.reason.c_str()})
      put(out, field);
  return out;
}

/// The chain `in` encodes; without `with_head`, all but its head schema (what an answer from the
/// verdict cache needs: the findings).
std::optional<OfflineChain> decode(std::string_view in, bool with_head = true) {
  OfflineChain c;
  std::size_t pos = 0;
  auto bin = get(in, pos);
  if (!bin) return std::nullopt;
  if (with_head) {
    auto head = model::from_binary(*bin);
    if (!head) return std::nullopt;
    c.head = std::move(*head);
  }
  const auto managed_field = get(in, pos);
  const auto managed = managed_field ? decode_managed(*managed_field) : std::nullopt;
  if (!managed) return std::nullopt;
  c.managed = *managed;
  auto n = count_field(get(in, pos));
  if (!n) return std::nullopt;
  for (auto k = *n; k--;) {
    auto u = get(in, pos);
    if (!u) return std::nullopt;
    c.unaccounted.emplace_back(*u);
  }
  n = count_field(get(in, pos));
  if (!n) return std::nullopt;
  for (auto k = *n; k--;) {
    std::string fields[6];
    for (auto& f : fields) {
      auto v = get(in, pos);
      if (!v) return std::nullopt;
      f = *v;
    }
    c.findings.push_back({fields[0] == "1", fields[1], fields[2], fields[3], fields[4], fields[5]});
  }
  if (pos != in.size()) return std::nullopt;
  return c;
}

} // namespace

namespace {

/// The schemas compared: include_schemas, else those the models name.
std::vector<std::string> compared_schemas(const config::Config& cfg,
                                          const model::Metadata& models) {
  if (!cfg.include_schemas.empty()) return cfg.include_schemas;
  auto s = models.schemas;
  if (std::find(s.begin(), s.end(), "public") == s.end()) s.push_back("public");
  return s;
}

/// The models restricted to what is compared: the compared schemas, minus exclude_tables.
model::Metadata compared_models(const config::Config& cfg, model::Metadata models,
                                const std::vector<std::string>& schemas) {
  auto in = [&](const std::string& s) {
    return std::find(schemas.begin(), schemas.end(), s) != schemas.end();
  };
  std::erase_if(models.tables, [&](const auto& t) {
    return !in(t.schema) || dialect::excluded(cfg.exclude_tables, t.schema, t.name);
  });
  std::erase_if(models.enums, [&](const auto& e) { return !in(e.schema); });
  std::erase_if(models.schemas, [&](const auto& s) { return !in(s); });
  return models;
}

compare::Options compare_options(const config::Config& cfg, const dialect::Dialect& d) {
  compare::Options o;
  o.same_type = [&d](const std::string& a, const std::string& b) { return d.same_type(a, b); };
  o.compare_type = cfg.compare_type;
  o.compare_server_default = cfg.compare_server_default;
  if (cfg.online_ddl.enabled) o.online_batch_size = cfg.online_ddl.batch_size;
  return o;
}

/// `models` with each column's type as `database` has it, where the database has that column
/// (under its name, or the one it is renamed from).
model::Metadata with_types_of(model::Metadata models, const model::Metadata& database) {
  const model::TableIndex tables(database.tables);
  for (auto& t : models.tables) {
    const auto* d = tables.find(t.schema, t.name);
    if (!d && t.renamed_from) d = tables.find(t.schema, *t.renamed_from);
    if (!d) continue;
    for (auto& c : t.columns) {
      const auto* dc = d->find_column(c.name);
      if (!dc && c.renamed_from) dc = d->find_column(*c.renamed_from);
      if (dc) c.type = dc->type;
    }
  }
  return models;
}

/// SQL that changes rows, not the schema: replaying it offline changes nothing.
bool data_only(const std::string& sql) {
  std::string head;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c)) && head.empty()) continue;
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  for (const char* word : {"UPDATE", "INSERT", "DELETE", "SELECT", "COPY", "TRUNCATE", "WITH",
                           "ANALYZE", "VACUUM", "NOTIFY"})
    if (head == word) return true;
  return false;
}

} // namespace

namespace {
/// What the database's routines read, from their bodies as well: the server's pg_depend has
/// nothing for a body held as a string, and a routine that reads a view is dropped before the
/// view (made after it on the way back).
void with_body_references(model::Metadata& database) {
  for (auto& o : database.objects) {
    if (o.kind != model::ObjectKind::function && o.kind != model::ObjectKind::procedure) continue;
    DiagnosticList ignored; // what does not parse says nothing more
    for (const auto& parsed : pgparse::read_objects(o.sql, "(database)", ignored))
      for (const auto& dep : parsed.depends_on)
        if (std::find(o.depends_on.begin(), o.depends_on.end(), dep) == o.depends_on.end())
          o.depends_on.push_back(dep);
  }
}

/// A database with a revision an earlier run left partly applied is in neither revision's state:
/// nothing is compared with it until a run finishes that revision.
void refuse_unfinished(const Project& p, dialect::Session& db) {
  if (const auto i = runtime::read_interrupted(db, p.version_table()))
    throw UserError(fmt::format(
        "error: the {0} of revision {1} is unfinished (an earlier run stopped before statement "
        "{2}), so the database is in neither state: run `schemagen {0}` to finish it first",
        i->upgrade ? "upgrade" : "downgrade", i->revision, i->step + 1));
}
} // namespace


Comparison compare_online(const Project& p, dialect::Session& db,
                          const std::optional<std::vector<std::string>>& at, bool timings) {
  PhaseTimer phase(timings);
  const auto& cfg = p.config();
  refuse_unfinished(p, db);
  if (at) { // the same revisions applied, however the version table's rows spell them
    auto current = runtime::read_heads(db, p.version_table());
    auto wanted = *at;
    std::sort(current.begin(), current.end());
    std::sort(wanted.begin(), wanted.end());
    const auto applied = [&](const std::vector<std::string>& heads) {
      auto v = p.map().applied_set(heads);
      std::sort(v.begin(), v.end());
      return v;
    };
    auto all = p.map().heads();
    std::sort(all.begin(), all.end());
    if (applied(current) != applied(wanted))
      throw UserError(
          wanted == all
              ? fmt::format("error: the database is not at the chain's head (it is at {}; the "
                            "head{} {} {}): run `schemagen upgrade heads` first",
                            where(current), all.size() == 1 ? "" : "s",
                            all.size() == 1 ? "is" : "are", where(all))
              : fmt::format("error: the database is at {}, but the comparison is with the schema "
                            "{} build{}: bring the database there first, or compare with "
                            "--offline",
                            where(current), where(wanted), wanted.size() == 1 ? "s" : ""));
  }
  auto scanned = models_for(cfg, p.dialect());
  const auto schemas = compared_schemas(cfg, scanned);
  const auto models = compared_models(cfg, std::move(scanned), schemas);
  phase("scan");
  auto database = p.dialect().spelled_like(
      db.reflect({schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table}),
      models);
  if (p.dialect().name() == "postgresql") with_body_references(database);
  phase("reflect");
  // with compare_type off, the models are spelled with the database's column types, so that an
  // expression differs by no cast that follows from a type the comparison was told to ignore
  // (a default or check the database's type refuses is normalised with the model's type instead)
  const auto canonical = [&] {
    if (!cfg.compare_type) try {
        return db.normalize(with_types_of(models, database));
      } catch (const DiagnosticsError&) {
      }
    return db.normalize(models);
  }();
  phase("normalize");
  auto options = compare_options(cfg, p.dialect());
  options.needs_using = db.cast_checker(models);
  options.managed = chain_managed(p, at.value_or(std::vector<std::string>{}));
  Comparison c{compare::compare(models, canonical, database, options), {}};
  phase("compare");
  return c;
}

namespace {

/// The revisions `specs` name, or nullopt when none are given.
std::optional<std::vector<std::string>> resolved(const Project& p,
                                                 const std::vector<std::string>& specs) {
  if (specs.empty()) return std::nullopt;
  std::vector<std::string> ids;
  for (const auto& spec : specs)
    for (auto& id : p.map().resolve(spec)) ids.push_back(std::move(id));
  return p.map().heads_after(ids, {}, {}); // the same revision twice, or an ancestor, adds nothing
}

} // namespace

/// The chain's upgrade ops replayed in memory from base to `targets` (revision specs; empty: every
/// head); what replay cannot follow goes to `unaccounted`.
namespace {

/// A statement as a message quotes it: its first line, cut short.
std::string quoted_statement(const std::string& text) {
  auto line = text.substr(0, text.find('\n'));
  if (line.size() > 60) line = line.substr(0, 57) + "...";
  return line;
}

/// The statements of an execute's PostgreSQL SQL, when the parse follows every one of them;
/// else nullopt, with `why` naming the statement it cannot follow.
std::optional<Effect> followed_statements(const std::string& sql, std::string& why) {
  auto script = pgparse::read_script(sql);
  if (script.error && data_only(sql)) return Effect{}; // rows, in SQL newer than the parser
  if (script.error) {
    why = fmt::format("may change the schema in ways replay cannot follow (it does not parse: "
                      "{})",
                      *script.error);
    return std::nullopt;
  }
  Effect out;
  for (auto& st : script.statements) {
    if (!st.followed) {
      why = fmt::format("may change the schema in ways replay cannot follow (what `{}` does, "
                        "only running it tells)",
                        quoted_statement(st.text));
      return std::nullopt;
    }
    if (!st.ops.empty()) out.statements.push_back(std::move(st));
  }
  return out;
}

} // namespace

std::optional<Effect> execute_effect(const Project& p, const ops::Execute& e, std::string& why) {
  if (e.replay) {
    Effect out;
    for (const auto& lo : *e.replay) out.ops.push_back(lo.op);
    return out;
  }
  const std::string dialect(p.dialect().name());
  const auto sql = e.sql.count(dialect) ? e.sql.at(dialect)
                   : e.sql.count("")    ? e.sql.at("")
                                        : "";
  // PostgreSQL's SQL is read with its parser, statement by statement (an UPDATE first says
  // nothing of what follows it): DDL it can follow is replayed as its ops, DML as nothing
  if (dialect == "postgresql") return followed_statements(sql, why);
  if (data_only(sql)) return Effect{};
  why = "may change the schema in ways replay cannot follow";
  return std::nullopt;
}

bool apply_effect(ops::Replay& replay, const Effect& effect, std::string& why) {
  for (const auto& op : effect.ops) replay.apply(op);
  for (const auto& st : effect.statements)
    for (std::size_t i = 0; i < st.ops.size(); ++i) {
      std::string reason;
      const auto when = i < st.when.size() ? st.when[i] : pgparse::Statement::When::always;
      const auto ops = pgparse::on_schema(st.ops[i], when, replay.schema(), reason);
      if (!ops) {
        why = fmt::format("may change the schema in ways replay cannot follow (`{}`: {})",
                          quoted_statement(st.text), reason);
        return false;
      }
      for (const auto& op : *ops) replay.apply(op);
    }
  return true;
}

bool replay_followed(const Project& p, ops::Replay& replay, const ops::Op& op, std::string& why) {
  if (replay.apply(op).exact) return true;
  const auto* e = std::get_if<ops::Execute>(&op);
  if (!e) return true; // what apply() knows of it is all there is
  const auto effect = execute_effect(p, *e, why); // SQL with no replay:
  return effect && apply_effect(replay, *effect, why);
}

namespace {
/// `f(revision, located op)` for each upgrade op from base to `targets` (as replay_chain()), in
/// order.
template <class F>
void each_applied_op(const Project& p, const std::vector<std::string>& targets, F&& f) {
  const auto wanted =
      p.map().applied_set(resolved(p, targets).value_or(std::vector<std::string>{}));
  const std::set<std::string> in(wanted.begin(), wanted.end());
  for (const auto& id : p.map().upgrade_path("heads", {})) {
    if (!targets.empty() && !in.count(id)) continue; // another branch's
    const auto& rev = p.get(id);
    for (const auto& lo : rev.upgrade) f(rev, lo);
  }
}

/// What `op` of `rev` makes managed: nothing for a baseline's, which creates what the database
/// had before the chain (its views and functions are not the models' on that account).
void count_managed(const revision::Revision& rev, const ops::Op& op, compare::Managed& managed) {
  if (!rev.baseline) managed.add(op);
}
} // namespace

compare::Managed chain_managed(const Project& p, const std::vector<std::string>& targets) {
  compare::Managed managed;
  each_applied_op(p, targets, [&](const revision::Revision& rev, const auto& lo) {
    count_managed(rev, lo.op, managed);
  });
  return managed;
}

model::Metadata replay_chain(const Project& p, std::vector<std::string>& unaccounted,
                             const std::vector<std::string>& targets, compare::Managed* managed) {
  model::Metadata head;
  ops::Replay replay(head);
  each_applied_op(p, targets, [&](const revision::Revision& rev, const auto& lo) {
      const auto& id = rev.id;
      if (managed) count_managed(rev, lo.op, *managed);
      try {
        std::string why;
        if (!replay_followed(p, replay, lo.op, why))
          unaccounted.push_back(fmt::format(
              "{}: warning: revision {}: {} {}; say what it does with replay: [ops] (or "
              "replay: [] for nothing)",
              lo.loc.str(), id, ops::describe(lo.op), why));
      } catch (const UserError& e) {
        throw UserError(fmt::format("{}: error: revision {}: the chain cannot be replayed: {}",
                                    lo.loc.str(), id, e.what()));
      }
  });
  model::canonicalize(head);
  return head;
}

namespace {

/// The revision files a project reads, as load_revisions() reads them.
std::vector<fs::path> revision_files(const config::Config& cfg) {
  std::vector<fs::path> files;
  for (const auto& dir : version_dirs(cfg)) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return {};
    std::vector<fs::path> here;
    for (const auto& e : fs::directory_iterator(dir))
      if (e.is_regular_file() && e.path().extension() == ".yaml") here.push_back(e.path());
    // by their text: comparing paths part by part was a tenth of a check at 10,000 revisions
    std::sort(here.begin(), here.end(),
              [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
    files.insert(files.end(), here.begin(), here.end());
  }
  return files;
}

/// The chain's entry in the cache: its OfflineChain encoded, and which entry it was read from.
struct ChainEntry {
  std::string payload;
  std::string identity; // read from the cache (ContentCache::Hit::identity); empty: replayed
  std::optional<OfflineChain> replayed; // what was encoded, when this run replayed it
};

/// The chain replayed to `targets` (empty: every head) and linted, from the cache while no
/// revision file changed (unless `fresh`).
ChainEntry chain_entry(const Global& global, const Project* loaded,
                       const std::vector<std::string>& targets, bool fresh = false) {
  const auto cfg = loaded
                       ? loaded->config()
                       : config::load(config::find(global.config, fs::current_path()), global.name);
  const auto files = revision_files(cfg);
  std::string key = "check-offline\n" + executable_identity() + "\n" +
                    std::string(loaded ? loaded->dialect().name()
                                       : dialect_for(global, cfg).name()) +
                    "\n";
  // the lint's findings depend on it (missing_lock_timeout)
  if (cfg.online_ddl.enabled || global.online_ddl) key += "online_ddl\n";
  for (const auto& t : targets) key += "target " + t + "\n";
  for (const auto& f : files) key += f.string() + "\n";
  ContentCache cache(default_cache_dir(), "chain", key);
  if (!files.empty() && !fresh)
    if (auto hit = cache.lookup()) return {std::move(hit->payload), std::move(hit->identity), {}};
  std::optional<Project> own;
  if (!loaded) own.emplace(Project::load(global));
  const Project& p = loaded ? *loaded : *own;
  OfflineChain c;
  c.head = replay_chain(p, c.unaccounted, targets, &c.managed);
  std::vector<const revision::Revision*> all;
  for (const auto& r : p.revisions()) all.push_back(&r);
  c.findings = findings_of(all, p);
  ChainEntry entry{encode(c), {}, {}};
  cache.store(entry.payload, files);
  entry.replayed = std::move(c);
  return entry;
}

/// The chain the entry holds (replayed again when the cache held what does not decode).
OfflineChain decoded(ChainEntry entry, const Global& global, const Project* loaded,
                     const std::vector<std::string>& targets) {
  if (entry.replayed) return std::move(*entry.replayed);
  if (auto c = decode(entry.payload)) return std::move(*c);
  return std::move(*chain_entry(global, loaded, targets, true).replayed);
}

OfflineChain offline_chain(const Global& global, const Project* loaded,
                           const std::vector<std::string>& targets) {
  return decoded(chain_entry(global, loaded, targets), global, loaded, targets);
}

/// Without a server, PostgreSQL's views and objects are compared by their parse trees (what
/// formatting, comments and the spelling of type names do not change). SQLite compares the
/// texts it keeps.
void parsed_offline(model::Metadata& m, const dialect::Dialect& d) {
  if (d.name() != "postgresql") return;
  for (auto& v : m.views) v.definition = pgparse::canonical(v.sql, v.origin.loc);
  for (auto& o : m.objects) o.definition = pgparse::canonical(o.sql, o.origin.loc);
}

/// `models` compared with `database` (replayed) without a server: canonical forms on both sides,
/// the ops in the models' spelling.
compare::Result compare_without_server(const config::Config& cfg, const dialect::Dialect& d,
                                       model::Metadata models, model::Metadata database,
                                       const compare::Managed& managed, bool whole_schema = false) {
  if (d.name() == "postgresql") // views in order by what they read
    for (auto* m : {&models, &database})
      for (auto& v : m->views)
        if (v.depends_on.empty()) v.depends_on = pgparse::references(v.sql, v.origin.loc);
  auto canonical_db = d.canonical_offline(std::move(database));
  auto canonical_models = d.canonical_offline(models);
  parsed_offline(canonical_db, d);
  parsed_offline(canonical_models, d);
  auto options = compare_options(cfg, d);
  options.needs_using = [&d](const std::string& from, const std::string& to) {
    return d.offline_needs_using(from, to);
  };
  options.whole_schema = whole_schema;
  options.managed = managed;
  return compare::compare(models, canonical_models, canonical_db, options);
}

/// The models (models_for()'s) compared with the schema `chain` builds.
Comparison compare_with_head(const config::Config& cfg, const dialect::Dialect& d,
                             OfflineChain chain, model::Metadata scanned) {
  Comparison out;
  out.unaccounted = std::move(chain.unaccounted);
  const auto schemas = compared_schemas(cfg, scanned);
  auto models = compared_models(cfg, std::move(scanned), schemas);
  // the replayed schema, restricted like a reflection would be
  auto head = d.spelled_like(compared_models(cfg, std::move(chain.head), schemas), models);
  out.result = compare_without_server(cfg, d, std::move(models), std::move(head), chain.managed);
  return out;
}

// -- the verdict cache: an offline check answered without scanning, replaying or comparing --

/// What check prints of a comparison.
struct Verdict {
  std::vector<std::string> operations; // each upgrade op, described
  std::vector<std::string> warnings, unaccounted;
};

Verdict verdict_of(const Comparison& c) {
  Verdict v{{}, c.result.warnings, c.unaccounted};
  for (const auto& op : c.result.upgrade) v.operations.push_back(ops::describe(op));
  return v;
}

std::string encode(const Verdict& v) {
  std::string out;
  for (const auto* list : {&v.operations, &v.warnings, &v.unaccounted}) {
    put(out, std::to_string(list->size()));
    for (const auto& item : *list) put(out, item);
  }
  return out;
}

std::optional<Verdict> decode_verdict(std::string_view in) {
  Verdict v;
  std::size_t pos = 0;
  for (auto* list : {&v.operations, &v.warnings, &v.unaccounted}) {
    const auto n = count_field(get(in, pos));
    if (!n) return std::nullopt;
    for (auto k = *n; k--;) {
      const auto item = get(in, pos);
      if (!item) return std::nullopt;
      list->emplace_back(*item);
    }
  }
  if (pos != in.size()) return std::nullopt;
  return v;
}

/// What of the configuration decides a comparison, beyond the models' scan and the chain (each
/// named by its cache entry): a setting read by models_for(), compared_schemas(),
/// compared_models() or compare_options() must be here. The objects files are named with their
/// size and time as they are before they are read, so that one saved while the run reads it
/// is not taken for what was compared.
std::string comparison_settings(const config::Config& cfg, const Global& global) {
  const bool sqlite_objects = (cfg.dialect && *cfg.dialect == "sqlite") ||
                              cfg.url.starts_with("sqlite:"); // how read_objects() reads them
  std::string out = fmt::format(
      "include_schemas {}\nexclude_tables {}\ncompare_type {}\ncompare_server_default {}\n"
      "online_ddl {} {}\nsqlite_objects {}\n",
      fmt::join(cfg.include_schemas, "\t"), fmt::join(cfg.exclude_tables, "\t"),
      cfg.compare_type, cfg.compare_server_default, cfg.online_ddl.enabled || global.online_ddl,
      cfg.online_ddl.batch_size, sqlite_objects);
  for (const auto& [from, to] : cfg.schema_map) out += "schema_map " + from + "\t" + to + "\n";
  for (const auto& file : config::object_files(cfg)) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    const auto time = fs::last_write_time(file, ec).time_since_epoch().count();
    out += fmt::format("objects {} {} {}\n", file.string(), ec ? 0 : size, ec ? 0 : time);
  }
  return out;
}

struct OfflineCheck {
  std::vector<Finding> findings; // the whole chain's
  Verdict verdict;
};

/// An offline check: the chain replayed and linted, the models scanned, the two compared. When
/// both the chain and the scan come from their caches, the verdict is kept in a cache entry of
/// its own, keyed by exactly those two entries (their files as read: a rewritten one is another)
/// and by the settings and objects files: a run in which neither a revision, a model header, an
/// objects file nor a setting changed reads the findings and the verdict, and nothing else.
OfflineCheck offline_check(const Global& global, const config::Config& cfg,
                           const std::vector<std::string>& targets, PhaseTimer& phase) {
  const auto& d = dialect_for(global, cfg);
  const auto settings = comparison_settings(cfg, global); // before anything is read
  auto chain = chain_entry(global, nullptr, targets);
  phase("replay");
  auto scanned = scan_for(cfg);
  phase("scan");
  std::optional<ContentCache> verdicts;
  if (!chain.identity.empty() && !scanned.cache_entry.empty()) {
    verdicts.emplace(default_cache_dir(), "verdict",
                     fmt::format("check-verdict\n{}\n{}\n{}\n{}\n{}", executable_identity(),
                                 d.name(), chain.identity, scanned.cache_entry, settings));
    if (auto hit = verdicts->lookup())
      if (auto v = decode_verdict(hit->payload))
        if (auto c = decode(chain.payload, false)) {
          phase("compare (the verdict from the cache)");
          return {std::move(c->findings), std::move(*v)};
        }
  }
  auto c = decoded(std::move(chain), global, nullptr, targets);
  auto findings = std::move(c.findings);
  auto models = models_for(cfg, d, std::move(scanned));
  const auto verdict = verdict_of(compare_with_head(cfg, d, std::move(c), std::move(models)));
  if (verdicts) verdicts->store(encode(verdict), {});
  phase("compare");
  return {std::move(findings), verdict};
}

} // namespace

Comparison compare_offline(const Project& p, const std::vector<std::string>& targets) {
  auto chain = offline_chain({}, &p, targets); // the chain's errors before the models'
  return compare_with_head(p.config(), p.dialect(), std::move(chain),
                           models_for(p.config(), p.dialect()));
}

compare::Result compare_replayed(const Project& p, const model::Metadata& from,
                                 const model::Metadata& to) {
  return compare_without_server(p.config(), p.dialect(), to, from, {}, true);
}

void report(const Comparison& c, int verbosity) {
  for (const auto& w : c.result.warnings) std::cerr << "warning: " << w << "\n";
  for (const auto& u : c.unaccounted) std::cerr << u << "\n";
  if (verbosity < 0) return;
  for (const auto& op : c.result.upgrade) std::cerr << "Detected " << ops::describe(op) << "\n";
}

ExitCode diff(const Global& global, const DiffOptions& options) {
  const auto p = Project::load(global);
  Comparison c;
  if (options.offline || !p.has_url()) {
    c = compare_offline(p, options.heads);
  } else {
    auto db = p.connect();
    // what autogenerate would write: against a database at the chain's heads (or --head's)
    c = compare_online(p, *db, resolved(p, options.heads).value_or(p.map().heads()));
  }
  report(c, -1);
  if (options.format == "json") {
    std::vector<std::string> ops;
    for (const auto& op : c.result.upgrade) ops.push_back(ops::describe(op));
    std::cout << fmt::format("{{\"operations\": {}, \"warnings\": {}}}\n", json::list(ops),
                             json::list(c.result.warnings));
    return ExitCode::ok;
  }
  std::cout << "upgrade:" << ops::write_ops(c.result.upgrade)
            << "\ndowngrade:" << ops::write_ops(c.result.downgrade) << "\n";
  return ExitCode::ok;
}

ExitCode check(const Global& global, const DiffOptions& options) {
  const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
  const bool has_url = names_database(global, cfg);
  Verdict v;
  const bool offline = options.offline || !has_url;
  std::vector<Finding> findings; // offline: of the whole chain; online: of what is not applied yet
  std::size_t changed = 0;
  std::vector<std::string> behind; // revisions the database has yet to apply
  if (offline) { // from the caches while nothing changed: a pre-commit hook should not be felt
    PhaseTimer phase(global.verbosity > 0);
    auto checked = offline_check(global, cfg, options.heads, phase);
    findings = std::move(checked.findings);
    v = std::move(checked.verdict);
  } else {
    const auto p = Project::load(global);
    auto db = p.connect();
    refuse_unfinished(p, *db);
    changed = p.checksum_drift(*db, options.format != "json").size();
    const auto at = resolved(p, options.heads);
    std::vector<const revision::Revision*> pending;
    if (!at)
      for (const auto& id :
           p.map().upgrade_path("heads", runtime::read_heads(*db, p.version_table())))
        pending.push_back(&p.get(id));
    findings = findings_of(pending, p);
    if (pending.empty()) {
      v = verdict_of(compare_online(p, *db, at));
    } else { // upgrade comes first; whether the models need a revision too, the chain tells
      for (const auto* r : pending) behind.push_back(r->id);
      auto chain = offline_chain(global, &p, {}); // the chain's errors before the models'
      v = verdict_of(
          compare_with_head(cfg, p.dialect(), std::move(chain), models_for(cfg, p.dialect())));
    }
  }
  // -q: no lint lines (an offline check lints the whole chain, long-applied revisions too)
  const auto unacknowledged =
      print_findings(findings, options.strict, options.format == "json" || global.verbosity < 0);
  // drift: ops to write, or differences no op can express (an enum that lost a value)
  const bool drift = !v.operations.empty() || !v.warnings.empty();
  const bool failed =
      drift || changed > 0 || !behind.empty() || (options.strict && unacknowledged > 0);
  if (options.format == "json") {
    std::vector<std::string> open;
    for (const auto& f : findings)
      if (!f.acknowledged)
        open.push_back(
            fmt::format("{}: revision {}: {} [{}]: {}", f.loc, f.revision, f.op, f.rule, f.reason));
    std::cout << fmt::format("{{\"drift\": {}, \"offline\": {}, \"operations\": {}, \"warnings\": "
                             "{}, \"unaccounted\": {}, \"unacknowledged\": {}, \"behind\": {}}}\n",
                             drift ? "true" : "false", offline ? "true" : "false", json::list(v.operations),
                             json::list(v.warnings), json::list(v.unaccounted),
                             json::list(open), json::list(behind));
    return failed ? ExitCode::drift : ExitCode::ok;
  }
  for (const auto& w : v.warnings) std::cerr << "warning: " << w << "\n";
  for (const auto& u : v.unaccounted) std::cerr << u << "\n";
  if (!behind.empty()) {
    std::cout << fmt::format(
        "The database is behind the revision chain: {} revision{} not applied ({}): run "
        "`schemagen upgrade heads` first.\n",
        behind.size(), behind.size() == 1 ? "" : "s", fmt::join(behind, ", "));
    if (!drift) std::cout << "The models match the schema the revision chain builds.\n";
  }
  if (!drift) {
    if (failed) {
      if (changed)
        std::cout << fmt::format(
            "{} applied revision{} changed since {} ran (see the warnings above).\n", changed,
            changed == 1 ? " was" : "s were", changed == 1 ? "it" : "they");
      if (options.strict && unacknowledged)
        std::cout << fmt::format("{} risky operation{} not acknowledged (--strict).\n",
                                 unacknowledged, unacknowledged == 1 ? "" : "s");
      return ExitCode::drift;
    }
    if (global.verbosity >= 0)
      std::cout << fmt::format("No new upgrade operations detected (compared with {}).\n",
                               offline ? "the schema the revision chain builds" : "the database");
    return ExitCode::ok;
  }
  const char* against =
      offline || !behind.empty() ? "the schema the revision chain builds" : "the database";
  if (v.operations.empty()) {
    std::cout << fmt::format("The models differ from {} in ways no operation can express: write a "
                             "revision by hand (see the warnings above).\n",
                             against);
    return ExitCode::drift;
  }
  std::cout << fmt::format(
      "The models differ from {}: {} operation{} to generate{} "
      "(`schemagen{} revision --autogenerate{} -m ...`):\n",
      against, v.operations.size(), v.operations.size() == 1 ? "" : "s",
      behind.empty() ? "" : " after upgrading",
      cfg.database_name ? " -n " + *cfg.database_name : "", offline ? " --offline" : "");
  // a long list is summarised; -v or `schemagen diff` gives all of it
  constexpr std::size_t shown = 20;
  const auto& ups = v.operations;
  const auto n = global.verbosity > 0 ? ups.size() : std::min(ups.size(), shown);
  for (std::size_t i = 0; i < n; ++i) std::cout << "  " << ups[i] << "\n";
  if (n < ups.size())
    std::cout << fmt::format("  ... and {} more (-v lists them all)\n", ups.size() - n);
  return ExitCode::drift;
}

ExitCode inspect(const Global& global, const InspectOptions& options) {
  if (!options.heads.empty() && !options.offline)
    throw UserError("error: --head names where the chain's schema is read: it needs --offline");
  const auto p = Project::load(global);
  const auto& cfg = p.config();
  model::Metadata m;
  if (options.offline) {
    std::vector<std::string> unaccounted;
    m = replay_chain(p, unaccounted, options.heads);
    for (const auto& u : unaccounted) std::cerr << u << "\n";
    if (options.canonical && p.has_url()) { // the server's spelling, as a reflection would give it
      auto db = p.connect();
      m = db->normalize(m);
    } else if (options.canonical) {
      m = p.dialect().canonical_offline(std::move(m));
    }
  } else {
    auto db = p.connect();
    std::vector<std::string> schemas = cfg.include_schemas;
    if (schemas.empty()) schemas = db->schemas();
    m = db->reflect({schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table});
  }
  std::cout << model::to_yaml(m);
  return ExitCode::ok;
}

/// A baseline: the revision that creates, from nothing, the schema the database has, with its
/// own names. It starts a chain; the database it was read from is stamped when asked.
Comparison compare_baseline(const Project& p, dialect::Session& db) {
  const auto& cfg = p.config();
  if (!p.map().heads().empty())
    throw UserError(fmt::format("error: a baseline is the first revision of a chain, and this "
                                "chain has revisions already (heads: {})",
                                fmt::join(p.map().heads(), ", ")));
  if (const auto heads = runtime::read_heads(db, p.version_table()); !heads.empty())
    throw UserError(fmt::format("error: the database is at revision {} already: a baseline reads "
                                "a database no chain has run on",
                                fmt::join(heads, ", ")));
  // the schemas: the configuration's, else the models', else every schema with user tables
  std::vector<std::string> schemas = cfg.include_schemas;
  if (schemas.empty() && !cfg.models.sources.empty())
    schemas = compared_schemas(cfg, models_for(cfg, p.dialect()));
  if (schemas.empty()) schemas = db.schemas();
  auto database = p.dialect().spelled_like(
      db.reflect({schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table}),
      model::Metadata{});
  // a function whose body reads a table is made after the table
  if (p.dialect().name() == "postgresql") with_body_references(database);
  auto options = compare_options(cfg, p.dialect());
  options.online_batch_size.reset(); // nothing exists yet: nothing to do online
  return {compare::compare(database, database, model::Metadata{}, options), {}};
}

ExitCode autogenerate_revision(const Project& p, const Global& global,
                               const RevisionOptions& options) {
  // compared with the schema the new revision's parents build, not with every head
  // (and what it depends on: its schema is there when the new revision runs)
  auto targets = new_revision_parents(p, options);
  for (const auto& dep : options.depends_on)
    for (auto& id : p.map().resolve(dep)) targets.push_back(std::move(id));
  targets = p.map().heads_after(targets, {}, {}); // an ancestor of another target adds nothing
  Comparison c;
  if (options.baseline) {
    if (options.offline || !p.has_url())
      throw UserError("error: --baseline writes the schema a database has: give its URL");
    auto db = p.connect();
    c = compare_baseline(p, *db);
  } else if (options.offline || !p.has_url()) {
    c = compare_offline(p, targets.empty() ? std::vector<std::string>{"base"} : targets);
  } else {
    auto db = p.connect();
    c = compare_online(p, *db, targets, global.verbosity > 0);
  }
  PhaseTimer phase(global.verbosity > 0);
  report(c, global.verbosity);
  phase("report");
  // said now, not when an upgrade meets it
  std::vector<std::string> refused;
  for (const auto* ops : {&c.result.upgrade, &c.result.downgrade})
    for (const auto& op : *ops)
      if (auto why = p.dialect().unsupported(op))
        refused.push_back(fmt::format("  {}: {}", ops::describe(op), *why));
  if (!refused.empty())
    throw UserError(fmt::format("error: {} cannot carry out what this revision would need; no "
                                "revision written:\n{}",
                                p.dialect().name(), fmt::join(refused, "\n")));
  if (c.result.upgrade.empty() && !options.allow_empty) {
    std::cout << (c.result.warnings.empty()
                      ? "No changes in schema detected.\n"
                      : "No changes schemagen can write (see the warnings above).\n");
    return ExitCode::ok;
  }
  const auto written = write_revision(p, global, options, c.result.upgrade, c.result.downgrade);
  phase("write");
  if (lint_revisions({&written}, p, false, global.verbosity < 0) > 0)
    std::cerr
        << "Review the warnings above; accept them with acknowledge: [rule, ...] in the revision "
           "(`schemagen check --strict` fails until then).\n";
  phase("lint");
  return ExitCode::ok;
}

} // namespace schemagen::driver
