#include "schemagen/model/yaml.hpp"

#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <vector>

namespace schemagen::model {

// ---- writing -------------------------------------------------------------------------------
// A writer for this one format rather than yaml-cpp's Emitter: the format is fixed and small,
// and the Emitter cost a fifth of a 1,000-table scan. Reading is libyaml's, and the tests
// read every kind of scalar back through it.

namespace {

/// Builds one flow map, "{key: value, ...}".
class Flow {
public:
  Flow& field(std::string_view key, std::string_view value) {
    sep(key);
    out_ += yaml::quote(value);
    return *this;
  }
  Flow& maybe(std::string_view key, const std::optional<std::string>& value) {
    return value ? field(key, *value) : *this;
  }
  Flow& origin(const Origin& o, bool on) {
    if (on && o.loc.known()) field("origin", o.loc.str());
    return *this;
  }
  Flow& flag(std::string_view key, bool value) {
    sep(key);
    out_ += value ? "true" : "false";
    return *this;
  }
  Flow& names(std::string_view key, const std::vector<std::string>& values) {
    sep(key);
    out_ += to_flow(values);
    return *this;
  }
  std::string str() const { return out_ + "}"; }

private:
  void sep(std::string_view key) {
    out_ += out_.size() > 1 ? ", " : "";
    out_ += key;
    out_ += ": ";
  }
  std::string out_ = "{";
};

} // namespace

std::string to_flow(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += ", ";
    out += yaml::quote(names[i]);
  }
  return out + "]";
}

std::string to_flow(const Column& c, bool origins) {
  Flow f;
  f.field("name", c.name).field("type", c.type).flag("nullable", c.nullable);
  f.maybe("server_default", c.server_default);
  if (c.identity != Identity::none) f.field("identity", to_string(c.identity));
  if (c.autoincrement) f.flag("autoincrement", true);
  f.maybe("comment", c.comment).maybe("renamed_from", c.renamed_from);
  return f.origin(c.origin, origins).str();
}

std::string to_flow(const PrimaryKey& pk) {
  return Flow().field("name", pk.name).names("columns", pk.columns).str();
}

std::string to_flow(const UniqueConstraint& u, bool origins) {
  return Flow().field("name", u.name).names("columns", u.columns).origin(u.origin, origins).str();
}

std::string to_flow(const ForeignKey& fk, bool origins) {
  Flow f;
  f.field("name", fk.name).names("columns", fk.columns);
  f.field("referred_schema", fk.referred_schema).field("referred_table", fk.referred_table);
  f.names("referred_columns", fk.referred_columns);
  if (!fk.on_delete.empty()) f.field("on_delete", fk.on_delete);
  if (!fk.on_update.empty()) f.field("on_update", fk.on_update);
  return f.origin(fk.origin, origins).str();
}

std::string to_flow(const CheckConstraint& ck, bool origins) {
  return Flow()
      .field("name", ck.name)
      .field("expression", ck.expression)
      .origin(ck.origin, origins)
      .str();
}

std::string to_flow(const Index& ix, bool origins) {
  Flow f;
  f.field("name", ix.name).names("columns", ix.columns);
  if (ix.unique) f.flag("unique", true);
  f.maybe("where", ix.where);
  if (ix.method != "btree") f.field("using", ix.method);
  return f.origin(ix.origin, origins).str();
}

