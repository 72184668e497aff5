#include "schemagen/model/metadata.hpp"

#include <algorithm>
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

const Table* Metadata::find_table(std::string_view schema, std::string_view name) const {
  auto it = std::find_if(tables.begin(), tables.end(),
                         [&](const Table& t) { return t.schema == schema && t.name == name; });
  return it == tables.end() ? nullptr : &*it;
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
  std::vector<std::string> schemas;
  for (auto& table : metadata.tables) {
    sort_by_name(table.unique_constraints);
    sort_by_name(table.foreign_keys);
    sort_by_name(table.checks);
    sort_by_name(table.indexes);
    schemas.push_back(table.schema);
  }
  for (const auto& e : metadata.enums) schemas.push_back(e.schema);
  schemas.insert(schemas.end(), metadata.schemas.begin(), metadata.schemas.end());
  std::sort(schemas.begin(), schemas.end());
  schemas.erase(std::unique(schemas.begin(), schemas.end()), schemas.end());
  metadata.schemas = std::move(schemas);
}

} // namespace schemagen::model
