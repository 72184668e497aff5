// history, heads, branches, show: where the chain stands. No database needed, except for
// history's "current" and --indicate-current.

#include "project.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/json.hpp"

#include <fmt/format.h>

namespace schemagen::driver {

namespace {

std::string json_revision(const Project& p, const revision::Revision& rev, bool current) {
  const auto& map = p.map();
  return fmt::format(
      "{{\"revision\": {}, \"down_revisions\": {}, \"depends_on\": {}, \"branch_labels\": {}, "
      "\"message\": {}, \"create_date\": {}, \"path\": {}, \"is_head\": {}, "
      "\"is_branch_point\": {}, \"is_merge_point\": {}, \"is_current\": {}}}",
      json::str(rev.id), json::list(rev.down_revisions), json::list(rev.depends_on),
      json::list(map.labels(rev.id)), json::str(rev.message), json::str(rev.create_date),
      json::str(display_path(rev.path)), map.is_head(rev.id) ? "true" : "false",
      map.is_branch_point(rev.id) ? "true" : "false", map.is_merge_point(rev.id) ? "true" : "false",
      current ? "true" : "false");
}

void print_json_list(const Project& p, const std::vector<std::string>& ids,
                     const std::vector<std::string>& current) {
  std::cout << "[";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const bool cur = std::find(current.begin(), current.end(), ids[i]) != current.end();
    std::cout << (i ? ",\n " : "") << json_revision(p, p.get(ids[i]), cur);
  }
  std::cout << "]\n";
}

} // namespace

ExitCode history(const Global& global, const HistoryOptions& options) {
  const auto p = Project::load(global);
  std::string lower = "base", upper = "heads";
  if (!options.range.empty()) {
    const auto colon = options.range.find(':');
    if (colon == std::string::npos)
      throw UserError("error: a history range is [start]:[end], [start]: or :[end]");
    if (colon > 0) lower = options.range.substr(0, colon);
    if (colon + 1 < options.range.size()) upper = options.range.substr(colon + 1);
  }
  std::vector<std::string> current;
  if (options.indicate_current || lower == "current" || upper == "current") {
    auto db = p.connect();
    current = runtime::read_heads(*db, p.version_table());
  }
  auto as_spec = [&](const std::string& s) -> std::string {
    if (s != "current") return s;
    if (current.empty()) return "base";
    if (current.size() > 1)
      throw UserError("error: 'current' names several heads: give a revision instead");
    return current.front();
  };
  const auto ids = p.map().range(as_spec(lower), as_spec(upper));
  if (options.format == "json") {
    print_json_list(p, ids, current);
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
    print_json_list(p, ids, {});
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
