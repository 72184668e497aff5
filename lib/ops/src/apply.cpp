#include "schemagen/ops/apply.hpp"

#include "schemagen/support/overloaded.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <unordered_map>

namespace schemagen::ops {

using model::TableIndex;

/// Positions rather than pointers: a push_back may move the tables.
struct Replay::Hashes {
  std::unordered_map<std::string, std::size_t> tables;      // TableIndex::key -> position
  std::unordered_map<std::string, std::size_t> index_names; // (schema, index) -> how many
  std::unordered_map<std::string, std::size_t> views;       // TableIndex::key -> how many
  std::unordered_map<std::string, std::size_t> objects;     // ObjectIndex::key -> how many

  explicit Hashes(const model::Metadata& m) {
    position(m.tables);
    for (const auto& t : m.tables)
      for (const auto& ix : t.indexes) ++index_names[TableIndex::key(t.schema, ix.name)];
    for (const auto& v : m.views) ++views[TableIndex::key(v.schema, v.name)];
    for (const auto& o : m.objects) ++objects[model::ObjectIndex::key(o)];
  }
  static void forget(std::unordered_map<std::string, std::size_t>& counts, const std::string& key) {
    const auto it = counts.find(key);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  }
  /// emplace keeps the first of two tables of one name, the one a linear search finds
  void position(const std::vector<model::Table>& all) {
    tables.clear();
    for (std::size_t i = 0; i < all.size(); ++i)
      tables.emplace(TableIndex::key(all[i].schema, all[i].name), i);
  }
  void forget_index(const std::string& schema, const std::string& name) {
    forget(index_names, TableIndex::key(schema, name));
  }
};

namespace {

/// One op applied. Without hashes (a lone apply(), where building them would cost more than the
/// one search it saves) the lookups search linearly; with a Replay's, they hash, and whatever
/// changes the tables or their indexes updates the hashes in the same step.
class Applier {
public:
  Applier(const Op& op, model::Metadata& m, Replay::Hashes* h) : op_(op), m_(m), h_(h) {}

  [[noreturn]] void fail(const std::string& why) const {
    throw UserError(fmt::format("error: {}: {}", describe(op_), why));
  }

  model::Table* find_table(const std::string& schema, const std::string& name) {
    if (h_) {
      const auto it = h_->tables.find(TableIndex::key(schema, name));
      return it == h_->tables.end() ? nullptr : &m_.tables[it->second];
    }
    for (auto& t : m_.tables)
      if (t.schema == schema && t.name == name) return &t;
    return nullptr;
  }
  model::Table& table(const std::string& schema, const std::string& name) {
    if (auto* t = find_table(schema, name)) return *t;
    fail(fmt::format("no table {}.{}", schema, name));
  }
  model::View& view(const std::string& schema, const std::string& name) {
    for (auto& v : m_.views)
      if (v.schema == schema && v.name == name) return v;
    fail(fmt::format("no view {}.{}", schema, name));
  }
  model::DbObject& object(const model::DbObject& like) {
    for (auto& o : m_.objects)
      if (o.kind == like.kind && o.schema == like.schema && o.name == like.name &&
          o.target == like.target)
        return o;
    fail(fmt::format("no {}", like.describe()));
  }
  model::Column& column(model::Table& t, const std::string& name) {
    for (auto& c : t.columns)
      if (c.name == name) return c;
    fail(fmt::format("table {} has no column {}", t.qualified_name(), name));
  }
  model::Enum& enum_type(const std::string& schema, const std::string& name) {
    for (auto& e : m_.enums)
      if (e.schema == schema && e.name == name) return e;
    fail(fmt::format("no enum type {}.{}", schema, name));
  }
  bool has_table(const std::string& schema, const std::string& name) {
    return find_table(schema, name) != nullptr;
  }
  bool has_index(const std::string& schema, const std::string& name) const {
    if (h_) return h_->index_names.contains(TableIndex::key(schema, name));
    for (const auto& t : m_.tables)
      if (t.schema == schema)
        for (const auto& ix : t.indexes)
          if (ix.name == name) return true;
    return false;
  }
  /// Erases `t`'s indexes that `gone` says go, and forgets their names.
  template <class Pred>
  std::size_t erase_indexes(model::Table& t, Pred gone) {
    return std::erase_if(t.indexes, [&](const model::Index& ix) {
      if (!gone(ix)) return false;
      if (h_) h_->forget_index(t.schema, ix.name);
      return true;
    });
  }
  void constraint_name_free(const model::Table& t, const std::string& name) {
    auto taken = [&](const auto& list) {
      return std::any_of(list.begin(), list.end(), [&](const auto& c) { return c.name == name; });
    };
    if ((t.primary_key && t.primary_key->name == name) || taken(t.unique_constraints) ||
        taken(t.foreign_keys) || taken(t.checks))
      fail(fmt::format("table {} has a constraint {} already", t.qualified_name(), name));
  }

