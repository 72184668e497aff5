#pragma once
// The PostgreSQL dialect (lib/pg, the only layer that includes libpq): postgresql:// and
// postgres:// URLs, and libpq's key=value connection strings.

#include "schemagen/dialect/dialect.hpp"

#include <memory>
#include <string_view>

struct pg_conn;

namespace schemagen::pg {

const dialect::Dialect& dialect();

class Connection;

/// The engine `SELECT version()` names (`citus`: whether the database has the citus extension),
/// and what schemagen needs to do on it:
///   CockroachDB — its advisory locks lock nothing: a lock table; and DDL sharing a transaction
///                 with other DDL may fail after COMMIT, half applied: statements one at a time;
///   YugabyteDB  — advisory locks only from 2.25: a lock table before; DDL outside the
///                 transaction it is written in (unless transactional DDL is turned on):
///                 statements one at a time;
///   Citus, PostgreSQL — what the dialect does anyway.
dialect::Engine engine_of(std::string_view version, bool citus);
/// The engine of the database `db` is connected to.
dialect::Engine engine(Connection& db);

/// A session on an application's open connection, which stays open and the application's. It
/// must not be inside a transaction: a UserError says so.
std::unique_ptr<dialect::Session> adopt(pg_conn* connection);

} // namespace schemagen::pg
