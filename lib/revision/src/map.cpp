#include "schemagen/revision/map.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <regex>

namespace schemagen::revision {

namespace {

constexpr int none_marker = -2; // "nothing yet" in walks: before the first revision

bool has(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

void add_unique(std::vector<int>& v, int x) {
  if (!has(v, x)) v.push_back(x);
}

/// "label@" "symbol" "+N": Alembic's relative destinations ("+2", "-1", "ae10+2", "br@-1").
struct Relative {
  std::optional<std::string> label, symbol;
  int steps = 0;
};

std::optional<Relative> parse_relative(std::string_view text) {
  static const std::regex re(R"(^(?:(.+?)@)?(\w+)?([+-]\d+)$)");
  std::cmatch m;
  if (!std::regex_match(text.begin(), text.end(), m, re)) return std::nullopt;
  Relative r;
  if (m[1].matched) r.label = m[1].str();
  if (m[2].matched) r.symbol = m[2].str();
  r.steps = std::stoi(m[3].str());
  return r;
}

std::string quoted_list(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
  return out;
}

} // namespace

std::vector<RevisionMap::Index> RevisionMap::Node::normalized_down() const {
  std::vector<Index> out = down;
  for (Index d : normalized_deps) add_unique(out, d);
  return out;
}

RevisionMap::RevisionMap(std::vector<Record> records) {
  nodes_.reserve(records.size());
  for (auto& r : records) {
    Node n;
    n.rec = std::move(r);
    nodes_.push_back(std::move(n));
  }
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    by_id_.emplace_back(nodes_[i].rec.id, i);
  std::sort(by_id_.begin(), by_id_.end());
  for (std::size_t i = 1; i < by_id_.size(); ++i)
    if (by_id_[i].first == by_id_[i - 1].first) {
      const auto& a = nodes_[by_id_[i - 1].second].rec;
      const auto& b = nodes_[by_id_[i].second].rec;
      throw RevisionError(
          b.loc, fmt::format("revision {} is declared twice: also in {}", b.id, a.loc.str()));
    }
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    for (const auto& label : nodes_[i].rec.branch_labels) {
      if (index_of(label))
        throw RevisionError(nodes_[i].rec.loc,
                            fmt::format("branch label '{}' is a revision id", label));
      by_label_.emplace_back(label, i);
    }
  std::sort(by_label_.begin(), by_label_.end());
  for (std::size_t i = 1; i < by_label_.size(); ++i)
    if (by_label_[i].first == by_label_[i - 1].first)
      throw RevisionError(
          nodes_[by_label_[i].second].rec.loc,
          fmt::format("branch label '{}' in revision {} is already used by revision {}",
                      by_label_[i].first, nodes_[by_label_[i].second].rec.id,
                      nodes_[by_label_[i - 1].second].rec.id));

  // down revisions and dependencies, resolved
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i) {
    Node& n = nodes_[i];
    for (const auto& d : n.rec.down_revisions) {
      auto j = index_of(d);
      if (!j)
        throw RevisionError(
            n.rec.down_loc.known() ? n.rec.down_loc : n.rec.loc,
            fmt::format("down_revision '{}' of revision {} names no revision", d, n.rec.id));
      add_unique(n.down, *j);
    }
    for (const auto& d : n.rec.depends_on) {
      auto j = index_of(d);
      if (!j) j = label_index(d);
      if (!j)
        throw RevisionError(
            n.rec.depends_loc.known() ? n.rec.depends_loc : n.rec.loc,
            fmt::format("depends_on '{}' of revision {} names no revision or branch label", d,
                        n.rec.id));
      add_unique(n.deps, *j);
    }
  }
  std::vector<char> is_down(nodes_.size(), 0), is_any_down(nodes_.size(), 0);
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i) {
    for (Index d : nodes_[i].down) {
      nodes_[d].next.push_back(i);
      add_unique(nodes_[d].all_next, i);
      is_down[d] = is_any_down[d] = 1;
    }
    for (Index d : nodes_[i].deps) {
      add_unique(nodes_[d].all_next, i);
      is_any_down[d] = 1;
    }
  }
  detect_cycles();
  // dependencies that an ancestor (through down_revision) already has are implied
  for (auto& n : nodes_) {
    if (n.deps.empty()) continue;
    std::vector<Index> implied;
    for (Index a : ancestors(n.down, false))
      for (Index d : nodes_[a].deps) add_unique(implied, d);
    for (Index d : n.deps)
      if (!has(implied, d)) n.normalized_deps.push_back(d);
  }
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i) {
    if (!is_down[i]) heads_.push_back(i);
    if (!is_any_down[i]) real_heads_.push_back(i);
    if (nodes_[i].down.empty()) bases_.push_back(i);
  }
  add_branch_labels();
}

