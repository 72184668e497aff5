#include "schemagen/config/config.hpp"

#include "schemagen/support/diagnostics.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/yaml.hpp"

#include <cstdlib>
#include <fmt/format.h>

namespace schemagen::config {

std::string expand_env(std::string_view text) {
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

class ConfigReader {
public:
  ConfigReader(const fs::path& file) : r_(display_path(file)), dir_(file.parent_path()) {}

  YAML::Node parse(const std::string& text) const { return r_.parse(text); }
  const yaml::Reader& reader() const { return r_; }

  std::string str(const YAML::Node& n, std::string_view what) const {
    try {
      return expand_env(r_.string(n, what));
    } catch (const UserError&) {
      r_.fail(n, fmt::format("{}: unterminated '${{'", what));
    }
  }
  std::vector<std::string> strs(const YAML::Node& n, std::string_view what) const {
    r_.expect_sequence(n, what);
    std::vector<std::string> out;
    for (const auto& item : n) out.push_back(str(item, what));
    return out;
  }
  fs::path path(const YAML::Node& n, std::string_view what) const {
    return (dir_ / str(n, what)).lexically_normal();
  }

  void models(const YAML::Node& n, Models& m) const {
    r_.expect_map(n, "models", {"sources", "compile_commands", "args"});
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

  /// The keys one database may set, at the top level or in its `databases:` entry.
  void database_settings(const YAML::Node& n, Config& c) const {
    if (const auto v = n["script_location"]) c.script_location = path(v, "script_location");
    if (const auto v = n["version_locations"]) {
      c.version_locations.clear();
      for (const auto& item : strs(v, "version_locations"))
        c.version_locations.push_back((dir_ / item).lexically_normal());
    }
    if (const auto v = n["url"]) c.url = str(v, "url");
    if (const auto v = n["models"]) models(v, c.models);
    if (const auto v = n["version_table"]) c.version_table = str(v, "version_table");
    if (const auto v = n["version_table_schema"])
      c.version_table_schema = str(v, "version_table_schema");
    if (const auto v = n["include_schemas"]) c.include_schemas = strs(v, "include_schemas");
    if (const auto v = n["exclude_tables"]) c.exclude_tables = strs(v, "exclude_tables");
  }

private:
  yaml::Reader r_;
  fs::path dir_;
};

} // namespace

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
  r.expect_map(root, "the configuration",
               {"script_location", "template", "file_template", "database", "databases", "models",
                "version_table", "version_table_schema", "include_schemas", "exclude_tables",
                "compare_type", "compare_server_default", "transaction_per_migration",
                "naming_convention", "hooks", "log_level", "url", "version_locations",
                "lock_timeout"});

  cr.database_settings(root, c);
  if (const auto v = root["template"]) {
    c.template_path = cr.path(v, "template");
    c.template_configured = true;
  }
  if (const auto v = root["file_template"]) c.file_template = cr.str(v, "file_template");
  if (const auto db = root["database"]) {
    r.expect_map(db, "database", {"url"});
    if (const auto u = db["url"]) c.url = cr.str(u, "database.url");
  }
  if (const auto v = root["compare_type"]) c.compare_type = r.boolean(v, "compare_type");
  if (const auto v = root["compare_server_default"])
    c.compare_server_default = r.boolean(v, "compare_server_default");
  if (const auto v = root["transaction_per_migration"])
    c.transaction_per_migration = r.boolean(v, "transaction_per_migration");
  if (const auto nc = root["naming_convention"]) {
    r.expect_map(nc, "naming_convention", {"pk", "uq", "fk", "ix", "ck"});
    for (const auto& kv : nc)
      c.naming_convention[kv.first.Scalar()] = cr.str(kv.second, "a naming convention");
  }
  if (const auto h = root["hooks"]) {
    r.expect_map(h, "hooks", {"pre_upgrade", "post_upgrade", "post_write"});
    if (const auto v = h["pre_upgrade"]) c.hooks.pre_upgrade = cr.strs(v, "hooks.pre_upgrade");
    if (const auto v = h["post_upgrade"]) c.hooks.post_upgrade = cr.strs(v, "hooks.post_upgrade");
    if (const auto v = h["post_write"]) c.hooks.post_write = cr.strs(v, "hooks.post_write");
  }
  if (const auto v = root["lock_timeout"]) {
    c.lock_timeout_seconds = static_cast<double>(r.integer(v, "lock_timeout"));
    if (c.lock_timeout_seconds < 0)
      r.fail(v, "lock_timeout must be a number of seconds, 0 or more");
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
    r.expect_map(entry, fmt::format("databases.{}", pick),
                 {"url", "models", "script_location", "version_locations", "version_table",
                  "version_table_schema", "include_schemas", "exclude_tables"});
    if (!root["script_location"] && !entry["script_location"])
      c.script_location = c.dir / "revisions" / pick;
    cr.database_settings(entry, c);
    c.database_name = pick;
  } else if (database) {
    throw UserError(
        SourceLoc{display_path(file)},
        fmt::format("-n {} given, but the configuration has no databases: map", *database));
  }
  return c;
}

} // namespace schemagen::config
