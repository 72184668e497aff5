#pragma once
// The schema metadata: plain values that scan, reflect and the revision chain all produce, and
// that compare reads. Equality ignores where a thing was declared; canonical order makes two
// metadata built in any order print the same.

#include "schemagen/support/diagnostics.hpp"

#include <optional>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

namespace schemagen::model {

/// Where something was declared, kept for diagnostics only: always compares equal, never printed.
struct Origin {
  SourceLoc loc;
  bool operator==(const Origin&) const { return true; }
};

enum class Identity { none, always, by_default };

struct Column {
  std::string name;
  std::string type; // PostgreSQL spelling: BIGINT, VARCHAR(100), TEXT[], auth.role, ...
  bool nullable = false;
  std::optional<std::string> server_default; // SQL expression text
  Identity identity = Identity::none;
  bool autoincrement = false; // SERIAL/BIGSERIAL: a sequence the column owns
  std::optional<std::string> comment;
  std::optional<std::string> renamed_from;
  Origin origin;
  bool operator==(const Column&) const = default;
};

struct PrimaryKey {
  std::string name;
  std::vector<std::string> columns;
  bool operator==(const PrimaryKey&) const = default;
};

struct UniqueConstraint {
  std::string name;
  std::vector<std::string> columns;
  Origin origin;
  bool operator==(const UniqueConstraint&) const = default;
};

/// Referential actions are stored upper case; an empty string is PostgreSQL's NO ACTION.
struct ForeignKey {
  std::string name;
  std::vector<std::string> columns;
  std::string referred_schema;
  std::string referred_table;
  std::vector<std::string> referred_columns;
  std::string on_delete;
  std::string on_update;
  Origin origin;
  bool operator==(const ForeignKey&) const = default;
};

struct CheckConstraint {
  std::string name;
  std::string expression;
  Origin origin;
  bool operator==(const CheckConstraint&) const = default;
};

struct Index {
  std::string name;
  std::vector<std::string> columns; // column names or expressions such as lower(email)
  bool unique = false;
  std::optional<std::string> where; // partial index predicate
  std::string method = "btree";
  Origin origin;
  bool operator==(const Index&) const = default;
};

struct Table {
  std::string schema = "public";
  std::string name;
  std::optional<std::string> comment;
  std::optional<std::string> renamed_from;
  std::vector<Column> columns; // declaration order: it is the table's column order
  std::optional<PrimaryKey> primary_key;
  std::vector<UniqueConstraint> unique_constraints;
  std::vector<ForeignKey> foreign_keys;
  std::vector<CheckConstraint> checks;
  std::vector<Index> indexes;
  Origin origin;
  bool operator==(const Table&) const = default;

  /// "schema.name", or "name" in the public schema.
  std::string qualified_name() const;
  const Column* find_column(std::string_view column) const;
};

struct Enum {
  std::string schema = "public";
  std::string name;
  std::vector<std::string> values; // in declaration order: PostgreSQL sorts enums by it
  Origin origin;
  bool operator==(const Enum&) const = default;

  std::string qualified_name() const;
};

/// A view (SG_VIEW on a struct): rows the program reads. `sql` is its query as declared, what
/// revisions carry; `definition` is how the database spells it (the server's pg_get_viewdef
/// online, the normalised parse tree offline), filled by the dialect and what comparing reads.
struct View {
  std::string schema = "public";
  std::string name;
  std::string sql;
  bool materialized = false;
  std::vector<Column> columns; // the struct's members (names and types), checked against the
                               // columns the database makes of `sql`; not compared
  std::vector<Index> indexes;  // a materialized view's
  std::optional<std::string> comment;
  std::string definition;              // never written to YAML
  std::vector<std::string> depends_on; // what `sql` references ("schema.name"); not compared
  Origin origin;
  /// Same name, kind, indexes and comment, and the same query: the definitions when both sides
  /// have one, else the SQL texts.
  bool operator==(const View& other) const;

  std::string qualified_name() const;
};

/// The kinds of schema object declared in SQL files (the configuration's `objects:`), in the
/// order they are created: what a later kind references comes first.
enum class ObjectKind { extension, sequence, function, procedure, trigger, policy, grant };

/// A schema object one CREATE (or GRANT) statement declares.
struct DbObject {
  ObjectKind kind = ObjectKind::function;
  std::string schema = "public";
  std::string name;   // a grant's is "PRIVILEGES on OBJECT to ROLE"
  std::string target; // a function's or procedure's identity arguments, "(integer, text)"; a
                      // trigger's or policy's table, "schema.table"; else empty
  std::string sql;    // the statement as declared, what revisions carry
  std::string definition;              // how the database spells it (see View); never written
  std::vector<std::string> depends_on; // what it references ("schema.name"); not compared
  Origin origin;
  bool operator==(const DbObject& other) const;

  /// "function public.touch_updated_at()", "trigger users_touch on auth.users": what messages
  /// call it, and (with the kind) what identifies it.
  std::string describe() const;
  /// The table or view ("schema.name") a trigger, policy or grant is on, which the server drops
  /// with it; nullopt for other objects and for grants on anything else.
  std::optional<std::string> relation() const;
};

std::string_view to_string(ObjectKind kind);
std::string plural(ObjectKind kind); // "policies"
std::optional<ObjectKind> object_kind(std::string_view name);

struct Metadata {
  std::vector<std::string> schemas; // every schema a table or enum lives in, sorted
  std::vector<Table> tables;        // sorted by (schema, name)
  std::vector<Enum> enums;          // sorted by (schema, name)
  std::vector<View> views;          // sorted by (schema, name)
  std::vector<DbObject> objects;    // sorted by (kind, schema, name, target)
  bool operator==(const Metadata&) const = default;

  const Table* find_table(std::string_view schema, std::string_view name) const;
  const View* find_view(std::string_view schema, std::string_view name) const;
  const DbObject* find_object(const DbObject& like) const; // the same kind, schema, name, target
};

/// A Metadata's tables by schema and name, for code that looks up many of them: find_table() is a
/// linear search, and one per table of a schema of thousands is quadratic. It points into the
/// vector it was built from, which must neither change nor move while it is used.
class TableIndex {
public:
  explicit TableIndex(const std::vector<Table>& tables);
  const Table* find(std::string_view schema, std::string_view name) const;
  /// What the index hashes a table by; for other maps of tables keyed the same way.
  static std::string key(std::string_view schema, std::string_view name);

private:
  std::unordered_map<std::string, const Table*> by_name_;
};

/// Objects by what find_object() matches (kind, schema, name, target): one hash per lookup where
/// a find_object() in a loop over objects was quadratic (a grant per table and role, say).
class ObjectIndex {
public:
  explicit ObjectIndex(const std::vector<DbObject>& objects);
  /// The first object like `like`, as find_object() finds it.
  const DbObject* find(const DbObject& like) const;
  /// What the index hashes an object by.
  static std::string key(const DbObject& o);

private:
  std::unordered_map<std::string, const DbObject*> by_key_;
};

/// Sorts everything whose order carries no meaning (tables, enums, constraints and indexes by
/// name) and recomputes `schemas`; column and enum-value order are kept.
void canonicalize(Metadata& metadata);

std::string_view to_string(Identity identity);

} // namespace schemagen::model