void RevisionMap::detect_cycles() const {
  // Kahn's algorithm over down_revision and depends_on: whatever is left over is on a cycle.
  std::vector<int> pending(nodes_.size(), 0);
  for (const auto& n : nodes_) {
    for (Index c : n.all_next) ++pending[c];
  }
  std::vector<Index> ready;
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if (pending[i] == 0) ready.push_back(i);
  std::size_t seen = 0;
  while (!ready.empty()) {
    Index i = ready.back();
    ready.pop_back();
    ++seen;
    for (Index c : nodes_[i].all_next)
      if (--pending[c] == 0) ready.push_back(c);
  }
  if (seen == nodes_.size()) return;
  // What is left is on a cycle or descends from one. Every revision left has a parent left, so
  // walking parents from the first one left must come round to a revision already walked: from
  // there on, the walk is one cycle.
  const auto left = [&](Index i) { return pending[i] > 0; };
  const auto left_parent = [&](Index i) {
    for (const auto* parents : {&nodes_[i].down, &nodes_[i].deps})
      for (Index p : *parents)
        if (left(p)) return p;
    return Index{-1}; // not reached: a revision left over has a parent left over
  };
  std::vector<Index> walk;
  Index i = 0;
  while (!left(i)) ++i;
  while (std::find(walk.begin(), walk.end(), i) == walk.end()) {
    walk.push_back(i);
    i = left_parent(i);
  }
  std::vector<Index> cycle(std::find(walk.begin(), walk.end(), i), walk.end());
  // in upgrade order (each revises the one before), from the member loaded first
  std::reverse(cycle.begin(), cycle.end());
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  throw RevisionError(
      nodes_[cycle.front()].rec.loc,
      fmt::format("the revisions form a cycle: {} (each revises or depends on the one "
                  "before it, the first on the last)",
                  quoted_list(names(cycle))));
}

void RevisionMap::add_branch_labels() {
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i) {
    const auto& own = nodes_[i].rec.branch_labels;
    if (own.empty()) continue;
    auto give = [&](Index j) {
      for (const auto& l : own)
        if (std::find(nodes_[j].labels.begin(), nodes_[j].labels.end(), l) ==
            nodes_[j].labels.end())
          nodes_[j].labels.push_back(l);
    };
    for (Index d : descendants({i}, false)) give(d);
    // and down the branch to where it began: the last branch point or merge below
    for (Index p = i;;) {
      const Node& n = nodes_[p];
      if (n.all_next.size() > 1 || n.down.size() > 1) break;
      give(p);
      if (n.down.empty()) break;
      p = n.down.front();
    }
  }
}

namespace {
/// The value of `key` in a table of (name, index) sorted by name.
std::optional<int> find_sorted(const std::vector<std::pair<std::string, int>>& table,
                               std::string_view key) {
  auto it = std::lower_bound(table.begin(), table.end(), key,
                             [](const auto& e, std::string_view v) { return e.first < v; });
  if (it == table.end() || it->first != key) return std::nullopt;
  return it->second;
}
} // namespace

std::optional<RevisionMap::Index> RevisionMap::index_of(std::string_view id) const {
  return find_sorted(by_id_, id);
}

std::optional<RevisionMap::Index> RevisionMap::label_index(std::string_view label) const {
  return find_sorted(by_label_, label);
}

const Record& RevisionMap::record(std::string_view id) const {
  auto i = index_of(id);
  if (!i) throw RevisionError(fmt::format("error: no revision {}", id));
  return nodes_[*i].rec;
}

std::vector<std::string> RevisionMap::names(const std::vector<Index>& idx) const {
  std::vector<std::string> out;
  out.reserve(idx.size());
  for (Index i : idx) out.push_back(nodes_[i].rec.id);
  return out;
}

std::vector<std::string> RevisionMap::ids() const {
  std::vector<std::string> out;
  for (const auto& n : nodes_) out.push_back(n.rec.id);
  return out;
}

