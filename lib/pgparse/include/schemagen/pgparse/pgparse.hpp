#pragma once
// The SQL files of the configuration's `objects:` read with PostgreSQL's own parser (libpg_query):
// each CREATE FUNCTION, PROCEDURE, TRIGGER, EXTENSION, SEQUENCE, POLICY and GRANT becomes a
// model::DbObject spelled as the PostgreSQL reflection spells the database's, so that a declared
// object and the database's match. Also what a query references (to order views and functions)
// and a normalised parse tree (to compare SQL offline). This header is free of libpg_query; only
// lib/pgparse's sources include it.

#include "schemagen/model/metadata.hpp"
#include "schemagen/ops/ops.hpp"
#include "schemagen/support/diagnostics.hpp"

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::pgparse {

/// The objects `text` declares, one per statement (a GRANT naming several objects, one per
/// object), in the file's order. `file` is how diagnostics and origins name the file. A statement
/// that does not parse, or that has no place in an objects file, is an error in `diags` at its
/// file:line:col; the statements before a syntax error are still returned, none after it (the
/// parser stops there).
std::vector<model::DbObject> read_objects(std::string_view text, const std::string& file,
                                          DiagnosticList& diags);

/// read_objects() of the file at `path` (named in diagnostics by display_path()); throws
/// DiagnosticsError when it has errors, UserError when it cannot be read.
std::vector<model::DbObject> read_objects_file(const std::filesystem::path& path);

/// The relations and functions the statements of `sql` (a query, or a SQL function's body)
/// reference, as "schema.name" (public when unqualified), sorted, each once; the names of its
/// common table expressions are not among them. Builtin functions called unqualified (count,
/// now) come out as public.count: they match no declared object. A syntax error is a UserError
/// at `at` (the SQL's own position in its file, when known) moved on by the error's position.
std::vector<std::string> references(std::string_view sql, const SourceLoc& at = {});

/// The parse tree of `sql` as JSON, with what does not change the object it declares left out:
/// every token's location, OR REPLACE, IF NOT EXISTS, and a LANGUAGE sql function's body as text
/// (its own parse tree instead). Two spellings that differ only in layout, comments, keyword case
/// or such options give the same text. Errors as references().
std::string canonical(std::string_view sql, const SourceLoc& at = {});

/// PostgreSQL's format_type() spelling of a type name as the parser gives it (int4, pg_catalog.
/// int8, varchar, timestamptz, ...): integer, bigint, character varying, timestamp with time zone.
/// Names it does not know are kept (a type of the user's stays qualified only if written so).
std::string format_type_name(const std::vector<std::string>& names);

/// One statement of a revision's raw SQL (an execute op's) as the lint reads it: what it does to
/// the schema as the ops that would do the same, where the parse tree says it plainly, and what no
/// op says.
struct Statement {
  std::string text;         // as written, without the blank space and comments before it
  std::size_t offset = 0;   // where it starts in the SQL
  /// CREATE TABLE, ALTER TABLE, CREATE/DROP INDEX, RENAME, DROP, CREATE TYPE AS ENUM, ALTER TYPE
  /// ADD VALUE, COMMENT ON TABLE/COLUMN, CREATE [OR REPLACE] VIEW, CREATE MATERIALIZED VIEW, what
  /// an objects file declares (CREATE FUNCTION, PROCEDURE, TRIGGER, POLICY, EXTENSION, SEQUENCE;
  /// GRANT), REVOKE (a drop_object of the grant it takes away), ALTER SEQUENCE (a replace_object
  /// whose sql is the ALTER). As written: what they amount to on the schema the statement meets
  /// is on_schema()'s.
  std::vector<ops::Op> ops;
  /// When each of `ops` (by position) applies on the schema it is replayed on: always, only
  /// where what it makes is not there yet (IF NOT EXISTS, and the create half of OR REPLACE),
  /// or only where what it names is there (IF EXISTS, and OR REPLACE's replace half).
  enum class When { always, absent, present };
  std::vector<When> when;
  /// Tables the statement locks against writes beyond what its ops say (ALTER TABLE's other
  /// subcommands, CREATE TRIGGER, LOCK, ...), as {schema, name}.
  std::vector<std::pair<std::string, std::string>> locks;
  /// Tables it rewrites beyond what its ops say (a column added GENERATED ALWAYS AS (...)
  /// STORED, computed for every row), as {schema, name}.
  std::vector<std::pair<std::string, std::string>> rewrites;
  /// The constraints ALTER TABLE ... VALIDATE CONSTRAINT validates, as {schema, table, name}.
  std::vector<std::array<std::string, 3>> validates;
  enum class Transaction { none, begin, end };
  Transaction transaction = Transaction::none; // BEGIN/START TRANSACTION; COMMIT/ROLLBACK/END
  bool sets_lock_timeout = false; // SET [LOCAL] lock_timeout, set_config('lock_timeout')
  bool drops_database = false;    // DROP DATABASE
  bool cascades = false;          // DROP ... CASCADE: what depends on it goes too
  bool truncate_cascades = false; // TRUNCATE ... CASCADE: the tables referring to it are emptied
  /// CREATE/DROP INDEX, REINDEX, DETACH PARTITION ... CONCURRENTLY: what PostgreSQL refuses to run
  /// inside a transaction block.
  bool concurrently = false;
  /// A constraint on a domain: CREATE DOMAIN with a CHECK or NOT NULL (create); ALTER DOMAIN
  /// ... ADD CONSTRAINT, SET NOT NULL or VALIDATE CONSTRAINT (alter), which check every column
  /// of the domain.
  enum class DomainConstraint { none, create, alter };
  DomainConstraint domain_constraint = DomainConstraint::none;
  /// Whether `ops` are all the statement does to the schema, under the names the server gives
  /// (a DML statement: nothing): what offline replay can follow without a `replay:`. False for
  /// what only running it tells (DO blocks, dynamic SQL, CASCADE, an unnamed table CHECK, a view
  /// WITH CHECK OPTION, CREATE EXTENSION ... CASCADE, ALTER TYPE ... RENAME VALUE, ...).
  bool followed = false;
};

/// What op `op` of a followed Statement, applying `when` (its entry in Statement::when), amounts
/// to on `schema`, the schema as the statement's ops before it left it: nothing where IF [NOT]
/// EXISTS or OR REPLACE says so; a drop naming what it drops as the schema has it (a routine
/// named without arguments by its one overload); a GRANT or REVOKE as the drops and creations
/// that leave the grants there as the server's ACL has them after it; ALTER SEQUENCE as the
/// sequence's statement with its options changed; an index made or dropped on a materialized
/// view as the view with or without it. Nullopt, with `why` saying what, where the schema does
/// not let it apply as the SQL would: it makes what is there already, names what is not there,
/// or names a routine several overloads could be.
std::optional<std::vector<ops::Op>> on_schema(const ops::Op& op, Statement::When when,
                                              const model::Metadata& schema, std::string& why);

/// The statements of `sql`, in order, and the parser's error when it stops: the statements before
/// a syntax error are returned, none after it.
struct Script {
  std::vector<Statement> statements;
  std::optional<std::string> error; // the parser's message
  std::size_t error_offset = 0;     // where in `sql` it points
};
Script read_script(std::string_view sql);

/// Grants to one role on one object, from several statements, as one (the database keeps one
/// entry per role and object): their privileges merged, in PostgreSQL's order.
void merge_grants(std::vector<model::DbObject>& objects);

} // namespace schemagen::pgparse
