#include "autogenerate.hpp"
#include "schemagen/scan/scan.hpp"
#include "schemagen/support/sql.hpp"

#include "schemagen/config/config.hpp"
#include "schemagen/driver/commands.hpp"
#include "schemagen/model/metadata.hpp"
#include "schemagen/support/cache.hpp"
#include "schemagen/support/files.hpp"

#include <chrono>
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
} // namespace

model::Metadata scan_models(const config::Config& cfg) {
  auto result = run_scan(scan_options(cfg, true), "nothing compared");
  return result.get();
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
  for (auto& v : models.views) {
    v.schema = to(v.schema);
    map_types(v.columns);
    for (auto& dependency : v.depends_on) // "schema.name"
      if (const auto dot = dependency.find('.'); dot != std::string::npos)
        dependency = to(dependency.substr(0, dot)) + dependency.substr(dot);
  }
  model::canonicalize(models);
  return models;
}

} // namespace

model::Metadata models_for(const config::Config& cfg, const dialect::Dialect& d) {
  return d.lower(map_schemas(scan_models(cfg), cfg.schema_map));
}

ExitCode scan(const Global& global, const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
  auto opts = scan_options(cfg, options.use_cache);
  opts.args.insert(opts.args.end(), options.args.begin(), options.args.end());
  auto result = run_scan(opts, "nothing written");
  if (options.output) {
    write_file_atomic(*options.output, result.yaml);
  } else {
    std::cout << result.yaml;
  }
  if (options.depfile) {
    auto deps = result.dependencies;
    deps.push_back(cfg.file);
    write_file_atomic(*options.depfile, depfile_rule(options.output.value_or("-"), deps));
  }
  if (global.verbosity > 0) {
    const auto ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    std::cerr << fmt::format("scanned {} header{} in {:.1f} ms{}\n", opts.sources.size(),
                             opts.sources.size() == 1 ? "" : "s", ms,
                             result.from_cache ? " (from the cache)" : "");
  }
  return ExitCode::ok;
}

} // namespace schemagen::driver
