#include "schemagen/ops/yaml.hpp"

#include "schemagen/model/yaml.hpp"
#include "schemagen/support/overloaded.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <regex>
#include <tuple>

namespace schemagen::ops {

namespace {

using model::to_flow;
using yaml::quote;

// ---- reading -------------------------------------------------------------------------------

class OpReader {
public:
  explicit OpReader(const yaml::Reader& r) : r_(r) {}

  Op read(const std::string& op, const yaml::Node& n) const {
    if (op == "create_table") return create_table(n);
    if (op == "drop_table") {
      map(n, op, {"name", "schema", "existing"});
      DropTable o{schema(n), str(n, "name", op), std::nullopt};
      if (n["existing"]) o.existing = table(n["existing"], "existing", o.schema);
      return o;
    }
    if (op == "rename_table") {
      map(n, op, {"name", "schema", "new_name"});
      return RenameTable{schema(n), str(n, "name", op), str(n, "new_name", op)};
    }
    if (op == "add_column") {
      map(n, op, {"table", "schema", "column", "online", "batch_size"});
      AddColumn o{schema(n), str(n, "table", op), model::read_column(r_, req(n, "column", op))};
      std::tie(o.online, o.batch_size) = online(n);
      return o;
    }
    if (op == "drop_column") {
      map(n, op, {"table", "schema", "name", "existing", "online", "batch_size"});
      DropColumn o{schema(n), str(n, "table", op), str(n, "name", op), std::nullopt};
      if (n["existing"]) o.existing = model::read_column(r_, n["existing"]);
      std::tie(o.online, o.batch_size) = online(n);
      return o;
    }
    if (op == "alter_column") return alter_column(n);
    if (op == "create_index") {
      CreateIndex o;
      o.index = model::read_index(r_, n, {"table", "schema", "concurrently"});
      o.schema = schema(n);
      o.table = str(n, "table", op);
      if (n["concurrently"]) o.concurrently = r_.boolean(n["concurrently"], "concurrently");
      return o;
    }
    if (op == "drop_index") {
      map(n, op, {"name", "table", "schema", "concurrently", "existing"});
      DropIndex o;
      o.schema = schema(n);
      o.name = str(n, "name", op);
      o.table = r_.optional_string(n, "table").value_or("");
      if (n["concurrently"]) o.concurrently = r_.boolean(n["concurrently"], "concurrently");
      if (const auto e = n["existing"]) {
        yaml::Node copy = e.clone();
        if (!copy["name"]) copy.set("name", o.name);
        o.existing = model::read_index(r_, copy);
        o.existing->origin.loc = r_.loc(e);
      }
      return o;
    }
    if (op == "create_unique_constraint") {
      map(n, op, {"name", "table", "schema", "columns", "online"});
      return CreateUniqueConstraint{
          schema(n),
          str(n, "table", op),
          {str(n, "name", op), r_.strings(req(n, "columns", op), "columns"), {r_.loc(n)}},
          flag(n, "online")};
    }
    if (op == "create_foreign_key") {
      map(n, op,
          {"name", "table", "schema", "columns", "referred_schema", "referred_table",
           "referred_columns", "on_delete", "on_update", "online"});
      yaml::Node fk = n.clone();
      fk.remove("table");
      fk.remove("schema");
      fk.remove("online");
      if (!fk["referred_schema"]) fk.set("referred_schema", schema(n));
      auto c = model::read_foreign_key(r_, fk);
      c.origin.loc = r_.loc(n);
      return CreateForeignKey{schema(n), str(n, "table", op), c, flag(n, "online")};
    }
    if (op == "create_check_constraint") {
      map(n, op, {"name", "table", "schema", "expression", "online"});
      return CreateCheckConstraint{schema(n),
                                   str(n, "table", op),
                                   {str(n, "name", op), str(n, "expression", op), {r_.loc(n)}},
                                   flag(n, "online")};
    }
    if (op == "create_primary_key") {
      map(n, op, {"name", "table", "schema", "columns"});
      return CreatePrimaryKey{schema(n),
                              str(n, "table", op),
                              {str(n, "name", op), r_.strings(req(n, "columns", op), "columns")}};
    }
    if (op == "drop_constraint") return drop_constraint(n);
    if (op == "create_enum") {
      map(n, op, {"name", "schema", "values"});
      return CreateEnum{model::Enum{
          schema(n), str(n, "name", op), r_.strings(req(n, "values", op), "values"), {r_.loc(n)}}};
    }
    if (op == "drop_enum") {
      map(n, op, {"name", "schema", "existing_values"});
      DropEnum o{schema(n), str(n, "name", op), std::nullopt};
      if (n["existing_values"])
        o.existing_values = r_.strings(n["existing_values"], "existing_values");
      return o;
    }
    if (op == "add_enum_value") {
      map(n, op, {"name", "schema", "value", "before", "after"});
      AddEnumValue o{schema(n), str(n, "name", op), str(n, "value", op),
                     r_.optional_string(n, "before"), r_.optional_string(n, "after")};
      if (o.before && o.after) r_.fail(n, "add_enum_value takes before or after, not both");
      return o;
    }
    if (op == "create_schema" || op == "drop_schema") {
      std::string name;
      if (n.IsScalar()) {
        name = n.Scalar();
      } else {
        map(n, op, {"name"});
        name = str(n, "name", op);
      }
      if (op == "create_schema") return CreateSchema{name};
      return DropSchema{name};
    }
    if (op == "set_table_comment") {
      map(n, op, {"table", "schema", "comment", "existing_comment"});
      SetTableComment o;
      o.schema = schema(n);
      o.table = str(n, "table", op);
      if (!n["comment"]) r_.fail(n, "set_table_comment needs comment (null removes it)");
      o.comment = r_.optional_string(n, "comment");
      o.existing_comment = change(n, "existing_comment");
      return o;
    }
    if (op == "execute") {
      Execute o;
      if (n.IsScalar()) {
        o.sql[""] = n.Scalar();
      } else {
        if (!n.IsMap() || n.size() == 0)
          r_.fail(n, "execute takes SQL text, or a map of dialect to SQL (postgresql: ...)");
        for (const auto& kv : n) {
          const auto dialect = kv.first.Scalar();
          if (dialect == "replay") {
            o.replay =
                std::make_shared<const std::vector<LocatedOp>>(read_ops(r_, kv.second, "replay"));
            continue;
          }
          if (dialect == "sql") {
            o.sql[""] = r_.string(kv.second, "SQL");
            continue;
          }
          if (dialect != "postgresql" && dialect != "sqlite" && dialect != "mysql" &&
              dialect != "mssql" && dialect != "oracle")
            r_.fail(
                kv.first,
                fmt::format("unknown key '{}' in execute (sql, replay, or a dialect: postgresql, "
                            "sqlite, mysql, mssql, oracle)",
                            dialect));
          o.sql[dialect] = r_.string(kv.second, "SQL");
        }
        if (o.sql.empty()) r_.fail(n, "execute has no SQL");
      }
      return o;
    }
    if (op == "bulk_insert") {
      map(n, op, {"table", "schema", "rows"});
      BulkInsert o;
      o.schema = schema(n);
      o.table = str(n, "table", op);
      const auto rows = req(n, "rows", op);
      r_.expect_sequence(rows, "rows");
      for (const auto& row : rows) {
        if (!row.IsMap()) r_.fail(row, "each row must be a map of column to value");
        std::vector<std::pair<std::string, Literal>> values;
        for (const auto& kv : row) values.emplace_back(kv.first.Scalar(), literal(kv.second));
        o.rows.push_back(std::move(values));
      }
      return o;
    }
    if (op == "create_view") return CreateView{model::read_view(r_, n)};
    if (op == "replace_view") {
      ReplaceView o{model::read_view(r_, n, {"existing_sql"}), std::nullopt};
      if (n["existing_sql"]) {
        o.existing = o.view;
        o.existing->sql = r_.string(n["existing_sql"], "existing_sql");
      }
      return o;
    }
    if (op == "drop_view") return DropView{model::read_view(r_, n, {}, false)};
    if (const auto object = object_op(op, n)) return *object;
    if (op == "call") {
      // the name the application registers the step under: an identifier, so that the one a
      // revision names and the one a program registers cannot differ by a stray space
      const auto name = r_.string(n, "the name of a C++ step");
      const bool ident = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                         std::all_of(name.begin(), name.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                                  c == '.' || c == ':';
                         });
      if (!ident)
        r_.fail(n, fmt::format("call names a C++ step the application registers: letters, "
                               "digits, '_', '.' and ':' (got '{}')",
                               name));
      return Call{name};
    }
    r_.fail(n, fmt::format("unknown operation '{}'", op));
  }

private:
  /// An op on a schema object ("create_function", "alter_sequence", "revoke"), or nullopt.
  std::optional<Op> object_op(const std::string& op, const yaml::Node& n) const {
    for (int k = 0; k <= static_cast<int>(model::ObjectKind::grant); ++k) {
      const auto kind = static_cast<model::ObjectKind>(k);
      const auto names = object_op_names(kind);
      if (op == names.create) return CreateObject{model::read_object(r_, n, kind)};
      if (op == names.drop) return DropObject{model::read_object(r_, n, kind, {}, false)};
      if (op == names.replace) {
        ReplaceObject o{model::read_object(r_, n, kind, {"existing_sql"}), std::nullopt};
        if (n["existing_sql"]) {
          o.existing = o.object;
          o.existing->sql = r_.string(n["existing_sql"], "existing_sql");
        }
        return o;
      }
    }
    return std::nullopt;
  }

