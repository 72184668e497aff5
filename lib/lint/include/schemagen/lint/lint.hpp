#pragma once
// Risky operations in a revision's upgrade, each with the reason: what `revision --autogenerate`
// and `check` warn about, and what `check --strict` fails on unless the revision acknowledges
// the rule (acknowledge: [destructive, ...] in the revision file).

#include "schemagen/ops/ops.hpp"

#include <string>
#include <vector>

namespace schemagen::lint {

/// The rules, as `acknowledge:` names them.
inline constexpr const char* destructive = "destructive"; // drop_table, drop_column
inline constexpr const char* narrowing = "narrowing";     // a type that holds less
inline constexpr const char* not_null_without_default = "not_null_without_default";
inline constexpr const char* index_without_concurrently = "index_without_concurrently";
inline constexpr const char* table_rewrite = "table_rewrite"; // PostgreSQL rewrites the table

struct Finding {
  std::string rule;
  std::string op;     // describe(op)
  std::string reason; // why it is risky, and what to do instead
  SourceLoc loc;      // the op in its revision file, when known
};

/// The findings for one revision's upgrade ops, in order.
std::vector<Finding> lint(const std::vector<ops::LocatedOp>& upgrade);

/// Every rule name.
std::vector<std::string> rules();

} // namespace schemagen::lint
