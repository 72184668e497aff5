#include "schemagen/config/config.hpp"

#include "schemagen/model/naming.hpp"
#include "schemagen/support/diagnostics.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"
#include "schemagen/support/yaml.hpp"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <glob.h>
#include <type_traits>
#include <memory>

namespace schemagen::config {

std::string expand_env(std::string_view text, std::vector<std::string>* unset) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$' || i + 1 >= text.size()) {
      out += text[i];
      continue;
    }
    if (text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out += text[i];
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      throw UserError(fmt::format("unterminated '${{' in \"{}\"", text));
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::optional<std::string_view> fallback;
    if (auto sep = body.find(":-"); sep != std::string_view::npos) {
      fallback = body.substr(sep + 2);
      body = body.substr(0, sep);
    }
    const char* value = std::getenv(std::string(body).c_str());
    if (value && *value)
      out += value;
    else if (fallback)
      out += *fallback;
    else if (unset)
      unset->emplace_back(body);
    i = close;
  }
  return out;
}

fs::path find(const std::optional<fs::path>& explicit_path, const fs::path& start) {
  auto must_exist = [](const fs::path& p, const char* how) {
    if (!fs::is_regular_file(p))
      throw UserError(fmt::format("{}: error: configuration file not found (given by {})",
                                  display_path(p), how));
    return fs::absolute(p);
  };
  if (explicit_path) return must_exist(*explicit_path, "-c/--config");
  if (const char* env = std::getenv("SCHEMAGEN_CONFIG"); env && *env)
    return must_exist(env, "$SCHEMAGEN_CONFIG");
  for (fs::path dir = fs::absolute(start);; dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / file_name)) return dir / file_name;
    if (dir == dir.root_path() || dir.empty()) break;
  }
  throw UserError(
      fmt::format("error: no {} found in {} or above it: run `schemagen init .`, or pass -c FILE",
                  file_name, display_path(start)));
}

namespace {

// The keys each map of schemagen.yaml may hold; keys() lists them all.
using Keys = std::initializer_list<std::string_view>;
const Keys top_level_keys = {"script_location",
                             "template",
                             "file_template",
                             "database",
                             "databases",
                             "models",
                             "objects",
                             "version_table",
                             "version_table_schema",
                             "include_schemas",
                             "exclude_tables",
                             "compare_type",
                             "compare_server_default",
                             "transaction_per_migration",
                             "naming_convention",
                             "hooks",
                             "log_level",
                             "url",
                             "version_locations",
                             "lock_timeout",
                             "online_ddl",
                             "dialect",
                             "schema_map",
                             "fleet",
                             "lock",
                             "lock_expiry"};
const Keys database_keys = {"url"};
const Keys databases_entry_keys = {"url",
                                   "dialect",
                                   "schema_map",
                                   "models",
                                   "objects",
                                   "script_location",
                                   "version_locations",
                                   "version_table",
                                   "version_table_schema",
                                   "include_schemas",
                                   "exclude_tables",
                                   "online_ddl",
                                   "fleet",
                                   "lock",
                                   "lock_expiry"};
const Keys models_keys = {"sources", "compile_commands", "args"};
const Keys naming_convention_keys = {"pk", "uq", "fk", "ix", "ck"};
const Keys hooks_keys = {"pre_upgrade", "post_upgrade", "post_write"};
const Keys online_ddl_keys = {"enabled", "lock_timeout_ms", "statement_timeout_ms", "lock_retries",
                               "batch_size"};
const Keys fleet_keys = {"urls", "file", "query", "schemas", "jobs"};

class ConfigReader {
public:
  ConfigReader(const fs::path& file) : r_(display_path(file)), dir_(file.parent_path()) {}

  yaml::Node parse(const std::string& text) const { return r_.parse(text); }
  const yaml::Reader& reader() const { return r_; }

  std::string str(const yaml::Node& n, std::string_view what,
                  std::vector<std::string>* unset = nullptr) const {
    const auto text = r_.string(n, what);
    try {
      return expand_env(text, unset);
    } catch (const UserError&) {
      r_.fail(n, fmt::format("{}: unterminated '${{'", what));
    }
  }
  std::vector<std::string> strs(const yaml::Node& n, std::string_view what) const {
    r_.expect_sequence(n, what);
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(str(item, what));
    return out;
  }
  std::vector<Hook> hooks(const yaml::Node& n, std::string_view what) const {
    r_.expect_sequence(n, what);
    std::vector<Hook> out;
    for (const auto& item : n)
      out.push_back({str(item, what), sql::redact_text(r_.string(item, what))});
    return out;
  }
  fs::path path(const yaml::Node& n, std::string_view what) const {
    return (dir_ / str(n, what)).lexically_normal();
  }

