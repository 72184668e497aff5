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

/// The graph of `revisions`, in their order.
RevisionMap build_map(const std::vector<Revision>& revisions);

/// The checksum schemagen records for ops when a revision is applied.
std::string ops_checksum(const std::vector<ops::Op>& upgrade,
                         const std::vector<ops::Op>& downgrade);

/// Whether `id` is usable as a revision id: letters, digits and '_' (no '@', '+', '-', ':').
bool valid_revision_id(std::string_view id);

} // namespace schemagen::revision
