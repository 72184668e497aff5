// Ops compiled to SQLite: ALTER TABLE where SQLite's own statement does the change, and where it
// cannot (a constraint added or dropped, a column's type, nullability or default changed, a
// column added or dropped that ALTER TABLE refuses) the table rebuilt from the schema the chain
// has built: SQLite's generalized ALTER TABLE procedure (lang_altertable.html, section 7).
//
// A rebuild creates the new definition under a scratch name, copies the rows (with their rowids),
// drops the old table and renames the new one into its place. The old table is dropped, never
// renamed first: renaming it would make its children's foreign keys and the views over it follow
// it to the scratch name. The rename runs with legacy_alter_table on, so that SQLite leaves the
// views and triggers that name the table as they are, valid again once the new table has the
// name. Foreign keys are off for the run (the session sees to it), so dropping a parent neither
// deletes its ON DELETE CASCADE children nor fails; the session checks every reference before it
// commits.

#include "internal.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/support/overloaded.hpp"
#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <regex>

namespace schemagen::sqlite {

std::string ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

namespace {

bool main_schema(const std::string& schema) { return schema == "public" || schema == "main"; }

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string names(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + ident(c);
  return out;
}

/// `db`.`name`, or `name` alone when `db` is empty.
std::string in_db(const std::string& db, const std::string& name) {
  return db.empty() ? ident(name) : ident(db) + "." + ident(name);
}

/// A column as CREATE TABLE or ADD COLUMN writes it. ADD COLUMN refuses a parenthesized default,
/// CREATE TABLE needs the parentheses for anything but a literal: `literal_default` says which.
std::string column_definition(const model::Column& c, bool literal_default = false) {
  std::string out = ident(c.name) + " " + c.type;
  if (!c.nullable) out += " NOT NULL";
  if (c.server_default)
    out +=
        literal_default ? " DEFAULT " + *c.server_default : " DEFAULT (" + *c.server_default + ")";
  return out;
}

/// Whether `expr` is a literal, the only default ALTER TABLE ADD COLUMN takes (no
/// CURRENT_TIMESTAMP, no expression).
bool constant(const std::string& expr) {
  static const std::regex literal_re(
      R"(\s*(NULL|TRUE|FALSE|[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|0[xX][0-9a-fA-F]+|'([^']|'')*'|[xX]'[0-9a-fA-F]*')\s*)",
      std::regex::icase);
  return std::regex_match(expr, literal_re);
}

bool is_null(const std::optional<std::string>& expr) {
  static const std::regex null_re(R"(\s*NULL\s*)", std::regex::icase);
  return !expr || std::regex_match(*expr, null_re);
}

/// The end of the quoted text that starts at `i` (a string literal or quoted name, where the
/// closing character doubled stands for itself): the index after its closing character.
std::size_t skip_quoted(const std::string& text, std::size_t i, char close, std::string* inside) {
  for (++i; i < text.size(); ++i) {
    if (text[i] == close) {
      if (close == ']' || i + 1 == text.size() || text[i + 1] != close) return i + 1;
      ++i;
    }
    if (inside) *inside += text[i];
  }
  return i;
}

/// Whether expression `expr` names column `column` (an identifier outside string literals,
/// quoted or not; SQLite compares names without regard to case).
bool mentions(const std::string& expr, const std::string& column) {
  const auto want = upper(column);
  for (std::size_t i = 0; i < expr.size();) {
    const char c = expr[i];
    if (c == '\'') {
      i = skip_quoted(expr, i, '\'', nullptr);
    } else if (c == '"' || c == '`' || c == '[') {
      std::string name;
      i = skip_quoted(expr, i, c == '[' ? ']' : c, &name);
      if (upper(name) == want) return true;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      const auto start = i;
      while (i < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[i])) ||
                                 expr[i] == '_' || expr[i] == '$'))
        ++i;
      if (upper(expr.substr(start, i - start)) == want) return true;
    } else {
      ++i;
    }
  }
  return false;
}

