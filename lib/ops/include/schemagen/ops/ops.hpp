#pragma once
// Operations as values (REFERENCE.md, "Operations"; Alembic's operations/ops.py). Every op knows
// its reverse(); an op that drops something carries what recreates it (the existing_* fields), so
// a downgrade is derived mechanically: reverse each op, reverse the list. std::variant makes
// handling exhaustive: a new op does not compile until ddl, render, apply and reverse all handle
// it.

#include "schemagen/model/metadata.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace schemagen::ops {

/// A value that may be set to "nothing": outer nullopt = unchanged, inner nullopt = removed.
template <class T>
using Change = std::optional<std::optional<T>>;

struct CreateTable {
  model::Table table; // columns, primary key, unique, foreign keys, checks, comment; no indexes
};
struct DropTable {
  std::string schema = "public", name;
  std::optional<model::Table> existing;
};
struct RenameTable {
  std::string schema = "public", name, new_name;
};
/// `online` (PostgreSQL): a default is filled in without rewriting the table under its lock —
/// the column added bare, its default set, the rows that were there filled in batches of
/// `batch_size`, each batch its own transaction, and NOT NULL set as `AlterColumn::online` does.
struct AddColumn {
  std::string schema = "public", table;
  model::Column column;
  bool online = false;
  long batch_size = default_batch_size;
  static constexpr long default_batch_size = 10000;
};
/// `online` and `batch_size` are what its reverse (add_column) takes.
struct DropColumn {
  std::string schema = "public", table, name;
  std::optional<model::Column> existing;
  bool online = false;
  long batch_size = AddColumn::default_batch_size;
};
struct AlterColumn {
  std::string schema = "public", table, name;
  std::optional<std::string> type;
  std::optional<std::string> using_; // USING expression for the type change
  std::optional<bool> nullable;
  Change<std::string> server_default;
  Change<std::string> comment;
  std::optional<model::Identity> identity;
  std::optional<std::string> new_name;
  // what the column was: reverse() needs these for each attribute it changes
  std::optional<std::string> existing_type;
  std::optional<bool> existing_nullable;
  Change<std::string> existing_server_default;
  Change<std::string> existing_comment;
  std::optional<model::Identity> existing_identity;
  /// NOT NULL set without the scan under an exclusive lock (PostgreSQL): a CHECK (... IS NOT
  /// NULL) added NOT VALID, validated in a transaction of its own, then SET NOT NULL, which uses
  /// it, and the check dropped.
  bool online = false;
};
struct CreateIndex {
  std::string schema = "public", table;
  model::Index index;
  bool concurrently = false;
};
struct DropIndex {
  std::string schema = "public", table, name;
  std::optional<model::Index> existing;
  bool concurrently = false;
};
/// `online` (PostgreSQL): its unique index built CONCURRENTLY outside the transaction, then the
/// constraint added USING INDEX.
struct CreateUniqueConstraint {
  std::string schema = "public", table;
  model::UniqueConstraint constraint;
  bool online = false;
};
/// `online` (PostgreSQL): added NOT VALID, then validated in a transaction of its own, which
/// lets writes go on while it scans.
struct CreateForeignKey {
  std::string schema = "public", table;
  model::ForeignKey constraint;
  bool online = false;
};
/// `online`: as CreateForeignKey's.
struct CreateCheckConstraint {
  std::string schema = "public", table;
  model::CheckConstraint constraint;
  bool online = false;
};
struct CreatePrimaryKey {
  std::string schema = "public", table;
  model::PrimaryKey constraint;
};
enum class ConstraintType { primary_key, unique, foreign_key, check };
using AnyConstraint = std::variant<model::PrimaryKey, model::UniqueConstraint, model::ForeignKey,
                                   model::CheckConstraint>;