  static bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  /// Dropping a column drops what depends on it: indexes and constraints on it.
  void drop_dependents(model::Table& t, const std::string& col) {
    if (t.primary_key && contains(t.primary_key->columns, col)) t.primary_key.reset();
    std::erase_if(t.unique_constraints, [&](const auto& u) { return contains(u.columns, col); });
    std::erase_if(t.foreign_keys, [&](const auto& fk) { return contains(fk.columns, col); });
    erase_indexes(t, [&](const auto& ix) { return contains(ix.columns, col); });
    for (auto& other : m_.tables)
      for (const auto& fk : other.foreign_keys)
        if (fk.referred_schema == t.schema && fk.referred_table == t.name &&
            contains(fk.referred_columns, col))
          fail(fmt::format("foreign key {} of {} references it", fk.name, other.qualified_name()));
  }

  void rename_column(model::Table& t, const std::string& from, const std::string& to) {
    auto rename = [&](std::vector<std::string>& cols) {
      std::replace(cols.begin(), cols.end(), from, to);
    };
    if (t.primary_key) rename(t.primary_key->columns);
    for (auto& u : t.unique_constraints) rename(u.columns);
    for (auto& fk : t.foreign_keys) rename(fk.columns);
    for (auto& ix : t.indexes) rename(ix.columns);
    for (auto& other : m_.tables)
      for (auto& fk : other.foreign_keys)
        if (fk.referred_schema == t.schema && fk.referred_table == t.name)
          rename(fk.referred_columns);
  }

