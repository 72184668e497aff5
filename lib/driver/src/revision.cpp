// revision and merge: new revision files, written through the project's template.

#include "project.hpp"
#include "schemagen/render/render.hpp"
#include "schemagen/support/files.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>
#include <unistd.h> // environ

namespace schemagen::driver {

std::string_view embedded_file(std::string_view name);

std::vector<std::string> new_revision_parents(const Project& p, const RevisionOptions& options) {
  const auto& map = p.map();
  std::vector<std::string> downs;
  const std::vector<std::string> head_specs =
      options.heads.empty() ? std::vector<std::string>{"head"} : options.heads;
  for (const auto& spec : head_specs) {
    std::vector<std::string> ids;
    try {
      ids = map.resolve(spec);
    } catch (const revision::RevisionError& e) {
      if (std::string(e.what()).find("multiple heads") != std::string::npos)
        throw UserError(
            fmt::format("{}\nthe new revision needs one parent: give --head, or merge the heads "
                        "first (`schemagen merge heads -m ...`)",
                        e.what()));
      throw;
    }
    for (const auto& id : ids) {
      if (std::find(downs.begin(), downs.end(), id) != downs.end())
        throw UserError(fmt::format("error: head {} is given twice", id));
      downs.push_back(id);
    }
  }
  if (!options.splice)
    for (const auto& d : downs)
      if (!map.is_head(d))
        throw UserError(fmt::format(
            "error: revision {} is not a head; give --splice to start a new branch from it", d));
  return downs;
}

NewRevision render_revision(const Project& p, const Global& global,
                            const RevisionOptions& options, const std::vector<ops::Op>& upgrade,
                            const std::vector<ops::Op>& downgrade,
                            const std::vector<std::string>& replaces) {
  const auto& cfg = p.config();
  const auto& map = p.map();

  const auto downs = new_revision_parents(p, options);

  // its directory
  fs::path dir = cfg.script_location;
  const auto dirs = p.version_dirs();
  if (!options.version_path.empty()) {
    dir = fs::absolute(options.version_path).lexically_normal();
    if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end())
      throw UserError(
          fmt::format("error: --version-path {} is not one of the configured revision directories "
                      "(script_location, version_locations)",
                      display_path(dir)));
  } else if (dirs.size() > 1) {
    if (downs.empty())
      throw UserError("error: several revision directories are configured: give --version-path");
    dir = p.get(downs.front()).path.parent_path();
  }

  // its id, labels and dependencies
  const std::string id = options.rev_id.empty() ? render::new_revision_id() : options.rev_id;
  if (!revision::valid_revision_id(id))
    throw UserError(
        fmt::format("error: revision id '{}' may hold only letters, digits and '_'", id));
  if (map.contains(id)) throw UserError(fmt::format("error: revision {} exists already", id));
  std::vector<std::string> depends_on;
  for (const auto& dep : options.depends_on) {
    const auto labels_hit = [&] {
      for (const auto& r : p.revisions())
        for (const auto& l : r.branch_labels)
          if (l == dep) return true;
      return false;
    }();
    if (labels_hit) {
      depends_on.push_back(dep);
      continue;
    }
    const auto ids = map.resolve(dep);
    if (ids.empty()) throw UserError(fmt::format("error: --depends-on {} names no revision", dep));
    depends_on.insert(depends_on.end(), ids.begin(), ids.end());
  }

