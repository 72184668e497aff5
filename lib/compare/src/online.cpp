// Autogenerate's online form (`online_ddl`): the changes to tables that already exist, written so
// that no statement holds a lock that stops the application's reads or writes for more than a
// moment. What has no such form (a type change that rewrites the table) is refused, with the
// steps that do it without one.

#include "schemagen/compare/compare.hpp"
#include "schemagen/support/overloaded.hpp"

#include <fmt/format.h>
#include <set>

namespace schemagen::compare {

namespace {

/// Where the models declare the column, for the refusal's file:line:col.
SourceLoc column_at(const model::Metadata& models, const std::string& schema,
                    const std::string& table, const std::string& column) {
  for (const auto& t : models.tables)
    if (t.schema == schema && t.name == table) {
      for (const auto& c : t.columns)
        if (c.name == column) return c.origin.loc;
      return t.origin.loc;
    }
  return {};
}

} // namespace

void make_online(std::vector<ops::Op>& upgrade, const model::Metadata& models,
                 const model::Metadata& before, long batch_size) {
  std::set<std::pair<std::string, std::string>> existing; // tables with rows (and readers)
  for (const auto& t : before.tables) existing.insert({t.schema, t.name});
  auto exists = [&](const std::string& schema, const std::string& table) {
    return existing.count({schema, table}) > 0;
  };
  DiagnosticList diags;
  for (auto& op : upgrade)
    std::visit(
        overloaded{
            [&](ops::RenameTable& o) {
              if (exists(o.schema, o.name)) existing.insert({o.schema, o.new_name});
            },
            [&](ops::CreateIndex& o) { o.concurrently = o.concurrently || exists(o.schema, o.table); },
            [&](ops::DropIndex& o) {
              o.concurrently = o.concurrently || o.table.empty() || exists(o.schema, o.table);
            },
            [&](ops::CreateUniqueConstraint& o) { o.online = exists(o.schema, o.table); },
            [&](ops::CreateForeignKey& o) { o.online = exists(o.schema, o.table); },
            [&](ops::CreateCheckConstraint& o) { o.online = exists(o.schema, o.table); },
            [&](ops::DropConstraint& o) { o.online = exists(o.schema, o.table); },
            [&](ops::AddColumn& o) {
              // a default that is not volatile is stored once, for every row, without a rewrite
              o.online = exists(o.schema, o.table) && volatile_default(o.column.server_default);
              o.batch_size = batch_size;
              const auto& c = o.column;
              if (!exists(o.schema, o.table) ||
                  (c.identity == model::Identity::none && !c.autoincrement))
                return;
              // a sequence's next value in every row: written by the ADD itself, under its lock
              diags.error(
                  column_at(models, o.schema, o.table, c.name),
                  fmt::format(
                      "online_ddl: adding {}.{}.{} as {} fills every row of the table in the "
                      "ALTER TABLE itself, under a lock that stops every read and write until it "
                      "is done; there is no online form of it. Add it in steps instead, a "
                      "revision per step:\n"
                      "  1. add the column nullable, with no default, and a sequence;\n"
                      "  2. set its default to the sequence's nextval() (new rows get one), and "
                      "fill the rows before in batches (an execute op per batch);\n"
                      "  3. set NOT NULL online, and make it the key if it is one.\n"
                      "Or write this change in a revision of its own without --online-ddl, for "
                      "a maintenance window.",
                      o.schema, o.table, c.name,
                      c.autoincrement ? "a serial column" : "an identity column"));
            },
            [&](ops::DropColumn& o) { // for its downgrade, which adds the column back
              o.online = exists(o.schema, o.table) && o.existing &&
                         volatile_default(o.existing->server_default);
              o.batch_size = batch_size;
            },
            [&](ops::AlterColumn& o) {
              if (!exists(o.schema, o.table)) return;
              o.online = o.nullable.has_value() || o.online;
              if (!o.type || !o.existing_type || !rewrites_table(*o.existing_type, *o.type))
                return;
              const auto column = fmt::format("{}.{}.{}", o.schema, o.table, o.name);
              diags.error(
                  column_at(models, o.schema, o.table, o.new_name.value_or(o.name)),
                  fmt::format(
                      "online_ddl: changing {} from {} to {} rewrites the table and its indexes "
                      "under a lock that stops every read and write until it is done; there is no "
                      "online form of it. Expand and contract instead, a revision per step, each "
                      "deployed before the next:\n"
                      "  1. add a new column of type {} (nullable), and have the application (or a "
                      "trigger) write both columns;\n"
                      "  2. fill the new column from the old in batches (an execute op per batch, "
                      "or an online add_column with a default);\n"
                      "  3. move the readers to the new column, and set NOT NULL online if it "
                      "needs it;\n"
                      "  4. drop the old column, and rename the new one to its name.\n"
                      "Or write this change in a revision of its own without --online-ddl, for a "
                      "maintenance window.",
                      column, *o.existing_type, *o.type, *o.type));
            },
            [](auto&) {},
        },
        op);
  if (diags.has_errors()) throw DiagnosticsError(std::move(diags));
}

std::vector<std::string> downgrade_rewrites(const std::vector<ops::Op>& downgrade,
                                            const model::Metadata& before) {
  std::vector<std::string> out;
  for (const auto& op : downgrade)
    if (const auto* a = std::get_if<ops::AlterColumn>(&op);
        a && a->type && a->existing_type && before.find_table(a->schema, a->table) &&
        rewrites_table(*a->existing_type, *a->type))
      out.push_back(fmt::format("the downgrade changes {}.{}.{} back from {} to {}, which rewrites "
                                "the table under its lock: the downgrade is not online",
                                a->schema, a->table, a->name, *a->existing_type, *a->type));
  return out;
}

} // namespace schemagen::compare
