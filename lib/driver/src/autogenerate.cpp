// revision --autogenerate, diff and check: models compared with the database, or with the schema
// the revision chain builds.

#include "autogenerate.hpp"

#include "schemagen/lint/lint.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/reflect/reflect.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/json.hpp"

#include <chrono>
#include <fmt/format.h>
#include <set>

namespace schemagen::driver {

revision::Revision write_revision(const Project& p, const Global& global, const RevisionOptions& options,
                                  const std::vector<ops::Op>& upgrade, const std::vector<ops::Op>& downgrade);

namespace {

bool acknowledged(const revision::Revision& rev, const std::string& rule) {
  return std::find(rev.acknowledged.begin(), rev.acknowledged.end(), rule) != rev.acknowledged.end() ||
         std::find(rev.acknowledged.begin(), rev.acknowledged.end(), "all") != rev.acknowledged.end();
}

/// Prints the lint's findings for `revs`; returns how many are not acknowledged.
std::size_t lint_revisions(const std::vector<const revision::Revision*>& revs, bool strict, bool quiet) {
  std::size_t open = 0;
  for (const auto* rev : revs)
    for (const auto& f : lint::lint(rev->upgrade)) {
      const bool ok = acknowledged(*rev, f.rule);
      if (!ok) ++open;
      if (quiet || (ok && !strict)) continue;
      std::cerr << fmt::format("{}: {}: revision {}: {} [{}]: {}{}\n", f.loc.str(), ok ? "note" : strict ? "error" : "warning",
                               rev->id, f.op, f.rule, ok ? "acknowledged. " : "", f.reason);
    }
  return open;
}

} // namespace

namespace {

/// The schemas compared: include_schemas, else those the models name.
std::vector<std::string> compared_schemas(const config::Config& cfg, const model::Metadata& models) {
  if (!cfg.include_schemas.empty()) return cfg.include_schemas;
  auto s = models.schemas;
  if (std::find(s.begin(), s.end(), "public") == s.end()) s.push_back("public");
  return s;
}

/// The models restricted to what is compared: the compared schemas, minus exclude_tables.
model::Metadata compared_models(const config::Config& cfg, model::Metadata models,
                                const std::vector<std::string>& schemas) {
  auto in = [&](const std::string& s) { return std::find(schemas.begin(), schemas.end(), s) != schemas.end(); };
  std::erase_if(models.tables, [&](const auto& t) { return !in(t.schema) || reflect::excluded(cfg.exclude_tables, t.schema, t.name); });
  std::erase_if(models.enums, [&](const auto& e) { return !in(e.schema); });
  std::erase_if(models.schemas, [&](const auto& s) { return !in(s); });
  return models;
}

compare::Options compare_options(const config::Config& cfg) {
  compare::Options o;
  o.compare_type = cfg.compare_type;
  o.compare_server_default = cfg.compare_server_default;
  return o;
}

/// SQL that changes rows, not the schema: replaying it offline changes nothing.
bool data_only(const std::string& sql) {
  std::string head;
  for (char c : sql) {
    if (std::isspace(static_cast<unsigned char>(c)) && head.empty()) continue;
    if (!std::isalpha(static_cast<unsigned char>(c))) break;
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  for (const char* word : {"UPDATE", "INSERT", "DELETE", "SELECT", "COPY", "TRUNCATE", "WITH", "ANALYZE", "VACUUM", "NOTIFY"})
    if (head == word) return true;
  return false;
}

} // namespace

Comparison compare_online(const Project& p, pg::Connection& db, bool require_head, bool timings) {
  auto started = std::chrono::steady_clock::now();
  auto phase = [&](const char* name) {
    const auto now = std::chrono::steady_clock::now();
    if (timings)
      std::cerr << fmt::format("{}: {:.1f} ms\n", name, std::chrono::duration<double, std::milli>(now - started).count());
    started = now;
  };
  const auto& cfg = p.config();
  if (require_head) {
    auto current = runtime::read_heads(db, p.version_table());
    auto heads = p.map().heads();
    std::sort(current.begin(), current.end());
    std::sort(heads.begin(), heads.end());
    if (current != heads)
      throw UserError(fmt::format("error: the database is not at the chain's head (it is at {}; the head{} {} {}): "
                                  "run `schemagen upgrade heads` first",
                                  current.empty() ? "base" : fmt::format("{}", fmt::join(current, ", ")),
                                  heads.size() == 1 ? "" : "s", heads.size() == 1 ? "is" : "are",
                                  heads.empty() ? "none" : fmt::format("{}", fmt::join(heads, ", "))));
  }
  const auto scanned = scan_models(cfg);
  const auto schemas = compared_schemas(cfg, scanned);
  const auto models = compared_models(cfg, scanned, schemas);
  phase("scan");
  const auto database = reflect::reflect(db, {schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table});
  phase("reflect");
  const auto canonical = reflect::normalize(db, models);
  phase("normalize");
  auto options = compare_options(cfg);
  options.needs_using = reflect::cast_checker(db);
  Comparison c{compare::compare(models, canonical, database, options), {}};
  phase("compare");
  return c;
}

/// The chain's upgrade ops replayed in memory from base to its heads; what replay cannot follow
/// goes to `unaccounted`.
model::Metadata replay_chain(const Project& p, std::vector<std::string>& unaccounted) {
  model::Metadata head;
  for (const auto& id : p.map().upgrade_path("heads", {})) {
    const auto& rev = p.get(id);
    for (const auto& lo : rev.upgrade) {
      try {
        if (const auto* e = std::get_if<ops::Execute>(&lo.op)) {
          if (e->replay) { // the revision says what the SQL does to the schema
            for (const auto& r : *e->replay) ops::apply(r.op, head);
            continue;
          }
          auto sql = e->sql.count("postgresql") ? e->sql.at("postgresql") : e->sql.count("") ? e->sql.at("") : "";
          if (!data_only(sql))
            unaccounted.push_back(fmt::format("{}: revision {}: {} may change the schema in ways replay cannot "
                                                  "follow; say what it does with replay: [ops] (or replay: [] for "
                                                  "nothing)", lo.loc.str(), id, ops::describe(lo.op)));
          continue;
        }
        ops::apply(lo.op, head);
      } catch (const UserError& e) {
        throw UserError(fmt::format("{}: error: revision {}: the chain cannot be replayed: {}", lo.loc.str(), id, e.what()));
      }
    }
  }
  model::canonicalize(head);
  return head;
}

Comparison compare_offline(const Project& p) {
  const auto& cfg = p.config();
  Comparison out;
  const auto head = replay_chain(p, out.unaccounted);
  const auto scanned = scan_models(cfg);
  const auto schemas = compared_schemas(cfg, scanned);
  auto models = compared_models(cfg, scanned, schemas);
  // the replayed schema, restricted like a reflection would be
  model::Metadata database = compared_models(cfg, head, schemas);
  auto canonical_db = compare::canonical_text(database);
  auto canonical_models = compare::canonical_text(models);
  auto options = compare_options(cfg);
  options.needs_using = compare::textual_needs_using;
  // compare canonical forms on both sides; the ops still carry the models' spelling
  out.result = compare::compare(models, canonical_models, canonical_db, options);
  return out;
}

void report(const Comparison& c, int verbosity) {
  for (const auto& w : c.result.warnings) std::cerr << "warning: " << w << "\n";
  for (const auto& u : c.unaccounted) std::cerr << "warning: " << u << "\n";
  if (verbosity < 0) return;
  for (const auto& op : c.result.upgrade) std::cerr << "Detected " << ops::describe(op) << "\n";
}

ExitCode diff(const Global& global, const DiffOptions& options) {
  const auto p = Project::load(global);
  Comparison c;
  if (options.offline || !p.has_url()) {
    c = compare_offline(p);
  } else {
    auto db = p.connect();
    c = compare_online(p, *db, false);
  }
  report(c, -1);
  if (options.format == "json") {
    std::vector<std::string> ops;
    for (const auto& op : c.result.upgrade) ops.push_back(ops::describe(op));
    std::cout << fmt::format("{{\"operations\": {}, \"warnings\": {}}}\n", json::list(ops), json::list(c.result.warnings));
    return ExitCode::ok;
  }
  std::cout << "upgrade:" << ops::write_ops(c.result.upgrade) << "\ndowngrade:" << ops::write_ops(c.result.downgrade) << "\n";
  return ExitCode::ok;
}

ExitCode check(const Global& global, const DiffOptions& options) {
  const auto p = Project::load(global);
  Comparison c;
  const bool offline = options.offline || !p.has_url();
  std::vector<const revision::Revision*> linted; // offline: the whole chain; online: what is not applied yet
  std::size_t changed = 0;
  if (offline) {
    c = compare_offline(p);
    for (const auto& r : p.revisions()) linted.push_back(&r);
  } else {
    auto db = p.connect();
    changed = p.checksum_drift(*db, options.format != "json").size();
    for (const auto& id : p.map().upgrade_path("heads", runtime::read_heads(*db, p.version_table())))
      linted.push_back(&p.get(id));
    c = compare_online(p, *db, false);
  }
  const auto unacknowledged = lint_revisions(linted, options.strict, options.format == "json");
  const bool drift = !c.result.upgrade.empty();
  const bool failed = drift || (options.strict && (unacknowledged > 0 || changed > 0));
  if (options.format == "json") {
    std::vector<std::string> ops;
    for (const auto& op : c.result.upgrade) ops.push_back(ops::describe(op));
    std::vector<std::string> findings;
    for (const auto* rev : linted)
      for (const auto& f : lint::lint(rev->upgrade))
        if (!acknowledged(*rev, f.rule)) findings.push_back(fmt::format("{}: revision {}: {} [{}]: {}", f.loc.str(), rev->id, f.op, f.rule, f.reason));
    std::cout << fmt::format("{{\"drift\": {}, \"offline\": {}, \"operations\": {}, \"warnings\": {}, \"unaccounted\": {}, "
                             "\"unacknowledged\": {}}}\n",
                             drift ? "true" : "false", offline ? "true" : "false", json::list(ops),
                             json::list(c.result.warnings), json::list(c.unaccounted), json::list(findings));
    return failed ? ExitCode::drift : ExitCode::ok;
  }
  report(c, -1);
  if (!drift) {
    if (failed) {
      std::cout << fmt::format("{} risky operation{} not acknowledged{} (--strict).\n", unacknowledged,
                               unacknowledged == 1 ? "" : "s", changed ? ", and applied revisions were changed" : "");
      return ExitCode::drift;
    }
    if (global.verbosity >= 0) std::cout << "No new upgrade operations detected.\n";
    return ExitCode::ok;
  }
  std::cout << fmt::format("The models differ from {}: {} operation{} to generate "
                           "(`schemagen revision --autogenerate -m ...`):\n",
                           offline ? "the schema the revision chain builds" : "the database", c.result.upgrade.size(),
                           c.result.upgrade.size() == 1 ? "" : "s");
  for (const auto& op : c.result.upgrade) std::cout << "  " << ops::describe(op) << "\n";
  return ExitCode::drift;
}

ExitCode inspect(const Global& global, const InspectOptions& options) {
  const auto p = Project::load(global);
  const auto& cfg = p.config();
  model::Metadata m;
  if (options.offline) {
    std::vector<std::string> unaccounted;
    m = replay_chain(p, unaccounted);
    for (const auto& u : unaccounted) std::cerr << "warning: " << u << "\n";
    if (options.canonical && p.has_url()) { // the server's spelling, as a reflection would give it
      auto db = p.connect();
      m = reflect::normalize(*db, m);
    } else if (options.canonical) {
      m = compare::canonical_text(m);
    }
  } else {
    auto db = p.connect();
    std::vector<std::string> schemas = cfg.include_schemas;
    if (schemas.empty()) {
      auto r = db->exec("SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> "
                        "'information_schema' ORDER BY 1");
      for (int i = 0; i < r.rows(); ++i) schemas.emplace_back(r.get(i, 0));
    }
    m = reflect::reflect(*db, {schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table});
  }
  std::cout << model::to_yaml(m);
  return ExitCode::ok;
}

ExitCode autogenerate_revision(const Project& p, const Global& global, const RevisionOptions& options) {
  Comparison c;
  if (options.offline || !p.has_url()) {
    c = compare_offline(p);
  } else {
    auto db = p.connect();
    c = compare_online(p, *db, true, global.verbosity > 0);
  }
  report(c, global.verbosity);
  if (c.result.upgrade.empty() && !options.allow_empty) {
    std::cout << "No changes in schema detected.\n";
    return ExitCode::ok;
  }
  const auto written = write_revision(p, global, options, c.result.upgrade, c.result.downgrade);
  if (lint_revisions({&written}, false, global.verbosity < 0) > 0)
    std::cerr << "Review the warnings above; accept them with acknowledge: [rule, ...] in the revision "
                 "(`schemagen check --strict` fails until then).\n";
  return ExitCode::ok;
}

} // namespace schemagen::driver
