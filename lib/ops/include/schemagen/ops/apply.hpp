#pragma once
// Ops replayed on metadata in memory: the schema a revision chain builds, without a database.

#include "schemagen/ops/ops.hpp"

namespace schemagen::ops {

/// What replaying could not do exactly.
struct ApplyResult {
  bool exact = true; // false for raw SQL (an execute without replay:), whose effect is unknown
};

/// Applies `op` to `metadata` as PostgreSQL would (dropping a column drops the indexes and
/// constraints on it, renaming one renames it there too); an execute applies the ops its replay:
/// says its SQL amounts to. Throws UserError naming the op when it
/// refers to something that does not exist or creates something that already does.
ApplyResult apply(const Op& op, model::Metadata& metadata);

} // namespace schemagen::ops