  void map(const yaml::Node& n, std::string_view op,
           std::initializer_list<std::string_view> keys) const {
    r_.expect_map(n, op, keys);
  }
  yaml::Node req(const yaml::Node& n, const char* key, std::string_view op) const {
    return r_.required(n, key, std::string(op));
  }
  std::string str(const yaml::Node& n, const char* key, std::string_view op) const {
    return r_.string(req(n, key, op), key);
  }
  bool flag(const yaml::Node& n, const char* key) const {
    return n[key] && r_.boolean(n[key], key);
  }
  /// `online` and `batch_size` of an add_column or drop_column.
  std::pair<bool, long> online(const yaml::Node& n) const {
    const bool on = flag(n, "online");
    long batch = AddColumn::default_batch_size;
    if (const auto b = n["batch_size"]) {
      const auto v = r_.integer(b, "batch_size");
      if (v < 1 || v > 100'000'000) r_.fail(b, "batch_size must be a number of rows from 1 to 100000000");
      if (!on) r_.fail(b, "batch_size goes with online: true");
      batch = static_cast<long>(v);
    }
    return {on, batch};
  }
  std::string schema(const yaml::Node& n) const {
    return r_.optional_string(n, "schema").value_or("public");
  }

  Change<std::string> change(const yaml::Node& n, const char* key) const {
    const auto v = n[key];
    if (!v) return std::nullopt;
    if (v.IsNull()) return std::optional<std::string>{};
    return std::optional<std::string>{r_.string(v, key)};
  }