namespace {

template <class T>
void write_list(std::string& out, std::string_view key, const std::vector<T>& items, bool origins) {
  if (items.empty()) return;
  out += fmt::format("    {}:\n", key);
  for (const auto& item : items) out += fmt::format("      - {}\n", to_flow(item, origins));
}

void write_table(std::string& out, const Table& t, bool origins) {
  out += fmt::format("  - name: {}\n    schema: {}\n", yaml::quote(t.name), yaml::quote(t.schema));
  if (t.comment) out += fmt::format("    comment: {}\n", yaml::quote(*t.comment));
  if (t.renamed_from) out += fmt::format("    renamed_from: {}\n", yaml::quote(*t.renamed_from));
  if (origins && t.origin.loc.known())
    out += fmt::format("    origin: {}\n", yaml::quote(t.origin.loc.str()));
  out += "    columns:\n";
  for (const auto& c : t.columns) out += fmt::format("      - {}\n", to_flow(c, origins));
  if (t.primary_key) out += fmt::format("    primary_key: {}\n", to_flow(*t.primary_key));
  write_list(out, "unique_constraints", t.unique_constraints, origins);
  write_list(out, "foreign_keys", t.foreign_keys, origins);
  write_list(out, "checks", t.checks, origins);
  write_list(out, "indexes", t.indexes, origins);
}

} // namespace

std::string block_scalar(std::string_view text, int indent) {
  // a block keeps SQL readable in review; YAML's block scalars cannot hold leading spaces on the
  // first line, trailing spaces, tabs at line starts, carriage returns or any other control
  // character faithfully: quote those (a quoted scalar escapes them)
  const bool printable = std::none_of(text.begin(), text.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f;
  }) && !yaml::holds_escaped(text);
  const bool plain_lines = printable && text.find('\n') != std::string_view::npos &&
                           text.find('\r') == std::string_view::npos && !text.empty() &&
                           text.front() != ' ' && text.back() != '\n' &&
                           text.find(" \n") == std::string_view::npos && text.back() != ' ' &&
                           text.find("\n\t") == std::string_view::npos && text.front() != '\t';
  if (!plain_lines) return yaml::quote(text);
  std::string out = "|-";
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::size_t at = 0;
  while (at <= text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    const auto line = text.substr(at, end - at);
    out += "\n";
    if (!line.empty()) out += pad + std::string(line);
    at = end + 1;
  }
  return out;
}

std::string to_block(const View& v, int indent, bool origins) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out = fmt::format("name: {}\n{}schema: {}\n", yaml::quote(v.name), pad,
                                yaml::quote(v.schema));
  if (v.materialized) out += pad + "materialized: true\n";
  if (v.comment) out += fmt::format("{}comment: {}\n", pad, yaml::quote(*v.comment));
  if (origins && v.origin.loc.known())
    out += fmt::format("{}origin: {}\n", pad, yaml::quote(v.origin.loc.str()));
  out += fmt::format("{}sql: {}\n", pad, block_scalar(v.sql, indent + 2));
  if (!v.columns.empty()) {
    out += pad + "columns:\n";
    for (const auto& c : v.columns) out += fmt::format("{}  - {}\n", pad, to_flow(c, origins));
  }
  if (!v.indexes.empty()) {
    out += pad + "indexes:\n";
    for (const auto& ix : v.indexes) out += fmt::format("{}  - {}\n", pad, to_flow(ix, origins));
  }
  return out;
}

std::string to_block(const DbObject& o, int indent, bool origins, bool with_kind) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out = with_kind ? fmt::format("kind: {}\n{}", to_string(o.kind), pad) : "";
  out += fmt::format("name: {}\n", yaml::quote(o.name));
  if (!o.schema.empty()) out += fmt::format("{}schema: {}\n", pad, yaml::quote(o.schema));
  if (!o.target.empty()) out += fmt::format("{}target: {}\n", pad, yaml::quote(o.target));
  if (origins && o.origin.loc.known())
    out += fmt::format("{}origin: {}\n", pad, yaml::quote(o.origin.loc.str()));
  out += fmt::format("{}sql: {}\n", pad, block_scalar(o.sql, indent + 2));
  return out;
}

