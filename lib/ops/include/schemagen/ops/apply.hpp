#pragma once
// Ops replayed on metadata in memory: the schema a revision chain builds, without a database.

#include "schemagen/ops/ops.hpp"

#include <memory>

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

/// apply() for many ops in a row on one Metadata. apply() finds a table by a linear search, so a
/// chain creating thousands of tables replayed op by op is quadratic; a Replay hashes the tables
/// (and the index names, which are unique per schema, the views and the schema objects) once and
/// keeps the hashes in step with what its ops do. Nothing else may change the Metadata while the Replay is in use. Each op does what
/// apply() does, and fails as it does.
class Replay {
public:
  explicit Replay(model::Metadata& metadata);
  ~Replay();
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  ApplyResult apply(const Op& op);
  /// The schema as the ops so far built it.
  const model::Metadata& schema() const { return metadata_; }

  struct Hashes;

private:
  model::Metadata& metadata_;
  std::unique_ptr<Hashes> hashes_;
};

} // namespace schemagen::ops