  model::Table table(const yaml::Node& n, std::string_view what, const std::string& schema_name,
                     std::optional<std::string> name = std::nullopt) const {
    r_.expect_map(n, what,
                  {"name", "schema", "comment", "columns", "primary_key", "unique", "foreign_keys",
                   "checks"});
    model::Table t;
    t.name = name ? *name : r_.string(r_.required(n, "name", std::string(what)), "name");
    if (!name && n["name"]) t.name = r_.string(n["name"], "name");
    t.schema = r_.optional_string(n, "schema").value_or(schema_name);
    t.comment = r_.optional_string(n, "comment");
    const auto columns = r_.required(n, "columns", std::string(what));
    r_.expect_sequence(columns, "columns");
    for (const auto& c : columns) t.columns.push_back(model::read_column(r_, c));
    if (n["primary_key"]) t.primary_key = model::read_primary_key(r_, n["primary_key"]);
    auto each = [&](const char* key, auto read) {
      if (!n[key]) return;
      r_.expect_sequence(n[key], key);
      for (const auto& item : n[key]) read(item);
    };
    each("unique",
         [&](const yaml::Node& i) { t.unique_constraints.push_back(model::read_unique(r_, i)); });
    each("foreign_keys", [&](const yaml::Node& i) {
      yaml::Node fk = i.clone();
      if (fk.IsMap() && !fk["referred_schema"]) fk.set("referred_schema", t.schema);
      t.foreign_keys.push_back(model::read_foreign_key(r_, fk));
    });
    each("checks", [&](const yaml::Node& i) { t.checks.push_back(model::read_check(r_, i)); });
    t.origin.loc = r_.loc(n);
    return t;
  }

