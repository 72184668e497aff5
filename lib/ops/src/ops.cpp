#include "schemagen/ops/ops.hpp"

#include "schemagen/support/overloaded.hpp"
#include "schemagen/support/sql.hpp"

#include <fmt/format.h>

namespace schemagen::ops {

namespace {

std::string qualify(const std::string& schema, const std::string& name) {
  return schema == "public" ? name : schema + "." + name;
}

[[noreturn]] void irreversible(const Op& op, std::string_view why) {
  throw UserError(fmt::format("error: {} cannot be reversed: {}", describe(op), why));
}

} // namespace

std::string name(const Op& op) {
  return std::visit(overloaded{
                        [](const CreateTable&) -> std::string { return "create_table"; },
                        [](const DropTable&) -> std::string { return "drop_table"; },
                        [](const RenameTable&) -> std::string { return "rename_table"; },
                        [](const AddColumn&) -> std::string { return "add_column"; },
                        [](const DropColumn&) -> std::string { return "drop_column"; },
                        [](const AlterColumn&) -> std::string { return "alter_column"; },
                        [](const CreateIndex&) -> std::string { return "create_index"; },
                        [](const DropIndex&) -> std::string { return "drop_index"; },
                        [](const CreateUniqueConstraint&) -> std::string { return "create_unique_constraint"; },
                        [](const CreateForeignKey&) -> std::string { return "create_foreign_key"; },
                        [](const CreateCheckConstraint&) -> std::string { return "create_check_constraint"; },
                        [](const CreatePrimaryKey&) -> std::string { return "create_primary_key"; },
                        [](const DropConstraint&) -> std::string { return "drop_constraint"; },
                        [](const CreateEnum&) -> std::string { return "create_enum"; },
                        [](const DropEnum&) -> std::string { return "drop_enum"; },
                        [](const AddEnumValue&) -> std::string { return "add_enum_value"; },
                        [](const CreateSchema&) -> std::string { return "create_schema"; },
                        [](const DropSchema&) -> std::string { return "drop_schema"; },
                        [](const SetTableComment&) -> std::string { return "set_table_comment"; },
                        [](const Execute&) -> std::string { return "execute"; },
                        [](const BulkInsert&) -> std::string { return "bulk_insert"; },
                        [](const Call&) -> std::string { return "call"; },
                        [](const CreateView&) -> std::string { return "create_view"; },
                        [](const ReplaceView&) -> std::string { return "replace_view"; },
                        [](const DropView&) -> std::string { return "drop_view"; },
                        [](const CreateObject& o) -> std::string { return object_op_names(o.object.kind).create; },
                        [](const ReplaceObject& o) -> std::string { return object_op_names(o.object.kind).replace; },
                        [](const DropObject& o) -> std::string { return object_op_names(o.object.kind).drop; },
                    },
                    op);
}

ObjectOpNames object_op_names(model::ObjectKind kind) {
  using K = model::ObjectKind;
  if (kind == K::grant) return {"grant", "grant", "revoke"};
  const std::string k(model::to_string(kind));
  return {"create_" + k, (kind == K::sequence ? "alter_" : "replace_") + k, "drop_" + k};
}

namespace {
/// What an object op is about, as describe() says it: "public.touch_updated_at()", "users_touch
/// on auth.users", "pgcrypto".
std::string object_subject(const model::DbObject& o) {
  const std::string d = o.describe();
  return d.substr(d.find(' ') + 1); // the kind is in the op's name
}
} // namespace

std::string describe(const Op& op) {
  const std::string subject = std::visit(
      overloaded{
          [](const CreateTable& o) { return qualify(o.table.schema, o.table.name); },
          [](const DropTable& o) { return qualify(o.schema, o.name); },
          [](const RenameTable& o) { return qualify(o.schema, o.name) + " to " + o.new_name; },
          [](const AddColumn& o) { return qualify(o.schema, o.table) + "." + o.column.name; },
          [](const DropColumn& o) { return qualify(o.schema, o.table) + "." + o.name; },
          [](const AlterColumn& o) {
            return qualify(o.schema, o.table) + "." + o.name +
                   (o.new_name ? " to " + *o.new_name : "");
          },
          [](const CreateIndex& o) { return o.index.name + " on " + qualify(o.schema, o.table); },
          [](const DropIndex& o) { return qualify(o.schema, o.name); },
          [](const CreateUniqueConstraint& o) {
            return o.constraint.name + " on " + qualify(o.schema, o.table);
          },
          [](const CreateForeignKey& o) {
            return o.constraint.name + " on " + qualify(o.schema, o.table);
          },
          [](const CreateCheckConstraint& o) {
            return o.constraint.name + " on " + qualify(o.schema, o.table);
          },
          [](const CreatePrimaryKey& o) {
            return o.constraint.name + " on " + qualify(o.schema, o.table);
          },
          [](const DropConstraint& o) { return o.name + " on " + qualify(o.schema, o.table); },
          [](const CreateEnum& o) { return qualify(o.type.schema, o.type.name); },
          [](const DropEnum& o) { return qualify(o.schema, o.name); },
          [](const AddEnumValue& o) { return qualify(o.schema, o.name) + " '" + o.value + "'"; },
          [](const CreateSchema& o) { return o.name; },
          [](const DropSchema& o) { return o.name; },
          [](const SetTableComment& o) { return qualify(o.schema, o.table); },
          [](const Execute& o) {
            std::string sql = o.sql.empty() ? "" : o.sql.begin()->second;
            if (sql.size() > 60) sql = sql.substr(0, 57) + "...";
            return "\"" + sql + "\"";
          },
          [](const BulkInsert& o) {
            return fmt::format("{} ({} rows)", qualify(o.schema, o.table), o.rows.size());
          },
          [](const Call& o) { return o.name; },
          [](const CreateView& o) { return qualify(o.view.schema, o.view.name); },
          [](const ReplaceView& o) { return qualify(o.view.schema, o.view.name); },
          [](const DropView& o) { return qualify(o.view.schema, o.view.name); },
          [](const CreateObject& o) { return object_subject(o.object); },
          [](const ReplaceObject& o) { return object_subject(o.object); },
          [](const DropObject& o) { return object_subject(o.object); },
      },
      op);
  // how it runs, where its online form compiles to other statements
  const char* form = std::visit(
      overloaded{
          [](const AddColumn& o) {
            return o.online && (o.column.server_default || !o.column.nullable) ? " (online)" : "";
          },
          [](const AlterColumn& o) {
            return o.online && o.nullable && !*o.nullable ? " (online)" : "";
          },
          [](const CreateIndex& o) { return o.concurrently ? " (concurrently)" : ""; },
          [](const DropIndex& o) { return o.concurrently ? " (concurrently)" : ""; },
          [](const CreateUniqueConstraint& o) { return o.online ? " (online)" : ""; },
          [](const CreateForeignKey& o) { return o.online ? " (online)" : ""; },
          [](const CreateCheckConstraint& o) { return o.online ? " (online)" : ""; },
          [](const auto&) { return ""; },
      },
      op);
  return fmt::format("{} {}{}", name(op), subject, form);
}

bool is_online(const Op& op) {
  return std::visit(overloaded{
                        [](const AddColumn& o) { return o.online; },
                        [](const DropColumn& o) { return o.online; },
                        [](const AlterColumn& o) { return o.online; },
                        [](const CreateIndex& o) { return o.concurrently; },
                        [](const DropIndex& o) { return o.concurrently; },
                        [](const CreateUniqueConstraint& o) { return o.online; },
                        [](const CreateForeignKey& o) { return o.online; },
                        [](const CreateCheckConstraint& o) { return o.online; },
                        [](const DropConstraint& o) { return o.online; },
                        [](const auto&) { return false; },
                    },
                    op);
}

namespace {

Op reverse_alter(const AlterColumn& a, const Op& whole) {
  AlterColumn r;
  r.schema = a.schema;
  r.table = a.table;
  r.name = a.new_name.value_or(a.name);
  if (a.new_name) r.new_name = a.name;
  r.online = a.online;
  auto need = [&](bool has, const char* what) {
    if (!has)
      irreversible(whole, fmt::format("it changes {} but does not say what it was (existing_{})",
                                      what, what));
  };
  if (a.type) {
    need(a.existing_type.has_value(), "type");
    r.type = a.existing_type;
    r.existing_type = a.type;
    if (a.using_) r.using_ = fmt::format("{}::{}", sql::quote_ident(r.name), *a.existing_type);
  }
  if (a.nullable) {
    need(a.existing_nullable.has_value(), "nullable");
    r.nullable = a.existing_nullable;
    r.existing_nullable = a.nullable;
  }
  if (a.server_default) {
    need(a.existing_server_default.has_value(), "server_default");
    r.server_default = a.existing_server_default;
    r.existing_server_default = a.server_default;
  }
  if (a.comment) {
    need(a.existing_comment.has_value(), "comment");
    r.comment = a.existing_comment;
    r.existing_comment = a.comment;
  }
  if (a.identity) {
    need(a.existing_identity.has_value(), "identity");
    r.identity = a.existing_identity;
    r.existing_identity = a.identity;
  }
  // unchanged details travel along, so the reverse op documents the column as fully
  if (!a.type && a.existing_type) r.existing_type = a.existing_type;
  if (!a.nullable && a.existing_nullable) r.existing_nullable = a.existing_nullable;
  if (!a.server_default && a.existing_server_default)
    r.existing_server_default = a.existing_server_default;
  if (!a.comment && a.existing_comment) r.existing_comment = a.existing_comment;
  return r;
}

} // namespace

Op reverse(const Op& op) {
  return std::visit(
      overloaded{
          [](const CreateTable& o) -> Op {
            return DropTable{o.table.schema, o.table.name, o.table};
          },
          [&](const DropTable& o) -> Op {
            if (!o.existing) irreversible(op, "it does not carry the table it drops (existing)");
            return CreateTable{*o.existing};
          },
          [](const RenameTable& o) -> Op {
            return RenameTable{o.schema, o.new_name, o.name};
          },
          [](const AddColumn& o) -> Op {
            return DropColumn{o.schema, o.table, o.column.name, o.column, o.online, o.batch_size};
          },
          [&](const DropColumn& o) -> Op {
            if (!o.existing) irreversible(op, "it does not carry the column it drops (existing)");
            return AddColumn{o.schema, o.table, *o.existing, o.online, o.batch_size};
          },
          [&](const AlterColumn& o) -> Op { return reverse_alter(o, op); },
          [](const CreateIndex& o) -> Op {
            return DropIndex{o.schema, o.table, o.index.name, o.index, o.concurrently};
          },
          [&](const DropIndex& o) -> Op {
            if (!o.existing) irreversible(op, "it does not carry the index it drops (existing)");
            return CreateIndex{o.schema, o.table, *o.existing, o.concurrently};
          },
          [](const CreateUniqueConstraint& o) -> Op {
            return DropConstraint{o.schema, o.table, o.constraint.name, ConstraintType::unique,
                                  o.constraint, o.online};
          },
          [](const CreateForeignKey& o) -> Op {
            return DropConstraint{o.schema, o.table, o.constraint.name, ConstraintType::foreign_key,
                                  o.constraint, o.online};
          },
          [](const CreateCheckConstraint& o) -> Op {
            return DropConstraint{o.schema, o.table, o.constraint.name, ConstraintType::check,
                                  o.constraint, o.online};
          },
          [](const CreatePrimaryKey& o) -> Op {
            return DropConstraint{o.schema, o.table, o.constraint.name, ConstraintType::primary_key,
                                  o.constraint};
          },
          [&](const DropConstraint& o) -> Op {
            if (!o.existing)
              irreversible(op, "it does not carry the constraint it drops (existing)");
            return std::visit(overloaded{
                                  [&](const model::PrimaryKey& c) -> Op {
                                    return CreatePrimaryKey{o.schema, o.table, c};
                                  },
                                  [&](const model::UniqueConstraint& c) -> Op {
                                    return CreateUniqueConstraint{o.schema, o.table, c, o.online};
                                  },
                                  [&](const model::ForeignKey& c) -> Op {
                                    return CreateForeignKey{o.schema, o.table, c, o.online};
                                  },
                                  [&](const model::CheckConstraint& c) -> Op {
                                    return CreateCheckConstraint{o.schema, o.table, c, o.online};
                                  },
                              },
                              *o.existing);
          },
          [](const CreateEnum& o) -> Op {
            return DropEnum{o.type.schema, o.type.name, o.type.values};
          },
          [&](const DropEnum& o) -> Op {
            if (!o.existing_values)
              irreversible(op, "it does not carry the enum's values (existing_values)");
            return CreateEnum{model::Enum{o.schema, o.name, *o.existing_values, {}}};
          },
          [&](const AddEnumValue&) -> Op {
            irreversible(op, "PostgreSQL cannot remove a value from an enum");
          },
          [](const CreateSchema& o) -> Op { return DropSchema{o.name}; },
          [](const DropSchema& o) -> Op { return CreateSchema{o.name}; },
          [&](const SetTableComment& o) -> Op {
            if (!o.existing_comment)
              irreversible(op, "it does not say what the comment was (existing_comment)");
            return SetTableComment{o.schema, o.table, *o.existing_comment, o.comment};
          },
          [&](const Execute&) -> Op {
            irreversible(op, "raw SQL has no known inverse: write the downgrade by hand");
          },
          [&](const BulkInsert&) -> Op {
            irreversible(op, "inserted rows have no known inverse: write the downgrade by hand");
          },
          [](const CreateView& o) -> Op { return DropView{o.view}; },
          [&](const DropView& o) -> Op {
            if (o.view.sql.empty())
              irreversible(op, "it does not say what the view was (sql)");
            return CreateView{o.view};
          },
          [&](const ReplaceView& o) -> Op {
            if (!o.existing) irreversible(op, "it does not say what the view was (existing_sql)");
            return ReplaceView{*o.existing, o.view};
          },
          [](const CreateObject& o) -> Op { return DropObject{o.object}; },
          [&](const DropObject& o) -> Op {
            if (o.object.sql.empty())
              irreversible(op, "it does not say what was dropped (sql)");
            return CreateObject{o.object};
          },
          [&](const ReplaceObject& o) -> Op {
            if (!o.existing) irreversible(op, "it does not say what it replaces (existing_sql)");
            return ReplaceObject{*o.existing, o.object};
          },
          [&](const Call&) -> Op {
            irreversible(op, "a C++ step has no known inverse: name the step that undoes it in "
                             "the downgrade");
          },
      },
      op);
}

bool reversible(const Op& op) {
  try {
    reverse(op);
    return true;
  } catch (const UserError&) {
    return false;
  }
}

std::vector<Op> reverse_all(const std::vector<Op>& upgrade) {
  std::vector<Op> out;
  out.reserve(upgrade.size());
  for (auto it = upgrade.rbegin(); it != upgrade.rend(); ++it) out.push_back(reverse(*it));
  return out;
}

} // namespace schemagen::ops
