#pragma once
// What the SQLite dialect's files share. Conventions: the models' default schema ("public") is the
// file's `main` schema and SQL names tables unqualified; a column type is the declared type as
// canonical_type() spells it; an INTEGER column that is the whole primary key is the rowid alias
// and is `autoincrement`; comments are not kept.

#include "schemagen/sqlite/sqlite.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::sqlite {

// ---- parse.cpp: what SQLite keeps only in the SQL text of sqlite_schema ----------------------

/// `name` in double quotes, embedded ones doubled: how schemagen writes every SQLite name (a
/// bare word may be one of SQLite's keywords).
std::string quote_identifier(std::string_view name);

/// A declared type spelled one way: upper case, single spaces, no space before '(' or around ','
/// ("varchar ( 20 )" → "VARCHAR(20)"), and synonyms of one name made that name (INT → INTEGER).
std::string canonical_type(std::string_view type);
/// An expression (default, check, index element or predicate) spelled one way: outer
/// parentheses removed, keywords and function names upper case, whitespace collapsed outside
/// string literals, quoted identifiers unquoted where they need no quotes.
std::string canonical_expression(std::string_view expr);
/// A column's default as the pragma gives its text, spelled as canonical_expression() does, but
/// as SQLite reads a DEFAULT: a name alone is a string (`DEFAULT "x"`, `DEFAULT x`: 'x'), and
/// NULL is no default (nullopt): what a column without one gets.
std::optional<std::string> canonical_default(std::string_view expr);

/// The constraints of a CREATE TABLE statement, as written (names may be empty when unnamed).
struct TableText {
  struct Named {
    std::string name;
    std::vector<std::string> columns;
  };
  struct Check {
    std::string name;
    std::string expression; // canonical_expression()
  };
  struct Foreign {
    std::string name;
    std::vector<std::string> columns, referred_columns;
    std::string referred_table;
    bool deferred = false; // DEFERRABLE INITIALLY DEFERRED
  };
  std::vector<std::string> columns; // in the order of the text
  std::optional<Named> primary_key;
  std::vector<Named> uniques;
  std::vector<Check> checks;
  std::vector<Foreign> foreign_keys;
  std::vector<std::pair<std::string, std::string>> collations; // column → collation
  /// ON CONFLICT clauses other than ABORT: "column k UNIQUE ON CONFLICT REPLACE", ...
  std::vector<std::string> conflicts;
  bool without_rowid = false;
  bool strict = false;
  bool autoincrement = false; // INTEGER PRIMARY KEY AUTOINCREMENT somewhere
};
/// Column-level and table-level constraints alike; in a check, a double-quoted word that names
/// no column is the string SQLite takes it for. Throws UserError naming the table on text it
/// cannot read.
TableText parse_create_table(std::string_view sql);

/// The elements (column names or canonical expressions) and WHERE of a CREATE INDEX statement.
struct IndexText {
  std::vector<std::string> elements;
  std::optional<std::string> where;
};
/// With the table's `columns`, a double-quoted word in an expression or the predicate that names
/// none of them is the string SQLite takes it for.
IndexText parse_create_index(std::string_view sql,
                             const std::vector<std::string>* columns = nullptr);

// ---- reflect.cpp ------------------------------------------------------------------------------

/// The tables of attached database `db` ("main", or a scratch one), from sqlite_schema and the
/// pragma table-valued functions: a few queries whatever the number of tables. Tables come out in
/// schema "public"; the version tables and sqlite_* tables are not read. With `only`, only the
/// tables it names (those that exist).
model::Metadata reflect(Connection& c, const dialect::ReflectOptions& options,
                        const std::string& db = "main",
                        const std::vector<std::string>* only = nullptr);
/// The (lowered) models as SQLite spells them: created in scratch in-memory databases, read back
/// by reflect(). Same shape and order as `models`; what SQLite refuses (a default that is not
/// constant or calls a function SQLite lacks, a bad type or check) is a DiagnosticsError at the
/// model's origin, every refusal in one run. SQLite needs no server: online and offline alike.
model::Metadata normalize(const model::Metadata& models);

// ---- names.cpp --------------------------------------------------------------------------------

/// `database` with each table and column name that differs from the models' only in case spelled
/// as the models spell it (SQLite folds ASCII case in names), in every place it is named.
model::Metadata spelled_like(model::Metadata database, const model::Metadata& models);

// ---- lower.cpp --------------------------------------------------------------------------------

/// The models as SQLite keeps them (the README's SQLite type mapping): PostgreSQL type names
/// mapped (BYTEA → BLOB, TIMESTAMP WITH TIME ZONE → DATETIME, JSONB → JSON, UUID → CHAR(32), ...),
/// an enum column TEXT with a named CHECK of its values and no enum left, an INTEGER whole
/// primary key autoincrement, comments dropped, schema "main" made "public". What SQLite lacks
/// (another schema, identity, an index method, an array type) is a DiagnosticsError at each
/// annotation, every one in one run.
model::Metadata lower(model::Metadata models);

// ---- compile.cpp ------------------------------------------------------------------------------

/// `name` in double quotes, embedded quotes doubled: how schemagen writes every SQLite name.
std::string ident(std::string_view name);
/// A SQLite string literal: 'it''s'. SQLite has no E'' form: a backslash is itself.
std::string literal(std::string_view value);

/// CREATE TABLE for `t`, named `name` (default t.name), in attached database `db` (default none).
std::string create_table_sql(const model::Table& t, const std::string& name = "",
                             const std::string& db = "");
/// CREATE INDEX for `ix` on `table`, in attached database `db` (default none). An element that
/// is a column of `columns` (the table's, when known) is written quoted, as a column: whatever
/// its name (a space, a quote, a letter outside ASCII), never taken for an expression.
std::string create_index_sql(const model::Index& ix, const std::string& table,
                             const std::string& db = "",
                             const std::vector<model::Column>* columns = nullptr);
/// Why SQLite cannot carry out `op` at all (create_enum, add_enum_value, create_schema, identity,
/// an index method, ...), or nullopt.
std::optional<std::string> unsupported(const ops::Op& op);
/// ALTER TABLE where SQLite can, a rebuild of the table from `state` where not (several ops on
/// one table make one rebuild); `state` moves past the ops. `live`, when online, is asked for the
/// triggers of a rebuilt table, which are recreated.
std::vector<dialect::Step> compile(const std::vector<ops::LocatedOp>& ops, model::Metadata& state,
                                   Connection* live);

} // namespace schemagen::sqlite