  Op create_table(const yaml::Node& n) const {
    if (!n.IsMap()) r_.fail(n, "create_table must be a map");
    return CreateTable{
        table(n, "create_table", r_.optional_string(n, "schema").value_or("public"))};
  }

  Op alter_column(const yaml::Node& n) const {
    map(n, "alter_column",
        {"table", "schema", "name", "type", "using", "nullable", "server_default", "comment",
         "identity", "new_name", "existing_type", "existing_nullable", "existing_server_default",
         "existing_comment", "existing_identity", "online"});
    AlterColumn o;
    o.online = flag(n, "online");
    o.schema = schema(n);
    o.table = str(n, "table", "alter_column");
    o.name = str(n, "name", "alter_column");
    o.type = r_.optional_string(n, "type");
    o.using_ = r_.optional_string(n, "using");
    if (n["nullable"]) o.nullable = r_.boolean(n["nullable"], "nullable");
    o.server_default = change(n, "server_default");
    o.comment = change(n, "comment");
    if (n["identity"]) o.identity = model::read_identity(r_, n["identity"]);
    o.new_name = r_.optional_string(n, "new_name");
    o.existing_type = r_.optional_string(n, "existing_type");
    if (n["existing_nullable"])
      o.existing_nullable = r_.boolean(n["existing_nullable"], "existing_nullable");
    o.existing_server_default = change(n, "existing_server_default");
    o.existing_comment = change(n, "existing_comment");
    if (n["existing_identity"])
      o.existing_identity = model::read_identity(r_, n["existing_identity"]);
    if (o.using_ && !o.type) r_.fail(n["using"], "using goes with a type change");
    if (!o.type && !o.nullable && !o.server_default && !o.comment && !o.identity && !o.new_name)
      r_.fail(n, "alter_column changes nothing: give type, nullable, server_default, comment, "
                 "identity or new_name");
    return o;
  }

  Op drop_constraint(const yaml::Node& n) const {
    map(n, "drop_constraint", {"name", "table", "schema", "type", "existing", "online"});
    DropConstraint o;
    o.online = flag(n, "online");
    o.schema = schema(n);
    o.table = str(n, "table", "drop_constraint");
    o.name = str(n, "name", "drop_constraint");
    if (const auto t = n["type"]) {
      const auto v = r_.string(t, "type");
      if (v == "primary_key")
        o.type = ConstraintType::primary_key;
      else if (v == "unique")
        o.type = ConstraintType::unique;
      else if (v == "foreign_key")
        o.type = ConstraintType::foreign_key;
      else if (v == "check")
        o.type = ConstraintType::check;
      else
        r_.fail(t, "type must be primary_key, unique, foreign_key or check");
    }
    if (const auto e = n["existing"]) {
      if (!o.type) r_.fail(n, "drop_constraint with existing needs its type");
      yaml::Node c = e.clone();
      if (c.IsMap() && !c["name"]) c.set("name", o.name);
      switch (*o.type) {
      case ConstraintType::primary_key: o.existing = model::read_primary_key(r_, c); break;
      case ConstraintType::unique: o.existing = model::read_unique(r_, c); break;
      case ConstraintType::foreign_key:
        if (c.IsMap() && !c["referred_schema"]) c.set("referred_schema", o.schema);
        o.existing = model::read_foreign_key(r_, c);
        break;
      case ConstraintType::check: o.existing = model::read_check(r_, c); break;
      }
    }
    return o;
  }

