#pragma once
// The revision graph (Alembic's script/revision.py RevisionMap), built from plain records and
// doing no I/O: heads, bases, branch points, merges, depends_on, branch labels, topological order,
// relative identifiers and ranges, with Alembic's traversal order.

#include "schemagen/support/diagnostics.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::revision {

/// What the graph needs to know of one revision.
struct Record {
  std::string id;
  std::vector<std::string> down_revisions; // empty: a base; several: a merge
  std::vector<std::string> depends_on;     // revision ids or branch labels
  std::vector<std::string> branch_labels;
  SourceLoc loc; // where it was declared, for errors
  // where its down_revision and depends_on are written (unknown: loc), for errors naming them
  SourceLoc down_loc, depends_loc;
};

/// A problem with the graph or an identifier (exit code 1).
class RevisionError : public UserError {
public:
  using UserError::UserError;
};

class RevisionMap {
public:
  /// Validates and indexes `records` (their order is the load order Alembic's traversal uses to
  /// break ties). Throws RevisionError for a duplicate id, a down_revision or depends_on naming
  /// no revision, a branch label used twice, or a cycle.
  explicit RevisionMap(std::vector<Record> records);

  std::size_t size() const { return nodes_.size(); }
  bool contains(std::string_view id) const { return index_of(id).has_value(); }
  const Record& record(std::string_view id) const;
  /// Every revision, in load order.
  std::vector<std::string> ids() const;

  /// Heads: revisions that are no revision's down_revision, in load order.
  std::vector<std::string> heads() const { return names(heads_); }
  /// Heads counting depends_on too (what "heads" resolves to).
  std::vector<std::string> real_heads() const { return names(real_heads_); }
  std::vector<std::string> bases() const { return names(bases_); }
  /// Revisions with more than one child through down_revision.
  std::vector<std::string> branch_points() const;
  /// The children of `id` through down_revision.
  std::vector<std::string> children(std::string_view id) const;
  /// Branch labels of `id`, its own and those it inherits along its branch.
  std::vector<std::string> labels(std::string_view id) const;
  bool is_head(std::string_view id) const;
  bool is_merge_point(std::string_view id) const;
  bool is_branch_point(std::string_view id) const;

  /// Resolves an identifier to revision ids: "head" (the one head; several are an error),
  /// "heads", "base" (none), a full id or unique prefix (four characters or more), a branch
  /// label, "label@head", "label@heads", "id@head", and relative "-N" (from the heads).
  std::vector<std::string> resolve(std::string_view spec) const;
  /// Exactly one revision or none for "base"; several are an error naming the heads.
  std::optional<std::string> resolve_one(std::string_view spec) const;

  /// The revisions `upgrade target` applies on top of `current` (the version table's heads), in
  /// the order they are applied. `target` may be relative: "+N", "label@+N", "id+N".
  std::vector<std::string> upgrade_path(std::string_view target,
                                        const std::vector<std::string>& current) const;
  /// The revisions `downgrade target` undoes from `current`, in the order they are undone.
  /// `target` may be relative: "-N", "label@-N", "id-N". What is ambiguous but resolved (a
  /// relative target from several heads) is added to `warnings`: the map prints nothing.
  std::vector<std::string> downgrade_path(std::string_view target,
                                          const std::vector<std::string>& current,
                                          std::vector<std::string>* warnings = nullptr) const;
  /// The revisions between `lower` and `upper` inclusive, newest first (history -r lower:upper).
  std::vector<std::string> range(std::string_view lower, std::string_view upper) const;

  /// The version table's rows after the revisions in `heads` plus `applied` are applied and
  /// `removed` are undone: the heads (through down_revision) of everything applied.
  std::vector<std::string> heads_after(const std::vector<std::string>& current,
                                       const std::vector<std::string>& applied,
                                       const std::vector<std::string>& removed) const;
  /// Every revision applied when the version table holds `current`: their ancestors, with
  /// depends_on, and themselves.
  std::vector<std::string> applied_set(const std::vector<std::string>& current) const;
  /// Whether `a` and `b` are on one line of descent (one is an ancestor of the other).
  bool shares_lineage(std::string_view a, std::string_view b) const;

private:
  using Index = int;
  static constexpr Index base_marker = -1;

  struct Node {
    Record rec;
    std::vector<Index> down;            // versioned down revisions
    std::vector<Index> deps;            // depends_on, resolved
    std::vector<Index> normalized_deps; // deps that no down-ancestor already depends on
    std::vector<Index> next;            // children through down
    std::vector<Index> all_next;        // children through down or depends_on
    std::vector<std::string> labels;    // own and inherited branch labels
    std::vector<Index> normalized_down() const;
  };

  std::optional<Index> index_of(std::string_view id) const;
  std::optional<Index> label_index(std::string_view label) const;
  std::vector<std::string> names(const std::vector<Index>& idx) const;
  /// Everything reachable from `from` (itself included) by `next(node, todo)`, depth first.
  template <class Next>
  std::vector<Index> reach(const std::vector<Index>& from, Next next) const;
  std::vector<Index> ancestors(const std::vector<Index>& from, bool with_deps) const;
  std::vector<Index> descendants(const std::vector<Index>& from, bool with_deps) const;
  bool shares_lineage(Index target, const std::vector<Index>& against,
                      bool with_deps = false) const;
  std::vector<Index> filter_for_lineage(const std::vector<Index>& targets, std::string_view against,
                                        bool with_deps = false) const;
  std::pair<std::vector<std::string>, std::optional<std::string>>
  resolve_number(std::string_view id) const;
  std::vector<Index> get_revisions(std::string_view id) const;
  std::vector<Index> get_revisions(const std::vector<std::string>& ids) const;
  std::optional<Index> get_revision(std::string_view id) const;
  std::optional<Index> revision_for_ident(std::string_view id,
                                          std::optional<std::string_view> branch) const;
  Index resolve_branch(std::string_view label) const;
  std::optional<Index> walk(std::optional<Index> start, int steps,
                            std::optional<std::string_view> branch, bool no_overwalk) const;
  std::vector<Index> topological_sort(const std::vector<Index>& revisions,
                                      const std::vector<Index>& heads) const;
  std::vector<Index> parse_upgrade_target(const std::vector<std::string>& current,
                                          std::string_view target) const;
  std::pair<std::optional<std::string>, std::optional<Index>>
  parse_downgrade_target(const std::vector<std::string>& current, std::string_view target,
                         std::vector<std::string>* warnings) const;
  void detect_cycles() const;
  void add_branch_labels();

  std::vector<Node> nodes_;
  std::vector<std::pair<std::string, Index>> by_id_;    // sorted, for lookup and prefixes
  std::vector<std::pair<std::string, Index>> by_label_; // sorted
  std::vector<Index> heads_, real_heads_, bases_;
};

} // namespace schemagen::revision
