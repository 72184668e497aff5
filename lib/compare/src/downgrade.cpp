#include "schemagen/compare/compare.hpp"
#include "schemagen/support/sql.hpp"
#include "words.hpp"

#include <fmt/format.h>
#include <set>

namespace schemagen::compare {

namespace {

using sql::qualified;
using sql::quote_ident;

/// The column's type names `e` (or an array of it), however the catalog spelled it.
bool uses_enum(const std::string& column_type, const model::Enum& e) {
  std::string t = column_type;
  while (t.ends_with("[]")) t.resize(t.size() - 2);
  std::erase(t, '"');
  if (e.schema == "public" && (t == e.name || t == "public." + e.name)) return true;
  return t == e.schema + "." + e.name;
}


/// PostgreSQL cannot drop an enum value: the way back rebuilds the type with the values it had,
/// moving every column of that type over (rows holding a removed value make it fail, loudly).
std::vector<ops::Op> rebuild_enum(const model::Enum& e, const model::Metadata& before) {
  struct Use {
    const model::Table* table;
    const model::Column* column;
  };
  std::vector<Use> uses;
  for (const auto& t : before.tables)
    for (const auto& c : t.columns)
      if (uses_enum(c.type, e)) uses.push_back({&t, &c});
  std::vector<ops::Op> out, restore;
  std::set<std::pair<const model::Table*, std::string>> seen;
  for (const auto& u : uses) {
    const auto& t = *u.table;
    for (const auto& ix : t.indexes) {
      bool hit = ix.where && mentions(*ix.where, u.column->name);
      for (const auto& col : ix.columns) hit = hit || mentions(col, u.column->name);
      if (hit && seen.insert({&t, ix.name}).second) {
        out.push_back(ops::DropIndex{t.schema, t.name, ix.name, ix, false});
        restore.push_back(ops::CreateIndex{t.schema, t.name, ix, false});
      }
    }
    for (const auto& ck : t.checks)
      if (mentions(ck.expression, u.column->name) && seen.insert({&t, ck.name}).second) {
        out.push_back(
            ops::DropConstraint{t.schema, t.name, ck.name, ops::ConstraintType::check, ck});
        restore.push_back(ops::CreateCheckConstraint{t.schema, t.name, ck});
      }
    if (u.column->server_default) {
      ops::AlterColumn drop;
      drop.schema = t.schema;
      drop.table = t.name;
      drop.name = u.column->name;
      drop.server_default = std::optional<std::string>();
      drop.existing_server_default = u.column->server_default;
      out.push_back(drop);
      ops::AlterColumn set = drop;
      set.server_default = u.column->server_default;
      set.existing_server_default = std::optional<std::string>();
      restore.insert(restore.begin(), set);
    }
  }
  const std::string old_name = e.name + "__sg_old";
  out.push_back(
      ops::Execute{{{"", fmt::format("ALTER TYPE {} RENAME TO {}", qualified(e.schema, e.name),
                                     quote_ident(old_name))}}});
  out.push_back(ops::CreateEnum{e});
  for (const auto& u : uses) {
    std::string dims;
    for (std::string t = u.column->type; t.ends_with("[]"); t.resize(t.size() - 2)) dims += "[]";
    out.push_back(ops::Execute{
        {{"", fmt::format("ALTER TABLE {} ALTER COLUMN {} TYPE {}{} USING {}::text{}::{}{}",
                          qualified(u.table->schema, u.table->name), quote_ident(u.column->name),
                          qualified(e.schema, e.name), dims, quote_ident(u.column->name), dims,
                          qualified(e.schema, e.name), dims)}}});
  }
  out.push_back(ops::Execute{{{"", fmt::format("DROP TYPE {}", qualified(e.schema, old_name))}}});
  out.insert(out.end(), restore.begin(), restore.end());
  return out;
}

} // namespace

std::vector<ops::Op> downgrade_of(const std::vector<ops::Op>& upgrade,
                                  const model::Metadata& before, const Options& options) {
  std::vector<ops::Op> out;
  std::set<std::pair<std::string, std::string>> rebuilt;
  for (auto it = upgrade.rbegin(); it != upgrade.rend(); ++it) {
    if (const auto* add = std::get_if<ops::AddEnumValue>(&*it)) {
      if (!rebuilt.insert({add->schema, add->name}).second) continue;
      const model::Enum* e = nullptr;
      for (const auto& x : before.enums)
        if (x.schema == add->schema && x.name == add->name) e = &x;
      if (!e)
        throw UserError(fmt::format("error: {}: the enum is not in the schema compared against",
                                    ops::describe(*it)));
      for (auto& op : rebuild_enum(*e, before)) out.push_back(std::move(op));
      continue;
    }
    auto r = ops::reverse(*it);
    if (auto* a = std::get_if<ops::AlterColumn>(&r); a && a->type) {
      // the way back may need a USING where the way there did not (integer → text → integer)
      if (options.needs_using && a->existing_type &&
          options.needs_using(*a->existing_type, *a->type))
        a->using_ = fmt::format("{}::{}", quote_ident(a->name), *a->type);
      else
        a->using_.reset();
    }
    out.push_back(std::move(r));
  }
  return out;
}

} // namespace schemagen::compare
