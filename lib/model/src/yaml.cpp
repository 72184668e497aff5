#include "schemagen/model/yaml.hpp"

#include "schemagen/support/yaml.hpp"

#include <cctype>
#include <cstdlib>
#include <set>

namespace schemagen::model {

// ---- writing -------------------------------------------------------------------------------

namespace {

/// Strings that a YAML reader would take for a boolean, null or number are quoted, so that the
/// file means the same to every reader (`server_default: "false"` stays SQL text).
bool looks_like_non_string(std::string_view s) {
  static const std::set<std::string> words = {"true", "false", "yes", "no", "on", "off", "y", "n",
                                              "null", "~"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty() || words.count(lower)) return true;
  char* end = nullptr;
  std::strtod(lower.c_str(), &end);
  return end && *end == '\0';
}

YAML::Emitter& scalar(YAML::Emitter& out, const std::string& value) {
  if (looks_like_non_string(value)) out << YAML::DoubleQuoted;
  return out << value;
}

void emit_names(YAML::Emitter& out, const char* key, const std::vector<std::string>& names) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << names;
}

void emit_optional(YAML::Emitter& out, const char* key, const std::optional<std::string>& value) {
  if (value) scalar(out << YAML::Key << key << YAML::Value, *value);
}

void emit_column(YAML::Emitter& out, const Column& c) {
  out << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << c.name;
  out << YAML::Key << "type" << YAML::Value << c.type;
  out << YAML::Key << "nullable" << YAML::Value << c.nullable;
  emit_optional(out, "server_default", c.server_default);
  if (c.identity != Identity::none)
    out << YAML::Key << "identity" << YAML::Value << std::string(to_string(c.identity));
  if (c.autoincrement) out << YAML::Key << "autoincrement" << YAML::Value << true;
  emit_optional(out, "comment", c.comment);
  emit_optional(out, "renamed_from", c.renamed_from);
  out << YAML::EndMap;
}

template <class T, class EmitBody>
void emit_list(YAML::Emitter& out, const char* key, const std::vector<T>& items, EmitBody body) {
  if (items.empty()) return;
  out << YAML::Key << key << YAML::Value << YAML::BeginSeq;
  for (const auto& item : items) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << item.name;
    body(item);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_table(YAML::Emitter& out, const Table& t) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << t.name;
  out << YAML::Key << "schema" << YAML::Value << t.schema;
  emit_optional(out, "comment", t.comment);
  emit_optional(out, "renamed_from", t.renamed_from);
  out << YAML::Key << "columns" << YAML::Value << YAML::BeginSeq;
  for (const auto& c : t.columns) emit_column(out, c);
  out << YAML::EndSeq;
  if (t.primary_key) {
    out << YAML::Key << "primary_key" << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << t.primary_key->name;
    emit_names(out, "columns", t.primary_key->columns);
    out << YAML::EndMap;
  }
  emit_list(out, "unique_constraints", t.unique_constraints,
            [&](const UniqueConstraint& u) { emit_names(out, "columns", u.columns); });
  emit_list(out, "foreign_keys", t.foreign_keys, [&](const ForeignKey& fk) {
    emit_names(out, "columns", fk.columns);
    out << YAML::Key << "referred_schema" << YAML::Value << fk.referred_schema;
    out << YAML::Key << "referred_table" << YAML::Value << fk.referred_table;
    emit_names(out, "referred_columns", fk.referred_columns);
    if (!fk.on_delete.empty()) out << YAML::Key << "on_delete" << YAML::Value << fk.on_delete;
    if (!fk.on_update.empty()) out << YAML::Key << "on_update" << YAML::Value << fk.on_update;
  });
  emit_list(out, "checks", t.checks, [&](const CheckConstraint& ck) {
    scalar(out << YAML::Key << "expression" << YAML::Value, ck.expression);
  });
  emit_list(out, "indexes", t.indexes, [&](const Index& ix) {
    emit_names(out, "columns", ix.columns);
    if (ix.unique) out << YAML::Key << "unique" << YAML::Value << true;
    emit_optional(out, "where", ix.where);
    if (ix.method != "btree") out << YAML::Key << "using" << YAML::Value << ix.method;
  });
  out << YAML::EndMap;
}

} // namespace

std::string to_yaml(Metadata metadata) {
  canonicalize(metadata);
  YAML::Emitter out;
  out.SetIndent(2);
  out << YAML::Comment("schemagen metadata, written by `schemagen scan`: do not edit");
  out << YAML::BeginMap;
  emit_names(out, "schemas", metadata.schemas);
  out << YAML::Key << "enums" << YAML::Value << YAML::BeginSeq;
  for (const auto& e : metadata.enums) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << e.name;
    out << YAML::Key << "schema" << YAML::Value << e.schema;
    emit_names(out, "values", e.values);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "tables" << YAML::Value << YAML::BeginSeq;
  for (const auto& t : metadata.tables) emit_table(out, t);
  out << YAML::EndSeq;
  out << YAML::EndMap;
  std::string text = out.c_str();
  text += '\n';
  return text;
}

// ---- reading -------------------------------------------------------------------------------

