#pragma once
// Ops compiled to PostgreSQL SQL text, with no I/O (Alembic's ddl/impl.py): the same text is
// executed online or printed offline, which is the whole of offline mode.

#include "schemagen/dialect/dialect.hpp"

#include <string>
#include <vector>

namespace schemagen::pg {

using dialect::Statement;

/// The statements that carry out `op` on PostgreSQL, in order. An `execute` op with no SQL for
/// postgresql (only other dialects) compiles to nothing.
std::vector<Statement> compile(const ops::Op& op);

/// A column's definition as in CREATE TABLE and ADD COLUMN: name, type, identity, NOT NULL,
/// DEFAULT (autoincrement makes SERIAL/BIGSERIAL).
std::string column_definition(const model::Column& c);

} // namespace schemagen::pg