std::vector<std::string> RevisionMap::branch_points() const {
  std::vector<Index> out;
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if (nodes_[i].next.size() > 1) out.push_back(i);
  return names(out);
}

std::vector<std::string> RevisionMap::children(std::string_view id) const {
  auto i = index_of(id);
  return i ? names(nodes_[*i].next) : std::vector<std::string>{};
}

std::vector<std::string> RevisionMap::labels(std::string_view id) const {
  auto i = index_of(id);
  if (!i) return {};
  auto out = nodes_[*i].labels;
  std::sort(out.begin(), out.end());
  return out;
}

bool RevisionMap::is_head(std::string_view id) const {
  auto i = index_of(id);
  return i && nodes_[*i].next.empty();
}
bool RevisionMap::is_merge_point(std::string_view id) const {
  auto i = index_of(id);
  return i && nodes_[*i].down.size() > 1;
}
bool RevisionMap::is_branch_point(std::string_view id) const {
  auto i = index_of(id);
  return i && nodes_[*i].next.size() > 1;
}

template <class Next>
std::vector<RevisionMap::Index> RevisionMap::reach(const std::vector<Index>& from,
                                                   Next next) const {
  std::vector<char> seen(nodes_.size(), 0);
  std::vector<Index> out, todo(from.begin(), from.end());
  while (!todo.empty()) {
    const Index i = todo.back();
    todo.pop_back();
    if (i < 0 || seen[i]) continue;
    seen[i] = 1;
    out.push_back(i);
    next(nodes_[i], todo);
  }
  return out;
}

std::vector<RevisionMap::Index> RevisionMap::ancestors(const std::vector<Index>& from,
                                                       bool with_deps) const {
  return reach(from, [&](const Node& n, std::vector<Index>& todo) {
    todo.insert(todo.end(), n.down.begin(), n.down.end());
    if (with_deps) todo.insert(todo.end(), n.normalized_deps.begin(), n.normalized_deps.end());
  });
}

std::vector<RevisionMap::Index> RevisionMap::descendants(const std::vector<Index>& from,
                                                         bool with_deps) const {
  return reach(from, [&](const Node& n, std::vector<Index>& todo) {
    const auto& next = with_deps ? n.all_next : n.next;
    todo.insert(todo.end(), next.begin(), next.end());
  });
}

bool RevisionMap::shares_lineage(Index target, const std::vector<Index>& against,
                                 bool with_deps) const {
  if (against.empty()) return true;
  for (Index i : descendants({target}, with_deps))
    if (has(against, i)) return true;
  for (Index i : ancestors({target}, with_deps))
    if (has(against, i)) return true;
  return false;
}

bool RevisionMap::shares_lineage(std::string_view a, std::string_view b) const {
  auto ia = index_of(a), ib = index_of(b);
  return ia && ib && shares_lineage(*ia, std::vector<Index>{*ib});
}

std::vector<RevisionMap::Index> RevisionMap::filter_for_lineage(const std::vector<Index>& targets,
                                                                std::string_view against,
                                                                bool with_deps) const {
  auto [ids, label] = resolve_number(against);
  std::vector<Index> shares;
  if (label) shares.push_back(resolve_branch(*label));
  for (const auto& id : ids)
    if (auto i = revision_for_ident(id, std::nullopt)) shares.push_back(*i);
  std::vector<Index> out;
  for (Index t : targets)
    if (shares_lineage(t, shares, with_deps)) out.push_back(t);
  return out;
}

std::pair<std::vector<std::string>, std::optional<std::string>>
RevisionMap::resolve_number(std::string_view id) const {
  std::optional<std::string> label;
  if (auto at = id.find('@'); at != std::string_view::npos) {
    label = std::string(id.substr(0, at));
    id = id.substr(at + 1);
  }
  if (id == "heads")
    return {label ? names(filter_for_lineage(heads_, *label)) : names(real_heads_), label};
  if (id == "head") {
    auto hs = label ? filter_for_lineage(heads_, *label) : heads_;
    if (hs.size() > 1)
      throw RevisionError(fmt::format(
          "error: multiple heads are present for '{}': {}; name one, use '{}heads' to upgrade them "
          "all, "
          "or join them with `schemagen merge heads -m MESSAGE` (see `schemagen heads`)",
          label ? *label + "@head" : "head", quoted_list(names(hs)), label ? *label + "@" : ""));
    return {names(hs), label};
  }
  if (id == "base" || id.empty()) return {{}, label};
  return {{std::string(id)}, label};
}

