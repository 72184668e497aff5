#pragma once
// Schema objects for tests, built field by field as the declared side and reflection fill them.

#include "schemagen/model/metadata.hpp"

#include <string>

namespace schemagen::testing {

inline model::DbObject db_object(model::ObjectKind kind, std::string schema, std::string name,
                                 std::string target, std::string sql) {
  model::DbObject o;
  o.kind = kind;
  o.schema = std::move(schema);
  o.name = std::move(name);
  o.target = std::move(target);
  o.sql = std::move(sql);
  return o;
}

} // namespace schemagen::testing