  Literal literal(const yaml::Node& v) const {
    if (!v.IsScalar() && !v.IsNull()) r_.fail(v, "a row value must be a scalar");
    if (v.IsNull()) return {Literal::Kind::null, ""};
    const std::string& s = v.Scalar();
    if (v.Tag() == "!") return {Literal::Kind::string, s}; // quoted
    if (s == "true" || s == "false") return {Literal::Kind::boolean, s};
    static const std::regex number(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$)");
    if (std::regex_match(s, number)) return {Literal::Kind::number, s};
    return {Literal::Kind::string, s};
  }

  const yaml::Reader& r_;
};

// ---- writing -------------------------------------------------------------------------------

/// A block map under "- op:" with its fields one per line.
class Block {
public:
  Block(std::string& out, int indent, std::string_view op) : out_(out), pad_(indent + 4, ' ') {
    out_ += fmt::format("\n{}- {}:", std::string(indent, ' '), op);
  }
  Block& raw(std::string_view key, std::string_view yaml_value) {
    out_ += fmt::format("\n{}{}: {}", pad_, key, yaml_value);
    return *this;
  }
  Block& str(std::string_view key, std::string_view value) { return raw(key, quote(value)); }
  Block& str(std::string_view key, const std::string& value) { return raw(key, quote(value)); }
  Block& str(std::string_view key, const char* value) { return raw(key, quote(value)); }
  Block& str(std::string_view key, const std::optional<std::string>& value) {
    return value ? str(key, *value) : *this;
  }
  Block& schema(const std::string& s) { return s == "public" ? *this : str("schema", s); }
  Block& flag(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  Block& flag_if(std::string_view key, bool value) { return value ? flag(key, true) : *this; }
  /// An add_column's (or its reverse's) online form: the batch size only when not the default.
  Block& online(bool on, long batch_size) {
    if (!on) return *this;
    flag("online", true);
    return batch_size == AddColumn::default_batch_size ? *this
                                                       : raw("batch_size", std::to_string(batch_size));
  }
  Block& change(std::string_view key, const Change<std::string>& c) {
    if (!c) return *this;
    return *c ? str(key, **c) : raw(key, "null");
  }
  Block& identity(std::string_view key, const std::optional<model::Identity>& i) {
    if (!i) return *this;
    return *i == model::Identity::none ? raw(key, "null") : str(key, model::to_string(*i));
  }
  /// A list whose items are flow maps.
  template <class T>
  Block& list(std::string_view key, const std::vector<T>& items) {
    if (items.empty()) return *this;
    out_ += fmt::format("\n{}{}:", pad_, key);
    for (const auto& item : items) out_ += fmt::format("\n{}  - {}", pad_, to_flow(item));
    return *this;
  }
  std::string& out() { return out_; }
  const std::string& pad() const { return pad_; }

private:
  std::string& out_;
  std::string pad_;
};

void table_fields(Block& b, const model::Table& t) {
  b.str("name", t.name).schema(t.schema).str("comment", t.comment);
  b.list("columns", t.columns);
  if (t.primary_key) b.raw("primary_key", to_flow(*t.primary_key));
  b.list("unique", t.unique_constraints)
      .list("foreign_keys", t.foreign_keys)
      .list("checks", t.checks);
}

/// A view's fields (its sql when known, as a block scalar under the op at `indent`).
void view_fields(Block&& b, const model::View& v, int indent) {
  b.str("name", v.name).schema(v.schema);
  if (v.materialized) b.flag("materialized", true);
  b.str("comment", v.comment);
  if (!v.sql.empty()) b.raw("sql", model::block_scalar(v.sql, indent + 6));
  b.list("indexes", v.indexes);
}
void view_fields(Block& b, const model::View& v, int indent) { view_fields(std::move(b), v, indent); }

/// A schema object's fields; its kind is in the op's name.
void object_fields(Block&& b, const model::DbObject& o, int indent) {
  b.str("name", o.name);
  if (!o.schema.empty()) b.schema(o.schema);
  if (!o.target.empty()) b.str("target", o.target);
  if (!o.sql.empty()) b.raw("sql", model::block_scalar(o.sql, indent + 6));
}
void object_fields(Block& b, const model::DbObject& o, int indent) {
  object_fields(std::move(b), o, indent);
}

/// "{...}" of a table for drop_table's existing, in block form one level deeper.
void nested_table(Block& b, const model::Table& t) {
  std::string& out = b.out();
  const std::string pad = b.pad() + "  ";
  out += fmt::format("\n{}existing:", b.pad());
  out += fmt::format("\n{}name: {}", pad, quote(t.name));
  if (t.schema != "public") out += fmt::format("\n{}schema: {}", pad, quote(t.schema));
  if (t.comment) out += fmt::format("\n{}comment: {}", pad, quote(*t.comment));
  out += fmt::format("\n{}columns:", pad);
  for (const auto& c : t.columns) out += fmt::format("\n{}  - {}", pad, to_flow(c));
  if (t.primary_key) out += fmt::format("\n{}primary_key: {}", pad, to_flow(*t.primary_key));
  auto list = [&](std::string_view key, const auto& items) {
    if (items.empty()) return;
    out += fmt::format("\n{}{}:", pad, key);
    for (const auto& i : items) out += fmt::format("\n{}  - {}", pad, to_flow(i));
  };
  list("unique", t.unique_constraints);
  list("foreign_keys", t.foreign_keys);
  list("checks", t.checks);
}

std::string literal_yaml(const Literal& l) {
  switch (l.kind) {
  case Literal::Kind::null: return "null";
  case Literal::Kind::boolean:
  case Literal::Kind::number: return l.text;
  case Literal::Kind::string: {
    std::string q = quote(l.text); // always quoted, so that it reads back as a string
    if (q.front() == '"') return q;
    std::string out = "\"";
    for (char c : l.text) {
      if (c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  }
  return "null";
}

} // namespace

std::vector<LocatedOp> read_ops(const yaml::Reader& r, const yaml::Node& list,
                                std::string_view what) {
  std::vector<LocatedOp> ops;
  if (!list || list.IsNull()) return ops;
  r.expect_sequence(list, what);
  OpReader reader(r);
  for (const auto& item : list) {
    if (!item.IsMap() || item.size() != 1)
      r.fail(item, fmt::format("each entry of {} is one operation: '- op_name: {{...}}'", what));
    const auto kv = *item.begin();
    static const std::vector<std::string> known = [] {
      std::vector<std::string> names = {
          "create_table", "drop_table", "rename_table", "add_column", "drop_column",
          "alter_column", "create_index", "drop_index", "create_unique_constraint",
          "create_foreign_key", "create_check_constraint", "create_primary_key",
          "drop_constraint", "create_enum", "drop_enum", "add_enum_value", "create_schema",
          "drop_schema", "set_table_comment", "execute", "bulk_insert", "call", "create_view",
          "replace_view", "drop_view"};
      for (int k = 0; k <= static_cast<int>(model::ObjectKind::grant); ++k) {
        const auto n = object_op_names(static_cast<model::ObjectKind>(k));
        for (const auto& name : {n.create, n.replace, n.drop})
          if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
      return names;
    }();
    if (std::find(known.begin(), known.end(), kv.first.Scalar()) == known.end())
      r.fail(kv.first, fmt::format("unknown operation '{}' (operations: {})", kv.first.Scalar(),
                                   fmt::join(known, ", ")));
    ops.push_back({reader.read(kv.first.Scalar(), kv.second), r.loc(kv.first)});
  }
  return ops;
}

std::string write_ops(const std::vector<Op>& ops, int indent) {
  if (ops.empty()) return " []";
  std::string out;
  for (const auto& op : ops) {
    const auto op_name = name(op);
    std::visit(
        overloaded{
            [&](const CreateTable& o) {
              Block b(out, indent, op_name);
              table_fields(b, o.table);
            },
            [&](const DropTable& o) {
              Block b(out, indent, op_name);
              b.str("name", o.name).schema(o.schema);
              if (o.existing) nested_table(b, *o.existing);
            },
            [&](const RenameTable& o) {
              Block(out, indent, op_name)
                  .str("name", o.name)
                  .schema(o.schema)
                  .str("new_name", o.new_name);
            },
            [&](const AddColumn& o) {
              Block(out, indent, op_name)
                  .str("table", o.table)
                  .schema(o.schema)
                  .raw("column", to_flow(o.column))
                  .online(o.online, o.batch_size);
            },
            [&](const DropColumn& o) {
              Block b(out, indent, op_name);
              b.str("table", o.table).schema(o.schema).str("name", o.name);
              if (o.existing) b.raw("existing", to_flow(*o.existing));
              b.online(o.online, o.batch_size);
            },
            [&](const AlterColumn& o) {
              Block b(out, indent, op_name);
              b.str("table", o.table).schema(o.schema).str("name", o.name);
              b.str("type", o.type).str("using", o.using_);
              if (o.nullable) b.flag("nullable", *o.nullable);
              b.change("server_default", o.server_default).change("comment", o.comment);
              b.identity("identity", o.identity).str("new_name", o.new_name);
              b.str("existing_type", o.existing_type);
              if (o.existing_nullable) b.flag("existing_nullable", *o.existing_nullable);
              b.change("existing_server_default", o.existing_server_default);
              b.change("existing_comment", o.existing_comment);
              b.identity("existing_identity", o.existing_identity);
              if (o.online) b.flag("online", true);
            },
            [&](const CreateIndex& o) {
              Block b(out, indent, op_name);
              b.str("name", o.index.name).str("table", o.table).schema(o.schema);
              b.raw("columns", to_flow(o.index.columns));
              if (o.index.unique) b.flag("unique", true);
              b.str("where", o.index.where);
              if (o.index.method != "btree") b.str("using", o.index.method);
              if (o.concurrently) b.flag("concurrently", true);
            },
            [&](const DropIndex& o) {
              Block b(out, indent, op_name);
              b.str("name", o.name);
              if (!o.table.empty()) b.str("table", o.table);
              b.schema(o.schema);
              if (o.concurrently) b.flag("concurrently", true);
              if (o.existing) b.raw("existing", to_flow(*o.existing));
            },
            [&](const CreateUniqueConstraint& o) {
              Block(out, indent, op_name)
                  .str("name", o.constraint.name)
                  .str("table", o.table)
                  .schema(o.schema)
                  .raw("columns", to_flow(o.constraint.columns))
                  .flag_if("online", o.online);
            },
            [&](const CreateForeignKey& o) {
              const auto& c = o.constraint;
              Block b(out, indent, op_name);
              b.str("name", c.name)
                  .str("table", o.table)
                  .schema(o.schema)
                  .raw("columns", to_flow(c.columns));
              if (c.referred_schema != o.schema) b.str("referred_schema", c.referred_schema);
              b.str("referred_table", c.referred_table)
                  .raw("referred_columns", to_flow(c.referred_columns));
              if (!c.on_delete.empty()) b.str("on_delete", c.on_delete);
              if (!c.on_update.empty()) b.str("on_update", c.on_update);
              b.flag_if("online", o.online);
            },
            [&](const CreateCheckConstraint& o) {
              Block(out, indent, op_name)
                  .str("name", o.constraint.name)
                  .str("table", o.table)
                  .schema(o.schema)
                  .str("expression", o.constraint.expression)
                  .flag_if("online", o.online);
            },
            [&](const CreatePrimaryKey& o) {
              Block(out, indent, op_name)
                  .str("name", o.constraint.name)
                  .str("table", o.table)
                  .schema(o.schema)
                  .raw("columns", to_flow(o.constraint.columns));
            },
            [&](const DropConstraint& o) {
              Block b(out, indent, op_name);
              b.str("name", o.name).str("table", o.table).schema(o.schema);
              if (o.type) {
                static const char* types[] = {"primary_key", "unique", "foreign_key", "check"};
                b.str("type", types[static_cast<int>(*o.type)]);
              }
              if (o.existing)
                std::visit([&](const auto& c) { b.raw("existing", to_flow(c)); }, *o.existing);
              b.flag_if("online", o.online);
            },
            [&](const CreateEnum& o) {
              Block(out, indent, op_name)
                  .str("name", o.type.name)
                  .schema(o.type.schema)
                  .raw("values", to_flow(o.type.values));
            },
            [&](const DropEnum& o) {
              Block b(out, indent, op_name);
              b.str("name", o.name).schema(o.schema);
              if (o.existing_values) b.raw("existing_values", to_flow(*o.existing_values));
            },
            [&](const AddEnumValue& o) {
              Block(out, indent, op_name)
                  .str("name", o.name)
                  .schema(o.schema)
                  .str("value", o.value)
                  .str("before", o.before)
                  .str("after", o.after);
            },
            [&](const CreateSchema& o) {
              out += fmt::format("\n{}- {}: {}", std::string(indent, ' '), op_name, quote(o.name));
            },
            [&](const DropSchema& o) {
              out += fmt::format("\n{}- {}: {}", std::string(indent, ' '), op_name, quote(o.name));
            },
            [&](const SetTableComment& o) {
              Block b(out, indent, op_name);
              b.str("table", o.table).schema(o.schema);
              if (o.comment)
                b.str("comment", *o.comment);
              else
                b.raw("comment", "null");
              b.change("existing_comment", o.existing_comment);
            },
            [&](const Execute& o) {
              if (o.sql.size() == 1 && o.sql.begin()->first.empty() && !o.replay) {
                out += fmt::format("\n{}- {}: {}", std::string(indent, ' '), op_name,
                                   quote(o.sql.begin()->second));
                return;
              }
              Block b(out, indent, op_name);
              for (const auto& [dialect, text] : o.sql)
                b.str(dialect.empty() ? "sql" : dialect, text);
              if (o.replay) {
                std::vector<Op> replay;
                for (const auto& lo : *o.replay) replay.push_back(lo.op);
                b.raw("replay", write_ops(replay, indent + 4).substr(replay.empty() ? 1 : 0));
              }
            },
            [&](const BulkInsert& o) {
              Block b(out, indent, op_name);
              b.str("table", o.table).schema(o.schema);
              out += fmt::format("\n{}rows:", b.pad());
              for (const auto& row : o.rows) {
                std::string items;
                for (const auto& [col, value] : row)
                  items += fmt::format("{}{}: {}", items.empty() ? "" : ", ", quote(col),
                                       literal_yaml(value));
                out += fmt::format("\n{}  - {{{}}}", b.pad(), items);
              }
            },
            [&](const Call& o) {
              out += fmt::format("\n{}- {}: {}", std::string(indent, ' '), op_name, o.name);
            },
            [&](const CreateView& o) { view_fields(Block(out, indent, op_name), o.view, indent); },
            [&](const ReplaceView& o) {
              Block b(out, indent, op_name);
              view_fields(b, o.view, indent);
              if (o.existing) b.raw("existing_sql", model::block_scalar(o.existing->sql, indent + 6));
            },
            [&](const DropView& o) { view_fields(Block(out, indent, op_name), o.view, indent); },
            [&](const CreateObject& o) {
              object_fields(Block(out, indent, op_name), o.object, indent);
            },
            [&](const ReplaceObject& o) {
              Block b(out, indent, op_name);
              object_fields(b, o.object, indent);
              if (o.existing) b.raw("existing_sql", model::block_scalar(o.existing->sql, indent + 6));
            },
            [&](const DropObject& o) {
              object_fields(Block(out, indent, op_name), o.object, indent);
            },
        },
        op);
  }
  return out;
}

} // namespace schemagen::ops
