#pragma once
// A live PostgreSQL schema as the same metadata `scan` produces, from a fixed handful of catalog
// queries whatever the number of tables; and the models' spellings normalised by the server
// itself, so that the same schema spelled two ways compares equal.

#include "schemagen/model/metadata.hpp"
#include "schemagen/dialect/dialect.hpp"
#include "schemagen/pg/connection.hpp"

#include <functional>
#include <string>
#include <vector>

namespace schemagen::pg {

using Options = dialect::ReflectOptions;

/// Reads the schema. Types come out as format_type() spells them, defaults, checks and index
/// expressions as pg_get_expr() does; a column whose default is nextval() of a sequence it owns
/// is `autoincrement` with no default (serial, as SQLAlchemy and Django make them).
model::Metadata reflect(pg::Connection& db, const Options& options);

/// The models as the server would spell them once created: types through format_type(), defaults,
/// checks, index expressions and predicates through pg_get_expr(), all in a transaction that is
/// rolled back. Same shape and order as `models`. A type or expression the server refuses is a
/// UserError at the model's file:line:col with the server's message.
model::Metadata normalize(pg::Connection& db, const model::Metadata& models);

/// Whether changing a column from type `from` to `to` (both as format_type() spells them) needs a
/// USING clause: there is no assignment cast (text → integer, say). Types that `models` create
/// (a new enum) are created for the question in a transaction that is rolled back; `models`
/// must outlive the function.
std::function<bool(const std::string&, const std::string&)>
cast_checker(pg::Connection& db, const model::Metadata& models);

} // namespace schemagen::pg