std::string to_yaml(Metadata metadata, bool origins) {
  canonicalize(metadata);
  std::string out = "# schemagen metadata, written by `schemagen scan`: do not edit\n";
  out += fmt::format("schemas: {}\n", to_flow(metadata.schemas));
  out += metadata.enums.empty() ? "enums: []\n" : "enums:\n";
  for (const auto& e : metadata.enums)
    out += fmt::format(
        "  - {{name: {}, schema: {}, values: {}{}}}\n", yaml::quote(e.name), yaml::quote(e.schema),
        to_flow(e.values),
        origins && e.origin.loc.known() ? ", origin: " + yaml::quote(e.origin.loc.str()) : "");
  out += metadata.tables.empty() ? "tables: []\n" : "tables:\n";
  for (const auto& t : metadata.tables) write_table(out, t, origins);
  // only when there are some: metadata without them reads as before
  if (!metadata.views.empty()) out += "views:\n";
  for (const auto& v : metadata.views) out += "  - " + to_block(v, 4, origins);
  if (!metadata.objects.empty()) out += "objects:\n";
  for (const auto& o : metadata.objects) out += "  - " + to_block(o, 4, origins);
  return out;
}

// ---- reading -------------------------------------------------------------------------------

namespace {

/// origin: "file:line:col" when recorded, else where the node itself stands.
SourceLoc origin_of(const yaml::Reader& r, const yaml::Node& n) {
  const auto o = n["origin"];
  if (!o || !o.IsScalar()) return r.loc(n);
  const std::string text = o.Scalar();
  SourceLoc loc;
  const auto c2 = text.rfind(':');
  const auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : text.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return SourceLoc{text};
  loc.file = text.substr(0, c1);
  loc.line = static_cast<unsigned>(std::stoul(text.substr(c1 + 1, c2 - c1 - 1)));
  loc.column = static_cast<unsigned>(std::stoul(text.substr(c2 + 1)));
  return loc;
}

} // namespace

Identity read_identity(const yaml::Reader& r, const yaml::Node& n) {
  if (!n || n.IsNull()) return Identity::none;
  const auto v = r.string(n, "identity");
  if (v == "always") return Identity::always;
  if (v == "by default") return Identity::by_default;
  r.fail(n, "identity must be \"always\", \"by default\" or null");
}

Column read_column(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a column",
               {"name", "type", "nullable", "server_default", "identity", "autoincrement",
                "comment", "renamed_from", "origin"});
  Column c;
  c.name = r.string(r.required(n, "name", "a column"), "column name");
  c.type = r.string(r.required(n, "type", "a column"), "column type");
  if (n["nullable"]) c.nullable = r.boolean(n["nullable"], "nullable");
  c.server_default = r.optional_string(n, "server_default");
  c.identity = read_identity(r, n["identity"]);
  if (n["autoincrement"]) c.autoincrement = r.boolean(n["autoincrement"], "autoincrement");
  c.comment = r.optional_string(n, "comment");
  c.renamed_from = r.optional_string(n, "renamed_from");
  c.origin.loc = origin_of(r, n);
  return c;
}

PrimaryKey read_primary_key(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a primary key", {"name", "columns"});
  return PrimaryKey{r.string(r.required(n, "name", "a primary key"), "name"),
                    r.strings(r.required(n, "columns", "a primary key"), "columns")};
}

UniqueConstraint read_unique(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a unique constraint", {"name", "columns", "origin"});
  return UniqueConstraint{r.string(r.required(n, "name", "a unique constraint"), "name"),
                          r.strings(r.required(n, "columns", "a unique constraint"), "columns"),
                          {origin_of(r, n)}};
}

ForeignKey read_foreign_key(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a foreign key",
               {"name", "columns", "referred_schema", "referred_table", "referred_columns",
                "on_delete", "on_update", "origin"});
  ForeignKey fk;
  fk.name = r.string(r.required(n, "name", "a foreign key"), "name");
  fk.columns = r.strings(r.required(n, "columns", "a foreign key"), "columns");
  fk.referred_schema = r.optional_string(n, "referred_schema").value_or("public");
  fk.referred_table = r.string(r.required(n, "referred_table", "a foreign key"), "referred_table");
  fk.referred_columns =
      r.strings(r.required(n, "referred_columns", "a foreign key"), "referred_columns");
  // an action reaches SQL as written: only PostgreSQL's own are read
  auto action = [&](const char* key) {
    const auto node = n[key];
    if (!node) return std::string();
    auto a = sql::referential_action(r.string(node, key));
    if (!a)
      r.fail(node,
             fmt::format("{} must be CASCADE, RESTRICT, SET NULL, SET DEFAULT or NO ACTION", key));
    return *a;
  };
  fk.on_delete = action("on_delete");
  fk.on_update = action("on_update");
  fk.origin.loc = origin_of(r, n);
  return fk;
}

