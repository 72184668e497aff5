// history, heads, branches, show: where the chain stands. No database needed, except for
// history's "current" and --indicate-current, and is_current in JSON (read when a URL is set).

#include "picture.hpp"
#include "project.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/json.hpp"

#include <fmt/format.h>

namespace schemagen::driver {

namespace {

/// `current`: the database's heads; none when it was not asked (is_current is then null).
std::string json_revision(const Project& p, const revision::Revision& rev,
                          const std::optional<std::vector<std::string>>& current) {
  const auto& map = p.map();
  const std::string is_current =
      !current                                                                ? "null"
      : std::find(current->begin(), current->end(), rev.id) != current->end() ? "true"
                                                                              : "false";
  return fmt::format(
      "{{\"revision\": {}, \"down_revisions\": {}, \"depends_on\": {}, \"branch_labels\": {}, "
      "\"message\": {}, \"create_date\": {}, \"path\": {}, \"is_head\": {}, "
      "\"is_branch_point\": {}, \"is_merge_point\": {}, \"replaces\": {}, \"is_current\": {}}}",
      json::str(rev.id), json::list(map.record(rev.id).down_revisions),
      json::list(map.record(rev.id).depends_on),
      json::list(map.labels(rev.id)), json::str(rev.message), json::str(rev.create_date),
      json::str(display_path(rev.path)), map.is_head(rev.id) ? "true" : "false",
      map.is_branch_point(rev.id) ? "true" : "false", map.is_merge_point(rev.id) ? "true" : "false",
      json::list(rev.replaces), is_current);
}

void print_json_list(const Project& p, const std::vector<std::string>& ids,
                     const std::optional<std::vector<std::string>>& current) {
  std::cout << "[";
  for (std::size_t i = 0; i < ids.size(); ++i)
    std::cout << (i ? ",\n " : "") << json_revision(p, p.get(ids[i]), current);
  std::cout << "]\n";
}

/// The database's heads for JSON's is_current and the graph's mark, when a URL is configured and
/// the database answers; otherwise none (is_current is null, not a guess; nothing is marked), and
/// a warning says why, `lacking` being what the output then lacks.
std::optional<std::vector<std::string>> current_if_reachable(const Project& p, const Global& global,
                                                             const char* lacking) {
  if (!p.has_url()) return std::nullopt;
  try {
    auto db = p.connect();
    return runtime::read_heads(*db, p.version_table());
  } catch (const DatabaseError& e) {
    if (global.verbosity >= 0)
      std::cerr << "warning: " << lacking << ": the database was not read\n" << e.what() << "\n";
    return std::nullopt;
  }
}

} // namespace

ExitCode history(const Global& global, const HistoryOptions& options) {
  const bool picture_format_given = options.format != "text" && options.format != "json";
  if (picture_format_given && !options.graph)
    throw UserError(
        fmt::format("error: history --format {} is a picture's: add --graph", options.format));
  if (options.output && !options.graph)
    throw UserError("error: history -o writes the picture of --graph: add --graph");
  if (options.graph && options.format == "json")
    throw UserError("error: history --graph draws: its --format is dot, mmd, svg or png");
  const auto format = options.graph ? picture_format("history --graph", options.output,
                                                     picture_format_given ? options.format : "")
                                    : PictureFormat::dot;
  const auto p = Project::load(global);
  std::string lower = "base", upper = "heads";
  if (!options.range.empty()) {
    const auto colon = options.range.find(':');
    if (colon == std::string::npos)
      throw UserError("error: a history range is [start]:[end], [start]: or :[end]");
    if (colon > 0) lower = options.range.substr(0, colon);
    if (colon + 1 < options.range.size()) upper = options.range.substr(colon + 1);
  }
  std::optional<std::vector<std::string>> asked;
  if (options.indicate_current || lower == "current" || upper == "current") {
    auto db = p.connect();
    asked = runtime::read_heads(*db, p.version_table());
  } else if (options.graph) {
    asked = current_if_reachable(p, global, "the current revision is not marked");
  } else if (options.format == "json") {
    asked = current_if_reachable(p, global, "is_current is null");
  }
  const auto current = asked.value_or(std::vector<std::string>{});
  auto as_spec = [&](const std::string& s) -> std::string {
    if (s != "current") return s;
    if (current.empty()) return "base";
    if (current.size() > 1)
      throw UserError("error: 'current' names several heads: give a revision instead");
    return current.front();
  };
  const auto ids = p.map().range(as_spec(lower), as_spec(upper));
  if (options.graph) {
    write_picture(revision_graph(p, ids, current), format, options.output);
    return ExitCode::ok;
  }
  if (options.format == "json") {
    print_json_list(p, ids, asked);
    return ExitCode::ok;
  }
  for (const auto& id : ids) {
    const bool cur = std::find(current.begin(), current.end(), id) != current.end();
    const auto& rev = p.get(id);
    if (options.verbose)
      std::cout << revision_entry(p, rev, cur && options.indicate_current) << "\n";
    else
      std::cout << revision_line(p, rev,
                                 {.branches = true,
                                  .doc = true,
                                  .parents = true,
                                  .tree = true,
                                  .heads = true,
                                  .current = cur && options.indicate_current})
                << "\n";
  }
  return ExitCode::ok;
}

ExitCode heads(const Global& global, const ListOptions& options) {
  const auto p = Project::load(global);
  const auto ids = p.map().heads();
  if (options.format == "json") {
    print_json_list(p, ids, current_if_reachable(p, global, "is_current is null"));
    return ExitCode::ok;
  }
  for (const auto& id : ids)
    std::cout << (options.verbose ? revision_entry(p, p.get(id), false)
                                  : revision_line(p, p.get(id), {.branches = true, .tree = false}))
              << "\n";
  return ExitCode::ok;
}

ExitCode branches(const Global& global, const ListOptions& options) {
  const auto p = Project::load(global);
  for (const auto& id : p.map().range("base", "heads")) {
    if (!p.map().is_branch_point(id)) continue;
    const auto& rev = p.get(id);
    std::cout << (options.verbose ? revision_entry(p, rev, false)
                                  : revision_line(p, rev, {.branches = true}))
              << "\n";
    for (const auto& child : p.map().children(id))
      std::cout << std::string(id.size(), ' ') << " -> "
                << revision_line(p, p.get(child), {.branches = true, .doc = options.verbose})
                << "\n";
    std::cout << "\n";
  }
  return ExitCode::ok;
}

ExitCode show(const Global& global, const std::string& rev) {
  const auto p = Project::load(global);
  std::vector<std::string> ids;
  if (rev == "current") {
    auto db = p.connect();
    ids = runtime::read_heads(*db, p.version_table());
  } else {
    ids = p.map().resolve(rev);
  }
  for (const auto& id : ids) std::cout << revision_entry(p, p.get(id), false) << "\n";
  return ExitCode::ok;
}

} // namespace schemagen::driver
