#pragma once
// SQL text helpers for PostgreSQL: identifiers quoted exactly when the server needs it, and
// literals escaped.

#include <optional>
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

/// How a type in `schema` is named where a column's type is written: `name` alone in `public`
/// (as the server's format_type() spells a type on the search path), else `schema.name`; each
/// part quoted as needed.
std::string type_name(std::string_view schema, std::string_view name);

/// Whether `s` is an unquoted SQL identifier ([A-Za-z_][A-Za-z0-9_$]*).
bool is_identifier(std::string_view s);

/// An index entry as CREATE INDEX wants it: a column ("email" → email, quoted as needed), a
/// column with options ("created_at DESC"), or an expression, in parentheses ("(lower(email))").
std::string index_element(const std::string& entry);

/// A foreign key's referential action, upper-cased with single spaces ("set  null" → "SET NULL";
/// "" for NO ACTION, the default), or nullopt when it is not one of PostgreSQL's.
std::optional<std::string> referential_action(std::string_view text);

/// An index's access method as USING wants it: lower-cased, quoted as needed.
std::string access_method(std::string_view method);

/// A string literal: 'it''s'; with E'' when it holds a backslash.
std::string quote_literal(std::string_view value);

/// A connection URL or keyword string with any password replaced by `***`, for printing. In a
/// URL the password runs from the userinfo's first ':' to its last '@', however malformed the
/// URL (an unencoded '@' or '/' in it); in keyword form or a query it is `password=`'s value.
std::string redact_url(std::string_view url);

/// The password redact_url() hides in `url`, as written there; "" when it has none.
std::string url_password(std::string_view url);

/// The shortest piece of a password redact_text() looks for on its own.
inline constexpr std::size_t min_secret_piece = 3;

/// Free text (a server's message, a command line) with the password of every URL and
/// `password=` in it masked, and every occurrence of `password` — and of each run of it between
/// '@', '/', '?', '#' or ':', at least min_secret_piece long — replaced by `***`.
std::string redact_text(std::string_view text, std::string_view password = {});

} // namespace schemagen::sql
