// squash: a run of revisions replaced by one that builds, from the schema before them, the schema
// after them. The replaced files stay: a database standing among them goes on through them (the
// run's chain undoes the squash for it, migrate::RunChain), and every other one runs the squash.

#include "autogenerate.hpp"
#include "project.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <iostream>
#include <stdexcept>

namespace schemagen::driver {

namespace {

/// One op of the range as the squash treats it.
struct Step {
  const ops::LocatedOp* op;
  const revision::Revision* rev;
};

/// An op the squash writes as it was rather than folding it into a comparison: what a comparison
/// cannot say (a rename: it would drop and add; a type change's USING), and what changes rows
/// (an execute, bulk_insert, a C++ step), which must run in its place between the schema
/// changes around it. Its effect on the schema, when it has one, is in `effect`.
bool kept_as_written(const Project& p, const Step& s, Effect& effect) {
  const auto& op = s.op->op;
  effect = {};
  if (const auto* e = std::get_if<ops::Execute>(&op)) {
    std::string why;
    auto known = execute_effect(p, *e, why);
    if (!known)
      throw UserError(s.op->loc,
                      fmt::format("revision {}: {} {}: a squash cannot know the schema after it. "
                                  "Say what it does with replay: [ops] (replay: [] when it changes "
                                  "only rows), or squash a range without it; nothing written",
                                  s.rev->id, ops::describe(op), why));
    effect = std::move(*known);
    return true;
  }
  if (std::holds_alternative<ops::BulkInsert>(op) || std::holds_alternative<ops::Call>(op))
    return true;
  if (std::holds_alternative<ops::RenameTable>(op)) {
    effect.ops.push_back(op);
    return true;
  }
  if (const auto* a = std::get_if<ops::AlterColumn>(&op); a && (a->new_name || a->using_)) {
    effect.ops.push_back(op);
    return true;
  }
  return false;
}

/// The ops of `steps`, run from `start`, squashed: each stretch of schema changes between two
/// ops kept as written becomes the comparison of the schema before it with the schema after it.
/// `state` ends as the schema the steps build.
std::vector<ops::Op> squashed(const Project& p, const std::vector<Step>& steps,
                              model::Metadata& state) {
  std::vector<ops::Op> out;
  model::Metadata stretch_start = state;
  auto flush = [&] {
    auto result = compare_replayed(p, stretch_start, state);
    for (auto& op : result.upgrade) out.push_back(std::move(op));
    // a comparison never drops a schema (the models do not say a schema should go); the range
    // did, once what was in it had gone
    for (const auto& schema : stretch_start.schemas)
      if (std::find(state.schemas.begin(), state.schemas.end(), schema) == state.schemas.end())
        out.push_back(ops::DropSchema{schema});
  };
  Effect effect;
  ops::Replay replay(state);
  for (const auto& s : steps) {
    std::string why;
    try {
      if (kept_as_written(p, s, effect)) {
        flush();
        out.push_back(s.op->op);
        if (!apply_effect(replay, effect, why))
          throw UserError(fmt::format("{}: a squash cannot know the schema after it", why));
        stretch_start = state;
      } else {
        replay.apply(s.op->op);
      }
    } catch (const UserError& e) {
      throw UserError(s.op->loc,
                      fmt::format("revision {}: {}: the range cannot be replayed ({}); nothing "
                                  "written",
                                  s.rev->id, ops::describe(s.op->op), e.what()));
    }
  }
  flush();
  model::canonicalize(state);
  return out;
}

/// The schema `ops` build from `start`, their executes followed as the squash follows them.
model::Metadata replayed(const Project& p, model::Metadata start, const std::vector<ops::Op>& ops) {
  ops::Replay replay(start);
  for (const auto& op : ops) {
    std::string why; // an execute replay cannot follow was refused before
    (void)replay_followed(p, replay, op, why);
  }
  model::canonicalize(start);
  return start;
}

/// Refuses, naming what differs, a squash whose ops do not build `want` from `from`.
void verify(const Project& p, const model::Metadata& from, const std::vector<ops::Op>& ops,
            const model::Metadata& want, std::string_view direction, std::string_view where) {
  const auto got = replayed(p, from, ops);
  const auto left = compare_replayed(p, got, want).upgrade;
  if (left.empty()) return;
  std::string missing;
  for (const auto& op : left) missing += "\n  " + ops::describe(op);
  throw std::logic_error(fmt::format("the squash's {} would not build the schema at {}; still "
                                     "needed:{}\nnothing written (please report this)",
                                     direction, where, missing));
}

/// The revisions after `from` up to `to`, oldest first: a line of descent without merges, none
/// of it a squash, nothing outside it going on from or depending on any but the last.
std::vector<const revision::Revision*> squash_range(const Project& p,
                                                    const std::optional<std::string>& from,
                                                    const std::string& to) {
  const auto& map = p.map();
  std::vector<const revision::Revision*> range;
  for (std::string at = to; !from || at != *from;) {
    const auto& rev = p.get(at);
    if (!rev.replaces.empty())
      throw UserError(fmt::format("{}: error: revision {} is a squash already: squashes do not "
                                  "nest; squash a range after it or before it",
                                  display_path(rev.path), at));
    range.push_back(&rev);
    const auto& downs = map.record(at).down_revisions;
    if (downs.size() > 1)
      throw UserError(fmt::format("{}: error: revision {} merges {}: a squash replaces a line of "
                                  "revisions without merges",
                                  display_path(rev.path), at, fmt::join(downs, ", ")));
    if (downs.empty()) {
      if (from)
        throw UserError(fmt::format("error: revision {} is not an ancestor of {}: nothing "
                                    "between them to squash",
                                    *from, to));
      break;
    }
    at = downs.front();
  }
  std::reverse(range.begin(), range.end());
  if (range.size() < 2)
    throw UserError(fmt::format("error: {}:{} holds {} revision{}: a squash replaces two or more",
                                from.value_or("base"), to, range.size(),
                                range.size() == 1 ? "" : "s"));
  auto in_range = [&](const std::string& id) {
    return std::any_of(range.begin(), range.end(), [&](const auto* r) { return r->id == id; });
  };
  for (std::size_t i = 0; i + 1 < range.size(); ++i)
    for (const auto& child : map.children(range[i]->id))
      if (!in_range(child))
        throw UserError(fmt::format(
            "{}: error: revision {} goes on from {}, inside the range: a branch leaving the "
            "middle of a squash would lose its parent; squash up to {} at most",
            display_path(p.get(child).path), child, range[i]->id, range[i]->id));
  for (const auto& r : p.revisions()) {
    if (in_range(r.id) || !map.contains(r.id)) continue;
    for (const auto& dep : map.record(r.id).depends_on)
      if (in_range(dep) && dep != to)
        throw UserError(fmt::format("{}: error: revision {} depends on {}, inside the range; "
                                    "squash up to {} at most",
                                    display_path(r.path), r.id, dep, dep));
  }
  return range;
}

} // namespace

ExitCode squash(const Global& global, const SquashOptions& options) {
  const auto p = Project::load(global);
  const auto& map = p.map();
  const auto colon = options.range.find(':');
  if (colon == std::string::npos)
    throw UserError(fmt::format("error: squash takes FROM:TO (the revision before the run, or "
                                "base, and its last revision), not '{}'",
                                options.range));
  const auto replaced_by = revision::replaced_by(p.revisions());
  auto resolve = [&](const std::string& spec) {
    if (const auto it = replaced_by.find(spec); it != replaced_by.end())
      throw UserError(fmt::format("error: revision {} is squashed into {} already", spec,
                                  it->second));
    return map.resolve_one(spec);
  };
  const auto from = resolve(options.range.substr(0, colon));
  const auto to = resolve(options.range.substr(colon + 1));
  if (!to) throw UserError("error: squash's TO is a revision, not base");
  const auto range = squash_range(p, from, *to);

  // the schema before the range and, step by step through its ops, after it
  std::vector<std::string> unaccounted; // before the range: the same for the squash and the chain
  const auto before = replay_chain(p, unaccounted, {from.value_or("base")});
  std::vector<Step> up, down;
  for (const auto* rev : range)
    for (const auto& lo : rev->upgrade) up.push_back({&lo, rev});
  for (auto it = range.rbegin(); it != range.rend(); ++it)
    for (const auto& lo : (*it)->downgrade) down.push_back({&lo, *it});
  model::Metadata after = before;
  const auto upgrade = squashed(p, up, after);
  model::Metadata back = after;
  const auto downgrade = squashed(p, down, back);
  const std::string from_name = from.value_or("base");
  verify(p, before, upgrade, after, "upgrade", *to);
  verify(p, after, downgrade, before, "downgrade", from_name);

  RevisionOptions o;
  o.message = options.message.empty()
                  ? fmt::format("squash {}..{}", range.front()->id, range.back()->id)
                  : options.message;
  o.heads = {from_name};
  o.splice = true;
  o.rev_id = options.rev_id;
  o.version_path = range.back()->path.parent_path().string();
  std::vector<std::string> replaced;
  for (const auto* rev : range) {
    replaced.push_back(rev->id);
    for (const auto& l : rev->branch_labels) o.branch_labels.push_back(l);
  }
  for (const auto* rev : range)
    for (const auto& dep : map.record(rev->id).depends_on)
      if (std::find(replaced.begin(), replaced.end(), dep) == replaced.end() &&
          std::find(o.depends_on.begin(), o.depends_on.end(), dep) == o.depends_on.end())
        o.depends_on.push_back(dep);
  auto rendered = render_revision(p, global, o, upgrade, downgrade, replaced);
  const auto written = write_revision(p, global, std::move(rendered));
  if (global.verbosity >= 0)
    std::cerr << fmt::format(
        "Squashed {} revisions ({}..{}) into {}: {} ops up, {} down. Their files stay: a "
        "database at any of them goes on through them; delete them once every database is past "
        "{}\n",
        range.size(), range.front()->id, range.back()->id, written.id, upgrade.size(),
        downgrade.size(), written.id);
  return ExitCode::ok;
}

} // namespace schemagen::driver
