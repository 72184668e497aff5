#include "schemagen/compare/compare.hpp"

#include "schemagen/support/sql.hpp"
#include "words.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <tuple>
#include <fmt/format.h>
#include <map>
#include <set>

namespace schemagen::compare {

namespace {

using model::Metadata;
using model::Table;

using Key = std::pair<std::string, std::string>; // (schema, name)

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

/// Unordered column sets (a unique constraint on (a, b) is one on (b, a) too).
bool same_set(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

bool same_fk(const model::ForeignKey& a, const model::ForeignKey& b) {
  return a.columns == b.columns && a.referred_schema == b.referred_schema &&
         a.referred_table == b.referred_table && a.referred_columns == b.referred_columns &&
         a.on_delete == b.on_delete && a.on_update == b.on_update;
}

bool same_index(const model::Index& a, const model::Index& b) {
  return a.columns == b.columns && a.unique == b.unique && a.where == b.where &&
         a.method == b.method;
}

/// Ops by phase: the upgrade is their concatenation, in this order. Drops of what others depend
/// on come late and creations early, so every op finds what it needs.
/// Views are dropped before anything they read changes and created after; extensions come
/// first and go last (a column's type may be theirs); sequences and functions precede the tables
/// whose defaults and triggers use them, unless they read a table made here; triggers and
/// policies follow their tables; grants follow what they grant on.
/// Triggers and grants on a view go before it is dropped and after it is made; routines that read
/// a view made here follow it.
struct Buckets {
  std::vector<ops::Op> schemas, create_extensions, enums, drop_on_views, drop_views,
      drop_on_tables, rename_tables, drop_fks, drop_others, rename_columns, add_columns,
      alter_columns, create_routines, create_tables, create_constraints, create_indexes,
      create_fks, create_late_routines, create_on_tables, create_views, create_view_routines,
      create_on_views, create_grants, drop_columns, drop_tables, drop_routines, drop_enums,
      drop_extensions;

  std::vector<ops::Op> all() const {
    std::vector<ops::Op> out;
    for (const auto* b :
         {&schemas, &create_extensions, &enums, &drop_on_views, &drop_views, &drop_on_tables,
          &rename_tables, &drop_fks, &drop_others, &rename_columns, &add_columns,
          &alter_columns, &create_routines, &create_tables, &create_constraints,
          &create_indexes, &create_fks, &create_late_routines, &create_on_tables, &create_views,
          &create_view_routines, &create_on_views, &create_grants, &drop_columns, &drop_tables,
          &drop_routines, &drop_enums, &drop_extensions})
      out.insert(out.end(), b->begin(), b->end());
    return out;
  }
};

/// "schema.name".
std::string dotted(const std::string& schema, const std::string& name) {
  return schema + "." + name;
}


/// Whether view `v` reads `relation` ("schema.name"): by its depends_on, or without one, by
/// its SQL naming the relation.
bool reads(const model::View& v, const std::string& relation) {
  if (!v.depends_on.empty()) return contains(v.depends_on, relation);
  const auto dot = relation.find('.');
  return mentions(v.sql, relation) ||
         (dot != std::string::npos && mentions(v.sql, relation.substr(dot + 1)));
}

/// Whether view `v` reads column `column` of `schema.table`: column-level depends_on entries
/// ("schema.table.column", from the server) when it has them for that table, else the table.
bool reads_column(const model::View& v, const std::string& schema, const std::string& table,
                  const std::string& column) {
  const std::string rel = dotted(schema, table);
  bool column_level = false;
  for (const auto& dep : v.depends_on) {
    if (dep == rel + "." + column) return true;
    column_level = column_level || dep.starts_with(rel + ".");
  }
  return !column_level && reads(v, rel);
}

/// The RETURNS clause of a function as the server spells it, for telling whether CREATE OR
/// REPLACE can change it (it cannot change the type); empty when not known.
std::string returns_clause(const std::string& definition) {
  const auto at = definition.find("RETURNS ");
  if (at == std::string::npos) return "";
  return definition.substr(at, definition.find('\n', at) - at);
}

/// A routine's first line as the server spells its definition ("CREATE OR REPLACE FUNCTION
/// public.f(a integer DEFAULT 1, OUT b text)"): its parameters' names, defaults and modes; empty
/// for a definition in another form (offline, a parse tree).
std::string header(const std::string& definition) {
  if (!definition.starts_with("CREATE")) return "";
  return definition.substr(0, definition.find('\n'));
}

/// A table without what ops carry separately (indexes), as create_table and drop_table hold it.
Table bare(Table t) {
  t.indexes.clear();
  t.renamed_from.reset();
  for (auto& c : t.columns) c.renamed_from.reset();
  return t;
}

class Comparer {
public:
  Comparer(const Metadata& models, const Metadata& canonical, const Metadata& db, const Options& o)
      : models_(models), canon_(canonical), db_(db), o_(o), db_tables_(db.tables) {}

  Result run() {
    compare_schemas();
    compare_enums();
    std::set<Key> matched; // database tables that have a model
    std::vector<std::size_t> created;
    for (std::size_t i = 0; i < models_.tables.size(); ++i) {
      const Table& m = models_.tables[i];
      const Table* d = find(m.schema, m.name);
      if (!d && m.renamed_from) {
        d = find(m.schema, *m.renamed_from);
        if (d) {
          b_.rename_tables.push_back(ops::RenameTable{m.schema, *m.renamed_from, m.name});
        } else {
          diags_.error(
              m.origin.loc,
              fmt::format("renamed_from \"{}\" names no table: neither {}.{} nor {}.{} is in "
                          "the database",
                          *m.renamed_from, m.schema, *m.renamed_from, m.schema, m.name));
          continue;
        }
      }
      if (!d) {
        created.push_back(i);
        continue;
      }
      matched.insert({d->schema, d->name});
      compare_table(m, canon_.tables[i], *d);
    }
    create_tables(created);
    std::vector<const Table*> dropped;
    for (const auto& d : db_.tables)
      if (!matched.count({d.schema, d.name})) dropped.push_back(&d);
    drop_tables(dropped);
    compare_views(); // after the tables: it reads which columns change under a view
    compare_objects();
    if (diags_.has_errors()) throw DiagnosticsError(diags_);
    Result r;
    r.upgrade = b_.all();
    if (o_.online_batch_size) make_online(r.upgrade, models_, db_, *o_.online_batch_size);
    r.downgrade = downgrade_of(r.upgrade, db_, o_);
    for (auto it = r.downgrade.begin(); it != r.downgrade.end(); ++it) // views that grew
      if (const auto* back = std::get_if<ops::ReplaceView>(&*it);
          back && back->existing && grown_.count(dotted(back->view.schema, back->view.name))) {
        ops::Op drop = ops::DropView{*back->existing};
        ops::Op create = ops::CreateView{back->view};
        *it = std::move(create);
        it = r.downgrade.insert(it, std::move(drop)) + 1;
      }
    r.warnings = warnings_;
    if (o_.online_batch_size)
      for (auto& w : downgrade_rewrites(r.downgrade, db_)) r.warnings.push_back(std::move(w));
    return r;
  }

private:
  const Table* find(const std::string& schema, const std::string& name) const {
    return db_tables_.find(schema, name);
  }

  void compare_schemas() {
    for (const auto& s : models_.schemas)
      if (s != "public" && !contains(db_.schemas, s)) b_.schemas.push_back(ops::CreateSchema{s});
  }

  void compare_enums() {
    for (const auto& m : models_.enums) {
      const model::Enum* d = nullptr;
      for (const auto& e : db_.enums)
        if (e.schema == m.schema && e.name == m.name) d = &e;
      if (!d) {
        b_.enums.push_back(ops::CreateEnum{m});
        continue;
      }
      if (d->values == m.values) continue;
      // values added: fine when the database's are still there, in the same order
      std::size_t k = 0;
      for (const auto& v : m.values)
        if (k < d->values.size() && v == d->values[k]) ++k;
      if (k != d->values.size()) {
        warnings_.push_back(
            fmt::format("enum {}: values were removed or reordered ({} in the database, {} in the "
                        "models); PostgreSQL cannot do that in place: write this part by hand",
                        m.qualified_name(), fmt::join(d->values, ", "), fmt::join(m.values, ", ")));
        continue;
      }
      std::vector<std::string> current = d->values;
      for (std::size_t i = 0; i < m.values.size(); ++i) {
        if (contains(current, m.values[i])) continue;
        ops::AddEnumValue op{m.schema, m.name, m.values[i], std::nullopt, std::nullopt};
        if (i > 0)
          op.after = m.values[i - 1];
        else if (!current.empty())
          op.before = current.front();
        b_.enums.push_back(op);
        current.insert(
            std::find(current.begin(), current.end(), i > 0 ? m.values[i - 1] : current.front()) +
                (i > 0 ? 1 : 0),
            m.values[i]);
      }
    }
    for (const auto& d : db_.enums) {
      bool kept = false;
      for (const auto& m : models_.enums) kept = kept || (m.schema == d.schema && m.name == d.name);
      if (!kept) b_.drop_enums.push_back(ops::DropEnum{d.schema, d.name, d.values});
    }
  }

  /// `m` as written, `c` canonical, `d` in the database (possibly under its old name).
  void compare_table(const Table& m, const Table& c, const Table& d) {
    const std::string& s = m.schema;
    const std::string& t = m.name;
    // columns
    std::set<std::string> matched;
    for (std::size_t i = 0; i < m.columns.size(); ++i) {
      const auto& mc = m.columns[i];
      const auto& cc = c.columns[i];
      const model::Column* dc = d.find_column(mc.name);
      if (!dc && mc.renamed_from) {
        dc = d.find_column(*mc.renamed_from);
        if (dc) {
          ops::AlterColumn r;
          r.schema = s;
          r.table = t;
          r.name = *mc.renamed_from;
          r.new_name = mc.name;
          b_.rename_columns.push_back(r);
        } else {
          diags_.error(mc.origin.loc,
                       fmt::format("renamed_from \"{}\" names no column: {} has neither {} nor {}",
                                   *mc.renamed_from, m.qualified_name(), *mc.renamed_from,
                                   mc.name));
          continue;
        }
      }
      if (!dc) {
        model::Column added = mc;
        added.renamed_from.reset();
        b_.add_columns.push_back(ops::AddColumn{s, t, added});
        continue;
      }
      matched.insert(dc->name);
      compare_column(s, t, mc, cc, *dc);
    }
    for (const auto& dc : d.columns)
      if (!matched.count(dc.name)) b_.drop_columns.push_back(ops::DropColumn{s, t, dc.name, dc});

    // table comment
    if (c.comment != d.comment)
      b_.alter_columns.push_back(ops::SetTableComment{s, t, m.comment, std::optional(d.comment)});

    // primary key
    const bool pk_same =
        c.primary_key && d.primary_key && c.primary_key->columns == d.primary_key->columns;
    if (!pk_same) {
      if (d.primary_key)
        b_.drop_others.push_back(ops::DropConstraint{
            s, t, d.primary_key->name, ops::ConstraintType::primary_key, *d.primary_key});
      if (m.primary_key)
        b_.create_constraints.push_back(ops::CreatePrimaryKey{s, t, *m.primary_key});
    }

    match(
        c.unique_constraints, d.unique_constraints, m.unique_constraints,
        [](const auto& a, const auto& b) { return same_set(a.columns, b.columns); },
        [&](const model::UniqueConstraint& x) {
          b_.create_constraints.push_back(ops::CreateUniqueConstraint{s, t, x});
        },
        [&](const model::UniqueConstraint& x) {
          b_.drop_others.push_back(
              ops::DropConstraint{s, t, x.name, ops::ConstraintType::unique, x});
        });
    match(
        c.foreign_keys, d.foreign_keys, m.foreign_keys, same_fk,
        [&](const model::ForeignKey& x) {
          b_.create_fks.push_back(ops::CreateForeignKey{s, t, x});
        },
        [&](const model::ForeignKey& x) {
          b_.drop_fks.push_back(
              ops::DropConstraint{s, t, x.name, ops::ConstraintType::foreign_key, x});
        });
    match(
        c.checks, d.checks, m.checks,
        [](const auto& a, const auto& b) { return a.expression == b.expression; },
        [&](const model::CheckConstraint& x) {
          b_.create_constraints.push_back(ops::CreateCheckConstraint{s, t, x});
        },
        [&](const model::CheckConstraint& x) {
          b_.drop_others.push_back(
              ops::DropConstraint{s, t, x.name, ops::ConstraintType::check, x});
        });
    match(
        c.indexes, d.indexes, m.indexes, same_index,
        [&](const model::Index& x) {
          b_.create_indexes.push_back(ops::CreateIndex{s, t, x, false});
        },
        [&](const model::Index& x) {
          b_.drop_others.push_back(ops::DropIndex{s, t, x.name, x, false});
        });
  }

  /// Set arithmetic over one kind of constraint: matched by name, then (for what is left) by
  /// definition, so a unique column flag and a reflected unique constraint of another name are
  /// one thing. A same-named one that differs is dropped and created again.
  template <class T, class Same, class Create, class Drop>
  void match(const std::vector<T>& canon, const std::vector<T>& db, const std::vector<T>& written,
             Same same, Create create, Drop drop) {
    std::vector<bool> used(db.size(), false), done(canon.size(), false);
    for (std::size_t i = 0; i < canon.size(); ++i)
      for (std::size_t j = 0; j < db.size(); ++j)
        if (!used[j] && canon[i].name == db[j].name) {
          used[j] = done[i] = true;
          if (!same(canon[i], db[j])) {
            drop(db[j]);
            create(written[i]);
          }
        }
    for (std::size_t i = 0; i < canon.size(); ++i) {
      if (done[i]) continue;
      for (std::size_t j = 0; j < db.size() && !done[i]; ++j)
        if (!used[j] && same(canon[i], db[j])) used[j] = done[i] = true;
      if (!done[i]) create(written[i]);
    }
    for (std::size_t j = 0; j < db.size(); ++j)
      if (!used[j]) drop(db[j]);
  }

  void compare_column(const std::string& s, const std::string& t, const model::Column& mc,
                      const model::Column& cc, const model::Column& dc) {
    ops::AlterColumn a;
    a.schema = s;
    a.table = t;
    a.name = mc.name;
    bool changed = false;
    const bool same_type = o_.same_type ? o_.same_type(cc.type, dc.type) : cc.type == dc.type;
    if (o_.compare_type && !same_type) {
      // both spelled as the database spells types, so the op reads as one change
      a.type = cc.type;
      a.existing_type = dc.type;
      if (o_.needs_using && o_.needs_using(dc.type, cc.type))
        a.using_ = fmt::format("{}::{}", sql::quote_ident(mc.name), cc.type);
      changed = true;
    }
    if (cc.nullable != dc.nullable) {
      a.nullable = mc.nullable;
      a.existing_nullable = dc.nullable;
      changed = true;
    }
    const bool generated = cc.autoincrement || dc.autoincrement;
    if (o_.compare_server_default && !generated &&
        !same_default(cc.server_default, dc.server_default)) {
      a.server_default = mc.server_default;
      a.existing_server_default = dc.server_default;
      changed = true;
    }
    // a type the old default cannot be cast to by assignment: the default is dropped before the
    // type changes and set again after (PostgreSQL refuses to cast it automatically)
    if (a.using_ && dc.server_default && !a.server_default) {
      a.server_default = mc.server_default;
      a.existing_server_default = dc.server_default;
      changed = true;
    }
    if (cc.identity != dc.identity) {
      a.identity = mc.identity;
      a.existing_identity = dc.identity;
      changed = true;
    }
    if (cc.comment != dc.comment) {
      a.comment = mc.comment;
      a.existing_comment = dc.comment;
      changed = true;
    }
    if (cc.autoincrement != dc.autoincrement)
      warnings_.push_back(fmt::format(
          "{}.{}.{}: autoincrement differs ({} in the models, {} in the database); "
          "schemagen does not convert a column to or from serial: use identity, or "
          "write this part by hand",
          s, t, mc.name, cc.autoincrement ? "on" : "off", dc.autoincrement ? "on" : "off"));
    if (changed) b_.alter_columns.push_back(a);
  }

  /// New tables, referenced before referencing; a foreign key in a cycle is added afterwards.
  void create_tables(const std::vector<std::size_t>& created) {
    std::map<Key, std::size_t> pending;
    for (auto i : created) pending[{models_.tables[i].schema, models_.tables[i].name}] = i;
    std::set<Key> done;
    std::vector<std::size_t> order;
    std::set<Key> visiting;
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
      const Table& t = models_.tables[i];
      const Key key{t.schema, t.name};
      if (done.count(key) || visiting.count(key)) return;
      visiting.insert(key);
      for (const auto& fk : t.foreign_keys) {
        auto it = pending.find({fk.referred_schema, fk.referred_table});
        if (it != pending.end() && it->first != key) visit(it->second);
      }
      visiting.erase(key);
      done.insert(key);
      order.push_back(i);
    };
    for (auto i : created) visit(i);
    std::set<Key> made;
    for (auto i : order) {
      Table t = bare(models_.tables[i]);
      const Key key{t.schema, t.name};
      std::vector<model::ForeignKey> inline_fks;
      for (const auto& fk : t.foreign_keys) {
        const Key target{fk.referred_schema, fk.referred_table};
        if (!pending.count(target) || made.count(target) || target == key)
          inline_fks.push_back(fk);
        else
          b_.create_fks.push_back(ops::CreateForeignKey{t.schema, t.name, fk});
      }
      t.foreign_keys = inline_fks;
      b_.create_tables.push_back(ops::CreateTable{t});
      for (const auto& ix : models_.tables[i].indexes)
        b_.create_tables.push_back(ops::CreateIndex{t.schema, t.name, ix, false});
      made.insert(key);
    }
  }

  /// Removed tables, referencing before referenced (child, then parent, then grandparent); a
  /// foreign key in a cycle is dropped first; each table's indexes go with it, so the downgrade
  /// recreates them.
  void drop_tables(const std::vector<const Table*>& dropped) {
    std::map<Key, const Table*> gone;
    for (const auto* t : dropped) gone[{t->schema, t->name}] = t;
    // who references whom, among the dropped
    std::map<Key, std::vector<Key>> referenced_by;
    for (const auto* t : dropped)
      for (const auto& fk : t->foreign_keys) {
        const Key target{fk.referred_schema, fk.referred_table};
        if (gone.count(target) && target != Key{t->schema, t->name})
          referenced_by[target].push_back({t->schema, t->name});
      }
    std::set<Key> done, visiting;
    std::vector<const Table*> order;
    std::set<std::pair<Key, std::string>> cut; // foreign keys dropped ahead, to break a cycle
    std::function<void(const Key&)> visit = [&](const Key& key) {
      if (done.count(key)) return;
      visiting.insert(key);
      for (const auto& child : referenced_by[key])
        if (!visiting.count(child)) visit(child);
      visiting.erase(key);
      done.insert(key);
      order.push_back(gone.at(key));
    };
    for (const auto* t : dropped) visit({t->schema, t->name});
    // a reference from a table dropped later to one dropped earlier is a cycle: drop it first
    std::map<Key, std::size_t> position;
    for (std::size_t i = 0; i < order.size(); ++i) position[{order[i]->schema, order[i]->name}] = i;
    for (const auto* t : order)
      for (const auto& fk : t->foreign_keys) {
        const Key target{fk.referred_schema, fk.referred_table};
        if (gone.count(target) && position[target] < position[{t->schema, t->name}]) {
          b_.drop_fks.push_back(ops::DropConstraint{t->schema, t->name, fk.name,
                                                    ops::ConstraintType::foreign_key, fk});
          cut.insert({{t->schema, t->name}, fk.name});
        }
      }
    for (const auto* t : order) {
      for (const auto& ix : t->indexes)
        b_.drop_tables.push_back(ops::DropIndex{t->schema, t->name, ix.name, ix, false});
      Table existing = bare(*t);
      std::erase_if(existing.foreign_keys, [&](const auto& fk) {
        return cut.count({{t->schema, t->name}, fk.name}) > 0;
      });
      b_.drop_tables.push_back(ops::DropTable{t->schema, t->name, existing});
    }
  }

  // ---- views -----------------------------------------------------------------------------

  /// Views are compared once the models declare one: a database's views are left alone until
  /// then (they were made by hand or by `execute`), as with every kind of schema object.
  void compare_views() {
    if (models_.views.empty() && !o_.whole_schema && !o_.managed.views)
      return; // views the project does not manage
    std::set<Key> recreate;              // database views dropped, and created again after
    std::vector<const model::View*> gone; // database views the models do not have
    std::vector<std::size_t> create, replace;
    for (std::size_t i = 0; i < models_.views.size(); ++i) {
      const auto& m = models_.views[i];
      const auto* d = db_.find_view(m.schema, m.name);
      if (!d)
        create.push_back(i);
      else if (canonical_view(i) == *d)
        continue;
      else if (replaceable(canonical_view(i), *d))
        replace.push_back(i);
      else
        recreate.insert({m.schema, m.name});
    }
    for (const auto& d : db_.views)
      if (!models_.find_view(d.schema, d.name)) gone.push_back(&d);
    // a view that gains columns is replaced, but its way back drops and makes it again (CREATE
    // OR REPLACE cannot take columns away): one that others read is made again both ways
    std::erase_if(replace, [&](std::size_t i) {
      const auto& m = canonical_view(i);
      const auto& d = *db_.find_view(m.schema, m.name);
      if (replaceable(d, m)) return false;
      const auto name = dotted(m.schema, m.name);
      const bool read = std::any_of(db_.views.begin(), db_.views.end(), [&](const auto& other) {
        return &other != &d && reads(other, name);
      });
      if (!read) {
        grown_.insert(name);
        return false;
      }
      recreate.insert({m.schema, m.name});
      return true;
    });

    // what changes under the database's views: a dropped or recreated view, a table dropped or
    // renamed, a column dropped or whose type changes; and, in turn, the views reading those
    std::vector<std::function<bool(const model::View&)>> breaks;
    for (const auto* g : gone) breaks.push_back([r = dotted(g->schema, g->name)](const model::View& v) { return reads(v, r); });
    for (const auto& op : b_.alter_columns)
      if (const auto* a = std::get_if<ops::AlterColumn>(&op); a && a->type)
        breaks.push_back([a](const model::View& v) {
          return reads_column(v, a->schema, a->table, a->name);
        });
    for (const auto& op : b_.drop_columns) {
      const auto& dc = std::get<ops::DropColumn>(op);
      breaks.push_back(
          [&dc](const model::View& v) { return reads_column(v, dc.schema, dc.table, dc.name); });
    }
    for (const auto* ops_list : {&b_.drop_tables, &b_.rename_tables})
      for (const auto& op : *ops_list) {
        std::string rel;
        if (const auto* t = std::get_if<ops::DropTable>(&op)) rel = dotted(t->schema, t->name);
        if (const auto* t = std::get_if<ops::RenameTable>(&op)) rel = dotted(t->schema, t->name);
        if (!rel.empty())
          breaks.push_back([rel](const model::View& v) { return reads(v, rel); });
      }
    bool grew = true;
    while (grew) { // until no further database view reads what changes
      grew = false;
      for (const auto& d : db_.views) {
        const Key key{d.schema, d.name};
        if (recreate.count(key) || !models_.find_view(d.schema, d.name)) continue;
        const bool broken = std::any_of(breaks.begin(), breaks.end(), [&](const auto& f) { return f(d); }) ||
                            std::any_of(recreate.begin(), recreate.end(), [&](const Key& r) {
                              return reads(d, dotted(r.first, r.second));
                            });
        if (!broken) continue;
        recreate.insert(key);
        std::erase_if(replace, [&](std::size_t i) {
          return models_.views[i].schema == d.schema && models_.views[i].name == d.name;
        });
        grew = true;
      }
    }

    // dropped, readers before what they read
    std::vector<const model::View*> drops = gone;
    for (const auto& d : db_.views)
      if (recreate.count({d.schema, d.name})) drops.push_back(&d);
    for (const auto* v : in_dependency_order(drops, true)) b_.drop_views.push_back(ops::DropView{*v});
    for (const auto& key : recreate) recreated_.insert(dotted(key.first, key.second));
    recreated_.insert(grown_.begin(), grown_.end()); // what is on them is made again with them

    // created or replaced, what is read before its readers
    std::vector<const model::View*> made;
    std::set<const model::View*> replacing;
    for (auto i : create) made.push_back(&models_.views[i]);
    for (auto i : replace) {
      made.push_back(&models_.views[i]);
      replacing.insert(&models_.views[i]);
    }
    for (const auto& m : models_.views)
      if (recreate.count({m.schema, m.name})) made.push_back(&m);
    for (const auto* v : in_dependency_order(made, false)) {
      model::View written = *v;
      written.columns.clear(); // the struct's members: checked, not carried
      if (replacing.count(v)) {
        model::View existing = *db_.find_view(v->schema, v->name);
        existing.columns.clear();
        b_.create_views.push_back(ops::ReplaceView{written, existing});
      } else {
        b_.create_views.push_back(ops::CreateView{written});
      }
    }
  }

  /// The model's view `i` as the database spells it (as written when the dialect spells none).
  const model::View& canonical_view(std::size_t i) const {
    return canon_.views.size() == models_.views.size() ? canon_.views[i] : models_.views[i];
  }

  /// Whether CREATE OR REPLACE VIEW can turn `db` into `model`: neither materialized, and the
  /// database's columns still first, in order, with their types (new ones may follow). Unknown
  /// columns on either side: assumed so (the server says otherwise when it runs).
  bool replaceable(const model::View& model, const model::View& db) const {
    if (model.materialized || db.materialized) return false;
    if (model.columns.empty() || db.columns.empty()) return true;
    if (model.columns.size() < db.columns.size()) return false;
    for (std::size_t k = 0; k < db.columns.size(); ++k) {
      const auto& a = model.columns[k];
      const auto& b = db.columns[k];
      // a struct member's type as written ("BIGINT"), the database's as the server spells it
      const auto ta = canonical_type(a.type), tb = canonical_type(b.type);
      const bool same_type = o_.same_type ? o_.same_type(ta, tb) : ta == tb;
      if (a.name != b.name || !same_type) return false;
    }
    return true;
  }

  /// `views` ordered so that each comes after the views among them it reads (`reverse`: before).
  static std::vector<const model::View*> in_dependency_order(std::vector<const model::View*> views,
                                                            bool reverse) {
    std::sort(views.begin(), views.end(), [](const auto* a, const auto* b) {
      return std::tie(a->schema, a->name) < std::tie(b->schema, b->name);
    });
    std::vector<const model::View*> order;
    std::set<const model::View*> done, visiting;
    std::function<void(const model::View*)> visit = [&](const model::View* v) {
      if (done.count(v) || visiting.count(v)) return;
      visiting.insert(v);
      for (const auto* other : views)
        if (other != v && reads(*v, dotted(other->schema, other->name))) visit(other);
      visiting.erase(v);
      done.insert(v);
      order.push_back(v);
    };
    for (const auto* v : views) visit(v);
    if (reverse) std::reverse(order.begin(), order.end());
    return order;
  }

  // ---- schema objects ----------------------------------------------------------------------

  /// Objects of the kinds the models declare or the revisions made (Managed); the database's
  /// objects of other kinds are left alone. The database's own grants are managed only when the
  /// models grant on it, or a revision did: the database is the server's more than the
  /// application's, and named differently from one server to the next. What is on a view made
  /// again (its triggers, its grants) goes with it and is made again after it, as it is declared
  /// or, when the project does not manage it, as it was.
  void compare_objects() {
    std::set<model::ObjectKind> managed = o_.managed.objects;
    for (const auto& o : models_.objects) managed.insert(o.kind);
    const bool database_grants = o_.managed.database_grants ||
                                 std::any_of(models_.objects.begin(), models_.objects.end(),
                                             grants_on_database);
    const model::ObjectIndex on_db(db_.objects);
    std::set<const model::DbObject*> remade; // database objects dropped and made again, handled
    std::vector<std::string> remade_routines; // " ON FUNCTION s.f(integer) TO ": grants on it
    // columns whose type changes or that go: a policy or trigger naming one is in the way
    // ("cannot alter type of a column used in a policy definition")
    std::vector<std::pair<std::string, std::string>> changing; // {"schema.table", column}
    for (const auto& op : b_.alter_columns)
      if (const auto* a = std::get_if<ops::AlterColumn>(&op); a && a->type)
        changing.emplace_back(dotted(a->schema, a->table), a->name);
    for (const auto& op : b_.drop_columns)
      if (const auto* dc = std::get_if<ops::DropColumn>(&op))
        changing.emplace_back(dotted(dc->schema, dc->table), dc->name);
    auto names_changing_column = [&](const model::DbObject& d) {
      if (d.kind != model::ObjectKind::policy && d.kind != model::ObjectKind::trigger) return false;
      const auto& text = d.definition.empty() ? d.sql : d.definition;
      return std::any_of(changing.begin(), changing.end(), [&](const auto& c) {
        return d.target == c.first && mentions(text, c.second);
      });
    };
    auto remade_under = [&](const model::DbObject& d) {
      return on_view(d, recreated_) || names_changing_column(d) ||
             (d.kind == model::ObjectKind::grant &&
              std::any_of(remade_routines.begin(), remade_routines.end(),
                          [&](const auto& r) { return d.name.find(r) != std::string::npos; }));
    };
    model_views_ = names_of(models_.views);
    db_views_ = names_of(db_.views);
    for (std::size_t i = 0; i < models_.objects.size(); ++i) {
      // matched as the database spells it: a function's (int4) is its (integer); the ops carry
      // the statement as declared, under that identity
      const auto& c = canon_.objects.size() == models_.objects.size() ? canon_.objects[i]
                                                                      : models_.objects[i];
      model::DbObject m = models_.objects[i];
      m.target = c.target;
      m.definition.clear();
      const auto* d = on_db.find(c);
      if (!d) {
        create_bucket(m).push_back(ops::CreateObject{m});
      } else if (remade_under(*d)) { // out of the way of a change: made again after it, as declared
        remade.insert(d);
        b_.drop_on_views.push_back(ops::DropObject{*d});
        create_bucket(m).push_back(ops::CreateObject{m});
      } else if (!(c == *d)) {
        // CREATE OR REPLACE cannot change what a function returns, nor rename a parameter,
        // take a default away or change an OUT parameter: it is made again
        const bool routine = m.kind == model::ObjectKind::function ||
                             m.kind == model::ObjectKind::procedure;
        const bool returns_changed =
            routine && !c.definition.empty() && !d->definition.empty() &&
            (returns_clause(c.definition) != returns_clause(d->definition) ||
             header(c.definition) != header(d->definition));
        if (returns_changed) { // dropped early: the new one takes its name, and its grants
          remade_routines.push_back(fmt::format(
              " ON {} {}.{}{} TO ", m.kind == model::ObjectKind::function ? "FUNCTION" : "PROCEDURE",
              d->schema, d->name, d->target));
          b_.drop_on_tables.push_back(ops::DropObject{*d});
          create_bucket(m).push_back(ops::CreateObject{m});
        } else {
          create_bucket(m).push_back(ops::ReplaceObject{m, *d});
        }
      }
    }
    const model::ObjectIndex declared(
        (canon_.objects.size() == models_.objects.size() ? canon_ : models_).objects);
    for (const auto& d : db_.objects) {
      if (remade.count(&d) || declared.find(d)) continue;
      const bool ours = o_.whole_schema || (managed.count(d.kind) &&
                                            (database_grants || !grants_on_database(d)));
      const bool in_the_way = remade_under(d); // of what goes before its object is made again
      if (ours)
        (in_the_way ? b_.drop_on_views : drop_bucket(d)).push_back(ops::DropObject{d});
      else if (in_the_way && !d.sql.empty()) { // not ours, but kept as it was
        b_.drop_on_views.push_back(ops::DropObject{d});
        create_bucket(d).push_back(ops::CreateObject{d});
      }
    }
  }

  /// Whether `o` is on one of `views` ("schema.name" each).
  static bool on_view(const model::DbObject& o, const std::set<std::string>& views) {
    const auto rel = o.relation();
    return rel && views.count(*rel) > 0;
  }
  static std::set<std::string> names_of(const std::vector<model::View>& views) {
    std::set<std::string> out;
    for (const auto& v : views) out.insert(dotted(v.schema, v.name));
    return out;
  }

  /// Whether `o` reads one of the tables or views the ops of type T in `bucket` make or drop
  /// (`relation` gives the op's table or view).
  template <class T, class Relation>
  static bool reads_one_of(const model::DbObject& o, const std::vector<ops::Op>& bucket,
                           Relation relation) {
    return std::any_of(bucket.begin(), bucket.end(), [&](const ops::Op& op) {
      const auto* x = std::get_if<T>(&op);
      if (!x) return false;
      const auto& r = relation(*x);
      return contains(o.depends_on, dotted(r.schema, r.name));
    });
  }

  static constexpr auto view_of = [](const auto& op) -> const model::View& { return op.view; };
  static constexpr auto table_of = [](const auto& op) -> const Table& { return op.table; };

  std::vector<ops::Op>& create_bucket(const model::DbObject& o) {
    using K = model::ObjectKind;
    switch (o.kind) {
    case K::extension: return b_.create_extensions;
    case K::trigger:
    case K::policy: return on_view(o, model_views_) ? b_.create_on_views : b_.create_on_tables;
    case K::grant: return b_.create_grants;
    case K::sequence: return b_.create_routines;
    case K::function:
    case K::procedure:
      // a body that reads a view or table made here waits for it (LANGUAGE sql bodies are
      // checked)
      if (reads_one_of<ops::CreateView>(o, b_.create_views, view_of)) return b_.create_view_routines;
      if (reads_one_of<ops::CreateTable>(o, b_.create_tables, table_of))
        return b_.create_late_routines;
      return b_.create_routines;
    }
    return b_.create_routines;
  }

  std::vector<ops::Op>& drop_bucket(const model::DbObject& o) {
    using K = model::ObjectKind;
    switch (o.kind) {
    case K::extension: return b_.drop_extensions;
    case K::trigger:
    case K::policy:
    case K::grant: return on_view(o, db_views_) ? b_.drop_on_views : b_.drop_on_tables;
    case K::function:
    case K::procedure:
      // one that reads a view dropped here goes first: the way back makes the view before it
      if (reads_one_of<ops::DropView>(o, b_.drop_views, view_of)) return b_.drop_on_views;
      return b_.drop_routines;
    default: return b_.drop_routines;
    }
  }

  const Metadata& models_;
  const Metadata& canon_;
  const Metadata& db_;
  const Options& o_;
  std::set<std::string> recreated_; // "schema.name" of each database view dropped and made again
  std::set<std::string> model_views_, db_views_; // "schema.name" of each view on either side
  std::set<std::string> grown_; // views replaced with more columns: made again on the way back
  const model::TableIndex db_tables_; // one lookup per model table: a linear find was quadratic
  Buckets b_;
  DiagnosticList diags_;
  std::vector<std::string> warnings_;
};

} // namespace

bool grants_on_database(const model::DbObject& o) {
  return o.kind == model::ObjectKind::grant && o.name.find(" ON DATABASE ") != std::string::npos;
}

void Managed::add(const ops::Op& op) {
  if (std::holds_alternative<ops::CreateView>(op)) views = true;
  const model::DbObject* o = nullptr;
  if (const auto* c = std::get_if<ops::CreateObject>(&op)) o = &c->object;
  if (const auto* r = std::get_if<ops::ReplaceObject>(&op)) o = &r->object;
  if (!o) return;
  objects.insert(o->kind);
  database_grants = database_grants || grants_on_database(*o);
}

Result compare(const Metadata& models, const Metadata& canonical, const Metadata& database,
               const Options& options) {
  return Comparer(models, canonical, database, options).run();
}

} // namespace schemagen::compare