  void models(const yaml::Node& n, Models& m) const {
    r_.expect_map(n, "models", models_keys);
    if (const auto s = n["sources"]) {
      m.sources.clear();
      const auto items = s.IsScalar() ? std::vector<std::string>{str(s, "models.sources")}
                                      : strs(s, "models.sources");
      for (const auto& item : items) m.sources.push_back((dir_ / item).lexically_normal());
      if (m.sources.empty()) r_.fail(s, "models.sources names no header");
    }
    if (const auto c = n["compile_commands"])
      m.compile_commands = path(c, "models.compile_commands");
    if (const auto a = n["args"]) m.args = strs(a, "models.args");
  }

  void objects(const yaml::Node& n, std::vector<ObjectsPattern>& out) const {
    out.clear();
    if (n.IsScalar()) {
      out.push_back(pattern(n));
      return;
    }
    r_.expect_sequence(n, "objects");
    for (const auto& item : n) out.push_back(pattern(item));
  }
  ObjectsPattern pattern(const yaml::Node& n) const {
    auto p = str(n, "objects");
    if (p.empty()) r_.fail(n, "objects: a pattern cannot be empty");
    auto absolute = (dir_ / p).lexically_normal();
    return {std::move(p), std::move(absolute), r_.loc(n)};
  }

  /// The database URL of `map`, if it has one. Null or "" names one that is empty; only
  /// ${VAR:-} defaults that leave it empty name none.
  void url(const yaml::Node& map, std::string_view what, Config& c) const {
    for (const auto& kv : map) {
      if (kv.first.Scalar() != "url") continue;
      const auto& n = kv.second;
      c.url_unset.clear();
      c.url = n.IsNull() ? "" : str(n, what, &c.url_unset);
      if (c.url.empty() && c.url_unset.empty() && !n.IsNull() && !n.Scalar().empty())
        c.url_at.reset();
      else
        c.url_at = r_.loc(n.IsNull() ? kv.first : n);
    }
  }

  /// The keys one database may set, at the top level or in its `databases:` entry.
  /// `online_ddl: true`, or a map of its settings (enabled: true by being there).
  void online_ddl(const yaml::Node& v, OnlineDdl& o) const {
    if (v.IsScalar()) {
      o.enabled = r_.boolean(v, "online_ddl");
      return;
    }
    r_.expect_map(v, "online_ddl", online_ddl_keys);
    o.enabled = !v["enabled"] || r_.boolean(v["enabled"], "online_ddl.enabled");
    auto number = [&](const char* key, long long low, long long high, auto& into) {
      if (const auto n = v[key]) {
        const auto x = r_.integer(n, fmt::format("online_ddl.{}", key));
        if (x < low || x > high)
          r_.fail(n, fmt::format("online_ddl.{} must be a whole number from {} to {}", key, low,
                                 high));
        into = static_cast<std::remove_reference_t<decltype(into)>>(x);
      }
    };
    number("lock_timeout_ms", 1, max_lock_timeout_seconds * 1000, o.lock_timeout_ms);
    number("statement_timeout_ms", 0, max_lock_timeout_seconds * 1000, o.statement_timeout_ms);
    number("lock_retries", 0, 100, o.lock_retries);
    number("batch_size", 1, 100'000'000, o.batch_size);
  }

  /// `fleet:` — where its databases come from (one of urls, file, query), and how many at once.
  void fleet(const yaml::Node& v, Fleet& f) const {
    r_.expect_map(v, "fleet", fleet_keys);
    f = Fleet{};
    f.at = r_.loc(v);
    int sources = 0;
    if (const auto n = v["urls"]) {
      f.urls = strs(n, "fleet.urls");
      ++sources;
    }
    if (const auto n = v["file"]) {
      f.file = path(n, "fleet.file");
      ++sources;
    }
    if (const auto n = v["query"]) {
      f.query = str(n, "fleet.query");
      if (f.query.empty()) r_.fail(n, "fleet.query is empty");
      ++sources;
    }
    if (sources != 1)
      r_.fail(v, "fleet: takes exactly one of urls (a list), file (one per line) and query (SQL "
                 "run on the configured database)");
    if (const auto n = v["schemas"]) f.schemas = r_.boolean(n, "fleet.schemas");
    if (const auto n = v["jobs"]) {
      const auto jobs = r_.integer(n, "fleet.jobs");
      if (jobs < 1 || jobs > 256) r_.fail(n, "fleet.jobs must be a whole number from 1 to 256");
      f.jobs = static_cast<int>(jobs);
    }
  }

