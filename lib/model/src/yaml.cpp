#include "schemagen/model/yaml.hpp"

#include "schemagen/support/yaml.hpp"

#include <cctype>
#include <cstdlib>
#include <fmt/format.h>
#include <set>

namespace schemagen::model {

// ---- writing -------------------------------------------------------------------------------
// A writer for this one format rather than yaml-cpp's Emitter: the format is fixed and small,
// and the Emitter cost a fifth of a 1,000-table scan. Reading stays with yaml-cpp, and the tests
// read every kind of scalar back through it.

namespace {

/// Strings that a YAML reader would take for a boolean, null or number.
bool looks_like_non_string(std::string_view s) {
  static const std::set<std::string, std::less<>> words = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"};
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.empty() || words.count(lower)) return true;
  char* end = nullptr;
  std::strtod(lower.c_str(), &end);
  return end && *end == '\0';
}

/// Whether `s` can stand unquoted inside a flow collection ({...} or [...]).
bool plain_safe(std::string_view s) {
  if (looks_like_non_string(s) || s.front() == ' ' || s.back() == ' ') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || c == ',' || c == '[' || c == ']' || c == '{' || c == '}' ||
        c == '"')
      return false;
    if (c == ':' && (i + 1 == s.size() || s[i + 1] == ' ')) return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  return true;
}

class Writer {
public:
  void scalar(std::string_view s) {
    if (plain_safe(s)) {
      out_ += s;
      return;
    }
    out_ += '"';
    for (char ch : s) {
      const unsigned char c = static_cast<unsigned char>(ch);
      switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\t': out_ += "\\t"; break;
      case '\r': out_ += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) out_ += fmt::format("\\x{:02x}", c);
        else out_ += ch;
      }
    }
    out_ += '"';
  }
  void raw(std::string_view s) { out_ += s; }

  /// ", key: value" inside a flow map (the first field is written by the caller).
  void field(std::string_view key, std::string_view value) {
    raw(", ");
    raw(key);
    raw(": ");
    scalar(value);
  }
  void optional_field(std::string_view key, const std::optional<std::string>& value) {
    if (value) field(key, *value);
  }
  void flag(std::string_view key, bool value) {
    raw(", ");
    raw(key);
    raw(value ? ": true" : ": false");
  }
  void names(std::string_view key, const std::vector<std::string>& values, bool first = false) {
    if (!first) raw(", ");
    raw(key);
    raw(": [");
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) raw(", ");
      scalar(values[i]);
    }
    raw("]");
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

void write_table(Writer& w, const Table& t) {
  w.raw("  - name: ");
  w.scalar(t.name);
  w.raw("\n    schema: ");
  w.scalar(t.schema);
  if (t.comment) {
    w.raw("\n    comment: ");
    w.scalar(*t.comment);
  }
  if (t.renamed_from) {
    w.raw("\n    renamed_from: ");
    w.scalar(*t.renamed_from);
  }
  w.raw("\n    columns:\n");
  for (const auto& c : t.columns) {
    w.raw("      - {name: ");
    w.scalar(c.name);
    w.field("type", c.type);
    w.flag("nullable", c.nullable);
    w.optional_field("server_default", c.server_default);
    if (c.identity != Identity::none) w.field("identity", to_string(c.identity));
    if (c.autoincrement) w.flag("autoincrement", true);
    w.optional_field("comment", c.comment);
    w.optional_field("renamed_from", c.renamed_from);
    w.raw("}\n");
  }
  if (t.primary_key) {
    w.raw("    primary_key: {name: ");
    w.scalar(t.primary_key->name);
    w.names("columns", t.primary_key->columns);
    w.raw("}\n");
  }
  auto list = [&](std::string_view key, const auto& items, auto body) {
    if (items.empty()) return;
    w.raw("    ");
    w.raw(key);
    w.raw(":\n");
    for (const auto& item : items) {
      w.raw("      - {name: ");
      w.scalar(item.name);
      body(item);
      w.raw("}\n");
    }
  };
  list("unique_constraints", t.unique_constraints,
       [&](const UniqueConstraint& u) { w.names("columns", u.columns); });
  list("foreign_keys", t.foreign_keys, [&](const ForeignKey& fk) {
    w.names("columns", fk.columns);
    w.field("referred_schema", fk.referred_schema);
    w.field("referred_table", fk.referred_table);
    w.names("referred_columns", fk.referred_columns);
    if (!fk.on_delete.empty()) w.field("on_delete", fk.on_delete);
    if (!fk.on_update.empty()) w.field("on_update", fk.on_update);
  });
  list("checks", t.checks, [&](const CheckConstraint& ck) { w.field("expression", ck.expression); });
  list("indexes", t.indexes, [&](const Index& ix) {
    w.names("columns", ix.columns);
    if (ix.unique) w.flag("unique", true);
    w.optional_field("where", ix.where);
    if (ix.method != "btree") w.field("using", ix.method);
  });
}

} // namespace

std::string to_yaml(Metadata metadata) {
  canonicalize(metadata);
  Writer w;
  w.raw("# schemagen metadata, written by `schemagen scan`: do not edit\n");
  w.names("schemas", metadata.schemas, true);
  w.raw(metadata.enums.empty() ? "\nenums: []\n" : "\nenums:\n");
  for (const auto& e : metadata.enums) {
    w.raw("  - {name: ");
    w.scalar(e.name);
    w.field("schema", e.schema);
    w.names("values", e.values);
    w.raw("}\n");
  }
  w.raw(metadata.tables.empty() ? "tables: []\n" : "tables:\n");
  for (const auto& t : metadata.tables) write_table(w, t);
  return w.take();
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