  ApplyResult run() {
    ApplyResult result;
    std::visit(
        overloaded{
            [&](const CreateTable& o) {
              if (has_table(o.table.schema, o.table.name)) fail("the table exists already");
              m_.tables.push_back(o.table);
              if (!h_) return;
              h_->tables.emplace(TableIndex::key(o.table.schema, o.table.name),
                                 m_.tables.size() - 1);
              for (const auto& ix : o.table.indexes)
                ++h_->index_names[TableIndex::key(o.table.schema, ix.name)];
            },
            [&](const DropTable& o) {
              table(o.schema, o.name);
              for (const auto& other : m_.tables)
                for (const auto& fk : other.foreign_keys)
                  if (fk.referred_schema == o.schema && fk.referred_table == o.name &&
                      !(other.schema == o.schema && other.name == o.name))
                    fail(fmt::format("foreign key {} of {} references it", fk.name,
                                     other.qualified_name()));
              std::erase_if(m_.tables, [&](const auto& t) {
                if (t.schema != o.schema || t.name != o.name) return false;
                if (h_)
                  for (const auto& ix : t.indexes) h_->forget_index(t.schema, ix.name);
                return true;
              });
              if (h_) h_->position(m_.tables); // the tables after it moved up: linear, as the
                                               // search for foreign keys to it is
              drop_objects_on(o.schema, o.name);
            },
            [&](const RenameTable& o) {
              auto& t = table(o.schema, o.name);
              if (has_table(o.schema, o.new_name))
                fail(fmt::format("table {} exists already", o.new_name));
              for (auto& other : m_.tables)
                for (auto& fk : other.foreign_keys)
                  if (fk.referred_schema == o.schema && fk.referred_table == o.name)
                    fk.referred_table = o.new_name;
              if (h_) {
                auto node = h_->tables.extract(TableIndex::key(o.schema, o.name));
                node.key() = TableIndex::key(o.schema, o.new_name);
                h_->tables.insert(std::move(node));
              }
              t.name = o.new_name;
            },
            [&](const AddColumn& o) {
              auto& t = table(o.schema, o.table);
              if (t.find_column(o.column.name)) fail("the column exists already");
              t.columns.push_back(o.column);
            },
            [&](const DropColumn& o) {
              auto& t = table(o.schema, o.table);
              column(t, o.name);
              drop_dependents(t, o.name);
              std::erase_if(t.columns, [&](const auto& c) { return c.name == o.name; });
            },
            [&](const AlterColumn& o) {
              auto& t = table(o.schema, o.table);
              auto& c = column(t, o.name);
              if (o.type) c.type = *o.type;
              if (o.nullable) c.nullable = *o.nullable;
              if (o.server_default) c.server_default = *o.server_default;
              if (o.comment) c.comment = *o.comment;
              if (o.identity) c.identity = *o.identity;
              if (o.new_name) {
                if (t.find_column(*o.new_name))
                  fail(fmt::format("column {} exists already", *o.new_name));
                c.name = *o.new_name;
                rename_column(t, o.name, *o.new_name);
              }
            },
            [&](const CreateIndex& o) {
              auto& t = table(o.schema, o.table);
              if (has_index(o.schema, o.index.name)) fail("an index of that name exists already");
              t.indexes.push_back(o.index);
              if (h_) ++h_->index_names[TableIndex::key(o.schema, o.index.name)];
            },
            [&](const DropIndex& o) {
              if (has_index(o.schema, o.name)) // which table has it is not hashed
                for (auto& t : m_.tables)
                  if (t.schema == o.schema &&
                      erase_indexes(t, [&](const auto& ix) { return ix.name == o.name; }))
                    return;
              fail(fmt::format("no index {} in schema {}", o.name, o.schema));
            },
            [&](const CreateUniqueConstraint& o) {
              auto& t = table(o.schema, o.table);
              constraint_name_free(t, o.constraint.name);
              for (const auto& col : o.constraint.columns) column(t, col);
              t.unique_constraints.push_back(o.constraint);
            },
            [&](const CreateForeignKey& o) {
              auto& t = table(o.schema, o.table);
              constraint_name_free(t, o.constraint.name);
              for (const auto& col : o.constraint.columns) column(t, col);
              auto& target = table(o.constraint.referred_schema, o.constraint.referred_table);
              for (const auto& col : o.constraint.referred_columns) column(target, col);
              table(o.schema, o.table).foreign_keys.push_back(o.constraint);
            },
            [&](const CreateCheckConstraint& o) {
              auto& t = table(o.schema, o.table);
              constraint_name_free(t, o.constraint.name);
              t.checks.push_back(o.constraint);
            },
            [&](const CreatePrimaryKey& o) {
              auto& t = table(o.schema, o.table);
              if (t.primary_key)
                fail(fmt::format("the table has a primary key already ({})", t.primary_key->name));
              constraint_name_free(t, o.constraint.name);
              for (const auto& col : o.constraint.columns) column(t, col).nullable = false;
              t.primary_key = o.constraint;
            },
            [&](const DropConstraint& o) {
              auto& t = table(o.schema, o.table);
              if (t.primary_key && t.primary_key->name == o.name) {
                t.primary_key.reset();
                return;
              }
              auto erase = [&](auto& list) {
                return std::erase_if(list, [&](const auto& c) { return c.name == o.name; }) > 0;
              };
              if (erase(t.unique_constraints) || erase(t.foreign_keys) || erase(t.checks)) return;
              fail(fmt::format("table {} has no constraint {}", t.qualified_name(), o.name));
            },
            [&](const CreateEnum& o) {
              for (const auto& e : m_.enums)
                if (e.schema == o.type.schema && e.name == o.type.name)
                  fail("the type exists already");
              m_.enums.push_back(o.type);
            },
            [&](const DropEnum& o) {
              enum_type(o.schema, o.name);
              std::erase_if(m_.enums, [&](const auto& e) {
                return e.schema == o.schema && e.name == o.name;
              });
            },
            [&](const AddEnumValue& o) {
              auto& e = enum_type(o.schema, o.name);
              if (contains(e.values, o.value)) fail("the enum has that value already");
              auto at = e.values.end();
              if (o.before || o.after) {
                const auto& anchor = o.before ? *o.before : *o.after;
                at = std::find(e.values.begin(), e.values.end(), anchor);
                if (at == e.values.end()) fail(fmt::format("the enum has no value '{}'", anchor));
                if (o.after) ++at;
              }
              e.values.insert(at, o.value);
            },
            [&](const CreateSchema& o) {
              if (contains(m_.schemas, o.name)) fail("the schema exists already");
              m_.schemas.push_back(o.name);
            },
            [&](const DropSchema& o) {
              for (const auto& t : m_.tables)
                if (t.schema == o.name)
                  fail(fmt::format("table {} is still in it", t.qualified_name()));
              for (const auto& e : m_.enums)
                if (e.schema == o.name)
                  fail(fmt::format("type {} is still in it", e.qualified_name()));
              std::erase(m_.schemas, o.name);
            },
            [&](const SetTableComment& o) { table(o.schema, o.table).comment = o.comment; },
            [&](const Execute& o) {
              if (!o.replay) { // raw SQL: what it does to the schema is not known
                result.exact = false;
                return;
              }
              for (const auto& r : *o.replay) // what the revision says the SQL does
                if (!Applier(r.op, m_, h_).run().exact) result.exact = false;
            },
            [&](const BulkInsert& o) { table(o.schema, o.table); },
            [](const Call&) {}, // a data step: the schema stays as it is
            [&](const CreateView& o) {
              const auto key = TableIndex::key(o.view.schema, o.view.name);
              if (h_ ? h_->views.count(key) > 0 : m_.find_view(o.view.schema, o.view.name) != nullptr)
                fail(fmt::format("view {} exists already", o.view.qualified_name()));
              m_.views.push_back(o.view);
              if (h_) ++h_->views[key];
            },
            [&](const ReplaceView& o) { view(o.view.schema, o.view.name) = o.view; },
            [&](const DropView& o) {
              view(o.view.schema, o.view.name);
              std::erase_if(m_.views, [&](const model::View& v) {
                return v.schema == o.view.schema && v.name == o.view.name;
              });
              if (h_) h_->views.erase(TableIndex::key(o.view.schema, o.view.name));
              drop_objects_on(o.view.schema, o.view.name);
            },
            [&](const CreateObject& o) {
              const auto key = model::ObjectIndex::key(o.object);
              if (h_ ? h_->objects.count(key) > 0 : m_.find_object(o.object) != nullptr)
                fail(fmt::format("{} exists already", o.object.describe()));
              m_.objects.push_back(o.object);
              if (h_) ++h_->objects[key];
            },
            [&](const ReplaceObject& o) { object(o.object) = o.object; },
            [&](const DropObject& o) {
              const auto* found = &object(o.object);
              if (h_) Replay::Hashes::forget(h_->objects, model::ObjectIndex::key(*found));
              std::erase_if(m_.objects, [&](const model::DbObject& x) { return &x == found; });
            },
        },
        op_);
    return result;
  }

private:
  /// What the server drops with a table or view: its triggers, policies and grants.
  void drop_objects_on(const std::string& schema, const std::string& name) {
    const auto rel = schema + "." + name;
    std::erase_if(m_.objects, [&](const model::DbObject& x) {
      if (x.relation() != rel) return false;
      if (h_) Replay::Hashes::forget(h_->objects, model::ObjectIndex::key(x));
      return true;
    });
  }

  const Op& op_;
  model::Metadata& m_;
  Replay::Hashes* h_; // null: search
};

} // namespace

ApplyResult apply(const Op& op, model::Metadata& metadata) {
  return Applier(op, metadata, nullptr).run();
}

Replay::Replay(model::Metadata& metadata)
    : metadata_(metadata), hashes_(std::make_unique<Hashes>(metadata)) {}

Replay::~Replay() = default;

ApplyResult Replay::apply(const Op& op) { return Applier(op, metadata_, hashes_.get()).run(); }

} // namespace schemagen::ops
