// What a followed statement's ops amount to on the schema they meet (offline replay's): what IF
// [NOT] EXISTS and OR REPLACE leave to it, drops named as what they drop, GRANT and REVOKE as the
// grants the server's ACL then holds, ALTER SEQUENCE merged into the sequence's statement, and an
// index on a materialized view as the view with it.

#include "schemagen/pgparse/pgparse.hpp"
#include "tree.hpp"

#include "schemagen/support/overloaded.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace schemagen::pgparse {

using namespace detail;

namespace {

using When = Statement::When;
using Ops = std::optional<std::vector<ops::Op>>;

constexpr std::string_view with_grant_option = " WITH GRANT OPTION";

bool has_index(const std::vector<model::Index>& indexes, const std::string& name) {
  return std::any_of(indexes.begin(), indexes.end(),
                     [&](const model::Index& ix) { return ix.name == name; });
}

/// The grants on one object to one role: the privileges held without and with GRANT OPTION,
/// as the server's ACL keeps them (one privilege held one way or the other).
struct Held {
  std::string key; // " ON KIND OBJECT TO ROLE"
  std::vector<std::string> plain, grantable;
  const model::DbObject *plain_grant = nullptr, *grantable_grant = nullptr;
};

class OnSchema {
public:
  OnSchema(const model::Metadata& m, std::string& why) : m_(m), why_(why) {}

