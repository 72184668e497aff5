#include "autogenerate.hpp"
#include "schemagen/scan/scan.hpp"
#include "schemagen/support/sql.hpp"

#include "schemagen/config/config.hpp"
#include "schemagen/driver/commands.hpp"
#include "schemagen/model/metadata.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/pgparse/pgparse.hpp"
#include "schemagen/sqlite/sqlite.hpp"
#include "schemagen/support/cache.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <iostream>

namespace schemagen::driver {

namespace {
scan::Options scan_options(const config::Config& cfg, bool use_cache) {
  scan::Options opts;
  opts.sources = cfg.models.sources;
  opts.args = cfg.models.args;
  opts.working_dir = cfg.dir; // -Iinclude in models.args means include/ beside schemagen.yaml
  opts.compile_commands = cfg.models.compile_commands;
  opts.naming = cfg.naming_convention;
  if (use_cache) opts.cache_dir = default_cache_dir();
  if (const char* jobs = std::getenv("SCHEMAGEN_SCAN_JOBS"); jobs && *jobs) {
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(jobs, jobs + std::strlen(jobs), n);
    if (ec != std::errc() || *end || n == 0)
      throw UserError(fmt::format("error: SCHEMAGEN_SCAN_JOBS is '{}': it must be a whole number "
                                  "from 1 (1: the headers as one translation unit)",
                                  jobs));
    opts.jobs = n;
  }
  return opts;
}

scan::Result run_scan(const scan::Options& opts, const char* consequence) {
  auto result = scan::scan(opts);
  for (const auto& d : result.diagnostics.items()) std::cerr << d.str() << '\n';
  if (!result.ok()) {
    const auto n = result.diagnostics.error_count();
    throw UserError(
        fmt::format("error: {} error{} in the models; {}", n, n == 1 ? "" : "s", consequence));
  }
  return result;
}

/// The objects the configuration's `objects:` files declare, in the files' order. Every mistake
/// in every file is printed before the run stops, as the scan does; so is an object declared
/// twice (the second could only replace the first, silently).
std::vector<model::DbObject> read_objects(const config::Config& cfg, const char* consequence) {
  DiagnosticList diags;
  std::vector<model::DbObject> objects;
  // a SQLite database's files are SQLite's SQL (a trigger's BEGIN ... END), others PostgreSQL's
  const bool sqlite = (cfg.dialect && *cfg.dialect == "sqlite") || cfg.url.starts_with("sqlite:");
  for (const auto& file : config::object_files(cfg)) {
    const auto text = read_file(file);
    for (auto& o : sqlite ? sqlite::read_triggers(text, display_path(file), diags)
                          : pgparse::read_objects(text, display_path(file), diags)) {
      const auto same = std::find_if(objects.begin(), objects.end(), [&](const auto& x) {
        return x.kind == o.kind && x.schema == o.schema && x.name == o.name && x.target == o.target;
      });
      if (same != objects.end()) {
        diags.error(o.origin.loc, fmt::format("{} is declared twice", o.describe()));
        diags.note(same->origin.loc, "declared first here");
        continue;
      }
      objects.push_back(std::move(o));
    }
  }
  for (const auto& d : diags.items()) std::cerr << d.str() << '\n';
  if (const auto n = diags.error_count())
    throw UserError(
        fmt::format("error: {} error{} in the objects; {}", n, n == 1 ? "" : "s", consequence));
  pgparse::merge_grants(objects);
  return objects;
}

/// The scanned models with the configuration's objects joined in.
model::Metadata with_objects(model::Metadata models, std::vector<model::DbObject> objects) {
  if (objects.empty()) return models;
  models.objects.insert(models.objects.end(), std::make_move_iterator(objects.begin()),
                        std::make_move_iterator(objects.end()));
  model::canonicalize(models);
  return models;
}
} // namespace

model::Metadata scan_models(const config::Config& cfg) {
  auto objects = read_objects(cfg, "nothing compared"); // quick, and its errors are the user's
  auto result = run_scan(scan_options(cfg, true), "nothing compared");
  return with_objects(std::move(result).take(), std::move(objects));
}

namespace {

/// `models` with every schema `map` names moved to the schema it maps to: tables, the tables
/// foreign keys refer to, views and what they depend on, enums, and the enum types columns name.
/// A view's query is SQL text and is not rewritten.
model::Metadata map_schemas(model::Metadata models, const std::map<std::string, std::string>& map) {
  if (map.empty()) return models;
  auto to = [&](const std::string& schema) {
    const auto it = map.find(schema);
    return it == map.end() ? schema : it->second;
  };
  std::map<std::string, std::string> types; // an enum's type as columns spell it, before → after
  for (auto& e : models.enums) {
    const auto moved = to(e.schema);
    types[sql::type_name(e.schema, e.name)] = sql::type_name(moved, e.name);
    e.schema = moved;
  }
  auto map_types = [&](std::vector<model::Column>& columns) {
    for (auto& c : columns) {
      const bool array = c.type.ends_with("[]");
      const auto base = array ? c.type.substr(0, c.type.size() - 2) : c.type;
      if (const auto it = types.find(base); it != types.end())
        c.type = it->second + (array ? "[]" : "");
    }
  };
  for (auto& t : models.tables) {
    t.schema = to(t.schema);
    for (auto& fk : t.foreign_keys) fk.referred_schema = to(fk.referred_schema);
    map_types(t.columns);
  }
  auto map_qualified = [&](std::string& name) { // "schema.name"
    if (const auto dot = name.find('.'); dot != std::string::npos)
      name = to(name.substr(0, dot)) + name.substr(dot);
  };
  for (auto& v : models.views) {
    v.schema = to(v.schema);
    map_types(v.columns);
    for (auto& dependency : v.depends_on) map_qualified(dependency);
  }
  // objects: their schema, a trigger's or policy's table (what SQLite's lowering checks), what
  // they depend on; their SQL is text and is not rewritten
  for (auto& o : models.objects) {
    if (!o.schema.empty()) o.schema = to(o.schema);
    if (o.kind == model::ObjectKind::trigger || o.kind == model::ObjectKind::policy)
      map_qualified(o.target);
    for (auto& dependency : o.depends_on) map_qualified(dependency);
  }
  model::canonicalize(models);
  return models;
}

} // namespace

model::Metadata models_for(const config::Config& cfg, const dialect::Dialect& d) {
  return d.lower(map_schemas(scan_models(cfg), cfg.schema_map));
}

scan::Result scan_for(const config::Config& cfg) {
  return run_scan(scan_options(cfg, true), "nothing compared");
}

model::Metadata models_for(const config::Config& cfg, const dialect::Dialect& d,
                           scan::Result scanned) {
  auto objects = read_objects(cfg, "nothing compared");
  return d.lower(map_schemas(with_objects(std::move(scanned).take(), std::move(objects)),
                             cfg.schema_map));
}

ExitCode scan(const Global& global, const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
  auto opts = scan_options(cfg, options.use_cache);
  opts.args.insert(opts.args.end(), options.args.begin(), options.args.end());
  auto objects = read_objects(cfg, "nothing written");
  auto result = run_scan(opts, "nothing written");
  if (!objects.empty()) result.yaml = model::to_yaml(with_objects(result.get(), objects));
  if (options.output) {
    write_file_atomic(*options.output, result.yaml);
  } else {
    std::cout << result.yaml;
  }
  if (options.depfile) {
    auto deps = result.dependencies;
    deps.push_back(cfg.file);
    for (const auto& file : config::object_files(cfg)) deps.push_back(file);
    write_file_atomic(*options.depfile, depfile_rule(options.output.value_or("-"), deps));
  }
  if (global.verbosity > 0) {
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::cerr << fmt::format("scanned {} header{} in {:.1f} ms{}\n", opts.sources.size(),
                             opts.sources.size() == 1 ? "" : "s", ms,
                             result.from_cache ? " (from the cache)"
                             : result.parts > 1
                                 ? fmt::format(" ({} translation units in parallel)", result.parts)
                                 : "");
  }
  return ExitCode::ok;
}

} // namespace schemagen::driver