/// An index element: a column of `columns` quoted (alone or before DESC/ASC), whatever its name;
/// anything else as the models spell it (sql::index_element).
std::string index_element(const std::string& entry, const std::vector<model::Column>* columns) {
  if (columns)
    for (const auto& c : *columns) {
      if (entry == c.name) return ident(c.name);
      for (const char* order : {" DESC", " ASC"})
        if (entry.size() > c.name.size() && entry.compare(0, c.name.size(), c.name) == 0 &&
            upper(entry.substr(c.name.size())) == order)
          return ident(c.name) + order;
    }
  return sql::index_element(entry);
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// The column that is the table's rowid (an INTEGER column that is the whole primary key), or
/// nullptr.
const model::Column* rowid_alias(const model::Table& t) {
  if (!t.primary_key || t.primary_key->columns.size() != 1) return nullptr;
  const auto* c = t.find_column(t.primary_key->columns.front());
  return c && upper(c->type) == "INTEGER" ? c : nullptr;
}

std::string foreign_key_clause(const model::ForeignKey& fk) {
  // never qualified: SQLite finds the parent in the child's own database
  // no referred columns (a parent that was not read): SQLite's default, the parent's key
  std::string out =
      fmt::format("FOREIGN KEY ({}) REFERENCES {}", names(fk.columns), ident(fk.referred_table));
  if (!fk.referred_columns.empty()) out += fmt::format(" ({})", names(fk.referred_columns));
  if (!fk.on_delete.empty()) out += " ON DELETE " + fk.on_delete;
  if (!fk.on_update.empty()) out += " ON UPDATE " + fk.on_update;
  return out;
}

/// The op with schema `main` spelled `public`, as the state names the file's tables.
ops::Op in_public(ops::Op op) {
  auto fix = [](std::string& schema) {
    if (schema == "main") schema = "public";
  };
  std::visit(
      [&](auto& o) {
        if constexpr (requires { o.schema; }) fix(o.schema);
        if constexpr (requires { o.table.schema; }) {
          fix(o.table.schema);
          for (auto& fk : o.table.foreign_keys) fix(fk.referred_schema);
        }
        if constexpr (requires { o.constraint.referred_schema; }) fix(o.constraint.referred_schema);
        if constexpr (requires { o.type.schema; }) fix(o.type.schema);
        if constexpr (requires { o.view.schema; }) fix(o.view.schema);
        if constexpr (requires { o.object.schema; }) fix(o.object.schema);
      },
      op);
  return op;
}

/// The table a table-altering op changes (the ops that several of make one rebuild), or nullopt.
std::optional<std::string> altered_table(const ops::Op& op) {
  return std::visit(
      overloaded{
          [](const ops::AddColumn& o) -> std::optional<std::string> { return o.table; },
          [](const ops::DropColumn& o) -> std::optional<std::string> { return o.table; },
          [](const ops::AlterColumn& o) -> std::optional<std::string> { return o.table; },
          [](const ops::CreateIndex& o) -> std::optional<std::string> { return o.table; },
          [](const ops::DropIndex& o) -> std::optional<std::string> { return o.table; },
          [](const ops::CreateUniqueConstraint& o) -> std::optional<std::string> {
            return o.table;
          },
          [](const ops::CreateForeignKey& o) -> std::optional<std::string> { return o.table; },
          [](const ops::CreateCheckConstraint& o) -> std::optional<std::string> { return o.table; },
          [](const ops::CreatePrimaryKey& o) -> std::optional<std::string> { return o.table; },
          [](const ops::DropConstraint& o) -> std::optional<std::string> { return o.table; },
          [](const ops::SetTableComment& o) -> std::optional<std::string> { return o.table; },
          [](const auto&) -> std::optional<std::string> { return std::nullopt; },
      },
      op);
}

/// The statements SQLite's own ALTER TABLE (or nothing) carries `op` out with, given `state`
/// before it; nullopt when only a rebuild of its table can.
std::optional<std::vector<std::string>> native(const ops::Op& op, const model::Metadata& state) {
  using Sql = std::optional<std::vector<std::string>>;
  auto table = [&](const std::string& name) { return state.find_table("public", name); };
  return std::visit(
      overloaded{
          [&](const ops::CreateTable& o) -> Sql {
            std::vector<std::string> out{create_table_sql(o.table)};
            for (const auto& ix : o.table.indexes)
              out.push_back(create_index_sql(ix, o.table.name, "", &o.table.columns));
            return out;
          },
          [](const ops::DropTable& o) -> Sql {
            return std::vector{fmt::format("DROP TABLE {}", ident(o.name))};
          },
          [](const ops::RenameTable& o) -> Sql {
            return std::vector{
                fmt::format("ALTER TABLE {} RENAME TO {}", ident(o.name), ident(o.new_name))};
          },
          [](const ops::AddColumn& o) -> Sql {
            const auto& c = o.column;
            const bool takes = !c.autoincrement &&
                               (!c.server_default || constant(*c.server_default)) &&
                               (c.nullable || !is_null(c.server_default));
            if (!takes) return std::nullopt;
            return std::vector{fmt::format("ALTER TABLE {} ADD COLUMN {}", ident(o.table),
                                           column_definition(c, true))};
          },
          [&](const ops::DropColumn& o) -> Sql {
            const auto* t = table(o.table);
            if (!t) return std::nullopt;
            auto in = [&](const auto& list) {
              return std::any_of(list.begin(), list.end(),
                                 [&](const auto& x) { return contains(x.columns, o.name); });
            };
            const bool indexed =
                std::any_of(t->indexes.begin(), t->indexes.end(), [&](const auto& ix) {
                  return (ix.where && mentions(*ix.where, o.name)) ||
                         std::any_of(ix.columns.begin(), ix.columns.end(),
                                     [&](const auto& e) { return mentions(e, o.name); });
                });
            const bool checked =
                std::any_of(t->checks.begin(), t->checks.end(),
                            [&](const auto& ck) { return mentions(ck.expression, o.name); });
            if ((t->primary_key && contains(t->primary_key->columns, o.name)) ||
                in(t->unique_constraints) || in(t->foreign_keys) || indexed || checked)
              return std::nullopt;
            return std::vector{
                fmt::format("ALTER TABLE {} DROP COLUMN {}", ident(o.table), ident(o.name))};
          },
          [&](const ops::AlterColumn& o) -> Sql {
            const auto* t = table(o.table);
            const auto* c = t ? t->find_column(o.name) : nullptr;
            if (!c) return std::nullopt;
            if ((o.type && *o.type != c->type) || (o.nullable && *o.nullable != c->nullable) ||
                (o.server_default && *o.server_default != c->server_default) ||
                (o.identity && *o.identity != c->identity))
              return std::nullopt;
            if (!o.new_name) return std::vector<std::string>{}; // a comment: not kept
            return std::vector{fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", ident(o.table),
                                           ident(o.name), ident(*o.new_name))};
          },
          [&](const ops::CreateIndex& o) -> Sql {
            const auto* t = table(o.table);
            return std::vector{create_index_sql(o.index, o.table, "", t ? &t->columns : nullptr)};
          },
          [](const ops::DropIndex& o) -> Sql {
            return std::vector{fmt::format("DROP INDEX {}", ident(o.name))};
          },
          [](const ops::CreateUniqueConstraint&) -> Sql { return std::nullopt; },
          [](const ops::CreateForeignKey&) -> Sql { return std::nullopt; },
          [](const ops::CreateCheckConstraint&) -> Sql { return std::nullopt; },
          [](const ops::CreatePrimaryKey&) -> Sql { return std::nullopt; },
          [](const ops::DropConstraint&) -> Sql { return std::nullopt; },
          [](const ops::SetTableComment&) -> Sql { return std::vector<std::string>{}; },
          [](const ops::Execute& o) -> Sql {
            auto it = o.sql.find("sqlite");
            if (it == o.sql.end()) it = o.sql.find("");
            if (it == o.sql.end()) return std::vector<std::string>{};
            return std::vector{it->second};
          },
          [](const ops::BulkInsert& o) -> Sql {
            return dialect::bulk_insert_sql(o, ident(o.table), ident, literal);
          },
          [](const ops::CreateView& o) -> Sql {
            return std::vector{fmt::format("CREATE VIEW {} AS\n{}", ident(o.view.name), o.view.sql)};
          },
          [](const ops::ReplaceView& o) -> Sql { // SQLite has no OR REPLACE for views
            return std::vector{
                fmt::format("DROP VIEW {}", ident(o.view.name)),
                fmt::format("CREATE VIEW {} AS\n{}", ident(o.view.name), o.view.sql)};
          },
          [](const ops::DropView& o) -> Sql {
            return std::vector{fmt::format("DROP VIEW {}", ident(o.view.name))};
          },
          // triggers, the only objects unsupported() lets through
          [](const ops::CreateObject& o) -> Sql { return std::vector{o.object.sql}; },
          [](const ops::ReplaceObject& o) -> Sql {
            return std::vector{fmt::format("DROP TRIGGER {}", ident(o.object.name)), o.object.sql};
          },
          [](const ops::DropObject& o) -> Sql {
            return std::vector{fmt::format("DROP TRIGGER {}", ident(o.object.name))};
          },
          // the main schema, the only one unsupported() lets through: nothing to do
          [](const ops::CreateSchema&) -> Sql { return std::vector<std::string>{}; },
          [](const ops::DropSchema&) -> Sql { return std::vector<std::string>{}; },
          [](const auto&) -> Sql { return std::nullopt; }, // refused by unsupported()
      },
      op);
}

