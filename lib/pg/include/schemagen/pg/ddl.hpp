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

/// `CREATE ...` as `CREATE OR REPLACE ...`; unchanged when it says so already or is no CREATE.
std::string or_replace(const std::string& sql);

/// Whether `sql` is a CREATE CONSTRAINT TRIGGER, which has no OR REPLACE.
bool is_constraint_trigger(const std::string& sql);

/// What follows the sequence's name in a CREATE SEQUENCE ("AS integer START WITH 10 ..."), with
/// its leading blank space; a trailing ';' left out.
std::string sequence_options(const std::string& create_sequence);
/// `options` (sequence_options()'s) with each option they leave out spelled as CREATE SEQUENCE's
/// default (AS bigint, INCREMENT BY 1, NO MINVALUE, NO MAXVALUE, START at the first value, CACHE
/// 1, NO CYCLE): what an ALTER SEQUENCE needs to leave nothing of a former definition.
std::string complete_sequence_options(const std::string& options);

} // namespace schemagen::pg
