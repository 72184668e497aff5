#pragma once
// Revision files (REFERENCE.md, "Revision files"): revisions/<rev>_<slug>.yaml, read strictly.
// A malformed file is a UserError at file:line, and nothing runs.

#include "schemagen/ops/ops.hpp"
#include "schemagen/revision/map.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemagen::revision {

namespace fs = std::filesystem;

struct Revision {
  std::string id;
  std::vector<std::string> down_revisions;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  SourceLoc down_loc, depends_loc; // where down_revision and depends_on are written
  std::string message;
  std::string create_date;
  std::vector<ops::LocatedOp> upgrade, downgrade;
  std::vector<std::string> acknowledged; // risky ops the author accepted (schemagen check --strict)
  /// A squash's: the revisions it stands for, oldest first (`schemagen squash`). The last is the
  /// one whose database state the squash's own is; the graph holds the squash in their place.
  std::vector<std::string> replaces;
  /// Written by `revision --baseline`: it creates what a database had before any chain, so the
  /// kinds of view and schema object it makes are not the project's to manage on its account.
  bool baseline = false;
  std::map<std::string, std::string> extra; // fields the project's template added (author, ticket)
  fs::path path;
  std::string checksum; // of the ops, canonical: reformatting or comments do not change it

  Record record() const;
  /// The ops of one direction, without their locations.
  std::vector<ops::Op> ops(bool upgrade) const;
};

/// Parses one revision file. Throws UserError at file:line for anything malformed: bad YAML, a
/// missing or mistyped field, an unknown op or op field.
Revision parse_revision(const fs::path& path, std::string_view text);

/// Every *.yaml revision in `dirs` (sorted by file name within each), parsed.
std::vector<Revision> load_revisions(const std::vector<fs::path>& dirs);

/// The revisions a squash stands for, each to that squash's id. UserError for a revision two
/// squashes claim, a squash that replaces itself, or one whose list is not a line of descent
/// ending where the squash starts (each one's down_revision the one before it).
std::map<std::string, std::string> replaced_by(const std::vector<Revision>& revisions);

/// The graph of `revisions`, in their order, with each squash in the place of the revisions it
/// replaces: they are left out, and a down_revision or depends_on that names the last of them
/// names the squash (a branch begun before the squash landed goes on from it). One that names
/// another of them is an error: that revision is inside the squash.
RevisionMap build_map(const std::vector<Revision>& revisions);
/// The same, with the squashes in `expand` (ids) undone: their replaced revisions in the graph,
/// and each squash reduced to `alias`, a step without ops from the last of them (the same
/// database state under the squash's id). A replaced revision whose file is gone is in
/// `alias` too, without ops, and in `missing` (its id to its squash's). What a database inside a
/// squash runs.
struct Expanded {
  std::vector<Revision> alias;
  std::map<std::string, std::string> missing;
};
RevisionMap build_expanded_map(const std::vector<Revision>& revisions,
                               const std::vector<std::string>& expand, Expanded& out);

/// The checksum schemagen records for ops when a revision is applied.
std::string ops_checksum(const std::vector<ops::Op>& upgrade,
                         const std::vector<ops::Op>& downgrade);

/// Whether `id` is usable as a revision id: letters, digits and '_' (no '@', '+', '-', ':').
bool valid_revision_id(std::string_view id);

} // namespace schemagen::revision