  void database_settings(const yaml::Node& n, Config& c) const {
    if (const auto v = n["script_location"]) c.script_location = path(v, "script_location");
    if (const auto v = n["version_locations"]) {
      c.version_locations.clear();
      for (const auto& item : strs(v, "version_locations"))
        c.version_locations.push_back((dir_ / item).lexically_normal());
    }
    url(n, "url", c);
    if (const auto v = n["models"]) models(v, c.models);
    if (const auto v = n["objects"]) objects(v, c.objects);
    if (const auto v = n["version_table"]) c.version_table = str(v, "version_table");
    if (const auto v = n["version_table_schema"])
      c.version_table_schema = str(v, "version_table_schema");
    if (const auto v = n["include_schemas"]) c.include_schemas = strs(v, "include_schemas");
    if (const auto v = n["exclude_tables"]) c.exclude_tables = strs(v, "exclude_tables");
    if (const auto v = n["dialect"]) {
      c.dialect = str(v, "dialect");
      c.dialect_at = r_.loc(v);
    }
    if (const auto v = n["online_ddl"]) online_ddl(v, c.online_ddl);
    if (const auto v = n["fleet"]) fleet(v, c.fleet);
    if (const auto v = n["lock"]) {
      c.lock = str(v, "lock");
      if (c.lock != "advisory" && c.lock != "table")
        r_.fail(v, "lock must be advisory or table (a row in a lock table, for engines whose "
                   "advisory locks lock nothing)");
    }
    if (const auto v = n["lock_expiry"]) {
      c.lock_expiry_seconds = r_.integer(v, "lock_expiry");
      // renewed every third of it: a second is the least that leaves a heartbeat room
      if (c.lock_expiry_seconds < 1 || c.lock_expiry_seconds > 86400)
        r_.fail(v, "lock_expiry must be a number of seconds from 1 to 86400");
    }
    if (const auto v = n["schema_map"]) {
      if (!v.IsMap()) r_.fail(v, "schema_map must map a schema the models name to the one it is "
                                 "kept in (auth: main)");
      c.schema_map.clear();
      for (const auto& kv : v) {
        const auto to = str(kv.second, "schema_map");
        if (kv.first.Scalar().empty() || to.empty())
          r_.fail(kv.second, "schema_map: a schema's name cannot be empty");
        c.schema_map[kv.first.Scalar()] = to;
      }
    }
  }

private:
  yaml::Reader r_;
  fs::path dir_;
};

} // namespace

std::vector<std::string> keys() {
  std::vector<std::string> out;
  auto add = [&](std::string_view prefix, Keys keys) {
    for (auto key : keys) out.push_back(fmt::format("{}{}", prefix, key));
  };
  add("", top_level_keys);
  add("database.", database_keys);
  add("databases.NAME.", databases_entry_keys);
  add("models.", models_keys);
  add("naming_convention.", naming_convention_keys);
  add("hooks.", hooks_keys);
  add("online_ddl.", online_ddl_keys);
  add("fleet.", fleet_keys);
  return out;
}