  Ops run(const ops::Op& op, When when) {
    using model::ObjectKind;
    return std::visit(
        overloaded{
            [&](const ops::CreateTable& o) {
              return makes(table(o.table.schema, o.table.name), "table " + dotted(o.table.schema, o.table.name),
                           when, op);
            },
            [&](const ops::DropTable& o) {
              return names(table(o.schema, o.name), "table " + dotted(o.schema, o.name), when, op);
            },
            [&](const ops::RenameTable& o) {
              return names(table(o.schema, o.name), "table " + dotted(o.schema, o.name), when, op);
            },
            [&](const ops::AddColumn& o) -> Ops {
              const auto* t = table(o.schema, o.table);
              if (!t) return no_table(o.schema, o.table);
              return makes(t->find_column(o.column.name), column(o.schema, o.table, o.column.name),
                           when, op);
            },
            [&](const ops::DropColumn& o) { return on_column(o.schema, o.table, o.name, when, op); },
            [&](const ops::AlterColumn& o) { return on_column(o.schema, o.table, o.name, when, op); },
            [&](const ops::CreateIndex& o) { return create_index(o, when); },
            [&](const ops::DropIndex& o) { return drop_index(o, when); },
            [&](const ops::CreateUniqueConstraint& o) { return on_table(o.schema, o.table, op); },
            [&](const ops::CreateForeignKey& o) { return on_table(o.schema, o.table, op); },
            [&](const ops::CreateCheckConstraint& o) { return on_table(o.schema, o.table, op); },
            [&](const ops::CreatePrimaryKey& o) { return on_table(o.schema, o.table, op); },
            [&](const ops::DropConstraint& o) -> Ops {
              const auto* t = table(o.schema, o.table);
              if (!t) return no_table(o.schema, o.table);
              auto named = [&](const auto& list) {
                return std::any_of(list.begin(), list.end(),
                                   [&](const auto& c) { return c.name == o.name; });
              };
              const bool there = (t->primary_key && t->primary_key->name == o.name) ||
                                 named(t->unique_constraints) || named(t->foreign_keys) ||
                                 named(t->checks);
              return names(there, fmt::format("constraint {} on table {}", o.name,
                                              dotted(t->schema, t->name)),
                           when, op);
            },
            [&](const ops::CreateEnum& o) {
              return makes(enum_type(o.type.schema, o.type.name),
                           "enum type " + dotted(o.type.schema, o.type.name), when, op);
            },
            [&](const ops::DropEnum& o) -> Ops {
              const auto* e = enum_type(o.schema, o.name);
              auto drop = o;
              if (e) drop.existing_values = e->values;
              return names(e, "enum type " + dotted(o.schema, o.name), when, ops::Op(drop));
            },
            [&](const ops::AddEnumValue& o) -> Ops {
              const auto* e = enum_type(o.schema, o.name);
              if (!e) return refuse("the replayed schema has no enum type " + dotted(o.schema, o.name));
              const bool there = std::find(e->values.begin(), e->values.end(), o.value) !=
                                 e->values.end();
              return makes(there, fmt::format("value '{}' of enum type {}", o.value,
                                              dotted(e->schema, e->name)),
                           when, op);
            },
            [&](const ops::CreateSchema& o) {
              return makes(schema(o.name), "schema " + o.name, when, op);
            },
            [&](const ops::DropSchema& o) { return names(schema(o.name), "schema " + o.name, when, op); },
            [&](const ops::SetTableComment& o) { return on_table(o.schema, o.table, op); },
            [&](const ops::CreateView& o) {
              return makes(m_.find_view(o.view.schema, o.view.name), "view " + dotted(o.view.schema, o.view.name),
                           when, op);
            },
            [&](const ops::ReplaceView& o) -> Ops {
              const auto* v = m_.find_view(o.view.schema, o.view.name);
              auto replace = o;
              if (v) { // OR REPLACE keeps what the view had besides its query: its comment
                replace.existing = *v;
                replace.view.comment = v->comment;
              }
              return names(v && !v->materialized, "view " + dotted(o.view.schema, o.view.name), when,
                           ops::Op(replace));
            },
            [&](const ops::DropView& o) -> Ops {
              const auto* v = m_.find_view(o.view.schema, o.view.name);
              const bool there = v && v->materialized == o.view.materialized;
              return names(there,
                           fmt::format("{}view {}", o.view.materialized ? "materialized " : "",
                                       dotted(o.view.schema, o.view.name)),
                           when, there ? ops::Op(ops::DropView{*v}) : op);
            },
            [&](const ops::CreateObject& o) -> Ops {
              if (o.object.kind == ObjectKind::grant) return grant(o.object, false);
              return makes(m_.find_object(o.object), o.object.describe(), when, op);
            },
            [&](const ops::ReplaceObject& o) -> Ops {
              const auto* found = m_.find_object(o.object);
              if (o.object.kind == ObjectKind::sequence) // ALTER SEQUENCE
                return found ? alter_sequence(*found, o.object.sql)
                             : names(false, o.object.describe(), when, op);
              return names(found, o.object.describe(), when,
                           ops::Op(ops::ReplaceObject{o.object, found ? std::optional(*found)
                                                                      : std::nullopt}));
            },
            [&](const ops::DropObject& o) -> Ops {
              if (o.object.kind == ObjectKind::grant) return grant(o.object, true);
              const auto* found = o.object.target.empty() &&
                                          (o.object.kind == ObjectKind::function ||
                                           o.object.kind == ObjectKind::procedure)
                                      ? routine(o.object)
                                      : m_.find_object(o.object);
              if (!why_.empty()) return std::nullopt; // a routine several could be
              return names(found, o.object.describe(), when,
                           found ? ops::Op(ops::DropObject{*found}) : op);
            },
            [&](const auto&) -> Ops { return std::vector<ops::Op>{op}; },
        },
        op);
  }

private:
  const model::Metadata& m_;
  std::string& why_;

  static std::string dotted(const std::string& schema, const std::string& name) {
    return schema + "." + name;
  }
  static std::string column(const std::string& schema, const std::string& table,
                            const std::string& name) {
    return fmt::format("column {} of table {}.{}", name, schema, table);
  }

  const model::Table* table(const std::string& schema, const std::string& name) const {
    return m_.find_table(schema, name);
  }
  const model::Enum* enum_type(const std::string& schema, const std::string& name) const {
    for (const auto& e : m_.enums)
      if (e.schema == schema && e.name == name) return &e;
    return nullptr;
  }
  bool schema(const std::string& name) const {
    return std::find(m_.schemas.begin(), m_.schemas.end(), name) != m_.schemas.end();
  }