RevisionMap::Index RevisionMap::resolve_branch(std::string_view label) const {
  if (auto i = label_index(label)) return *i;
  try {
    if (auto i = revision_for_ident(label, std::nullopt)) return *i;
  } catch (const RevisionError&) {
  }
  throw RevisionError(fmt::format("error: no such branch: '{}'", label));
}

std::optional<RevisionMap::Index>
RevisionMap::revision_for_ident(std::string_view id, std::optional<std::string_view> branch) const {
  std::optional<Index> branch_rev;
  if (branch) branch_rev = resolve_branch(*branch);
  std::optional<Index> rev = index_of(id);
  if (!rev) rev = label_index(id);
  if (!rev) {
    std::vector<Index> found;
    std::vector<std::string> keys;
    auto scan = [&](const auto& table) {
      auto it = std::lower_bound(table.begin(), table.end(), id,
                                 [](const auto& e, std::string_view v) { return e.first < v; });
      for (; it != table.end() && it->first.compare(0, id.size(), id) == 0; ++it)
        if (it->first.size() > 3 && !has(found, it->second)) {
          found.push_back(it->second);
          keys.push_back(it->first);
        }
    };
    scan(by_id_);
    scan(by_label_);
    if (branch) found = filter_for_lineage(found, *branch);
    if (found.empty())
      throw RevisionError(
          fmt::format("error: no such revision or branch '{}'{}", id,
                      id.size() < 4 ? "; give at least four characters of a revision id" : ""));
    if (found.size() > 1) {
      keys.resize(std::min<std::size_t>(keys.size(), 3));
      throw RevisionError(
          fmt::format("error: several revisions start with '{}': {}...", id, quoted_list(keys)));
    }
    rev = found.front();
  }
  if (branch && !shares_lineage(*rev, std::vector<Index>{*branch_rev}))
    throw RevisionError(fmt::format("error: revision {} is not a member of branch '{}'",
                                    nodes_[*rev].rec.id, *branch));
  return rev;
}

std::vector<RevisionMap::Index> RevisionMap::get_revisions(std::string_view spec) const {
  auto [ids, label] = resolve_number(spec);
  if (ids.size() == 1) {
    const auto& s = ids.front();
    if (s.size() > 1 && s[0] == '-' && std::all_of(s.begin() + 1, s.end(), ::isdigit)) {
      std::vector<Index> heads = get_revisions(std::string_view("heads"));
      std::vector<Index> out;
      for (Index h : heads) {
        if (label && std::find(nodes_[h].labels.begin(), nodes_[h].labels.end(), *label) ==
                         nodes_[h].labels.end())
          continue;
        auto w = walk(h, std::stoi(s), std::nullopt, true);
        if (w && *w >= 0) out.push_back(*w);
      }
      return out;
    }
  }
  std::vector<Index> out;
  for (const auto& id : ids)
    if (auto i =
            revision_for_ident(id, label ? std::optional<std::string_view>(*label) : std::nullopt))
      out.push_back(*i);
  return out;
}

std::vector<RevisionMap::Index>
RevisionMap::get_revisions(const std::vector<std::string>& ids) const {
  std::vector<Index> out;
  for (const auto& id : ids) {
    auto i = index_of(id);
    if (!i)
      throw RevisionError(
          fmt::format("error: the database is at revision {}, which no revision file "
                      "declares",
                      id));
    out.push_back(*i);
  }
  return out;
}

std::optional<RevisionMap::Index> RevisionMap::get_revision(std::string_view spec) const {
  auto [ids, label] = resolve_number(spec);
  if (ids.size() > 1)
    throw RevisionError(
        fmt::format("error: '{}' names several revisions: {}", spec, quoted_list(ids)));
  if (ids.empty()) return std::nullopt;
  return revision_for_ident(ids.front(),
                            label ? std::optional<std::string_view>(*label) : std::nullopt);
}