Config load(const fs::path& file_in, const std::optional<std::string>& database) {
  const fs::path file = fs::absolute(file_in).lexically_normal();
  ConfigReader cr(file);
  const auto& r = cr.reader();
  const auto root = cr.parse(read_file(file));
  Config c;
  c.file = file;
  c.dir = file.parent_path();
  c.script_location = c.dir / "revisions";
  c.template_path = c.dir / "templates/revision.yaml.mustache";
  if (root.IsNull()) r.fail(root, "the configuration is empty");
  r.expect_map(root, "the configuration", top_level_keys);

  cr.database_settings(root, c);
  if (const auto v = root["template"]) {
    c.template_path = cr.path(v, "template");
    c.template_configured = true;
  }
  if (const auto v = root["file_template"]) c.file_template = cr.str(v, "file_template");
  if (const auto db = root["database"]) {
    r.expect_map(db, "database", database_keys);
    cr.url(db, "database.url", c);
  }
  if (const auto v = root["compare_type"]) c.compare_type = r.boolean(v, "compare_type");
  if (const auto v = root["compare_server_default"])
    c.compare_server_default = r.boolean(v, "compare_server_default");
  if (const auto v = root["transaction_per_migration"])
    c.transaction_per_migration = r.boolean(v, "transaction_per_migration");
  if (const auto nc = root["naming_convention"]) {
    r.expect_map(nc, "naming_convention", naming_convention_keys);
    for (const auto& kv : nc) {
      const auto pattern = cr.str(kv.second, "a naming convention");
      if (auto problem = model::convention_problem(kv.first.Scalar(), pattern); !problem.empty())
        r.fail(kv.second, problem);
      c.naming_convention[kv.first.Scalar()] = pattern;
    }
  }
  if (const auto h = root["hooks"]) {
    r.expect_map(h, "hooks", hooks_keys);
    if (const auto v = h["pre_upgrade"]) c.hooks.pre_upgrade = cr.hooks(v, "hooks.pre_upgrade");
    if (const auto v = h["post_upgrade"]) c.hooks.post_upgrade = cr.hooks(v, "hooks.post_upgrade");
    if (const auto v = h["post_write"]) c.hooks.post_write = cr.hooks(v, "hooks.post_write");
  }
  if (const auto v = root["lock_timeout"]) {
    const auto seconds = r.integer(v, "lock_timeout");
    if (seconds < 0 || seconds > max_lock_timeout_seconds)
      r.fail(v, fmt::format("lock_timeout must be a number of seconds from 0 to {} (about {} "
                            "days)",
                            max_lock_timeout_seconds, max_lock_timeout_seconds / 86400));
    c.lock_timeout_seconds = static_cast<double>(seconds);
  }
  if (const auto v = root["log_level"]) {
    c.log_level = cr.str(v, "log_level");
    if (c.log_level != "debug" && c.log_level != "info" && c.log_level != "warning" &&
        c.log_level != "error")
      r.fail(v, "log_level must be debug, info, warning or error");
  }

  if (const auto dbs = root["databases"]) {
    if (!dbs.IsMap() || dbs.size() == 0) r.fail(dbs, "databases must be a map of name to settings");
    for (const auto& kv : dbs) {
      if (!kv.first.IsScalar() || kv.first.Scalar().empty())
        r.fail(kv.first, "a database's name must be a non-empty string");
      c.database_names.push_back(kv.first.Scalar());
    }
    std::string pick;
    if (database) {
      if (!dbs[*database])
        throw UserError(SourceLoc{display_path(file)},
                        fmt::format("no database named '{}' (databases: {})", *database,
                                    fmt::join(c.database_names, ", ")));
      pick = *database;
    } else if (c.database_names.size() == 1) {
      pick = c.database_names.front();
    } else {
      throw UserError(SourceLoc{display_path(file)},
                      fmt::format("several databases are configured ({}): pick one with -n NAME",
                                  fmt::join(c.database_names, ", ")));
    }
    const auto entry = dbs[pick];
    r.expect_map(entry, fmt::format("databases.{}", pick), databases_entry_keys);
    if (!root["script_location"] && !entry["script_location"])
      c.script_location = c.dir / "revisions" / pick;
    // each database its own version table, even when two names reach the same database
    c.unsuffixed_version_table = c.version_table;
    c.version_table += "_" + pick;
    cr.database_settings(entry, c);
    if (entry["version_table"]) c.unsuffixed_version_table.clear(); // the entry says which
    c.database_name = pick;
  } else if (database) {
    throw UserError(
        SourceLoc{display_path(file)},
        fmt::format("-n {} given, but the configuration has no databases: map", *database));
  }
  return c;
}

std::vector<fs::path> object_files(const Config& config) {
  std::vector<fs::path> files;
  for (const auto& p : config.objects) {
    glob_t matches{};
    // GLOB_ERR is left out: an unreadable directory is a pattern that matches nothing, named below
    const int rc = ::glob(p.absolute.c_str(), 0, nullptr, &matches);
    const std::unique_ptr<glob_t, void (*)(glob_t*)> owner(&matches, ::globfree);
    std::size_t found = 0;
    if (rc == 0)
      for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
        const fs::path file = matches.gl_pathv[i];
        if (!fs::is_regular_file(file)) continue; // a directory a * reaches
        ++found;
        if (std::find(files.begin(), files.end(), file) == files.end()) files.push_back(file);
      }
    if (!found)
      throw UserError(p.at, fmt::format("objects: '{}' matches no file (looked for {})", p.pattern,
                                        display_path(p.absolute)));
  }
  return files;
}

std::vector<std::string> database_names(const fs::path& file) {
  const auto root = ConfigReader(file).parse(read_file(file));
  std::vector<std::string> names;
  if (const auto dbs = root.IsMap() ? root["databases"] : yaml::Node(); dbs && dbs.IsMap())
    for (const auto& kv : dbs) names.push_back(kv.first.Scalar());
  return names;
}

} // namespace schemagen::config