  Ops refuse(std::string why) {
    why_ = std::move(why);
    return std::nullopt;
  }
  Ops no_table(const std::string& schema, const std::string& name) {
    return refuse("the replayed schema has no table " + dotted(schema, name));
  }
  /// `op` makes `what`, there already or not: nothing if IF NOT EXISTS (or OR REPLACE) lets it.
  Ops makes(bool there, const std::string& what, When when, ops::Op op) {
    if (!there) return std::vector<ops::Op>{std::move(op)};
    if (when == When::absent) return std::vector<ops::Op>{};
    return refuse(fmt::format("it makes {}, which the replayed schema has already", what));
  }
  /// `op` changes or drops `what`, there or not: nothing if IF EXISTS (or OR REPLACE) lets it.
  Ops names(bool there, const std::string& what, When when, ops::Op op) {
    if (there) return when == When::absent ? std::vector<ops::Op>{}
                                           : std::vector<ops::Op>{std::move(op)};
    if (when == When::present) return std::vector<ops::Op>{};
    return refuse(fmt::format("the replayed schema has no {}", what));
  }
  Ops on_table(const std::string& schema, const std::string& name, const ops::Op& op) {
    if (!table(schema, name)) return no_table(schema, name);
    return std::vector<ops::Op>{op};
  }
  Ops on_column(const std::string& schema, const std::string& name, const std::string& col,
                When when, const ops::Op& op) {
    const auto* t = table(schema, name);
    if (!t) return no_table(schema, name);
    return names(t->find_column(col), column(schema, name, col), when, op);
  }

  /// The materialized view of schema `schema` named `name`, or the one with index `index`.
  const model::View* materialized(const std::string& schema, const std::string& name,
                                  const std::string& index = "") const {
    for (const auto& v : m_.views)
      if (v.materialized && v.schema == schema &&
          (index.empty() ? v.name == name : has_index(v.indexes, index)))
        return &v;
    return nullptr;
  }
  bool index_in_schema(const std::string& schema, const std::string& name) const {
    for (const auto& t : m_.tables)
      if (t.schema == schema && has_index(t.indexes, name)) return true;
    return materialized(schema, "", name) != nullptr;
  }

  Ops create_index(const ops::CreateIndex& o, When when) {
    const auto what = "index " + dotted(o.schema, o.index.name);
    if (index_in_schema(o.schema, o.index.name)) return makes(true, what, when, o);
    if (table(o.schema, o.table)) return std::vector<ops::Op>{o};
    const auto* v = materialized(o.schema, o.table);
    if (!v)
      return refuse("the replayed schema has no table or materialized view " +
                    dotted(o.schema, o.table));
    auto with = *v;
    with.indexes.push_back(o.index);
    return std::vector<ops::Op>{ops::ReplaceView{std::move(with), *v}};
  }

  Ops drop_index(const ops::DropIndex& o, When when) {
    const auto what = "index " + dotted(o.schema, o.name);
    if (const auto* v = materialized(o.schema, "", o.name)) {
      auto without = *v;
      std::erase_if(without.indexes, [&](const model::Index& ix) { return ix.name == o.name; });
      return names(true, what, when, ops::ReplaceView{std::move(without), *v});
    }
    return names(index_in_schema(o.schema, o.name), what, when, o);
  }

  /// The one routine of `like`'s kind, schema and name (DROP FUNCTION f, without arguments);
  /// several: `why` says so.
  const model::DbObject* routine(const model::DbObject& like) {
    const model::DbObject* found = nullptr;
    int n = 0;
    for (const auto& o : m_.objects)
      if (o.kind == like.kind && o.schema == like.schema && o.name == like.name) found = &o, ++n;
    if (n > 1)
      why_ = fmt::format("the replayed schema has {} {}s {}.{}, which its name without argument "
                         "types does not tell apart (the server refuses it too); name the "
                         "argument types",
                         n, model::to_string(like.kind), like.schema, like.name);
    return n == 1 ? found : nullptr;
  }