std::optional<RevisionMap::Index> RevisionMap::walk(std::optional<Index> start, int steps,
                                                    std::optional<std::string_view> branch,
                                                    bool no_overwalk) const {
  Index initial = start ? *start : none_marker;
  for (int n = 0; n < std::abs(steps); ++n) {
    std::vector<Index> children;
    if (steps > 0) {
      if (initial == base_marker) throw RevisionError("error: cannot walk up from base");
      children = initial == none_marker ? bases_ : nodes_[initial].next;
      if (branch) children = filter_for_lineage(children, *branch);
    } else if (initial != base_marker) {
      children = initial == none_marker ? heads_ : nodes_[initial].down;
      if (children.empty()) children = {base_marker};
    }
    if (children.empty()) {
      if (no_overwalk) return std::nullopt;
      return initial;
    }
    if (children.size() > 1)
      throw RevisionError("error: ambiguous walk: the path branches; name a branch (label@+1)");
    initial = children.front();
  }
  return initial;
}

std::vector<RevisionMap::Index>
RevisionMap::topological_sort(const std::vector<Index>& revisions,
                              const std::vector<Index>& heads) const {
  // Newest first, walking one head's line down until another head's line needs the candidate:
  // the order Alembic's RevisionMap._topological_sort gives, ties broken by load order.
  const std::size_t n = nodes_.size();
  std::vector<char> todo(n, 0);
  std::size_t remaining = 0;
  for (Index r : revisions)
    if (!todo[r]) {
      todo[r] = 1;
      ++remaining;
    }
  std::vector<Index> current;
  for (Index h : heads)
    if (h >= 0 && todo[h] && !has(current, h)) current.push_back(h);
  std::sort(current.begin(), current.end());
  auto ancestor_set = [&](Index i) {
    std::vector<char> s(n, 0);
    for (Index a : ancestors({i}, true)) s[a] = 1;
    return s;
  };
  std::vector<std::vector<char>> ancestors_of;
  for (Index h : current) ancestors_of.push_back(ancestor_set(h));

  std::vector<Index> output;
  output.reserve(remaining);
  std::size_t idx = 0;
  while (!current.empty()) {
    const Index candidate = current[idx];
    bool needed_elsewhere = false;
    for (std::size_t j = 0; j < ancestors_of.size(); ++j)
      if (j != idx && ancestors_of[j][candidate]) {
        idx = j;
        needed_elsewhere = true;
        break;
      }
    if (needed_elsewhere) continue;
    if (todo[candidate]) {
      output.push_back(candidate);
      todo[candidate] = 0;
      --remaining;
    }
    const Node& node = nodes_[candidate];
    std::vector<Index> add;
    for (Index d : node.normalized_down())
      if (todo[d] && !has(current, d)) add.push_back(d);
    if (add.empty()) {
      current.erase(current.begin() + static_cast<std::ptrdiff_t>(idx));
      ancestors_of.erase(ancestors_of.begin() + static_cast<std::ptrdiff_t>(idx));
      idx = idx > 0 ? idx - 1 : 0;
    } else if (node.normalized_deps.empty() && node.down.size() == 1) {
      current[idx] = add.front();
      ancestors_of[idx][candidate] = 0;
    } else {
      current[idx] = add.front();
      ancestors_of[idx] = ancestor_set(add.front());
      for (std::size_t k = 1; k < add.size(); ++k) {
        current.push_back(add[k]);
        ancestors_of.push_back(ancestor_set(add[k]));
      }
    }
  }
  if (remaining != 0)
    throw RevisionError("error: internal: revisions left out of the topological order");
  return output;
}

std::vector<RevisionMap::Index>
RevisionMap::parse_upgrade_target(const std::vector<std::string>& current,
                                  std::string_view target) const {
  auto rel = parse_relative(target);
  if (!rel) return get_revisions(target);
  const std::optional<std::string_view> label =
      rel->label ? std::optional<std::string_view>(*rel->label) : std::nullopt;
  auto too_far = [&] {
    return RevisionError(fmt::format("error: relative revision {} didn't produce {} migrations",
                                     target, std::abs(rel->steps)));
  };
  if (rel->steps > 0) {
    if (!rel->symbol) {
      std::vector<std::optional<Index>> start;
      for (Index i : get_revisions(current)) start.push_back(i);
      if (label) {
        start.clear();
        for (Index i : filter_for_lineage(get_revisions(current), *label)) start.push_back(i);
        if (start.empty()) {
          auto active = filter_for_lineage(ancestors(get_revisions(current), true), *label);
          for (Index a : active) {
            bool is_down = false;
            for (Index b : active)
              if (has(nodes_[b].normalized_down(), a)) is_down = true;
            if (!is_down) start.push_back(a);
          }
        }
      }
      if (start.empty()) start.push_back(std::nullopt);
      if (start.size() > 1)
        throw RevisionError(
            "error: ambiguous upgrade from multiple current revisions: name a branch (label@+1)");
      auto rev = walk(start.front(), rel->steps, label, true);
      if (!rev) throw too_far();
      return {*rev};
    }
    auto rev = walk(get_revision(*rel->symbol), rel->steps, label, true);
    if (!rev || *rev < 0) throw too_far();
    return {*rev};
  }
  if (!rel->symbol) throw too_far();
  auto start = label ? get_revision(*rel->label + "@" + *rel->symbol) : get_revision(*rel->symbol);
  auto rev = walk(start, rel->steps, std::nullopt, true);
  if (!rev) throw too_far();
  if (*rev < 0) return {};
  return {*rev};
}