/// A new column and the old column its values come from (nullopt: added, its default applies).
struct Carried {
  std::string name;
  std::optional<std::string> from;
};

/// The table rebuilt from `before` to `after`; `triggers` are recreated after it.
std::vector<std::string> rebuild(const model::Table& before, const model::Table& after,
                                 const std::vector<Carried>& carried,
                                 const std::vector<std::string>& triggers) {
  const auto tmp = "_schemagen_tmp_" + after.name;
  std::vector<std::string> out{create_table_sql(after, tmp)};
  std::vector<std::string> into, select;
  for (const auto& c : after.columns) {
    const auto it = std::find_if(carried.begin(), carried.end(),
                                 [&](const auto& k) { return k.name == c.name && k.from; });
    if (it == carried.end()) continue;
    const auto* old = before.find_column(*it->from);
    // no CAST for a new type: the column's affinity converts what is wholly a number and keeps
    // the rest as it is, where CAST would make 'x' 0 and '12abc' 12
    auto value = ident(*it->from);
    if (old->nullable && !c.nullable && c.server_default)
      value = fmt::format("coalesce({}, {})", value, *c.server_default);
    into.push_back(ident(c.name));
    select.push_back(value);
  }
  // rowids survive the copy: where the new table has no rowid alias filled from an old column,
  // nothing else would keep them (and the copy of a table whose columns are all new keeps its
  // rows by them)
  const auto* alias = rowid_alias(after);
  if (!alias || !contains(into, ident(alias->name))) {
    into.insert(into.begin(), "rowid");
    select.insert(select.begin(), "rowid");
  }
  out.push_back(fmt::format("INSERT INTO {} ({}) SELECT {} FROM {}", ident(tmp),
                            fmt::join(into, ", "), fmt::join(select, ", "), ident(before.name)));
  out.push_back(fmt::format("DROP TABLE {}", ident(before.name)));
  out.push_back("PRAGMA legacy_alter_table = ON");
  out.push_back(fmt::format("ALTER TABLE {} RENAME TO {}", ident(tmp), ident(after.name)));
  out.push_back("PRAGMA legacy_alter_table = OFF");
  for (const auto& ix : after.indexes)
    out.push_back(create_index_sql(ix, after.name, "", &after.columns));
  out.insert(out.end(), triggers.begin(), triggers.end());
  return out;
}