  /// ALTER SEQUENCE: the sequence's statement with the options the ALTER sets in place of its
  /// own, and those it does not have after them (RESTART, no part of it, left out).
  Ops alter_sequence(const model::DbObject& existing, const std::string& alter) {
    struct Options {
      std::string head; // the statement before its options
      std::vector<std::pair<std::string, std::string>> items; // defname, text
    };
    auto options = [](std::string_view sql) {
      const auto tree = parse(sql);
      if (tree["stmts"].size() != 1) throw SyntaxError{"it is not one statement", 0};
      const auto raw = tree["stmts"][0];
      const auto [start, end] = span(sql, raw);
      Options out;
      std::vector<std::pair<std::string, std::size_t>> at;
      for (const auto& item : node(raw["stmt"]).second["options"]) {
        const auto [kind, def] = node(item);
        at.emplace_back(text(def, "defname"), static_cast<std::size_t>(integer(def, "location")));
      }
      out.head = std::string(sql.substr(start, (at.empty() ? end : at.front().second) - start));
      for (std::size_t i = 0; i < at.size(); ++i) {
        auto piece = sql.substr(at[i].second,
                                (i + 1 < at.size() ? at[i + 1].second : end) - at[i].second);
        while (!piece.empty() && std::isspace(static_cast<unsigned char>(piece.back())))
          piece.remove_suffix(1);
        out.items.emplace_back(at[i].first, std::string(piece));
      }
      while (!out.head.empty() && std::isspace(static_cast<unsigned char>(out.head.back())))
        out.head.pop_back();
      return out;
    };
    Options merged, changes;
    try {
      merged = options(existing.sql);
      changes = options(alter);
    } catch (const SyntaxError& e) {
      return refuse(fmt::format("the statement of {} does not parse: {}", existing.describe(),
                                e.message));
    }
    for (auto& change : changes.items) { // (a structured binding: clang 14 captures none)
      if (change.first == "restart") continue;
      const auto it = std::find_if(merged.items.begin(), merged.items.end(),
                                   [&](const auto& item) { return item.first == change.first; });
      if (it != merged.items.end())
        it->second = change.second;
      else
        merged.items.push_back(change);
    }
    auto sql = merged.head;
    for (const auto& item : merged.items) sql += " " + item.second;
    std::string why;
    auto read = statement_objects(sql, why);
    if (read.size() != 1) return refuse(fmt::format("{} altered does not read back ({})",
                                                    existing.describe(), why));
    read.front().origin = existing.origin;
    return std::vector<ops::Op>{ops::ReplaceObject{std::move(read.front()), existing}};
  }

  // ---- grants ----------------------------------------------------------------------------------

  /// The grant `g` names with its routine named as the schema's routines say: its argument
  /// types, FUNCTION or PROCEDURE (as merge_grants() names a declared one).
  std::optional<model::DbObject> routine_named(const model::DbObject& g) {
    if (g.name.find(" ON FUNCTION ") == std::string::npos &&
        g.name.find(" ON PROCEDURE ") == std::string::npos &&
        g.name.find(" ON ROUTINE ") == std::string::npos)
      return g;
    std::vector<model::DbObject> with;
    for (const auto& o : m_.objects)
      if (o.kind == model::ObjectKind::function || o.kind == model::ObjectKind::procedure)
        with.push_back(o);
    with.push_back(g);
    merge_grants(with); // only `g` is a grant there: it stays last
    auto named = std::move(with.back());
    const auto on = named.name.find(" ON ");
    const auto to = named.name.find(" TO ", on);
    const auto object = named.name.substr(on, to - on);
    if (object.starts_with(" ON ROUTINE ") || object.find('(') == std::string::npos) {
      why_ = fmt::format("the replayed schema has no routine or several that `{}` could mean; "
                         "name its argument types",
                         object.substr(object.find(' ', 4) + 1));
      return std::nullopt;
    }
    return named;
  }

