// move_schema: a chain written for one schema run in another (a tenant's, fleet.schemas); and
// locked_relations: what an op locks, for a transaction's lock slots.

#include "schemagen/ops/ops.hpp"

#include <type_traits>

namespace schemagen::ops {

namespace {

struct Mover {
  const std::string& from;
  const std::string& to;

  void name(std::string& schema) const {
    if (schema == from) schema = to;
  }
  /// "schema.name" (a type, a view's dependency, a trigger's table).
  void qualified(std::string& text) const {
    if (text.size() > from.size() && text.starts_with(from) && text[from.size()] == '.')
      text = to + text.substr(from.size());
  }
  void column(model::Column& c) const { qualified(c.type); }
  void table(model::Table& t) const {
    name(t.schema);
    for (auto& c : t.columns) column(c);
    for (auto& fk : t.foreign_keys) name(fk.referred_schema);
  }
  void view(model::View& v) const {
    name(v.schema);
    for (auto& c : v.columns) column(c);
    for (auto& d : v.depends_on) qualified(d);
  }
  void object(model::DbObject& o) const {
    if (!o.schema.empty()) name(o.schema);
    qualified(o.target);
    for (auto& d : o.depends_on) qualified(d);
  }

  void operator()(Op& op) const {
    std::visit([this](auto& o) { visit(o); }, op);
  }

  template <class T>
  void visit(T& o) const {
    if constexpr (requires { o.schema; }) name(o.schema);
    if constexpr (std::is_same_v<T, CreateTable>) table(o.table);
    if constexpr (std::is_same_v<T, DropTable>)
      if (o.existing) table(*o.existing);
    if constexpr (std::is_same_v<T, AddColumn>) column(o.column);
    if constexpr (std::is_same_v<T, DropColumn>)
      if (o.existing) column(*o.existing);
    if constexpr (std::is_same_v<T, AlterColumn>) {
      if (o.type) qualified(*o.type);
      if (o.existing_type) qualified(*o.existing_type);
    }
    if constexpr (std::is_same_v<T, CreateForeignKey>) name(o.constraint.referred_schema);
    if constexpr (std::is_same_v<T, DropConstraint>)
      if (o.existing)
        if (auto* fk = std::get_if<model::ForeignKey>(&*o.existing)) name(fk->referred_schema);
    if constexpr (std::is_same_v<T, CreateEnum>) name(o.type.schema);
    if constexpr (std::is_same_v<T, CreateSchema> || std::is_same_v<T, DropSchema>) name(o.name);
    if constexpr (std::is_same_v<T, CreateView> || std::is_same_v<T, DropView>) view(o.view);
    if constexpr (std::is_same_v<T, ReplaceView>) {
      view(o.view);
      if (o.existing) view(*o.existing);
    }
    if constexpr (std::is_same_v<T, CreateObject> || std::is_same_v<T, DropObject>)
      object(o.object);
    if constexpr (std::is_same_v<T, ReplaceObject>) {
      object(o.object);
      if (o.existing) object(*o.existing);
    }
    if constexpr (std::is_same_v<T, Execute>) {
      if (o.replay) { // shared with the op it was copied from: moved in a copy of its own
        auto replay = std::make_shared<std::vector<LocatedOp>>(*o.replay);
        for (auto& lo : *replay) (*this)(lo.op);
        o.replay = std::move(replay);
      }
    }
  }
};

} // namespace

void move_schema(Op& op, const std::string& from, const std::string& to) {
  Mover{from, to}(op);
}

void locked_relations(const Op& op, std::set<std::string>& into) {
  auto rel = [&](const std::string& schema, const std::string& name) {
    into.insert(schema + "." + name);
  };
  // a table made or dropped whole: itself, its TOAST table and index, its key's and unique
  // constraints' and indexes' indexes, the sequences its columns own, the tables it refers to
  auto whole_table = [&](const model::Table& t) {
    rel(t.schema, t.name);
    rel(t.schema, t.name + "#toast");
    rel(t.schema, t.name + "#toast_index");
    if (t.primary_key) rel(t.schema, t.name + "#pkey");
    for (const auto& u : t.unique_constraints) rel(t.schema, t.name + "#" + u.name);
    for (const auto& ix : t.indexes) rel(t.schema, ix.name);
    for (const auto& c : t.columns)
      if (c.autoincrement || c.identity != model::Identity::none)
        rel(t.schema, t.name + "#" + c.name + "_seq");
    for (const auto& fk : t.foreign_keys) rel(fk.referred_schema, fk.referred_table);
  };
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, CreateTable>) {
          whole_table(o.table);
        } else if constexpr (std::is_same_v<T, DropTable>) {
          if (o.existing) whole_table(*o.existing);
          else rel(o.schema, o.name);
        } else if constexpr (std::is_same_v<T, CreateIndex>) {
          rel(o.schema, o.table);
          rel(o.schema, o.index.name);
        } else if constexpr (std::is_same_v<T, DropIndex>) {
          rel(o.schema, o.table);
          rel(o.schema, o.name);
        } else if constexpr (std::is_same_v<T, CreateForeignKey>) {
          rel(o.schema, o.table);
          rel(o.constraint.referred_schema, o.constraint.referred_table);
        } else if constexpr (std::is_same_v<T, CreateUniqueConstraint>) {
          rel(o.schema, o.table);
          rel(o.schema, o.constraint.name);
        } else if constexpr (std::is_same_v<T, CreateView> || std::is_same_v<T, ReplaceView> ||
                             std::is_same_v<T, DropView>) {
          rel(o.view.schema, o.view.name);
          for (const auto& d : o.view.depends_on) into.insert(d);
        } else if constexpr (requires { o.schema; o.table; }) {
          rel(o.schema, o.table);
        } else if constexpr (requires { o.schema; o.name; }) {
          rel(o.schema, o.name);
        }
      },
      op);
}

} // namespace schemagen::ops