class Compiler {
public:
  Compiler(const std::vector<ops::LocatedOp>& located, model::Metadata& state, Connection* live)
      : located_(located), state_(state), live_(live) {
    for (const auto& l : located) {
      if (const auto why = unsupported(l.op))
        throw UserError(l.loc,
                        fmt::format("{} cannot run on SQLite: {}", ops::describe(l.op), *why));
      ops_.push_back(in_public(l.op));
    }
    group();
  }

  std::vector<dialect::Step> run() {
    std::vector<bool> rebuilt(groups_.size());
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      const auto g = group_of_[i];
      if (g && groups_[*g].front() == i) rebuilt[*g] = plan(groups_[*g]);
      if (const auto* call = std::get_if<ops::Call>(&ops_[i])) {
        steps_.push_back({&located_[i], {.sql = "", .call = call->name}});
      } else if (!g || !rebuilt[*g]) {
        const auto sql = native(ops_[i], state_);
        for (const auto& s : sql.value()) emit(i, s);
      }
      advance(i);
    }
    return std::move(steps_);
  }

private:
  /// Gathers the ops on each table into groups: a group ends at an execute, bulk_insert or call
  /// (data ops see the schema as it is at their point) and at a create, drop or rename of its table.
  void group() {
    group_of_.resize(ops_.size());
    std::map<std::string, std::size_t> open;
    for (std::size_t i = 0; i < ops_.size(); ++i) {
      std::visit(overloaded{
                     [&](const ops::Execute&) { open.clear(); },
                     [&](const ops::BulkInsert&) { open.clear(); },
                     [&](const ops::Call&) { open.clear(); },
                     [&](const ops::CreateTable& o) { open.erase(o.table.name); },
                     [&](const ops::DropTable& o) { open.erase(o.name); },
                     [&](const ops::RenameTable& o) {
                       open.erase(o.name);
                       open.erase(o.new_name);
                     },
                     [](const auto&) {},
                 },
                 ops_[i]);
      const auto table = altered_table(ops_[i]);
      if (!table) continue;
      auto [it, fresh] = open.try_emplace(*table, groups_.size());
      if (fresh) groups_.emplace_back();
      groups_[it->second].push_back(i);
      group_of_[i] = it->second;
    }
  }

  /// Emits the rebuild that carries out the ops of group `g`, at its first op, when one of them
  /// needs it; false when each can run natively in its place.
  bool plan(const std::vector<std::size_t>& g) {
    const auto name = *altered_table(ops_[g.front()]);
    if (!live_ && !state_.find_table("public", name))
      throw UserError(
          located_[g.front()].loc,
          fmt::format("{}: table {} is not one the revision chain made (it was in the file when "
                      "the file was adopted, or SQL without `replay:` made it), so --sql has no "
                      "definition of it to compile from; run the upgrade online, which reads the "
                      "table from the file",
                      ops::describe(located_[g.front()].op), name));
    model::Metadata sim = state_;
    std::vector<Carried> carried;
    if (const auto* t = sim.find_table("public", name))
      for (const auto& c : t->columns) carried.push_back({c.name, c.name});
    bool needed = false;
    for (std::size_t j = g.front(); j <= g.back(); ++j) {
      if (contains_index(g, j)) {
        needed = needed || !native(ops_[j], sim);
        follow(ops_[j], carried);
      }
      apply_at(j, sim);
    }
    if (!needed) return false;
    const auto& before = *state_.find_table("public", name);
    if (live_) {
      refuse_losses(name, g.front());
    } else {
      // the file's triggers are not known: stop the script (sqlite3 -bail) before the rebuild
      // drops any
      const auto guard = ident("schemagen_triggers_of_" + name);
      emit(g.front(),
           fmt::format("CREATE TEMP TABLE IF NOT EXISTS {} (triggers INTEGER CONSTRAINT {} CHECK "
                       "(triggers = 0))",
                       guard,
                       ident(fmt::format("table {} has triggers, which --sql cannot recreate "
                                         "after rebuilding it: run the upgrade online",
                                         name))));
      emit(g.front(), fmt::format("INSERT INTO {} SELECT count(*) FROM sqlite_schema WHERE type = "
                                  "'trigger' AND tbl_name = {}",
                                  guard, literal(name)));
    }
    for (const auto& s :
         rebuild(before, *sim.find_table("public", name), carried, triggers(name, g.front())))
      emit(g.front(), s);
    return true;
  }

  /// The name in the live file of `table` as the state names it, or nullopt: offline, or made by
  /// these ops.
  std::optional<std::string> live_name(const std::string& table) const {
    if (!live_) return std::nullopt;
    const auto it = live_names_.find(table);
    return it == live_names_.end() ? std::optional(table) : it->second;
  }

  /// Whether the rebuilt `table` is AUTOINCREMENT again: its whole key has identity in the state
  /// before the rebuild (the chain made it so, or the file did and was read).
  bool keeps_autoincrement(const std::string& table) const {
    const auto* t = state_.find_table("public", table);
    if (!t || !t->primary_key || t->primary_key->columns.size() != 1) return false;
    const auto* c = t->find_column(t->primary_key->columns.front());
    return c && c->identity != model::Identity::none;
  }

  /// Refuses the rebuild of `table` (for op `at`) when it would lose what the models cannot say:
  /// WITHOUT ROWID, STRICT, AUTOINCREMENT, a generated column, a column's collation.
  void refuse_losses(const std::string& table, std::size_t at) const {
    const auto name = live_name(table);
    if (!name) return;
    const auto sql =
        live_->query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1", {*name});
    if (sql.empty() || !sql.at(0).at(0)) return;
    const auto text = parse_create_table(*sql.at(0).at(0));
    std::vector<std::string> lost;
    if (text.without_rowid) lost.push_back("it is WITHOUT ROWID");
    if (text.strict) lost.push_back("it is STRICT");
    if (text.autoincrement && !keeps_autoincrement(table))
      lost.push_back("its INTEGER PRIMARY KEY is AUTOINCREMENT (give the column identity to "
                     "keep it)");
    for (const auto& row :
         live_->query("SELECT name FROM pragma_table_xinfo(?1) WHERE hidden IN (2, 3) ORDER BY cid",
                      {*name}))
      lost.push_back(fmt::format("generated column {}", row.at(0).value_or("")));
    for (const auto& [column, collation] : text.collations)
      lost.push_back(fmt::format("column {} has COLLATE {}", column, collation));
    for (const auto& fk : text.foreign_keys)
      if (fk.deferred)
        lost.push_back(fmt::format("foreign key {}({}) is DEFERRABLE INITIALLY DEFERRED",
                                   fk.name.empty() ? "" : fk.name + " ",
                                   fmt::join(fk.columns, ", ")));
    for (const auto& conflict : text.conflicts) lost.push_back(conflict);
    if (lost.empty()) return;
    throw UserError(located_[at].loc,
                    fmt::format("{}: SQLite needs table {} rebuilt for this, and the rebuild "
                                "(from the schema the revision chain knows) would lose what the "
                                "ops cannot say: {}. Rebuild it with execute ops instead "
                                "(lang_altertable.html, section 7)",
                                ops::describe(located_[at].op), *name, fmt::join(lost, "; ")));
  }

  static bool contains_index(const std::vector<std::size_t>& g, std::size_t j) {
    return std::binary_search(g.begin(), g.end(), j);
  }

  /// Moves `carried` past `op`: columns added, dropped and renamed.
  static void follow(const ops::Op& op, std::vector<Carried>& carried) {
    std::visit(overloaded{
                   [&](const ops::AddColumn& o) {
                     carried.push_back({o.column.name, {}});
                   },
                   [&](const ops::DropColumn& o) {
                     std::erase_if(carried, [&](const auto& k) { return k.name == o.name; });
                   },
                   [&](const ops::AlterColumn& o) {
                     if (o.new_name)
                       for (auto& k : carried)
                         if (k.name == o.name) k.name = *o.new_name;
                   },
                   [](const auto&) {},
               },
               op);
  }

  /// The CREATE TRIGGER statements of `table` in the live file, to recreate after its rebuild
  /// (dropping the table drops them), as the trigger ops before op `at` in these ops leave them.
  std::vector<std::string> triggers(const std::string& table, std::size_t at) const {
    const auto name = live_name(table);
    if (!name) return {}; // offline, or created by these ops: none yet
    const auto& in_file = *name;
    std::vector<std::pair<std::string, std::string>> by_name; // trigger → its statement
    for (const auto& row :
         live_->query("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND "
                      "tbl_name = ?1 ORDER BY name",
                      {in_file}))
      if (row.at(1)) by_name.emplace_back(row.at(0).value_or(""), *row.at(1));
    auto set = [&](const model::DbObject& t, bool keep) {
      if (t.kind != model::ObjectKind::trigger || t.target != "public." + table) return;
      std::erase_if(by_name, [&](const auto& e) { return e.first == t.name; });
      if (keep) by_name.emplace_back(t.name, t.sql);
    };
    for (std::size_t k = 0; k < at; ++k)
      std::visit(overloaded{[&](const ops::CreateObject& o) { set(o.object, true); },
                            [&](const ops::ReplaceObject& o) { set(o.object, true); },
                            [&](const ops::DropObject& o) { set(o.object, false); },
                            [](const auto&) {}},
                 ops_[k]);
    std::vector<std::string> out;
    for (auto& [n, statement] : by_name) out.push_back(std::move(statement));
    if (!out.empty() && in_file != table)
      throw UserError(located_[at].loc,
                      fmt::format("{}: table {} has triggers and was renamed from {} earlier in "
                                  "this revision; its rebuild recreates them as the file has "
                                  "them, under the old name. Put the rename in a revision of its "
                                  "own",
                                  ops::describe(located_[at].op), table, in_file));
    return out;
  }

  /// Moves the state (and the tables' names in the live file) past op `i`.
  void advance(std::size_t i) {
    std::visit(overloaded{
                   [&](const ops::CreateTable& o) { live_names_[o.table.name] = std::nullopt; },
                   [&](const ops::RenameTable& o) {
                     const auto it = live_names_.find(o.name);
                     live_names_[o.new_name] =
                         it == live_names_.end() ? std::optional(o.name) : it->second;
                     live_names_[o.name] = std::nullopt;
                   },
                   [&](const ops::DropTable& o) { live_names_[o.name] = std::nullopt; },
                   [](const auto&) {},
               },
               ops_[i]);
    // the main schema is always there: creating or dropping it changes nothing
    if (std::holds_alternative<ops::CreateSchema>(ops_[i]) ||
        std::holds_alternative<ops::DropSchema>(ops_[i]))
      return;
    // --sql: a table the chain did not make (the file was adopted) can still be dropped or
    // renamed, which needs no definition of it
    const auto* drop = std::get_if<ops::DropTable>(&ops_[i]);
    const auto* rename = std::get_if<ops::RenameTable>(&ops_[i]);
    if (!live_ && (drop || rename) &&
        !state_.find_table("public", drop ? drop->name : rename->name))
      return;
    apply_at(i, state_);
  }

  /// Op `i` applied to `m`; one the schema the chain built refuses (a table made twice) is an
  /// error at the op's line, as the chain's replay reports it.
  void apply_at(std::size_t i, model::Metadata& m) const {
    try {
      ops::apply(ops_[i], m);
    } catch (const UserError& e) {
      std::string_view why = e.what();
      if (why.substr(0, 7) == "error: ") why.remove_prefix(7);
      throw UserError(located_[i].loc, std::string(why));
    }
  }

  void emit(std::size_t i, std::string sql) { steps_.push_back({&located_[i], {std::move(sql)}}); }

  const std::vector<ops::LocatedOp>& located_;
  model::Metadata& state_;
  Connection* live_;
  std::vector<ops::Op> ops_; // in the state's terms (schema main is public)
  std::vector<std::optional<std::size_t>> group_of_;
  std::vector<std::vector<std::size_t>> groups_;
  /// A table's name in the live file where these ops created (nullopt) or renamed it.
  std::map<std::string, std::optional<std::string>> live_names_;
  std::vector<dialect::Step> steps_;
};

} // namespace