  /// The grants the schema has on `key`'s object to its role.
  Held held(const std::string& key) const {
    Held h{key, {}, {}, nullptr, nullptr};
    for (const auto& o : m_.objects) {
      if (o.kind != model::ObjectKind::grant) continue;
      const auto on = o.name.find(" ON ");
      if (on == std::string::npos) continue;
      const auto rest = std::string_view(o.name).substr(on);
      if (rest == key) {
        h.plain_grant = &o;
        h.plain = split_privileges(std::string_view(o.name).substr(0, on));
      } else if (rest.size() == key.size() + with_grant_option.size() && rest.starts_with(key) &&
                 rest.ends_with(with_grant_option)) {
        h.grantable_grant = &o;
        h.grantable = split_privileges(std::string_view(o.name).substr(0, on));
      }
    }
    return h;
  }

  /// GRANT `g`, or REVOKE it (`revoke`): the grants of its object and role dropped and made
  /// again as the ACL then holds them.
  Ops grant(const model::DbObject& written, bool revoke) {
    auto g = routine_named(written);
    if (!g) return std::nullopt;
    const auto on = g->name.find(" ON ");
    auto key = g->name.substr(on);
    const bool option = key.ends_with(with_grant_option);
    if (option) key.resize(key.size() - with_grant_option.size());
    const auto privileges = split_privileges(std::string_view(g->name).substr(0, on));
    auto h = held(key);
    auto plain = h.plain, grantable = h.grantable;
    auto contains = [](const std::vector<std::string>& v, const std::string& p) {
      return std::find(v.begin(), v.end(), p) != v.end();
    };
    auto add = [&](std::vector<std::string>& to, const std::string& p) {
      if (!contains(to, p)) to.push_back(p);
    };
    auto base = [](const std::string& p) { return p.substr(0, p.find(" (")); };
    if (!revoke) {
      for (const auto& p : privileges) {
        if (option) {
          add(grantable, p);
          std::erase(plain, p);
        } else if (!contains(grantable, p)) {
          add(plain, p);
        }
      }
    } else {
      // a privilege on the table takes the same one on its columns with it; one on some of a
      // grant's columns would split what the ACL keeps per column
      for (const auto& p : privileges) {
        const bool on_table = p == base(p);
        auto taken = [&](const std::string& q) {
          return q == p || (on_table && base(q) == p);
        };
        for (const auto* list : {&plain, &grantable})
          for (const auto& q : *list)
            if (!taken(q) && !on_table && base(q) == base(p))
              return refuse(fmt::format("it revokes {} where the replayed schema grants {}: "
                                        "columns apart from the rest of a grant",
                                        p, q));
        if (option) { // GRANT OPTION FOR: held still, without the option
          for (const auto& q : grantable)
            if (taken(q)) add(plain, q);
        } else {
          std::erase_if(plain, taken);
        }
        std::erase_if(grantable, taken);
      }
    }
    std::vector<ops::Op> drops, creates;
    auto change = [&](const model::DbObject* before, std::vector<std::string> after,
                      std::string_view suffix) {
      order_privileges(after);
      if (before && split_privileges(before->name.substr(0, before->name.find(" ON "))) == after)
        return;
      if (!before && after.empty()) return;
      if (before) drops.push_back(ops::DropObject{*before});
      if (after.empty()) return;
      model::DbObject made = before ? *before : *g;
      made.name = fmt::format("{}{}{}", fmt::join(after, ", "), key, suffix);
      made.sql = "GRANT " + made.name;
      made.definition.clear();
      creates.push_back(ops::CreateObject{std::move(made)});
    };
    change(h.plain_grant, plain, "");
    change(h.grantable_grant, grantable, with_grant_option);
    drops.insert(drops.end(), creates.begin(), creates.end());
    return drops;
  }
};

} // namespace

std::optional<std::vector<ops::Op>> on_schema(const ops::Op& op, Statement::When when,
                                              const model::Metadata& schema, std::string& why) {
  why.clear();
  return OnSchema(schema, why).run(op, when);
}

} // namespace schemagen::pgparse
