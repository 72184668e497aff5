#include "project.hpp"

#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <sys/wait.h>

namespace schemagen::driver {

Project Project::load(const Global& global) {
  Project p;
  p.global_ = global;
  p.cfg_ = config::load(config::find(global.config, fs::current_path()), global.name);
  if (global.online_ddl) p.cfg_.online_ddl.enabled = true;
  p.revisions_ = revision::load_revisions(p.version_dirs());
  p.map_ = std::make_unique<revision::RevisionMap>(revision::build_map(p.revisions_));
  for (const auto& r : p.revisions_) p.by_id_[r.id] = &r;
  return p;
}

const dialect::Dialect& Project::dialect() const {
  if (!dialect_) dialect_ = &dialect_for(global_, cfg_); // commands that never ask never fail on it
  return *dialect_;
}

std::vector<fs::path> version_dirs(const config::Config& cfg) {
  std::vector<fs::path> dirs = {cfg.script_location};
  for (const auto& d : cfg.version_locations)
    if (d != cfg.script_location) dirs.push_back(d);
  return dirs;
}

std::vector<fs::path> Project::version_dirs() const { return driver::version_dirs(cfg_); }

runtime::VersionTable Project::version_table() const {
  return runtime::VersionTable{cfg_.version_table_schema, cfg_.version_table, &dialect()};
}

dialect::LockRequest Project::lock_request() const {
  std::optional<dialect::LockKind> kind;
  if (cfg_.lock)
    kind = *cfg_.lock == "table" ? dialect::LockKind::table : dialect::LockKind::advisory;
  return version_table().lock_request(
      std::chrono::milliseconds(static_cast<long long>(cfg_.lock_timeout_seconds * 1000)), kind,
      std::chrono::seconds(cfg_.lock_expiry_seconds));
}

std::optional<std::string> url_given(const Global& global) {
  if (global.url) return *global.url;
  if (const char* env = std::getenv("SCHEMAGEN_DATABASE_URL")) return std::string(env);
  return std::nullopt;
}

bool names_database(const Global& global, const config::Config& cfg) {
  return url_given(global) || cfg.url_at;
}

std::string database_url(const Global& global, const config::Config& cfg) {
  if (auto url = url_given(global)) {
    // given but empty is a secret that did not arrive, not a wish to work without a database
    if (url->empty())
      throw UserError(fmt::format("error: {} is empty: give a database URL, or work without a "
                                  "database (--offline, --sql)",
                                  global.url ? "--url" : "$SCHEMAGEN_DATABASE_URL"));
    return *url;
  }
  if (!cfg.url_at)
    throw UserError(fmt::format("{}: error: no database URL: set database.url, "
                                "$SCHEMAGEN_DATABASE_URL or --url (or use --sql for offline SQL)",
                                display_path(cfg.file)));
  const char* instead = "pass --url or $SCHEMAGEN_DATABASE_URL, or work without a database "
                        "(--offline, --sql)";
  if (!cfg.url_unset.empty()) {
    std::vector<std::string> vars;
    for (const auto& v : cfg.url_unset) vars.push_back("$" + v);
    throw UserError(*cfg.url_at,
                    fmt::format("the database URL needs {}, which {} not set: set {}, or {}",
                                fmt::join(vars, ", "), vars.size() == 1 ? "is" : "are",
                                vars.size() == 1 ? "it" : "them", instead));
  }
  if (cfg.url.empty())
    throw UserError(*cfg.url_at,
                    fmt::format("the database URL is empty: give one, or {}", instead));
  return cfg.url;
}

bool Project::has_url() const { return names_database(global_, cfg_); }

std::string Project::url() const { return database_url(global_, cfg_); }

void Project::serve_schema(const std::string& schema) {
  for (auto& rev : revisions_)
    for (auto* ops : {&rev.upgrade, &rev.downgrade})
      for (auto& lo : *ops) ops::move_schema(lo.op, "public", schema);
  cfg_.schema_map["public"] = schema;
  cfg_.version_table_schema = schema;
  std::erase(cfg_.include_schemas, "public");
  cfg_.include_schemas.push_back(schema); // the other tenants are not this one's drift
  tenant_schema_ = schema;
}

std::unique_ptr<dialect::Session> Project::connect() const {
  // a relative path in a URL starts where the URL was written: the configuration's directory,
  // or the working directory for --url and $SCHEMAGEN_DATABASE_URL
  auto db = dialect().connect(url(), url_given(global_) ? fs::current_path() : cfg_.dir);
  if (tenant_schema_) // unqualified SQL (an execute, a view's query) lands in the tenant's schema
    db->execute(fmt::format("SET search_path TO {}, public", sql::quote_ident(*tenant_schema_)));
  if (const auto& old = cfg_.unsuffixed_version_table; !old.empty()) {
    // made by a schemagen that gave every database one schemagen_version: not at base
    const auto vt = version_table();
    if (!db->has_table(vt.schema, vt.table) && db->has_table(vt.schema, old))
      throw UserError(fmt::format(
          "{}: error: database {}: its version table is {} by default now (one per database), "
          "and this database has {} from an earlier schemagen: set `version_table: {}` in its "
          "databases: entry to keep using it",
          display_path(cfg_.file), *cfg_.database_name, vt.table, old, old));
  }
  return db;
}

std::vector<std::string> Project::checksum_drift(dialect::Session& db, bool warn) const {
  auto changed = migrate::changed_since_applied(db, chain(), version_table());
  if (warn)
    for (const auto& id : changed)
      std::cerr << fmt::format(
          "warning: revision {} ({}) was changed after it was applied: its ops no "
          "longer match what ran\n",
          id, display_path(get(id).path));
  return changed;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

void run_hooks(const std::vector<config::Hook>& commands, const char* hook, const fs::path& dir,
               const std::vector<std::pair<std::string, std::string>>& env) {
  for (const auto& [command, shown] : commands) {
    std::string line = "cd " + shell_quote(dir.string()) + " && ";
    for (const auto& [k, v] : env) line += "export " + k + "=" + shell_quote(v) + "; ";
    line += command;
    const int status = std::system(line.c_str());
    const int code = status == -1        ? -1
                     : WIFEXITED(status) ? WEXITSTATUS(status)
                                         : 128 + WTERMSIG(status);
    if (code != 0)
      throw UserError(
          fmt::format("error: {} hook `{}` failed (exit {}); stopped", hook, shown, code));
  }
}

namespace {
std::string comma(const std::vector<std::string>& v) {
  return fmt::format("{}", fmt::join(v, ", "));
}
} // namespace

std::string revision_line(const Project& p, const revision::Revision& rev, const LineOptions& o) {
  const auto& map = p.map();
  std::string text = rev.id;
  // as the graph reads it: a branch begun before a squash goes on from the squash
  const auto& downs = map.contains(rev.id) ? map.record(rev.id).down_revisions : rev.down_revisions;
  const std::string down = downs.empty() ? "<base>" : comma(downs);
  if (o.parents) {
    text = rev.depends_on.empty() ? fmt::format("{} -> {}", down, text)
                                  : fmt::format("{} ({}) -> {}", down, comma(rev.depends_on), text);
  }
  const auto labels = map.labels(rev.id);
  if (o.branches && !labels.empty()) text += fmt::format(" ({})", comma(labels));
  const auto real_heads = map.real_heads();
  const bool real_head =
      std::find(real_heads.begin(), real_heads.end(), rev.id) != real_heads.end();
  if (o.heads || o.tree) {
    if (real_head) text += " (head)";
    if (map.is_head(rev.id) && !real_head) text += " (effective head)";
    if (o.current) text += " (current)";
  }
  if (o.tree) {
    if (map.is_branch_point(rev.id)) text += " (branchpoint)";
    if (map.is_merge_point(rev.id)) text += " (mergepoint)";
    if (!rev.replaces.empty())
      text += fmt::format(" (squash of {})", rev.replaces.size() == 1
                                                 ? rev.replaces.front()
                                                 : rev.replaces.front() + ".." + rev.replaces.back());
  }
  if (o.doc) text += ", " + rev.message.substr(0, rev.message.find('\n'));
  return text;
}

std::string revision_entry(const Project& p, const revision::Revision& rev, bool current) {
  const auto& map = p.map();
  const auto& downs = map.contains(rev.id) ? map.record(rev.id).down_revisions : rev.down_revisions;
  const std::string down = downs.empty() ? "<base>" : comma(downs);
  std::string out =
      fmt::format("Rev: {}{}{}{}{}\n", rev.id, map.is_head(rev.id) ? " (head)" : "",
                  map.is_branch_point(rev.id) ? " (branchpoint)" : "",
                  map.is_merge_point(rev.id) ? " (mergepoint)" : "", current ? " (current)" : "");
  out += fmt::format("{}: {}\n", map.is_merge_point(rev.id) ? "Merges" : "Parent", down);
  if (!rev.depends_on.empty()) out += fmt::format("Also depends on: {}\n", comma(rev.depends_on));
  if (!rev.replaces.empty())
    out += fmt::format("Replaces: {} (a database at any of them goes on through them)\n",
                       comma(rev.replaces));
  if (map.is_branch_point(rev.id))
    out += fmt::format("Branches into: {}\n", comma(map.children(rev.id)));
  const auto labels = map.labels(rev.id);
  if (!labels.empty()) out += fmt::format("Branch names: {}\n", comma(labels));
  out += fmt::format("Path: {}\n\n", display_path(rev.path));
  std::string doc = rev.message + "\n\nRevision ID: " + rev.id +
                    "\nRevises: " + comma(rev.down_revisions) + "\nCreate Date: " + rev.create_date;
  std::size_t start = 0;
  while (start <= doc.size()) {
    auto end = doc.find('\n', start);
    if (end == std::string::npos) end = doc.size();
    const auto line = doc.substr(start, end - start);
    out += line.empty() ? "\n" : "    " + line + "\n";
    start = end + 1;
  }
  return out;
}

} // namespace schemagen::driver
