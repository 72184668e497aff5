#pragma once
// SQL text helpers for PostgreSQL: identifiers quoted exactly when the server needs it, and
// literals escaped.

#include <string>
#include <string_view>

namespace schemagen::sql {

/// Whether PostgreSQL's lexer would read `word` as a keyword that cannot be a bare column or
/// table name (reserved, type/function-name or column-name keywords).
bool is_keyword(std::string_view word);

/// `name` as PostgreSQL needs it written: bare when it is a lower-case identifier and no
/// keyword, else in double quotes with embedded quotes doubled (quote_ident()'s rule).
std::string quote_ident(std::string_view name);

/// "schema.name", each part quoted as needed; the schema is left out when empty.
std::string qualified(std::string_view schema, std::string_view name);

/// A string literal: 'it''s'; with E'' when it holds a backslash.
std::string quote_literal(std::string_view value);

/// A connection URL or keyword string with any password replaced by `***`, for printing.
std::string redact_url(std::string_view url);

} // namespace schemagen::sql