std::string create_table_sql(const model::Table& t, const std::string& name,
                             const std::string& db) {
  // an identity whole key is AUTOINCREMENT, which SQLite takes only in the column's definition
  const model::Column* counted = nullptr;
  if (t.primary_key && t.primary_key->columns.size() == 1)
    if (const auto* c = t.find_column(t.primary_key->columns.front());
        c && c->identity != model::Identity::none)
      counted = c;
  std::vector<std::string> lines;
  for (const auto& c : t.columns)
    lines.push_back(&c == counted ? fmt::format("{} CONSTRAINT {} PRIMARY KEY AUTOINCREMENT",
                                                column_definition(c), ident(t.primary_key->name))
                                  : column_definition(c));
  if (t.primary_key && !counted)
    lines.push_back(fmt::format("CONSTRAINT {} PRIMARY KEY ({})", ident(t.primary_key->name),
                                names(t.primary_key->columns)));
  for (const auto& u : t.unique_constraints)
    lines.push_back(fmt::format("CONSTRAINT {} UNIQUE ({})", ident(u.name), names(u.columns)));
  for (const auto& fk : t.foreign_keys)
    lines.push_back(fmt::format("CONSTRAINT {} {}", ident(fk.name), foreign_key_clause(fk)));
  for (const auto& ck : t.checks)
    lines.push_back(fmt::format("CONSTRAINT {} CHECK ({})", ident(ck.name), ck.expression));
  return fmt::format("CREATE TABLE {} (\n    {}\n)", in_db(db, name.empty() ? t.name : name),
                     fmt::join(lines, ",\n    "));
}

