#pragma once
// Ops in a revision file's `upgrade:` and `downgrade:` lists (REFERENCE.md,
// "Operations"): read strictly (an unknown op or field is an error at its line), written one op
// per entry for reviewers.

#include "schemagen/ops/ops.hpp"
#include "schemagen/support/yaml.hpp"

namespace schemagen::ops {

/// Reads a list of ops; `what` names the list in errors ("upgrade").
std::vector<LocatedOp> read_ops(const yaml::Reader& r, const yaml::Node& list,
                                std::string_view what);

/// The ops as the YAML value of a list key: " []" when empty, else a newline and one
/// "  - op:" entry per op, indented by `indent` spaces.
std::string write_ops(const std::vector<Op>& ops, int indent = 2);

} // namespace schemagen::ops
