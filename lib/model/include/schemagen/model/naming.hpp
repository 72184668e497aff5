#pragma once
// Names of constraints and indexes that the models do not name: PostgreSQL's own defaults
// (users_pkey, users_username_key, users_org_id_fkey) or the project's naming_convention.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::model {

/// PostgreSQL identifiers longer than this are truncated by the server (NAMEDATALEN - 1).
inline constexpr std::size_t max_identifier_length = 63;

/// The kinds a naming convention can name, as its keys spell them.
enum class NameKind { primary_key, unique, foreign_key, index, check };

/// What a name is made from.
struct NameParts {
  std::string table;
  std::vector<std::string> columns;
  std::string referred_table;                // foreign keys only
  std::vector<std::string> referred_columns; // foreign keys only
  std::string constraint_name;               // checks only: the name the model gives
};

/// PostgreSQL's makeObjectName(): table, columns and label joined by '_', the longer of the
/// table and column parts shortened until the whole fits in 63 bytes.
std::string postgres_default_name(std::string_view table, const std::vector<std::string>& columns,
                                  std::string_view label);

/// Naming convention: keys pk, uq, fk, ix, ck; values with tokens in schemagen's spelling
/// ({table}, {column_0}, {column_0_N}, {referred_table}) or SQLAlchemy's (%(table_name)s,
/// %(column_0_name)s, %(column_0_label)s, %(referred_table_name)s, %(constraint_name)s, ...).
using NamingConvention = std::map<std::string, std::string>;

/// Why `pattern` cannot be the naming convention for `key` ("pk", ...), or "" when it can: an
/// unknown token (with "did you mean"), a token the key's kind has no value for, or a pattern
/// that would give every table the same name.
std::string convention_problem(std::string_view key, std::string_view pattern);

/// The name a constraint or index gets when the models give none: the convention's, if it has
/// one for `kind`, else PostgreSQL's default. A check is always named: the `ck` convention, when
/// there is one, makes its name from the given one (%(constraint_name)s). A convention's name is
/// not truncated: the scan reports it when too long.
std::string default_name(NameKind kind, const NameParts& parts, const NamingConvention& convention);

/// The key a naming convention uses for `kind` ("pk", "uq", "fk", "ix", "ck").
std::string_view convention_key(NameKind kind);

} // namespace schemagen::model
