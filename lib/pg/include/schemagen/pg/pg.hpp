#pragma once
// The PostgreSQL dialect (lib/pg, the only layer that includes libpq): postgresql:// and
// postgres:// URLs, and libpq's key=value connection strings.

#include "schemagen/dialect/dialect.hpp"

#include <memory>

struct pg_conn;

namespace schemagen::pg {

const dialect::Dialect& dialect();

/// A session on an application's open connection, which stays open and the application's. It
/// must not be inside a transaction: a UserError says so.
std::unique_ptr<dialect::Session> adopt(pg_conn* connection);

} // namespace schemagen::pg
