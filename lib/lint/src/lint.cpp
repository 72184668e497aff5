#include "schemagen/lint/lint.hpp"

#include "schemagen/compare/compare.hpp"
#include "schemagen/support/overloaded.hpp"

#include <fmt/format.h>
#include <set>

namespace schemagen::lint {

std::vector<std::string> rules() {
  return {destructive, narrowing, not_null_without_default, index_without_concurrently,
          table_rewrite};
}

std::vector<Finding> lint(const std::vector<ops::LocatedOp>& upgrade) {
  std::vector<Finding> out;
  std::set<std::pair<std::string, std::string>> fresh; // tables created in this revision: empty
  auto existing = [&](const std::string& schema, const std::string& table) {
    return !fresh.count({schema, table});
  };
  for (const auto& lo : upgrade) {
    auto add = [&](const char* rule, std::string reason) {
      out.push_back({rule, ops::describe(lo.op), std::move(reason), lo.loc});
    };
    std::visit(
        overloaded{
            [&](const ops::CreateTable& o) {
              fresh.insert({o.table.schema, o.table.name});
            },
            [&](const ops::DropTable&) {
              add(destructive, "the table and every row in it are gone for good");
            },
            [&](const ops::DropColumn& o) {
              if (existing(o.schema, o.table))
                add(destructive, "the column's values are gone for good; the downgrade brings the "
                                 "column back empty");
            },
            [&](const ops::AddColumn& o) {
              if (!existing(o.schema, o.table)) return;
              const auto& c = o.column;
              if (!c.nullable && !c.server_default && c.identity == model::Identity::none &&
                  !c.autoincrement)
                add(not_null_without_default,
                    "adding a NOT NULL column with no default fails on a table that has rows; "
                    "give it a server_default, or add it nullable, fill it, then set NOT NULL");
              if (compare::volatile_default(c.server_default) && !o.online)
                add(table_rewrite,
                    fmt::format(
                        "a volatile default ({}) makes PostgreSQL rewrite the whole table under an "
                        "exclusive lock",
                        *c.server_default));
            },
            [&](const ops::AlterColumn& o) {
              if (!existing(o.schema, o.table)) return;
              if (o.type && o.existing_type) {
                if (compare::narrows(*o.existing_type, *o.type))
                  add(narrowing, fmt::format("{} holds less than {}: values that do not fit make "
                                             "the migration fail, or "
                                             "are cut",
                                             *o.type, *o.existing_type));
                if (compare::rewrites_table(*o.existing_type, *o.type))
                  add(table_rewrite,
                      fmt::format(
                          "changing {} to {} rewrites the table and its indexes under an exclusive "
                          "lock",
                          *o.existing_type, *o.type));
              } else if (o.type) {
                add(table_rewrite,
                    fmt::format(
                        "changing the type to {} may rewrite the table (existing_type is not "
                        "given, so it cannot be told)",
                        *o.type));
              }
              const bool has_default =
                  (o.server_default && *o.server_default) ||
                  (!o.server_default && o.existing_server_default && *o.existing_server_default);
              if (o.nullable && !*o.nullable && !has_default)
                add(not_null_without_default,
                    "SET NOT NULL fails if any row holds NULL, and scans the whole table "
                    "under an exclusive lock; fill the NULLs first (or give a default)");
            },
            [&](const ops::CreateIndex& o) {
              if (existing(o.schema, o.table) && !o.concurrently)
                add(index_without_concurrently,
                    "building an index without concurrently blocks writes to the table "
                    "while it builds; set concurrently: true");
            },
            [&](const ops::CreateUniqueConstraint& o) {
              if (existing(o.schema, o.table) && !o.online)
                add(index_without_concurrently,
                    "a unique constraint builds its index while blocking writes; build a "
                    "unique index concurrently, then add the constraint USING INDEX");
            },
            [](const auto&) {},
        },
        lo.op);
  }
  return out;
}

} // namespace schemagen::lint
