// The SQL of a revision's execute ops read as the lint and offline replay need it: each
// statement's effect on the schema as the ops that would have the same one (so that the rules for
// ops judge raw SQL too, and replay follows it without a `replay:`; what they amount to on the
// schema they meet is effect.cpp's), and what no op says (transactions, lock_timeout, DROP
// DATABASE).

#include "schemagen/pgparse/pgparse.hpp"
#include "tree.hpp"

#include "schemagen/model/naming.hpp"
#include "schemagen/support/overloaded.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <set>

namespace schemagen::pgparse {

using namespace detail;

namespace {

constexpr auto nowhere = std::numeric_limits<std::size_t>::max();

/// The smallest "location" under `n`: where the text of an expression starts (an operator's or a
/// cast's own location is past its first operand's).
std::size_t first_location(const yaml::Node& n) {
  std::size_t at = nowhere;
  if (!n) return at;
  if (n.IsSequence()) {
    for (const auto& item : n) at = std::min(at, first_location(item));
  } else if (n.IsMap()) {
    for (const auto& kv : n) {
      if (kv.first.Scalar() == "location" && kv.second.IsScalar()) {
        if (const auto v = kv.second.as<long long>(); v >= 0) at = std::min(at, std::size_t(v));
      } else {
        at = std::min(at, first_location(kv.second));
      }
    }
  }
  return at;
}

/// The text of the expression `expr` of `sql`: from its first token to the first `,`, `)` or `;`
/// outside parentheses, quotes and dollar quotes, or to `bound` (where the next clause starts).
std::string expression_text(std::string_view sql, const yaml::Node& expr, std::size_t bound) {
  const auto start = first_location(expr);
  if (start >= sql.size()) return "";
  bound = std::min(bound, sql.size());
  int depth = 0;
  std::size_t i = start;
  while (i < bound) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const auto close = sql.find(c, i + 1); // a doubled quote reopens at once: same result
      i = close == std::string_view::npos ? bound : close + 1;
    } else if (c == '$') {
      const auto end_tag = sql.find('$', i + 1);
      const auto tag = sql.substr(i, end_tag == std::string_view::npos ? 1 : end_tag - i + 1);
      const auto close =
          end_tag == std::string_view::npos ? std::string_view::npos : sql.find(tag, end_tag + 1);
      i = close == std::string_view::npos ? i + 1 : close + tag.size();
    } else if (c == '(') {
      ++depth, ++i;
    } else if (c == ')' && depth > 0) {
      --depth, ++i;
    } else if (depth == 0 && (c == ',' || c == ')' || c == ';')) {
      break;
    } else {
      ++i;
    }
  }
  auto end = std::min(i, bound);
  while (end > start && std::isspace(static_cast<unsigned char>(sql[end - 1]))) --end;
  return std::string(sql.substr(start, end - start));
}

/// A TypeName's type as a revision file spells it, with its modifiers: character varying(10).
std::string type_text(const yaml::Node& type_name) {
  auto type = format_type(type_name);
  std::vector<std::string> mods;
  for (const auto& m : type_name["typmods"])
    if (const auto [kind, fields] = node(m); kind == "A_Const" && fields["ival"])
      mods.push_back(std::to_string(integer(fields["ival"], "ival")));
  if (mods.empty()) return type;
  std::string joined;
  for (const auto& m : mods) joined += (joined.empty() ? "" : ",") + m;
  const auto array = type.ends_with("[]");
  if (array) type.resize(type.size() - 2);
  return type + "(" + joined + ")" + (array ? "[]" : "");
}

/// SERIAL and its kin: the integer type the column gets, or "" for any other type.
std::string serial_type(const yaml::Node& type_name) {
  const auto names = strings(type_name["names"]);
  if (names.size() != 1) return "";
  const auto& n = names.front();
  if (n == "serial" || n == "serial4") return "integer";
  if (n == "bigserial" || n == "serial8") return "bigint";
  if (n == "smallserial" || n == "serial2") return "smallint";
  return "";
}

std::vector<std::string> column_names(const yaml::Node& list) { return strings(list); }

model::ForeignKey foreign_key(const yaml::Node& constraint, std::vector<std::string> columns) {
  model::ForeignKey fk;
  fk.name = text(constraint, "conname");
  fk.columns = std::move(columns);
  const auto pk = constraint["pktable"];
  fk.referred_schema = text(pk, "schemaname");
  fk.referred_table = text(pk, "relname");
  fk.referred_columns = column_names(constraint["pk_attrs"]);
  return fk;
}

/// What a table element or ALTER TABLE ... ADD adds: a column and what its own constraints say.
struct ColumnFacts {
  model::Column column;
  bool primary_key = false, unique = false;
  std::optional<model::ForeignKey> foreign_key;
  std::vector<model::CheckConstraint> checks;
  bool stored = false; // GENERATED ALWAYS AS (...) STORED: computed for every row
};

