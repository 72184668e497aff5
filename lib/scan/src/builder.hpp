#pragma once
// The annotation rules (REFERENCE.md, "Annotations"): raw declarations → metadata, or a
// diagnostic for every mistake (options, values, types, references, duplicate names), each at its
// annotation.

#include "raw.hpp"
#include "schemagen/model/metadata.hpp"
#include "schemagen/model/naming.hpp"

namespace schemagen::scan {

model::Metadata build_metadata(const RawModels& raw, const model::NamingConvention& naming,
                               DiagnosticList& diags);

} // namespace schemagen::scan
