#pragma once
// The PostgreSQL dialect (lib/pg, the only layer that includes libpq): postgresql:// and
// postgres:// URLs, and libpq's key=value connection strings.

#include "schemagen/dialect/dialect.hpp"

namespace schemagen::pg {

const dialect::Dialect& dialect();

} // namespace schemagen::pg
