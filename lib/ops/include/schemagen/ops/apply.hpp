#pragma once
// Ops replayed on metadata in memory: the schema a revision chain builds, without a database.

#include "schemagen/ops/ops.hpp"

namespace schemagen::ops {

/// What replaying could not do exactly.
struct ApplyResult {
  bool exact = true; // false for raw SQL (execute), whose effect on the schema is unknown
};

/// Applies `op` to `metadata` as PostgreSQL would (dropping a column drops the indexes and
/// constraints on it, renaming one renames it there too). Throws UserError naming the op when it
/// refers to something that does not exist or creates something that already does.
ApplyResult apply(const Op& op, model::Metadata& metadata);

} // namespace schemagen::ops