namespace {

struct MetadataReader {
  yaml::Reader r;

  Column column(const YAML::Node& n) const {
    r.expect_map(n, "a column", {"name", "type", "nullable", "server_default", "identity",
                                 "autoincrement", "comment", "renamed_from"});
    Column c;
    c.name = r.string(n["name"], "column name");
    c.type = r.string(n["type"], "column type");
    if (n["nullable"]) c.nullable = r.boolean(n["nullable"], "nullable");
    c.server_default = r.optional_string(n, "server_default");
    if (auto identity = r.optional_string(n, "identity")) {
      if (*identity == "always")
        c.identity = Identity::always;
      else if (*identity == "by default")
        c.identity = Identity::by_default;
      else
        r.fail(n["identity"], "identity must be 'always' or 'by default'");
    }
    if (n["autoincrement"]) c.autoincrement = r.boolean(n["autoincrement"], "autoincrement");
    c.comment = r.optional_string(n, "comment");
    c.renamed_from = r.optional_string(n, "renamed_from");
    return c;
  }

  template <class T, class ReadBody>
  std::vector<T> list(const YAML::Node& n, const char* what,
                      std::initializer_list<std::string_view> keys, ReadBody body) const {
    std::vector<T> out;
    if (!n) return out;
    r.expect_sequence(n, what);
    for (const auto& item : n) {
      r.expect_map(item, what, keys);
      T value;
      value.name = r.string(item["name"], "name");
      body(item, value);
      out.push_back(std::move(value));
    }
    return out;
  }

  Table table(const YAML::Node& n) const {
    r.expect_map(n, "a table", {"name", "schema", "comment", "renamed_from", "columns",
                                "primary_key", "unique_constraints", "foreign_keys", "checks",
                                "indexes"});
    Table t;
    t.name = r.string(n["name"], "table name");
    t.schema = r.string(n["schema"], "table schema");
    t.comment = r.optional_string(n, "comment");
    t.renamed_from = r.optional_string(n, "renamed_from");
    r.expect_sequence(n["columns"], "columns");
    for (const auto& c : n["columns"]) t.columns.push_back(column(c));
    if (const auto pk = n["primary_key"]) {
      r.expect_map(pk, "primary_key", {"name", "columns"});
      t.primary_key = PrimaryKey{r.string(pk["name"], "name"), r.strings(pk["columns"], "columns")};
    }
    t.unique_constraints = list<UniqueConstraint>(
        n["unique_constraints"], "a unique constraint", {"name", "columns"},
        [&](const YAML::Node& i, UniqueConstraint& u) { u.columns = r.strings(i["columns"], "columns"); });
    t.foreign_keys = list<ForeignKey>(
        n["foreign_keys"], "a foreign key",
        {"name", "columns", "referred_schema", "referred_table", "referred_columns", "on_delete",
         "on_update"},
        [&](const YAML::Node& i, ForeignKey& fk) {
          fk.columns = r.strings(i["columns"], "columns");
          fk.referred_schema = r.string(i["referred_schema"], "referred_schema");
          fk.referred_table = r.string(i["referred_table"], "referred_table");
          fk.referred_columns = r.strings(i["referred_columns"], "referred_columns");
          fk.on_delete = r.optional_string(i, "on_delete").value_or("");
          fk.on_update = r.optional_string(i, "on_update").value_or("");
        });
    t.checks = list<CheckConstraint>(n["checks"], "a check constraint", {"name", "expression"},
                                     [&](const YAML::Node& i, CheckConstraint& ck) {
                                       ck.expression = r.string(i["expression"], "expression");
                                     });
    t.indexes = list<Index>(n["indexes"], "an index", {"name", "columns", "unique", "where", "using"},
                            [&](const YAML::Node& i, Index& ix) {
                              ix.columns = r.strings(i["columns"], "columns");
                              if (i["unique"]) ix.unique = r.boolean(i["unique"], "unique");
                              ix.where = r.optional_string(i, "where");
                              ix.method = r.optional_string(i, "using").value_or("btree");
                            });
    return t;
  }
};

} // namespace

Metadata from_yaml(std::string_view text, const std::string& filename) {
  MetadataReader m{yaml::Reader(filename)};
  const auto& r = m.r;
  const auto root = r.parse(text);
  Metadata metadata;
  if (root.IsNull()) return metadata;
  r.expect_map(root, "the metadata", {"schemas", "enums", "tables"});
  if (root["schemas"]) metadata.schemas = r.strings(root["schemas"], "schemas");
  if (const auto enums = root["enums"]) {
    r.expect_sequence(enums, "enums");
    for (const auto& n : enums) {
      r.expect_map(n, "an enum", {"name", "schema", "values"});
      metadata.enums.push_back(Enum{r.string(n["schema"], "enum schema"),
                                    r.string(n["name"], "enum name"),
                                    r.strings(n["values"], "enum values"), {}});
    }
  }
  if (const auto tables = root["tables"]) {
    r.expect_sequence(tables, "tables");
    for (const auto& n : tables) metadata.tables.push_back(m.table(n));
  }
  canonicalize(metadata);
  return metadata;
}

} // namespace schemagen::model