std::string create_index_sql(const model::Index& ix, const std::string& table,
                             const std::string& db, const std::vector<model::Column>* columns) {
  std::vector<std::string> elements;
  for (const auto& c : ix.columns) elements.push_back(index_element(c, columns));
  return fmt::format("CREATE {}INDEX {} ON {} ({}){}", ix.unique ? "UNIQUE " : "",
                     in_db(db, ix.name), ident(table), fmt::join(elements, ", "),
                     ix.where ? " WHERE " + *ix.where : "");
}

std::optional<std::string> unsupported(const ops::Op& op) {
  using Why = std::optional<std::string>;
  auto schema = [](const std::string& s) -> Why {
    if (main_schema(s)) return std::nullopt;
    return fmt::format("SQLite has no schema {0} (a file keeps its tables in main): map it with "
                       "schema_map: {{{0}: main}} in the configuration",
                       s);
  };
  const Why enums = "SQLite has no enum types: the models' enum columns are TEXT with a CHECK of "
                    "their values there; remove this op from the SQLite revisions (or give it "
                    "an execute op for SQLite instead)";
  auto identity = [](const model::Column& c, const model::Table* in) -> Why {
    if (c.identity == model::Identity::none) return std::nullopt;
    if (in && in->primary_key && in->primary_key->columns == std::vector<std::string>{c.name} &&
        c.type == "INTEGER")
      return std::nullopt; // INTEGER PRIMARY KEY AUTOINCREMENT
    return fmt::format("SQLite numbers only an INTEGER column that is the whole primary key "
                       "(identity makes it AUTOINCREMENT there): make {} one, or drop identity",
                       c.name);
  };
  auto either = [](Why a, Why b) { return a ? a : b; };
  auto view = [&](const model::View& v) -> Why {
    if (v.materialized)
      return Why("SQLite has no materialized views: make it a plain view, or a table the "
                 "application fills");
    return schema(v.schema);
  };
  auto object = [](const model::DbObject& o) -> Why {
    if (o.kind == model::ObjectKind::trigger) return std::nullopt;
    return fmt::format("SQLite has views and triggers, no {}: declare it only for PostgreSQL's "
                       "databases",
                       model::plural(o.kind));
  };
  return std::visit(
      overloaded{
          [&](const ops::CreateTable& o) -> Why {
            if (auto why = schema(o.table.schema)) return why;
            for (const auto& fk : o.table.foreign_keys)
              if (auto why = schema(fk.referred_schema)) return why;
            for (const auto& c : o.table.columns)
              if (auto why = identity(c, &o.table)) return why;
            return std::nullopt;
          },
          [&](const ops::AddColumn& o) {
            return either(schema(o.schema), identity(o.column, nullptr));
          },
          // identity set or dropped on a column: a rebuild, refused there if not the whole key
          [&](const ops::AlterColumn& o) { return schema(o.schema); },
          [&](const ops::CreateIndex& o) -> Why {
            if (auto why = schema(o.schema)) return why;
            std::string method;
            for (char c : o.index.method)
              method += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (method == "btree") return std::nullopt;
            return fmt::format("SQLite has B-tree indexes only, not {}: give the index no method",
                               o.index.method);
          },
          [&](const ops::CreateForeignKey& o) {
            return either(schema(o.schema), schema(o.constraint.referred_schema));
          },
          [&](const ops::CreateEnum&) { return enums; },
          [&](const ops::DropEnum&) { return enums; },
          [&](const ops::AddEnumValue&) { return enums; },
          [&](const ops::CreateSchema& o) { return schema(o.name); },
          [&](const ops::DropSchema& o) { return schema(o.name); },
          [&](const ops::Execute&) -> Why { return std::nullopt; },
          [&](const ops::Call&) -> Why { return std::nullopt; },
          [&](const ops::CreateView& o) { return view(o.view); },
          [&](const ops::ReplaceView& o) { return view(o.view); },
          [&](const ops::DropView& o) { return view(o.view); },
          [&](const ops::CreateObject& o) { return object(o.object); },
          [&](const ops::ReplaceObject& o) { return object(o.object); },
          [&](const ops::DropObject& o) { return object(o.object); },
          [&](const auto& o) { return schema(o.schema); },
      },
      op);
}

std::vector<dialect::Step> compile(const std::vector<ops::LocatedOp>& ops, model::Metadata& state,
                                   Connection* live) {
  return Compiler(ops, state, live).run();
}

} // namespace schemagen::sqlite