std::pair<std::optional<std::string>, std::optional<RevisionMap::Index>>
RevisionMap::parse_downgrade_target(const std::vector<std::string>& current,
                                    std::string_view target,
                                    std::vector<std::string>* warnings) const {
  auto rel = parse_relative(target);
  auto as_target = [](std::optional<Index> i) -> std::optional<Index> {
    if (!i || *i < 0) return std::nullopt;
    return i;
  };
  if (rel) {
    std::optional<std::string> label = rel->label;
    if (rel->steps >= 0) {
      if (!rel->symbol)
        throw RevisionError(fmt::format("error: relative revision {} didn't produce {} migrations",
                                        target, rel->steps));
      auto rev = walk(get_revision(*rel->symbol), rel->steps,
                      label ? std::optional<std::string_view>(*label) : std::nullopt, true);
      if (!rev) throw RevisionError("error: walked too far");
      return {label, as_target(rev)};
    }
    const bool relative_to_current = !rel->symbol;
    std::string symbol;
    if (relative_to_current) {
      if (label) {
        auto list = filter_for_lineage(get_revisions(current), *label);
        if (list.empty()) {
          // the branch is not at a head: look among what is applied
          auto all = ancestors(get_revisions(current), true);
          std::vector<Index> tops;
          for (Index a : all) {
            bool below_other = false;
            for (Index b : all)
              if (a != b && has(descendants({a}, false), b)) below_other = true;
            if (!below_other) tops.push_back(a);
          }
          list = filter_for_lineage(tops, *label);
        }
        if (list.size() != 1)
          throw RevisionError(
              fmt::format("error: branch '{}' is not applied at a single revision", *label));
        symbol = nodes_[list.front()].rec.id;
      } else {
        if (current.empty())
          throw RevisionError(
              fmt::format("error: relative revision {} didn't produce {} migrations: the "
                          "database is at base",
                          target, -rel->steps));
        std::vector<std::string> distinct = current;
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (distinct.size() > 1 && warnings)
          warnings->push_back(fmt::format("warning: downgrade {} from several heads is "
                                          "ambiguous; going down from {} (name it: {}{})",
                                          target, current.front(), current.front(), target));
        symbol = current.front();
        label = symbol;
      }
    } else {
      symbol = *rel->symbol;
    }
    auto start = label ? get_revision(*label + "@" + symbol) : get_revision(symbol);
    auto rev = walk(start, rel->steps, std::nullopt, true);
    if (!rev)
      throw RevisionError(
          relative_to_current
              ? fmt::format("error: relative revision {} didn't produce {} migrations", target,
                            -rel->steps)
              : std::string("error: walked too far"));
    return {label, as_target(rev)};
  }
  std::optional<std::string> label;
  std::string_view symbol = target;
  if (auto at = target.rfind('@'); at != std::string_view::npos) {
    label = std::string(target.substr(0, at));
    symbol = target.substr(at + 1);
  }
  return {label, get_revision(label ? *label + "@" + std::string(symbol) : std::string(symbol))};
}

std::vector<std::string> RevisionMap::resolve(std::string_view spec) const {
  return names(get_revisions(spec));
}

std::optional<std::string> RevisionMap::resolve_one(std::string_view spec) const {
  auto i = get_revision(spec);
  if (!i) return std::nullopt;
  return nodes_[*i].rec.id;
}