CheckConstraint read_check(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a check constraint", {"name", "expression", "origin"});
  return CheckConstraint{r.string(r.required(n, "name", "a check constraint"), "name"),
                         r.string(r.required(n, "expression", "a check constraint"), "expression"),
                         {origin_of(r, n)}};
}

namespace {
/// `n` is a map whose keys are among `keys` and `extra` (what an op adds: its table, schema...).
void expect_keys(const yaml::Reader& r, const yaml::Node& n, std::string_view what,
                 std::vector<std::string_view> keys,
                 std::initializer_list<std::string_view> extra) {
  keys.insert(keys.end(), extra.begin(), extra.end());
  if (!n.IsMap()) r.fail(n, fmt::format("{} must be a map", what));
  for (const auto& kv : n)
    if (std::find(keys.begin(), keys.end(), kv.first.Scalar()) == keys.end())
      r.fail(kv.first, fmt::format("unknown key '{}' in {} (expected one of: {})",
                                   kv.first.Scalar(), what, fmt::join(keys, ", ")));
}
} // namespace

Index read_index(const yaml::Reader& r, const yaml::Node& n,
                 std::initializer_list<std::string_view> extra_keys) {
  expect_keys(r, n, "an index", {"name", "columns", "unique", "where", "using", "origin"},
              extra_keys);
  Index ix;
  ix.name = r.string(r.required(n, "name", "an index"), "name");
  ix.columns = r.strings(r.required(n, "columns", "an index"), "columns");
  if (ix.columns.empty()) r.fail(n["columns"], "an index needs at least one column or expression");
  if (n["unique"]) ix.unique = r.boolean(n["unique"], "unique");
  ix.where = r.optional_string(n, "where");
  ix.method = r.optional_string(n, "using").value_or("btree");
  ix.origin.loc = origin_of(r, n);
  return ix;
}

namespace {

template <class T, class Read>
std::vector<T> read_list(const yaml::Reader& r, const yaml::Node& n, const char* what, Read read) {
  std::vector<T> out;
  if (!n) return out;
  r.expect_sequence(n, what);
  for (const auto& item : n) out.push_back(read(r, item));
  return out;
}

Table read_table(const yaml::Reader& r, const yaml::Node& n) {
  r.expect_map(n, "a table",
               {"name", "schema", "comment", "renamed_from", "columns", "primary_key",
                "unique_constraints", "foreign_keys", "checks", "indexes", "origin"});
  Table t;
  t.name = r.string(r.required(n, "name", "a table"), "table name");
  t.schema = r.optional_string(n, "schema").value_or("public");
  t.comment = r.optional_string(n, "comment");
  t.renamed_from = r.optional_string(n, "renamed_from");
  t.columns = read_list<Column>(r, r.required(n, "columns", "a table"), "columns", read_column);
  if (const auto pk = n["primary_key"]) t.primary_key = read_primary_key(r, pk);
  t.unique_constraints =
      read_list<UniqueConstraint>(r, n["unique_constraints"], "unique_constraints", read_unique);
  t.foreign_keys = read_list<ForeignKey>(r, n["foreign_keys"], "foreign_keys", read_foreign_key);
  t.checks = read_list<CheckConstraint>(r, n["checks"], "checks", read_check);
  t.indexes =
      read_list<Index>(r, n["indexes"], "indexes", [](const yaml::Reader& rr, const yaml::Node& i) {
        return read_index(rr, i);
      });
  t.origin.loc = origin_of(r, n);
  return t;
}

} // namespace