  render::RevisionFields f;
  f.revision = id;
  f.down_revisions = downs;
  f.branch_labels = options.branch_labels;
  f.depends_on = depends_on;
  f.message = options.message;
  f.create_date = render::utc_now();
  f.upgrade = upgrade;
  f.downgrade = downgrade;
  f.extra = global.x;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry = *e;
    if (const auto eq = entry.find('='); eq != std::string_view::npos)
      f.env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  std::string template_text, template_name = display_path(cfg.template_path);
  if (fs::is_regular_file(cfg.template_path)) {
    template_text = read_file(cfg.template_path);
  } else if (!cfg.template_configured) {
    template_text =
        std::string(embedded_file("revision.yaml.mustache")); // no template of the project's own
    template_name = "the built-in revision template";
  } else {
    throw UserError(fmt::format("{}: error: the revision template does not exist (template in {})",
                                display_path(cfg.template_path), display_path(cfg.file)));
  }
  std::string text = render::revision_file(template_text, template_name, f);
  // a squash's replaces:, a baseline's mark: beside its down_revision, whatever the template says
  std::string beside;
  if (!replaces.empty()) beside += fmt::format("replaces: [{}]\n", fmt::join(replaces, ", "));
  if (options.baseline) beside += "baseline: true\n";
  if (!beside.empty()) {
    const auto at = text.starts_with("down_revision:") ? 0 : text.find("\ndown_revision:");
    const auto end = at == std::string::npos ? at : text.find('\n', at + 1);
    if (end == std::string::npos)
      throw UserError(fmt::format("{}: error: the revision template writes no down_revision line "
                                  "to put {} beside; nothing written",
                                  template_name,
                                  replaces.empty() ? "the baseline's mark" : "the squash's replaces:"));
    text.insert(end + 1, beside);
  }
  const fs::path path = dir / (render::file_name(cfg.file_template, id, options.message) + ".yaml");
  if (fs::exists(path))
    throw UserError(fmt::format("{}: error: exists already", display_path(path)));

  revision::Revision parsed;
  try {
    parsed = revision::parse_revision(path, text);
  } catch (const UserError& e) {
    throw UserError(
        fmt::format("{}\nthe revision template ({}) does not produce a valid revision file; "
                    "nothing written",
                    e.what(), display_path(cfg.template_path)));
  }
  if (parsed.id != id || parsed.down_revisions != downs ||
      parsed.branch_labels != options.branch_labels || parsed.replaces != replaces ||
      parsed.baseline != options.baseline)
    throw UserError(
        fmt::format("{}: error: the revision template does not write revision, down_revision and "
                    "branch_labels as given; nothing written",
                    display_path(cfg.template_path)));
  return {path, std::move(text), std::move(parsed)};
}

revision::Revision write_revision(const Project& p, const Global& global, NewRevision rev) {
  const auto& cfg = p.config();
  auto all = p.revisions();
  all.push_back(rev.parsed);
  revision::build_map(all); // the graph stays valid with it: a label used twice, say
  const auto& path = rev.path;
  write_file_atomic(path, rev.text);
  if (global.verbosity >= 0)
    std::cerr << fmt::format("Generating {} ...  done\n", display_path(path));
  run_hooks(cfg.hooks.post_write, "post_write", cfg.dir,
            {{"SCHEMAGEN_REVISION_FILE", fs::absolute(path).string()}});
  return std::move(rev.parsed);
}

revision::Revision write_revision(const Project& p, const Global& global,
                                  const RevisionOptions& options,
                                  const std::vector<ops::Op>& upgrade,
                                  const std::vector<ops::Op>& downgrade) {
  return write_revision(p, global, render_revision(p, global, options, upgrade, downgrade));
}

ExitCode autogenerate_revision(const Project& p, const Global& global,
                               const RevisionOptions& options);

ExitCode revision(const Global& global, const RevisionOptions& options) {
  const auto p = Project::load(global);
  if (options.autogenerate) return autogenerate_revision(p, global, options);
  if (options.offline) throw UserError("error: --offline goes with --autogenerate");
  write_revision(p, global, options, {}, {});
  return ExitCode::ok;
}

ExitCode merge(const Global& global, const RevisionOptions& options) {
  const auto p = Project::load(global);
  if (options.heads.empty())
    throw UserError("error: merge needs the revisions to join, e.g. `merge heads`");
  std::set<std::string> ids;
  for (const auto& h : options.heads)
    for (const auto& id : p.map().resolve(h)) ids.insert(id);
  if (ids.size() < 2) throw UserError("error: merge needs at least two revisions to join");
  auto o = options;
  o.splice = true;
  if (o.message.empty()) o.message = fmt::format("merge {}", fmt::join(ids, ", "));
  write_revision(p, global, o, {}, {});
  return ExitCode::ok;
}

} // namespace schemagen::driver