ColumnFacts column(std::string_view sql, const yaml::Node& def, std::size_t bound) {
  ColumnFacts f;
  auto& c = f.column;
  c.name = text(def, "colname");
  c.nullable = true;
  if (const auto serial = serial_type(def["typeName"]); !serial.empty()) {
    c.type = serial;
    c.autoincrement = true;
    c.nullable = false;
  } else {
    c.type = type_text(def["typeName"]);
  }
  const auto constraints = def["constraints"];
  const std::size_t n = constraints && constraints.IsSequence() ? constraints.size() : 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto [kind, con] = node(constraints[i]);
    // an expression ends where the next constraint starts
    const auto next =
        i + 1 < n ? static_cast<std::size_t>(integer(node(constraints[i + 1]).second, "location"))
                  : bound;
    const auto type = text(con, "contype");
    if (type == "CONSTR_NOTNULL") {
      c.nullable = false;
    } else if (type == "CONSTR_PRIMARY") {
      c.nullable = false;
      f.primary_key = true;
    } else if (type == "CONSTR_DEFAULT") {
      c.server_default = expression_text(sql, con["raw_expr"], next);
    } else if (type == "CONSTR_IDENTITY") {
      c.identity = text(con, "generated_when") == "a" ? model::Identity::always
                                                      : model::Identity::by_default;
      c.nullable = false;
    } else if (type == "CONSTR_UNIQUE") {
      f.unique = true;
    } else if (type == "CONSTR_FOREIGN") {
      f.foreign_key = foreign_key(con, {c.name});
    } else if (type == "CONSTR_CHECK") {
      f.checks.push_back({text(con, "conname"), expression_text(sql, con["raw_expr"], next), {}});
    } else if (type == "CONSTR_GENERATED") {
      f.stored = text(con, "generated_kind") != "v"; // PostgreSQL 18's VIRTUAL: computed on read
    }
  }
  return f;
}

std::pair<std::string, std::string> relation(const yaml::Node& range_var) {
  const auto schema = text(range_var, "schemaname");
  return {schema.empty() ? "public" : schema, text(range_var, "relname")};
}

/// Whether a boolean option is on among a statement's DefElem options, as defGetBoolean() reads
/// it: named bare, or with true, on or 1.
bool option(const yaml::Node& options, std::string_view name) {
  for (const auto& item : options) {
    const auto [kind, el] = node(item);
    if (kind != "DefElem" || text(el, "defname") != name) continue;
    if (!el["arg"]) return true;
    const auto [type, arg] = node(el["arg"]);
    if (type == "Boolean") return flag(arg, "boolval");
    auto value = type == "Integer" ? std::to_string(integer(arg, "ival")) : text(arg, "sval");
    for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return value != "false" && value != "off" && value != "0";
  }
  return false;
}

/// A node's "location": where its text starts in the SQL.
std::size_t location(const yaml::Node& fields) {
  const auto at = integer(fields, "location");
  return at < 0 ? nowhere : static_cast<std::size_t>(at);
}

/// {schema, name} of a qualified name's parts, public when unqualified.
std::pair<std::string, std::string> split_qualified(const std::vector<std::string>& parts) {
  const auto name = qualified(parts);
  const auto dot = name.find('.');
  return {name.substr(0, dot), name.substr(dot + 1)};
}

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

