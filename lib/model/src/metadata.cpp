#include "schemagen/model/metadata.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <tuple>

namespace schemagen::model {

std::string Table::qualified_name() const {
  return schema == "public" ? name : schema + "." + name;
}

std::string Enum::qualified_name() const { return schema == "public" ? name : schema + "." + name; }

const Column* Table::find_column(std::string_view column) const {
  auto it = std::find_if(columns.begin(), columns.end(),
                         [&](const Column& c) { return c.name == column; });
  return it == columns.end() ? nullptr : &*it;
}

std::string View::qualified_name() const {
  return schema == "public" ? name : schema + "." + name;
}

bool View::operator==(const View& o) const {
  const bool same_query = !definition.empty() && !o.definition.empty() ? definition == o.definition
                                                                       : sql == o.sql;
  return schema == o.schema && name == o.name && materialized == o.materialized &&
         indexes == o.indexes && comment == o.comment && same_query;
}

bool DbObject::operator==(const DbObject& o) const {
  // a grant's name says all of it (privileges, object, grantees): its statement may say it
  // otherwise (ALL, several objects)
  if (kind == ObjectKind::grant)
    return o.kind == kind && schema == o.schema && name == o.name && target == o.target;
  const bool same = !definition.empty() && !o.definition.empty() ? definition == o.definition
                                                                 : sql == o.sql;
  return kind == o.kind && schema == o.schema && name == o.name && target == o.target && same;
}

std::optional<std::string> DbObject::relation() const {
  if (kind == ObjectKind::trigger || kind == ObjectKind::policy) return target;
  if (kind == ObjectKind::grant && name.find(" ON TABLE ") != std::string::npos &&
      depends_on.size() == 1)
    return depends_on.front();
  return std::nullopt;
}

std::string DbObject::describe() const {
  const std::string qualified = schema.empty() ? name : schema + "." + name;
  switch (kind) {
  case ObjectKind::function:
  case ObjectKind::procedure: return fmt::format("{} {}{}", to_string(kind), qualified, target);
  case ObjectKind::trigger:
  case ObjectKind::policy: return fmt::format("{} {} on {}", to_string(kind), name, target);
  case ObjectKind::extension: return fmt::format("extension {}", name);
  case ObjectKind::grant: return fmt::format("grant {}", name);
  case ObjectKind::sequence: return fmt::format("sequence {}", qualified);
  }
  return qualified;
}

namespace {
constexpr std::pair<ObjectKind, std::string_view> kind_names[] = {
    {ObjectKind::extension, "extension"}, {ObjectKind::sequence, "sequence"},
    {ObjectKind::function, "function"},   {ObjectKind::procedure, "procedure"},
    {ObjectKind::trigger, "trigger"},     {ObjectKind::policy, "policy"},
    {ObjectKind::grant, "grant"}};
} // namespace

std::string_view to_string(ObjectKind kind) {
  for (const auto& [k, n] : kind_names)
    if (k == kind) return n;
  return "";
}

std::string plural(ObjectKind kind) {
  return kind == ObjectKind::policy ? "policies" : std::string(to_string(kind)) + "s";
}

std::optional<ObjectKind> object_kind(std::string_view name) {
  for (const auto& [k, n] : kind_names)
    if (n == name) return k;
  return std::nullopt;
}

const View* Metadata::find_view(std::string_view schema, std::string_view name) const {
  auto it = std::find_if(views.begin(), views.end(),
                         [&](const View& v) { return v.schema == schema && v.name == name; });
  return it == views.end() ? nullptr : &*it;
}

const DbObject* Metadata::find_object(const DbObject& like) const {
  auto it = std::find_if(objects.begin(), objects.end(), [&](const DbObject& o) {
    return o.kind == like.kind && o.schema == like.schema && o.name == like.name &&
           o.target == like.target;
  });
  return it == objects.end() ? nullptr : &*it;
}

const Table* Metadata::find_table(std::string_view schema, std::string_view name) const {
  auto it = std::find_if(tables.begin(), tables.end(),
                         [&](const Table& t) { return t.schema == schema && t.name == name; });
  return it == tables.end() ? nullptr : &*it;
}

TableIndex::TableIndex(const std::vector<Table>& tables) {
  by_name_.reserve(tables.size());
  for (const auto& t : tables) by_name_.emplace(key(t.schema, t.name), &t);
}

const Table* TableIndex::find(std::string_view schema, std::string_view name) const {
  const auto it = by_name_.find(key(schema, name));
  return it == by_name_.end() ? nullptr : it->second;
}

// a NUL is in no identifier: schema and name cannot run into each other
std::string TableIndex::key(std::string_view schema, std::string_view name) {
  std::string k;
  k.reserve(schema.size() + 1 + name.size());
  k.append(schema).push_back('\0');
  return k.append(name);
}

ObjectIndex::ObjectIndex(const std::vector<DbObject>& objects) {
  by_key_.reserve(objects.size());
  for (const auto& o : objects) by_key_.emplace(key(o), &o); // the first, as find_object()'s
}

const DbObject* ObjectIndex::find(const DbObject& like) const {
  const auto it = by_key_.find(key(like));
  return it == by_key_.end() ? nullptr : it->second;
}

std::string ObjectIndex::key(const DbObject& o) {
  std::string k = TableIndex::key(o.schema, o.name);
  k.push_back('\0');
  k.append(o.target).push_back('\0');
  k.push_back(static_cast<char>('0' + static_cast<int>(o.kind)));
  return k;
}

std::string_view to_string(Identity identity) {
  switch (identity) {
  case Identity::none: return "";
  case Identity::always: return "always";
  case Identity::by_default: return "by default";
  }
  return "";
}

namespace {
template <class T>
void sort_by_name(std::vector<T>& items) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) { return a.name < b.name; });
}
template <class T>
void sort_by_qualified_name(std::vector<T>& items) {
  std::sort(items.begin(), items.end(), [](const T& a, const T& b) {
    return std::tie(a.schema, a.name) < std::tie(b.schema, b.name);
  });
}
} // namespace

void canonicalize(Metadata& metadata) {
  sort_by_qualified_name(metadata.tables);
  sort_by_qualified_name(metadata.enums);
  sort_by_qualified_name(metadata.views);
  for (auto& v : metadata.views) sort_by_name(v.indexes);
  std::sort(metadata.objects.begin(), metadata.objects.end(),
            [](const DbObject& a, const DbObject& b) {
              return std::tie(a.kind, a.schema, a.name, a.target) <
                     std::tie(b.kind, b.schema, b.name, b.target);
            });
  std::vector<std::string> schemas;
  for (auto& table : metadata.tables) {
    sort_by_name(table.unique_constraints);
    sort_by_name(table.foreign_keys);
    sort_by_name(table.checks);
    sort_by_name(table.indexes);
    schemas.push_back(table.schema);
  }
  for (const auto& e : metadata.enums) schemas.push_back(e.schema);
  for (const auto& v : metadata.views) schemas.push_back(v.schema);
  for (const auto& o : metadata.objects)
    if (o.kind == ObjectKind::sequence || o.kind == ObjectKind::function ||
        o.kind == ObjectKind::procedure)
      schemas.push_back(o.schema);
  schemas.insert(schemas.end(), metadata.schemas.begin(), metadata.schemas.end());
  std::sort(schemas.begin(), schemas.end());
  schemas.erase(std::unique(schemas.begin(), schemas.end()), schemas.end());
  metadata.schemas = std::move(schemas);
}

} // namespace schemagen::model