View read_view(const yaml::Reader& r, const yaml::Node& n,
               std::initializer_list<std::string_view> extra_keys, bool need_sql) {
  expect_keys(r, n, "a view",
              {"name", "schema", "materialized", "comment", "origin", "sql", "columns", "indexes"},
              extra_keys);
  View v;
  v.name = r.string(r.required(n, "name", "a view"), "view name");
  v.schema = r.optional_string(n, "schema").value_or("public");
  if (n["materialized"]) v.materialized = r.boolean(n["materialized"], "materialized");
  v.comment = r.optional_string(n, "comment");
  if (need_sql || n["sql"]) v.sql = r.string(r.required(n, "sql", "a view"), "sql");
  if (need_sql && v.sql.empty()) r.fail(n["sql"], "a view's sql is empty");
  v.columns = read_list<Column>(r, n["columns"], "columns", read_column);
  v.indexes =
      read_list<Index>(r, n["indexes"], "indexes", [](const yaml::Reader& rr, const yaml::Node& i) {
        return read_index(rr, i);
      });
  if (!v.indexes.empty() && !v.materialized)
    r.fail(n["indexes"], "only a materialized view has indexes");
  v.origin.loc = origin_of(r, n);
  return v;
}

DbObject read_object(const yaml::Reader& r, const yaml::Node& n, std::optional<ObjectKind> kind,
                     std::initializer_list<std::string_view> extra_keys, bool need_sql) {
  std::vector<std::string_view> keys = {"name", "schema", "target", "origin", "sql"};
  if (!kind) keys.push_back("kind");
  expect_keys(r, n, "a schema object", std::move(keys), extra_keys);
  DbObject o;
  if (kind) {
    o.kind = *kind;
  } else {
    const auto k = r.required(n, "kind", "a schema object");
    const auto named = object_kind(r.string(k, "kind"));
    if (!named)
      r.fail(k, "kind must be extension, sequence, function, procedure, trigger, policy or grant");
    o.kind = *named;
  }
  o.name = r.string(r.required(n, "name", "a schema object"), "name");
  o.schema = r.optional_string(n, "schema").value_or(
      o.kind == ObjectKind::extension || o.kind == ObjectKind::grant ? "" : "public");
  o.target = r.optional_string(n, "target").value_or("");
  if (need_sql || n["sql"]) o.sql = r.string(r.required(n, "sql", "a schema object"), "sql");
  if (need_sql && o.sql.empty()) r.fail(n["sql"], "a schema object's sql is empty");
  o.origin.loc = origin_of(r, n);
  return o;
}

Metadata from_yaml(std::string_view text, const std::string& filename) {
  const yaml::Reader r(filename);
  const auto root = r.parse(text);
  Metadata metadata;
  if (root.IsNull()) return metadata;
  r.expect_map(root, "the metadata", {"schemas", "enums", "tables", "views", "objects"});
  if (root["schemas"]) metadata.schemas = r.strings(root["schemas"], "schemas");
  if (const auto enums = root["enums"]) {
    r.expect_sequence(enums, "enums");
    for (const auto& n : enums) {
      r.expect_map(n, "an enum", {"name", "schema", "values", "origin"});
      metadata.enums.push_back(Enum{r.optional_string(n, "schema").value_or("public"),
                                    r.string(r.required(n, "name", "an enum"), "enum name"),
                                    r.strings(r.required(n, "values", "an enum"), "enum values"),
                                    {origin_of(r, n)}});
    }
  }
  if (const auto tables = root["tables"]) {
    r.expect_sequence(tables, "tables");
    for (const auto& n : tables) metadata.tables.push_back(read_table(r, n));
  }
  metadata.views = read_list<View>(r, root["views"], "views",
                                   [](const yaml::Reader& rr, const yaml::Node& v) {
                                     return read_view(rr, v);
                                   });
  metadata.objects = read_list<DbObject>(r, root["objects"], "objects",
                                         [](const yaml::Reader& rr, const yaml::Node& o) {
                                           return read_object(rr, o);
                                         });
  canonicalize(metadata);
  return metadata;
}

} // namespace schemagen::model