/// `online`: what its reverse (the constraint made again) takes.
struct DropConstraint {
  std::string schema = "public", table, name;
  std::optional<ConstraintType> type;
  std::optional<AnyConstraint> existing;
  bool online = false;
};
struct CreateEnum {
  model::Enum type;
};
struct DropEnum {
  std::string schema = "public", name;
  std::optional<std::vector<std::string>> existing_values;
};
struct AddEnumValue { // PostgreSQL cannot remove an enum value: irreversible
  std::string schema = "public", name, value;
  std::optional<std::string> before, after;
};
struct CreateSchema {
  std::string name;
};
struct DropSchema {
  std::string name;
};
struct SetTableComment {
  std::string schema = "public", table;
  std::optional<std::string> comment; // nullopt: remove it
  Change<std::string> existing_comment;
};
struct LocatedOp;
struct Execute {
  std::map<std::string, std::string> sql; // dialect → SQL; "" applies to every dialect
  /// What the SQL does to the schema, as ops, for offline replay (`replay:` in the file); an
  /// empty list says it changes no schema. Absent: replay cannot know.
  std::shared_ptr<const std::vector<LocatedOp>> replay;
};
/// A literal in bulk_insert rows.
struct Literal {
  enum class Kind { null, boolean, number, string } kind = Kind::null;
  std::string text;
  bool operator==(const Literal&) const = default;
};
struct BulkInsert {
  std::string schema = "public", table;
  std::vector<std::vector<std::pair<std::string, Literal>>> rows; // column → value, in order
};
/// A view created from its definition; a materialized one with its indexes.
struct CreateView {
  model::View view;
};
/// CREATE OR REPLACE VIEW: the new query; `existing` is the view it replaces (for the downgrade).
/// A view whose columns change other than by new ones at the end, or a materialized one, is
/// dropped and created instead (autogenerate writes drop_view and create_view).
struct ReplaceView {
  model::View view;
  std::optional<model::View> existing;
};
/// `view` names what is dropped; its sql (empty: not known) is what recreates it.
struct DropView {
  model::View view;
};
/// A schema object (function, trigger, extension, ...) created by its statement.
struct CreateObject {
  model::DbObject object;
};
/// CREATE OR REPLACE (a sequence: ALTER SEQUENCE with its options; a policy: dropped and made
/// again); `existing` is what it replaces.
struct ReplaceObject {
  model::DbObject object;
  std::optional<model::DbObject> existing;
};
/// `object` names what is dropped; its sql (empty: not known) is what recreates it.
struct DropObject {
  model::DbObject object;
};
/// A C++ step the application registers by this name (Migrator::register_step), run in the
/// revision's transaction on its connection: data, never the schema, changes.
struct Call {
  std::string name;
};

using Op =
    std::variant<CreateTable, DropTable, RenameTable, AddColumn, DropColumn, AlterColumn,
                 CreateIndex, DropIndex, CreateUniqueConstraint, CreateForeignKey,
                 CreateCheckConstraint, CreatePrimaryKey, DropConstraint, CreateEnum, DropEnum,
                 AddEnumValue, CreateSchema, DropSchema, SetTableComment, Execute, BulkInsert, Call,
                 CreateView, ReplaceView, DropView, CreateObject, ReplaceObject, DropObject>;

/// An op and where it was written (a revision file's line), for error messages.
struct LocatedOp {
  Op op;
  SourceLoc loc;
};

/// The op's name as revision files spell it: "add_column", "create_function", "grant".
std::string name(const Op& op);
/// The op names of a kind of schema object: create, replace and drop ("create_function",
/// "replace_function", "drop_function"; "create_sequence", "alter_sequence"; "grant", "revoke").
struct ObjectOpNames {
  std::string create, replace, drop;
};
ObjectOpNames object_op_names(model::ObjectKind kind);
/// "add_column auth.users.email": what error messages and logs call it; " (online)" or
/// " (concurrently)" after an op whose online form runs other statements.
std::string describe(const Op& op);
/// Whether the op is written for a busy database (online: true, concurrently: true).
bool is_online(const Op& op);

/// The op that undoes `op`. Throws UserError naming the op when it cannot be undone (a drop
/// without its existing_* details, add_enum_value, execute, bulk_insert, call).
Op reverse(const Op& op);
/// Whether reverse() would succeed.
bool reversible(const Op& op);
/// The downgrade of `upgrade`: each op reversed, in reverse order.
std::vector<Op> reverse_all(const std::vector<Op>& upgrade);

/// `op` with everything in schema `from` moved to schema `to`: its tables, the tables its foreign
/// keys refer to, enums, views, schema objects, types spelled "from.name", and what an execute's
/// replay says. SQL text is not rewritten: unqualified, it goes where the search_path says.
void move_schema(Op& op, const std::string& from, const std::string& to);

/// Adds to `into` the relations running `op` locks until its transaction ends, as PostgreSQL
/// counts them in its shared lock table: the tables it names, and what it creates or drops with
/// them (a table's indexes, its TOAST table and index, its sequences). An estimate, on the high
/// side: what a transaction's lock slots are checked against before it runs.
void locked_relations(const Op& op, std::set<std::string>& into);

} // namespace schemagen::ops
