#pragma once
// Risky operations in a revision's upgrade, each with the reason and the safe alternative: what
// `revision --autogenerate` and `check` warn about, and what `check --strict` fails on unless
// the revision acknowledges the rule (acknowledge: [destructive, ...] in the revision file). The
// SQL of execute ops is read with PostgreSQL's own parser and judged by the same rules.

#include "schemagen/lint/rules.hpp"
#include "schemagen/ops/ops.hpp"

#include <string>
#include <vector>

namespace schemagen::lint {

struct Finding {
  std::string rule;
  std::string op;     // describe(op); for raw SQL, "execute: " and the statement, shortened
  std::string reason; // why it is risky, and what to do instead
  SourceLoc loc;      // the op in its revision file, when known
};

struct Options {
  /// The database the revisions run on: its execute SQL is read when it is "postgresql" (the
  /// op's `postgresql:` SQL, else its `sql:`); any other's is not read.
  std::string dialect = "postgresql";
  /// Every transaction of a run sets lock_timeout (the configuration's online_ddl).
  bool lock_timeout_configured = false;
};

/// The findings for one revision's upgrade ops, in order.
std::vector<Finding> lint(const std::vector<ops::LocatedOp>& upgrade, const Options& options = {});

} // namespace schemagen::lint
