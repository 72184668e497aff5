#pragma once
// The annotation rules (REFERENCE.md, "Annotations"): raw declarations → metadata, or a
// diagnostic for every mistake (options, values, types, references, duplicate names), each at its
// annotation.

#include "raw.hpp"
#include "schemagen/model/metadata.hpp"
#include "schemagen/model/naming.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace schemagen::scan {

/// Reads a file a view names (SG_VIEW(file = ...)), its path resolved against the header's
/// directory: the content, or nullopt and why not in `error`. The scan's reader records what it
/// reads as a dependency of the scan.
using ReadSqlFile =
    std::function<std::optional<std::string>(const std::filesystem::path&, std::string& error)>;

model::Metadata build_metadata(const RawModels& raw, const model::NamingConvention& naming,
                               DiagnosticList& diags, const ReadSqlFile& read_sql_file);

} // namespace schemagen::scan