std::vector<std::string> RevisionMap::upgrade_path(std::string_view target,
                                                   const std::vector<std::string>& current) const {
  const auto targets = parse_upgrade_target(current, target);
  std::vector<char> required(nodes_.size(), 0);
  for (Index i : ancestors(targets, true)) required[i] = 1;
  const auto current_revs = get_revisions(current);
  std::vector<char> done(nodes_.size(), 0);
  for (Index i : ancestors(current_revs, true)) done[i] = 1;
  std::vector<Index> needs;
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if (required[i] && !done[i]) needs.push_back(i);
  auto order = topological_sort(needs, targets);
  std::reverse(order.begin(), order.end());
  return names(order);
}

std::vector<std::string>
RevisionMap::downgrade_path(std::string_view target,
                            const std::vector<std::string>& current,
                            std::vector<std::string>* warnings) const {
  auto [label, target_rev] = parse_downgrade_target(current, target, warnings);
  std::vector<Index> roots;
  if (!target_rev) {
    for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
      if (nodes_[i].down.empty()) roots.push_back(i);
  } else {
    roots = nodes_[*target_rev].next;
  }
  if (label && roots.size() > 1) {
    const auto branch = ancestors({resolve_branch(*label)}, false);
    std::vector<Index> kept;
    for (Index r : roots)
      if (has(branch, r)) kept.push_back(r);
    if (kept.empty())
      throw RevisionError("error: not a valid downgrade target from the current heads");
    roots = kept;
  }
  const auto heads = get_revisions(current);
  std::vector<char> active(nodes_.size(), 0);
  for (Index i : ancestors(heads, true)) active[i] = 1;
  std::vector<Index> drop;
  for (Index i : descendants(roots, true))
    if (active[i]) drop.push_back(i);
  if (target_rev && drop.empty() && !has(heads, *target_rev) && !active[*target_rev])
    throw RevisionError(
        fmt::format("error: revision {} is not a valid downgrade target from the current "
                    "head(s) {}",
                    nodes_[*target_rev].rec.id, quoted_list(current)));
  std::sort(drop.begin(), drop.end());
  return names(topological_sort(drop, heads));
}

std::vector<std::string> RevisionMap::range(std::string_view lower, std::string_view upper) const {
  const std::vector<std::string> lower_ids =
      lower.empty() || lower == "base" ? std::vector<std::string>{} : resolve(lower);
  const auto targets = parse_upgrade_target(lower_ids, upper.empty() ? "heads" : upper);
  std::vector<char> required(nodes_.size(), 0);
  for (Index i : ancestors(targets, true)) required[i] = 1;
  std::vector<Index> current;
  for (const auto& id : lower_ids) current.push_back(*index_of(id));
  for (Index c : current)
    if (!required[c])
      throw RevisionError(
          fmt::format("error: revision {} is not an ancestor of {}", nodes_[c].rec.id, upper));
  std::vector<char> below(nodes_.size(), 0);
  for (Index i : ancestors(current, true)) below[i] = 1;
  std::vector<char> after(nodes_.size(), current.empty() ? 1 : 0);
  if (!current.empty())
    for (Index i : descendants(current, false)) after[i] = 1;
  std::vector<Index> needs;
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if ((required[i] && !below[i] && after[i]) || has(current, i)) needs.push_back(i);
  return names(topological_sort(needs, targets));
}

std::vector<std::string> RevisionMap::applied_set(const std::vector<std::string>& current) const {
  auto all = ancestors(get_revisions(current), true);
  std::sort(all.begin(), all.end());
  return names(all);
}

std::vector<std::string> RevisionMap::heads_after(const std::vector<std::string>& current,
                                                  const std::vector<std::string>& applied,
                                                  const std::vector<std::string>& removed) const {
  std::vector<char> in(nodes_.size(), 0);
  for (Index i : ancestors(get_revisions(current), true)) in[i] = 1;
  for (Index i : get_revisions(applied)) in[i] = 1;
  for (Index i : get_revisions(removed)) in[i] = 0;
  std::vector<char> is_down(nodes_.size(), 0);
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if (in[i])
      for (Index d : nodes_[i].down) is_down[d] = 1;
  std::vector<Index> out;
  for (Index i = 0; i < static_cast<Index>(nodes_.size()); ++i)
    if (in[i] && !is_down[i]) out.push_back(i);
  return names(out);
}

} // namespace schemagen::revision
