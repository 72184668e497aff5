#include "internal.hpp"

namespace schemagen::sqlite {
// written next: the type mapping
model::Metadata lower(model::Metadata) { throw UserError("error: SQLite lowering is not built yet"); }
} // namespace schemagen::sqlite