/// Whether `text` ends with the keyword `word` (any case), standing alone; if so it is cut off,
/// with the blank space before it.
bool cut_keyword(std::string_view& text, std::string_view word) {
  if (text.size() <= word.size()) return false;
  const auto at = text.size() - word.size();
  for (std::size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  if (!std::isspace(static_cast<unsigned char>(text[at - 1]))) return false;
  text = text.substr(0, at);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return true;
}

/// The query of CREATE [MATERIALIZED] VIEW name AS query, the name at `name_at` in `sql` and the
/// statement ending at `end`: what follows the AS after the name, without a materialized view's
/// WITH [NO] DATA. "" when something else stands between the name and AS, or the text found is
/// not one query.
std::string query_after_name(std::string_view sql, std::size_t name_at, std::size_t end,
                             bool materialized) {
  end = std::min(end, sql.size());
  auto i = name_at;
  while (i < end) { // the name: identifiers, quoted or not, and the dots between them
    if (sql[i] == '"') {
      auto close = sql.find('"', i + 1);
      while (close != std::string_view::npos && close + 1 < end && sql[close + 1] == '"')
        close = sql.find('"', close + 2); // a doubled quote is one of the name's characters
      if (close == std::string_view::npos) return "";
      i = close + 1;
    } else if (identifier_char(sql[i]) || sql[i] == '.') {
      ++i;
    } else {
      break;
    }
  }
  i = skip_blank(sql, i, end);
  if (i + 2 >= end || std::tolower(static_cast<unsigned char>(sql[i])) != 'a' ||
      std::tolower(static_cast<unsigned char>(sql[i + 1])) != 's' || identifier_char(sql[i + 2]))
    return "";
  const auto start = skip_blank(sql, i + 2, end);
  auto query = sql.substr(start, end - start);
  while (!query.empty() && std::isspace(static_cast<unsigned char>(query.back())))
    query.remove_suffix(1);
  if (materialized) {
    auto without = query; // WITH DATA, WITH NO DATA: whether it is filled now, not what it is
    if (cut_keyword(without, "data")) {
      cut_keyword(without, "no");
      if (cut_keyword(without, "with")) query = without;
    }
  }
  try {
    const auto tree = parse(query);
    if (tree["stmts"].size() != 1 || node(tree["stmts"][0]["stmt"]).first != "SelectStmt")
      return "";
  } catch (const SyntaxError&) {
    return "";
  }
  return std::string(query);
}

class Reader {
public:
  Reader(std::string_view sql, Statement& out) : sql_(sql), out_(out) {}

  void statement(const yaml::Node& stmt, std::size_t end) {
    const auto [kind, fields] = node(stmt);
    end_ = end;
    // statements that change no schema
    static const std::set<std::string_view> data = {
        "InsertStmt", "UpdateStmt",      "DeleteStmt", "SelectStmt",     "CopyStmt",
        "TruncateStmt", "VacuumStmt",    "NotifyStmt", "TransactionStmt", "VariableSetStmt",
        "ExplainStmt", "RefreshMatViewStmt", "ClusterStmt", "ReindexStmt", "CheckPointStmt"};
    // SELECT ... INTO makes a table whose columns only the server knows
    bool followed = data.count(kind) > 0 && !(kind == "SelectStmt" && fields["intoClause"]);
    const auto locks_before = out_.locks.size();
    if (kind == "CreateStmt")
      followed = create_table(fields);
    else if (kind == "AlterTableStmt")
      alter_table(fields);
    else if (kind == "IndexStmt")
      create_index(fields), followed = true;
    else if (kind == "DropStmt")
      followed = drop(fields);
    else if (kind == "RenameStmt")
      followed = rename(fields);
    else if (kind == "CreateSchemaStmt" && !fields["schemaElts"]) {
      add(ops::CreateSchema{text(fields, "schemaname")}, unless_exists(fields));
      followed = true;
    } else if (kind == "CreateEnumStmt")
      followed = create_enum(fields);
    else if (kind == "AlterEnumStmt")
      followed = add_enum_value(fields);
    else if (kind == "CommentStmt")
      followed = comment(fields);
    else if (kind == "ViewStmt")
      followed = view(fields);
    else if (kind == "CreateTableAsStmt")
      followed = materialized_view(fields);
    else if (kind == "AlterSeqStmt")
      followed = alter_sequence(fields);
    else if (kind == "CreateFunctionStmt" || kind == "CreateTrigStmt" ||
             kind == "CreatePolicyStmt" || kind == "CreateExtensionStmt" ||
             kind == "CreateSeqStmt" || kind == "GrantStmt")
      followed = objects(kind, fields);
    else if (kind == "DropdbStmt")
      out_.drops_database = true;
    else if (kind == "TransactionStmt")
      transaction(fields);
    else if (kind == "VariableSetStmt")
      out_.sets_lock_timeout = text(fields, "name") == "lock_timeout";
    else if (kind == "LockStmt")
      for (const auto& r : fields["relations"]) out_.locks.push_back(relation(node(r).second));
    else if (kind == "TruncateStmt")
      out_.truncate_cascades = text(fields, "behavior") == "DROP_CASCADE";
    else if (kind == "ReindexStmt") // "concurrent" before PostgreSQL 14's option list
      out_.concurrently = flag(fields, "concurrent") || option(fields["params"], "concurrently");
    else if (kind == "CreateDomainStmt" || kind == "AlterDomainStmt")
      domain(kind, fields);
    if (!out_.sets_lock_timeout) out_.sets_lock_timeout = calls_set_config_lock_timeout(stmt);
    // an ALTER TABLE is followed when each of its subcommands became an op
    if (kind == "AlterTableStmt")
      followed = text(fields, "objtype") == "OBJECT_TABLE" && out_.locks.size() == locks_before;
    out_.followed = followed && named();
    out_.when.resize(out_.ops.size(), When::always);
  }

private:
  using When = Statement::When;

  std::string_view sql_;
  Statement& out_;
  std::size_t end_ = 0;

  /// `op`, applying `when` on the schema it meets (Statement::when).
  void add(ops::Op op, When when = When::always) {
    out_.when.resize(out_.ops.size(), When::always);
    out_.ops.push_back(std::move(op));
    out_.when.push_back(when);
  }
  /// IF NOT EXISTS: made only where it is not there yet.
  static When unless_exists(const yaml::Node& fields) {
    return flag(fields, "if_not_exists") ? When::absent : When::always;
  }
  /// IF EXISTS: done only where it is there.
  static When if_exists(const yaml::Node& fields) {
    return flag(fields, "missing_ok") ? When::present : When::always;
  }
  /// CREATE OR REPLACE: `made` where it is not there, `replaced` where it is.
  void create_or_replace(ops::Op made, ops::Op replaced) {
    add(std::move(made), When::absent);
    add(std::move(replaced), When::present);
  }

  /// SELECT set_config('lock_timeout', ...) anywhere in the statement.
  static bool calls_set_config_lock_timeout(const yaml::Node& n) {
    if (!n || n.IsScalar()) return false;
    if (n.IsMap()) {
      if (const auto call = n["FuncCall"]) {
        const auto name = strings(call["funcname"]);
        const auto args = call["args"];
        if (!name.empty() && name.back() == "set_config" && args && args.size() > 0) {
          const auto [kind, arg] = node(args[0]);
          if (kind == "A_Const" && arg["sval"] && text(arg["sval"], "sval") == "lock_timeout")
            return true;
        }
      }
    }
    for (const auto& item : n)
      if (calls_set_config_lock_timeout(n.IsMap() ? item.second : item)) return true;
    return false;
  }

  /// Whether the table is all the statement makes: not inherited, partitioned or typed.
  bool create_table(const yaml::Node& fields) {
    ops::CreateTable op;
    std::tie(op.table.schema, op.table.name) = relation(fields["relation"]);
    const bool plain = !fields["inhRelations"] && !fields["partspec"] && !fields["partbound"] &&
                       !fields["ofTypename"];
    const auto elements = fields["tableElts"];
    const std::size_t n = elements && elements.IsSequence() ? elements.size() : 0;
    std::vector<std::string> pk;
    for (std::size_t i = 0; i < n; ++i) {
      const auto [kind, el] = node(elements[i]);
      const auto bound =
          i + 1 < n ? static_cast<std::size_t>(integer(node(elements[i + 1]).second, "location"))
                    : end_;
      if (kind == "ColumnDef") {
        auto f = column(sql_, el, bound);
        name_checks(op.table.name, f);
        if (f.primary_key) pk.push_back(f.column.name);
        if (f.unique) op.table.unique_constraints.push_back({"", {f.column.name}, {}});
        if (f.foreign_key) op.table.foreign_keys.push_back(*f.foreign_key);
        for (auto& ck : f.checks) op.table.checks.push_back(std::move(ck));
        op.table.columns.push_back(std::move(f.column));
      } else if (kind == "Constraint") {
        const auto type = text(el, "contype");
        if (type == "CONSTR_PRIMARY")
          pk = column_names(el["keys"]);
        else if (type == "CONSTR_UNIQUE")
          op.table.unique_constraints.push_back(
              {text(el, "conname"), column_names(el["keys"]), {}});
        else if (type == "CONSTR_FOREIGN")
          op.table.foreign_keys.push_back(foreign_key(el, column_names(el["fk_attrs"])));
        else if (type == "CONSTR_CHECK")
          op.table.checks.push_back(
              {text(el, "conname"), expression_text(sql_, el["raw_expr"], bound), {}});
      }
    }
    if (!pk.empty()) op.table.primary_key = model::PrimaryKey{"", pk};
    add(std::move(op), unless_exists(fields));
    return plain;
  }

  void alter_table(const yaml::Node& fields) {
    if (text(fields, "objtype") != "OBJECT_TABLE") return;
    const auto target = relation(fields["relation"]);
    const std::string& schema = target.first;
    const std::string& table = target.second; // named: a lambda below captures them
    for (const auto& item : fields["cmds"]) {
      const auto [kind, cmd] = node(item);
      const auto sub = text(cmd, "subtype");
      const auto name = text(cmd, "name");
      auto alter = [&] {
        ops::AlterColumn a;
        a.schema = schema, a.table = table, a.name = name;
        return a;
      };
      if (sub == "AT_AddColumn") {
        auto f = column(sql_, node(cmd["def"]).second, end_);
        name_checks(table, f);
        // IF NOT EXISTS skips the column with its constraints: left to the schema only for a
        // bare column, whose one op it skips
        const bool bare = !f.primary_key && !f.unique && !f.foreign_key && f.checks.empty();
        add(ops::AddColumn{schema, table, f.column},
            bare && flag(cmd, "missing_ok") ? When::absent : When::always);
        // its constraints, as the ops that add them to a table that has rows
        if (f.primary_key)
          out_.ops.emplace_back(ops::CreatePrimaryKey{schema, table, {"", {f.column.name}}});
        if (f.unique)
          out_.ops.emplace_back(
              ops::CreateUniqueConstraint{schema, table, {"", {f.column.name}, {}}});
        if (f.foreign_key)
          out_.ops.emplace_back(ops::CreateForeignKey{schema, table, *f.foreign_key});
        for (auto& ck : f.checks)
          out_.ops.emplace_back(ops::CreateCheckConstraint{schema, table, ck});
        if (f.stored) out_.rewrites.emplace_back(schema, table);
      } else if (sub == "AT_DropColumn") {
        ops::DropColumn d;
        d.schema = schema, d.table = table, d.name = name;
        add(std::move(d), if_exists(cmd));
        if (text(cmd, "behavior") == "DROP_CASCADE") out_.cascades = true;
      } else if (sub == "AT_AlterColumnType") {
        auto a = alter();
        a.type = type_text(node(cmd["def"]).second["typeName"]);
        out_.ops.emplace_back(std::move(a));
      } else if (sub == "AT_SetNotNull" || sub == "AT_DropNotNull") {
        auto a = alter();
        a.nullable = sub == "AT_DropNotNull";
        out_.ops.emplace_back(std::move(a));
      } else if (sub == "AT_ColumnDefault") {
        auto a = alter();
        a.server_default =
            cmd["def"] ? std::optional(expression_text(sql_, cmd["def"], end_)) : std::nullopt;
        out_.ops.emplace_back(std::move(a));
      } else if (sub == "AT_AddConstraint") {
        add_constraint(schema, table, node(cmd["def"]).second);
      } else if (sub == "AT_DropConstraint") {
        ops::DropConstraint d;
        d.schema = schema, d.table = table, d.name = name;
        add(std::move(d), if_exists(cmd));
      } else if (sub == "AT_ValidateConstraint") {
        // a lock that lets writes go on
        out_.validates.push_back({schema, table, name});
      } else {
        // everything else blocks writes
        if (sub == "AT_DetachPartition" && flag(node(cmd["def"]).second, "concurrent"))
          out_.concurrently = true;
        out_.locks.emplace_back(schema, table);
      }
    }
  }

  /// NOT VALID, and a unique or primary key constraint USING an index built before, are the
  /// forms that take no long lock: what `online: true` does for the ops.
  void add_constraint(const std::string& schema, const std::string& table, const yaml::Node& con) {
    const auto type = text(con, "contype");
    const auto name = text(con, "conname");
    const bool not_valid = flag(con, "skip_validation");
    const bool using_index = !text(con, "indexname").empty();
    if (type == "CONSTR_FOREIGN") {
      out_.ops.emplace_back(ops::CreateForeignKey{
          schema, table, foreign_key(con, column_names(con["fk_attrs"])), not_valid});
    } else if (type == "CONSTR_CHECK") {
      out_.ops.emplace_back(ops::CreateCheckConstraint{
          schema, table, {name, expression_text(sql_, con["raw_expr"], end_), {}}, not_valid});
    } else if (type == "CONSTR_UNIQUE") {
      out_.ops.emplace_back(ops::CreateUniqueConstraint{
          schema, table, {name, column_names(con["keys"]), {}}, using_index});
    } else if (type == "CONSTR_PRIMARY") {
      if (!using_index)
        out_.ops.emplace_back(
            ops::CreatePrimaryKey{schema, table, {name, column_names(con["keys"])}});
    } else {
      out_.locks.emplace_back(schema, table);
    }
  }

  void create_index(const yaml::Node& fields) {
    ops::CreateIndex op;
    std::tie(op.schema, op.table) = relation(fields["relation"]);
    op.index.name = text(fields, "idxname");
    op.index.unique = flag(fields, "unique");
    op.index.method = text(fields, "accessMethod");
    for (const auto& item : fields["indexParams"]) {
      const auto [kind, el] = node(item);
      op.index.columns.push_back(el["name"] ? text(el, "name")
                                            : expression_text(sql_, el["expr"], end_));
    }
    if (fields["whereClause"]) op.index.where = expression_text(sql_, fields["whereClause"], end_);
    op.concurrently = out_.concurrently = flag(fields, "concurrent");
    add(std::move(op), unless_exists(fields));
  }

  /// Whether its ops are all it drops: tables, indexes, schemas, enums, views, routines,
  /// triggers, policies, extensions, sequences, each named as what it drops (a routine without
  /// its arguments with none: on_schema() finds it), and nothing CASCADE would take with them.
  bool drop(const yaml::Node& fields) {
    const auto type = text(fields, "removeType");
    const bool cascade = text(fields, "behavior") == "DROP_CASCADE";
    if (cascade) out_.cascades = true;
    out_.concurrently = flag(fields, "concurrent");
    bool known = true;
    for (const auto& object : fields["objects"]) {
      auto op = dropped(type, object);
      if (op)
        add(std::move(*op), if_exists(fields));
      else
        known = false;
    }
    return known && !cascade;
  }

  /// The op that drops `object` (a node of DROP's list) of kind `type`.
  std::optional<ops::Op> dropped(const std::string& type, const yaml::Node& object) const {
    const auto [kind, obj] = node(object);
    std::vector<std::string> names;
    if (kind == "List")
      names = strings(obj["items"]);
    else if (kind == "String")
      names.push_back(text(obj, "sval"));
    else if (kind == "TypeName")
      names = strings(obj["names"]);
    else if (kind == "ObjectWithArgs")
      names = strings(obj["objname"]);
    if (names.empty()) return std::nullopt;
    const auto schema = names.size() > 1 ? names[names.size() - 2] : std::string("public");
    auto object_op = [&](model::ObjectKind k) {
      model::DbObject o;
      o.kind = k;
      o.schema = schema;
      o.name = names.back();
      return ops::Op(ops::DropObject{std::move(o)});
    };
    if (type == "OBJECT_TABLE") {
      ops::DropTable d;
      d.schema = schema, d.name = names.back();
      return d;
    }
    if (type == "OBJECT_INDEX") {
      ops::DropIndex d; // the table is not named: the lint tells by the index's name
      d.schema = schema, d.name = names.back(), d.concurrently = out_.concurrently;
      return d;
    }
    if (type == "OBJECT_SCHEMA") return ops::DropSchema{names.back()};
    if (type == "OBJECT_TYPE" && kind == "TypeName" && !obj["arrayBounds"]) {
      ops::DropEnum d;
      d.schema = schema, d.name = names.back();
      return d;
    }
    if (type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW") {
      model::View v;
      v.schema = schema, v.name = names.back(), v.materialized = type == "OBJECT_MATVIEW";
      return ops::DropView{std::move(v)};
    }
    if ((type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE") && kind == "ObjectWithArgs") {
      auto op = object_op(type == "OBJECT_FUNCTION" ? model::ObjectKind::function
                                                    : model::ObjectKind::procedure);
      // bare: no target, which no routine has ("()" at least)
      std::get<ops::DropObject>(op).object.target = routine_arguments(obj).value_or("");
      return op;
    }
    if ((type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY") && names.size() >= 2) {
      // [schema.]table.name: on its table, in the table's schema
      const std::vector<std::string> table(names.begin(), names.end() - 1);
      auto op = object_op(type == "OBJECT_TRIGGER" ? model::ObjectKind::trigger
                                                   : model::ObjectKind::policy);
      auto& o = std::get<ops::DropObject>(op).object;
      o.target = qualified(table);
      o.schema = o.target.substr(0, o.target.find('.'));
      return op;
    }
    if (type == "OBJECT_EXTENSION") {
      auto op = object_op(model::ObjectKind::extension);
      std::get<ops::DropObject>(op).object.schema.clear();
      return op;
    }
    if (type == "OBJECT_SEQUENCE") return object_op(model::ObjectKind::sequence);
    return std::nullopt;
  }

  /// Whether it renamed a table or a column, which its op says.
  bool rename(const yaml::Node& fields) {
    const auto type = text(fields, "renameType");
    const auto [schema, table] = relation(fields["relation"]);
    if (type == "OBJECT_TABLE") {
      out_.ops.emplace_back(ops::RenameTable{schema, table, text(fields, "newname")});
      return true;
    }
    if (type == "OBJECT_COLUMN" && text(fields, "relationType") == "OBJECT_TABLE") {
      ops::AlterColumn a;
      a.schema = schema, a.table = table, a.name = text(fields, "subname");
      a.new_name = text(fields, "newname");
      out_.ops.emplace_back(std::move(a));
      return true;
    }
    return false;
  }

  /// CREATE TYPE ... AS ENUM.
  bool create_enum(const yaml::Node& fields) {
    model::Enum e;
    std::tie(e.schema, e.name) = split_qualified(strings(fields["typeName"]));
    e.values = strings(fields["vals"]);
    add(ops::CreateEnum{std::move(e)});
    return true;
  }

  /// ALTER TYPE ... ADD VALUE [IF NOT EXISTS] ... [BEFORE | AFTER ...]; RENAME VALUE has no op.
  bool add_enum_value(const yaml::Node& fields) {
    if (fields["oldVal"]) return false;
    ops::AddEnumValue a;
    std::tie(a.schema, a.name) = split_qualified(strings(fields["typeName"]));
    a.value = text(fields, "newVal");
    if (const auto neighbor = text(fields, "newValNeighbor"); !neighbor.empty())
      (flag(fields, "newValIsAfter") ? a.after : a.before) = neighbor;
    add(std::move(a), flag(fields, "skipIfNewValExists") ? When::absent : When::always);
    return true;
  }

  /// COMMENT ON TABLE or COLUMN (IS NULL, or IS '', removes it).
  bool comment(const yaml::Node& fields) {
    const auto type = text(fields, "objtype");
    const auto [kind, object] = node(fields["object"]);
    const auto names = kind == "List" ? strings(object["items"]) : std::vector<std::string>{};
    auto value = text(fields, "comment");
    const auto comment = value.empty() ? std::nullopt : std::optional(std::move(value));
    if (type == "OBJECT_TABLE" && !names.empty()) {
      ops::SetTableComment c;
      std::tie(c.schema, c.table) = split_qualified(names);
      c.comment = comment;
      add(std::move(c));
      return true;
    }
    if (type == "OBJECT_COLUMN" && names.size() >= 2) {
      ops::AlterColumn a;
      std::tie(a.schema, a.table) =
          split_qualified(std::vector<std::string>(names.begin(), names.end() - 1));
      a.name = names.back();
      a.comment = comment;
      add(std::move(a));
      return true;
    }
    return false;
  }

  /// CREATE [OR REPLACE] VIEW name AS query: a view as create_view makes it, whose sql is its
  /// query; not one with column names, options or a CHECK OPTION, which a model's view has not.
  bool view(const yaml::Node& fields) {
    const auto rel = fields["view"];
    const auto check = text(fields, "withCheckOption");
    if (text(rel, "relpersistence") == "t" || fields["aliases"] || fields["options"] ||
        (!check.empty() && check != "NO_CHECK_OPTION"))
      return false;
    model::View v;
    std::tie(v.schema, v.name) = relation(rel);
    v.sql = query_after_name(sql_, location(rel), end_, false);
    if (v.sql.empty()) return false;
    if (flag(fields, "replace"))
      create_or_replace(ops::CreateView{v}, ops::ReplaceView{v, std::nullopt});
    else
      add(ops::CreateView{std::move(v)});
    return true;
  }

  /// CREATE MATERIALIZED VIEW [IF NOT EXISTS] name AS query [WITH [NO] DATA]; CREATE TABLE AS
  /// makes a table whose columns only the server knows.
  bool materialized_view(const yaml::Node& fields) {
    const auto into = fields["into"];
    const auto rel = into["rel"];
    if (text(fields, "objtype") != "OBJECT_MATVIEW" || text(rel, "relpersistence") == "t" ||
        into["colNames"] || into["options"] || into["accessMethod"] || into["tableSpaceName"])
      return false;
    model::View v;
    std::tie(v.schema, v.name) = relation(rel);
    v.materialized = true;
    v.sql = query_after_name(sql_, location(rel), end_, true);
    if (v.sql.empty()) return false;
    add(ops::CreateView{std::move(v)}, unless_exists(fields));
    return true;
  }

  /// ALTER SEQUENCE [IF EXISTS]: a replace_object whose sql is the ALTER, which on_schema()
  /// merges into the sequence's statement; RESTART alone changes its next value, nothing it is
  /// declared with.
  bool alter_sequence(const yaml::Node& fields) {
    bool declared = false;
    for (const auto& item : fields["options"])
      declared = declared || text(node(item).second, "defname") != "restart";
    if (!declared) return true;
    model::DbObject o;
    o.kind = model::ObjectKind::sequence;
    std::tie(o.schema, o.name) = relation(fields["sequence"]);
    o.sql = out_.text;
    add(ops::ReplaceObject{std::move(o), std::nullopt}, if_exists(fields));
    return true;
  }

  /// What an objects file declares, read as read_objects() reads it: CREATE [OR REPLACE]
  /// FUNCTION, PROCEDURE, TRIGGER; CREATE POLICY; CREATE EXTENSION and SEQUENCE [IF NOT
  /// EXISTS]; GRANT; and REVOKE, as the grants it takes away. Not CREATE EXTENSION ... CASCADE
  /// (it installs what the extension requires too), a temporary sequence, GRANT ... ON ALL ...
  /// IN SCHEMA (what the schema holds when it runs), REVOKE ... CASCADE.
  bool objects(const std::string& kind, const yaml::Node& fields) {
    if (kind == "CreateTrigStmt") out_.locks.push_back(relation(fields["relation"]));
    if ((kind == "CreateExtensionStmt" && option(fields["options"], "cascade")) ||
        (kind == "CreateSeqStmt" && text(fields["sequence"], "relpersistence") == "t") ||
        (kind == "GrantStmt" && text(fields, "behavior") == "DROP_CASCADE"))
      return false;
    std::string why; // what an objects file would refuse: not followed
    auto objects = statement_objects(out_.text, why);
    if (objects.empty()) return false;
    for (auto& o : objects) {
      if (kind == "GrantStmt" && !flag(fields, "is_grant"))
        add(ops::DropObject{std::move(o)});
      else if (flag(fields, "replace")) // a routine's, a trigger's
        create_or_replace(ops::CreateObject{o}, ops::ReplaceObject{o, std::nullopt});
      else
        add(ops::CreateObject{std::move(o)}, unless_exists(fields));
    }
    return true;
  }

  /// A column's unnamed CHECKs, named as the server names them: <table>_<column>_check.
  static void name_checks(const std::string& table, ColumnFacts& f) {
    for (auto& ck : f.checks)
      if (ck.name.empty()) ck.name = model::postgres_default_name(table, {f.column.name}, "check");
  }

  /// Gives what the ops create the names the server gives what the SQL leaves unnamed; false
  /// when one of them cannot be told from the statement alone (a table's unnamed CHECK is named
  /// after a column of its expression; an unnamed index on an expression; a foreign key to a
  /// table's primary key without its columns).
  bool named() {
    bool known = true;
    auto constraint = [](std::string& name, const std::string& table,
                         const std::vector<std::string>& columns, const char* label) {
      if (name.empty()) name = model::postgres_default_name(table, columns, label);
    };
    auto foreign = [&](model::ForeignKey& fk, const std::string& table) {
      constraint(fk.name, table, fk.columns, "fkey");
      if (fk.referred_schema.empty()) fk.referred_schema = "public";
      known = known && !fk.referred_columns.empty();
    };
    for (auto& op : out_.ops)
      std::visit(overloaded{
                     [&](ops::CreateTable& o) {
                       auto& t = o.table;
                       if (t.primary_key) constraint(t.primary_key->name, t.name, {}, "pkey");
                       for (auto& u : t.unique_constraints) constraint(u.name, t.name, u.columns, "key");
                       for (auto& fk : t.foreign_keys) foreign(fk, t.name);
                       for (auto& ck : t.checks) known = known && !ck.name.empty();
                     },
                     [&](ops::CreatePrimaryKey& o) {
                       constraint(o.constraint.name, o.table, {}, "pkey");
                     },
                     [&](ops::CreateUniqueConstraint& o) {
                       constraint(o.constraint.name, o.table, o.constraint.columns, "key");
                     },
                     [&](ops::CreateForeignKey& o) { foreign(o.constraint, o.table); },
                     [&](ops::CreateCheckConstraint& o) {
                       known = known && !o.constraint.name.empty();
                     },
                     [&](ops::CreateIndex& o) {
                       if (!o.index.name.empty()) return;
                       for (const auto& c : o.index.columns)
                         known = known && c.find_first_of("() ") == std::string::npos;
                       o.index.name = model::postgres_default_name(o.table, o.index.columns, "idx");
                     },
                     [](auto&) {},
                 },
                 op);
    return known;
  }

  /// CREATE DOMAIN with a CHECK or NOT NULL; ALTER DOMAIN's ADD CONSTRAINT, SET NOT NULL,
  /// VALIDATE CONSTRAINT (its subtypes C, O, V).
  void domain(const std::string& kind, const yaml::Node& fields) {
    using D = Statement::DomainConstraint;
    if (kind == "AlterDomainStmt") {
      const auto sub = text(fields, "subtype");
      if (sub == "C" || sub == "O" || sub == "V") out_.domain_constraint = D::alter;
      return;
    }
    for (const auto& item : fields["constraints"]) {
      const auto type = text(node(item).second, "contype");
      if (type == "CONSTR_CHECK" || type == "CONSTR_NOTNULL") out_.domain_constraint = D::create;
    }
  }

  void transaction(const yaml::Node& fields) {
    const auto kind = text(fields, "kind");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START")
      out_.transaction = Statement::Transaction::begin;
    else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" ||
             kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_PREPARE")
      out_.transaction = Statement::Transaction::end;
  }
};

} // namespace

Script read_script(std::string_view sql) {
  Script script;
  yaml::Node tree;
  try {
    tree = parse(sql);
  } catch (const SyntaxError& e) {
    script.error = e.message;
    script.error_offset = e.offset;
    // the statements before the error still count: what parses up to the last ';' before it
    const auto cut = e.offset > 0 ? sql.rfind(';', e.offset - 1) : std::string_view::npos;
    if (cut == std::string_view::npos) return script;
    try {
      tree = parse(sql.substr(0, cut + 1));
    } catch (const SyntaxError&) {
      return script;
    }
  }
  for (const auto& raw : tree["stmts"]) {
    const auto [start, end] = span(sql, raw);
    Statement s;
    s.text = std::string(sql.substr(start, end - start));
    s.offset = start;
    Reader(sql, s).statement(raw["stmt"], end);
    script.statements.push_back(std::move(s));
  }
  return script;
}

} // namespace schemagen::pgparse
