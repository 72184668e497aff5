#pragma once
// Metadata as stable, sorted, diff-friendly YAML: what `schemagen scan -o` writes and what a later
// stage reads back equal.

#include "schemagen/model/metadata.hpp"

#include <string>
#include <string_view>

namespace schemagen::model {

/// The canonical YAML of `metadata` (canonicalised first).
std::string to_yaml(Metadata metadata);

/// Parses what to_yaml wrote. Throws UserError naming `filename:line:col` for malformed input
/// or an unknown key.
Metadata from_yaml(std::string_view text, const std::string& filename);

} // namespace schemagen::model
