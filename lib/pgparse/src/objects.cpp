// The statements of an objects file as model::DbObjects, named as the PostgreSQL reflection names
// the database's (lib/model's DbObject), so that a declared object and the database's match.

#include "schemagen/pgparse/pgparse.hpp"
#include "tree.hpp"

#include "schemagen/support/files.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <tuple>

namespace schemagen::pgparse {

using namespace detail;

namespace {

/// What each statement the file may not hold is, and where it belongs instead.
std::string misplaced(std::string_view kind, const yaml::Node& fields) {
  const auto matview = kind == "CreateTableAsStmt" && text(fields, "objtype") == "OBJECT_MATVIEW";
  if (kind == "ViewStmt" || matview)
    return "a view belongs in the models, as a struct with SG_VIEW, not in an objects file";
  if (kind == "CreateStmt" || kind == "CreateTableAsStmt" || kind == "IndexStmt")
    return "tables and their indexes belong in the models (SG_TABLE, SG_INDEX), not in an "
           "objects file";
  if (kind == "CreateEnumStmt") return "an enum belongs in the models (SG_ENUM), not in an objects file";
  if (kind == "GrantRoleStmt")
    return "GRANT role TO role grants membership in a role, which belongs to the cluster, not to "
           "the schema: run it from a revision's execute op";
  if (kind == "GrantStmt" && !flag(fields, "is_grant"))
    return "an objects file declares the grants that exist; a REVOKE changes them: leave the "
           "grant out, or run the REVOKE from a revision's execute op";
  if (kind == "InsertStmt" || kind == "UpdateStmt" || kind == "DeleteStmt" ||
      kind == "SelectStmt" || kind == "CopyStmt")
    return "an objects file declares schema objects; data belongs in a revision's execute or "
           "call op";
  if (kind.starts_with("Alter") || kind == "DropStmt" || kind == "RenameStmt")
    return "an objects file declares schema objects as they are; a change to one belongs in a "
           "revision's execute op, or in the object's own CREATE statement";
  return "an objects file holds CREATE FUNCTION, PROCEDURE, TRIGGER, EXTENSION, SEQUENCE and "
         "POLICY statements and GRANTs; tables, indexes and enums belong in the models, views "
         "with SG_VIEW, data and one-off changes in a revision's execute or call op";
}

/// SQL's name for each statement kind an error may quote.
std::string statement_name(std::string_view kind, const yaml::Node& fields) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> names = {{
      {"CreateStmt", "CREATE TABLE"},
      {"CreateTableAsStmt", "CREATE TABLE AS"},
      {"IndexStmt", "CREATE INDEX"},
      {"ViewStmt", "CREATE VIEW"},
      {"CreateEnumStmt", "CREATE TYPE AS ENUM"},
      {"CreateSchemaStmt", "CREATE SCHEMA"},
      {"GrantRoleStmt", "GRANT role"},
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"SelectStmt", "SELECT"},
      {"CopyStmt", "COPY"},
      {"DropStmt", "DROP"},
      {"RenameStmt", "ALTER ... RENAME"},
  }};
  if (kind == "CreateTableAsStmt" && text(fields, "objtype") == "OBJECT_MATVIEW")
    return "CREATE MATERIALIZED VIEW";
  if (kind == "GrantStmt") return flag(fields, "is_grant") ? "GRANT" : "REVOKE";
  for (const auto& [k, name] : names)
    if (k == kind) return std::string(name);
  if (kind.starts_with("Alter")) return "ALTER";
  return std::string(kind.ends_with("Stmt") ? kind.substr(0, kind.size() - 4) : kind);
}

std::pair<std::string, std::string> split(const std::string& qualified_name) {
  const auto dot = qualified_name.find('.');
  return {qualified_name.substr(0, dot), qualified_name.substr(dot + 1)};
}

// ---- grants ------------------------------------------------------------------------------------

/// The privileges in the order PostgreSQL lists them (has_table_privilege's, the documentation's).
constexpr std::array<std::string_view, 14> privilege_order = {
    "SELECT",     "INSERT",  "UPDATE",  "DELETE",    "TRUNCATE", "REFERENCES", "TRIGGER",
    "USAGE",      "EXECUTE", "CREATE",  "CONNECT",   "TEMPORARY", "SET",       "ALTER SYSTEM"};

std::size_t privilege_rank(std::string_view privilege) {
  const auto it = std::find(privilege_order.begin(), privilege_order.end(),
                            privilege.substr(0, privilege.find(" (")));
  return static_cast<std::size_t>(it - privilege_order.begin());
}


/// The object kind's word in GRANT ... ON <KIND>, and what ALL PRIVILEGES is for it.
struct GrantKind {
  std::string_view objtype, word;
  std::vector<std::string_view> all;
};
const std::vector<GrantKind>& grant_kinds() {
  static const std::vector<GrantKind> kinds = {
      {"OBJECT_TABLE",
       "TABLE",
       {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"}},
      {"OBJECT_SEQUENCE", "SEQUENCE", {"SELECT", "UPDATE", "USAGE"}},
      {"OBJECT_FUNCTION", "FUNCTION", {"EXECUTE"}},
      {"OBJECT_PROCEDURE", "PROCEDURE", {"EXECUTE"}},
      {"OBJECT_ROUTINE", "ROUTINE", {"EXECUTE"}},
      {"OBJECT_SCHEMA", "SCHEMA", {"USAGE", "CREATE"}},
      {"OBJECT_DATABASE", "DATABASE", {"CREATE", "CONNECT", "TEMPORARY"}},
      {"OBJECT_TYPE", "TYPE", {"USAGE"}},
      {"OBJECT_DOMAIN", "DOMAIN", {"USAGE"}},
      {"OBJECT_LANGUAGE", "LANGUAGE", {"USAGE"}},
      {"OBJECT_FDW", "FOREIGN DATA WRAPPER", {"USAGE"}},
      {"OBJECT_FOREIGN_SERVER", "FOREIGN SERVER", {"USAGE"}},
      {"OBJECT_TABLESPACE", "TABLESPACE", {"CREATE"}},
      {"OBJECT_LARGEOBJECT", "LARGE OBJECT", {"SELECT", "UPDATE"}},
      {"OBJECT_PARAMETER_ACL", "PARAMETER", {"SET", "ALTER SYSTEM"}},
  };
  return kinds;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// One object a GRANT names, as the canonical name spells it, and what the grant depends on.
struct Granted {
  std::string name;                     // auth.active_users, public.f(integer), reader_schema
  std::optional<std::string> depends_on; // a relation's or routine's "schema.name"
};

Granted granted(const yaml::Node& object) {
  const auto [kind, fields] = node(object);
  if (kind == "RangeVar") {
    const auto name = qualified(fields);
    return {name, name};
  }
  if (kind == "ObjectWithArgs") { // a routine: name(argument types), or its bare name
    const auto name = qualified(strings(fields["objname"]));
    return {name + routine_arguments(fields).value_or(""), name};
  }
  if (kind == "List") return {qualified(strings(fields["items"])), std::nullopt}; // a type
  if (kind == "String") return {text(fields, "sval"), std::nullopt}; // a schema, a language, ...
  if (kind == "Integer") return {std::to_string(integer(fields, "ival")), std::nullopt};
  return {kind, std::nullopt};
}

std::string grantee(const yaml::Node& role) {
  const auto [kind, fields] = node(role);
  const auto type = text(fields, "roletype");
  if (type == "ROLESPEC_PUBLIC") return "PUBLIC";
  if (type == "ROLESPEC_CURRENT_USER") return "CURRENT_USER";
  if (type == "ROLESPEC_SESSION_USER") return "SESSION_USER";
  if (type == "ROLESPEC_CURRENT_ROLE") return "CURRENT_ROLE";
  return text(fields, "rolename");
}

// ---- the reader --------------------------------------------------------------------------------

class Reader {
public:
  /// `revokes`: a REVOKE is read as the grants it takes away (statement_objects()'s), not refused.
  Reader(std::string_view text, const std::string& file, DiagnosticList& diags,
         bool revokes = false)
      : text_(text), file_(file), diags_(diags), revokes_(revokes) {}

  std::vector<model::DbObject> run() {
    yaml::Node tree;
    try {
      tree = parse(text_);
    } catch (const SyntaxError& e) {
      diags_.error(advance({file_}, text_, e.offset), e.message);
      return {};
    }
    for (const auto& raw : tree["stmts"]) {
      const auto [start, end] = span(text_, raw);
      statement(raw["stmt"], start, text_.substr(start, end - start));
    }
    return std::move(objects_);
  }

private:
  void statement(const yaml::Node& stmt, std::size_t start, std::string_view sql) {
    const auto [kind, fields] = node(stmt);
    model::DbObject o;
    o.sql = std::string(sql);
    o.origin.loc = advance({file_}, text_, start);
    if (kind == "CreateFunctionStmt") {
      function(fields, start, o);
    } else if (kind == "CreateTrigStmt") {
      o.kind = model::ObjectKind::trigger;
      o.name = text(fields, "trigname");
      on_table(fields["relation"], o);
      o.depends_on.push_back(qualified(strings(fields["funcname"])));
    } else if (kind == "CreatePolicyStmt") {
      o.kind = model::ObjectKind::policy;
      o.name = text(fields, "policy_name");
      on_table(fields["table"], o);
      // what USING and WITH CHECK read: PostgreSQL records those as the policy's dependencies too
      collect_references(fields["qual"], o.depends_on);
      collect_references(fields["with_check"], o.depends_on);
    } else if (kind == "CreateExtensionStmt") {
      o.kind = model::ObjectKind::extension;
      o.schema.clear();
      o.name = text(fields, "extname");
    } else if (kind == "CreateSeqStmt") {
      sequence(fields, o);
    } else if (kind == "GrantStmt" && (flag(fields, "is_grant") || revokes_)) {
      return grant(fields, o);
    } else {
      diags_.error(o.origin.loc, fmt::format("{} in an objects file: {}",
                                             statement_name(kind, fields), misplaced(kind, fields)));
      return;
    }
    add(std::move(o));
  }

  void add(model::DbObject o) {
    sort_unique(o.depends_on);
    if (o.kind == model::ObjectKind::function || o.kind == model::ObjectKind::procedure)
      std::erase_if(o.depends_on, [&](const auto& d) { return d == o.schema + "." + o.name; });
    objects_.push_back(std::move(o));
  }

  void on_table(const yaml::Node& range_var, model::DbObject& o) {
    o.target = qualified(range_var);
    o.schema = split(o.target).first;
    o.depends_on.push_back(o.target);
  }

  void function(const yaml::Node& fields, std::size_t start, model::DbObject& o) {
    o.kind = flag(fields, "is_procedure") ? model::ObjectKind::procedure
                                          : model::ObjectKind::function;
    std::tie(o.schema, o.name) = split(qualified(strings(fields["funcname"])));
    // the identity arguments, as pg_get_function_identity_arguments() less the names: the input
    // ones (IN, INOUT, VARIADIC); OUT and TABLE columns are part of the result
    std::vector<std::string> args;
    for (const auto& p : fields["parameters"]) {
      const auto [k, param] = node(p);
      const auto mode = text(param, "mode");
      if (mode == "FUNC_PARAM_OUT" || mode == "FUNC_PARAM_TABLE") continue;
      args.push_back(format_type(param["argType"]));
    }
    o.target = fmt::format("({})", fmt::join(args, ", "));
    if (function_language(fields) != "sql") return; // a plpgsql (or C) body is not read: no deps
    collect_references(fields["sql_body"], o.depends_on); // BEGIN ATOMIC ... END, RETURN expr
    const auto body = function_body(fields);
    if (body.empty()) return;
    try {
      collect_references(parse(body)["stmts"], o.depends_on);
    } catch (const SyntaxError& e) {
      // PostgreSQL checks a SQL function's body when it creates it: so does this. A body written
      // as it is read ($$...$$) is found in the statement; one with quotes doubled is not
      const auto found = text_.find(body, start);
      diags_.error(found == std::string_view::npos ? o.origin.loc
                                                   : advance({file_}, text_, found + e.offset),
                   fmt::format("the body of {} does not parse: {}", o.describe(), e.message));
    }
  }

  void sequence(const yaml::Node& fields, model::DbObject& o) {
    o.kind = model::ObjectKind::sequence;
    std::tie(o.schema, o.name) = split(qualified(fields["sequence"]));
    for (const auto& item : fields["options"]) {
      const auto [k, def] = node(item);
      if (text(def, "defname") != "owned_by") continue;
      // OWNED BY [schema.]table.column: the sequence goes with the table (OWNED BY NONE: not)
      auto parts = strings(node(def["arg"]).second["items"]);
      if (parts.size() >= 2) {
        parts.pop_back();
        o.depends_on.push_back(qualified(parts));
      }
    }
  }

  /// One object per object the GRANT names, each named "PRIVILEGES ON KIND OBJECT TO GRANTEES".
  void grant(const yaml::Node& fields, model::DbObject& o) {
    o.kind = model::ObjectKind::grant;
    o.schema.clear();
    if (text(fields, "targtype") != "ACL_TARGET_OBJECT") {
      diags_.error(o.origin.loc,
                   "GRANT ... ON ALL ... IN SCHEMA grants on what the schema holds when it runs, "
                   "not on what comes later: name the objects");
      return;
    }
    const auto objtype = text(fields, "objtype");
    const auto& kinds = grant_kinds();
    const auto gk = std::find_if(kinds.begin(), kinds.end(),
                                 [&](const GrantKind& k) { return k.objtype == objtype; });
    if (gk == kinds.end()) {
      diags_.error(o.origin.loc, fmt::format("GRANT on {}: not a kind of object schemagen knows",
                                             objtype));
      return;
    }
    std::vector<std::string> privileges;
    if (const auto privs = fields["privileges"]; privs && privs.size() > 0) {
      for (const auto& p : privs) {
        const auto [k, priv] = node(p);
        auto name = upper(text(priv, "priv_name"));
        if (name == "TEMP") name = "TEMPORARY";
        if (auto cols = strings(priv["cols"]); !cols.empty()) { // in name order, as read back
          sort_unique(cols);
          name += fmt::format(" ({})", fmt::join(cols, ", "));
        }
        privileges.push_back(std::move(name));
      }
    } else { // ALL [PRIVILEGES]: what the database lists for it
      privileges.assign(gk->all.begin(), gk->all.end());
    }
    order_privileges(privileges);
    std::vector<std::string> grantees;
    for (const auto& g : fields["grantees"]) grantees.push_back(grantee(g));
    sort_unique(grantees);

    // one grant per object and grantee, as the database keeps them (an ACL entry each); what
    // several statements grant one role on one object is merged by merge_grants()
    const auto objects = fields["objects"];
    for (const auto& object : objects) {
      const auto what = granted(object);
      for (const auto& who : grantees) {
        model::DbObject one = o;
        one.name = fmt::format("{} ON {} {} TO {}{}", fmt::join(privileges, ", "), gk->word,
                               what.name, who,
                               flag(fields, "grant_option") ? " WITH GRANT OPTION" : "");
        if (objects.size() > 1 || grantees.size() > 1) one.sql = "GRANT " + one.name;
        if (what.depends_on) one.depends_on.push_back(*what.depends_on);
        add(std::move(one));
      }
    }
  }

  std::string_view text_;
  const std::string& file_;
  DiagnosticList& diags_;
  bool revokes_;
  std::vector<model::DbObject> objects_;
};

} // namespace

namespace detail {

void order_privileges(std::vector<std::string>& privileges) {
  std::sort(privileges.begin(), privileges.end(), [](const auto& a, const auto& b) {
    return std::pair(privilege_rank(a), std::string_view(a)) <
           std::pair(privilege_rank(b), std::string_view(b));
  });
  privileges.erase(std::unique(privileges.begin(), privileges.end()), privileges.end());
}

std::vector<std::string> split_privileges(std::string_view list) {
  std::vector<std::string> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list[i] == '(') ++depth;
    if (i < list.size() && list[i] == ')') --depth;
    if (i == list.size() || (depth == 0 && list.substr(i, 2) == ", ")) {
      out.emplace_back(list.substr(start, i - start));
      start = i + 2;
    }
  }
  return out;
}

std::vector<model::DbObject> statement_objects(std::string_view sql, std::string& why) {
  const std::string file; // the statement stands alone: its origin is its own first line
  DiagnosticList diags;
  auto objects = Reader(sql, file, diags, true).run();
  if (!diags.has_errors()) return objects;
  why = diags.items().front().message;
  return {};
}

} // namespace detail

std::vector<model::DbObject> read_objects(std::string_view text, const std::string& file,
                                          DiagnosticList& diags) {
  return Reader(text, file, diags).run();
}

std::vector<model::DbObject> read_objects_file(const std::filesystem::path& path) {
  DiagnosticList diags;
  auto objects = read_objects(read_file(path), display_path(path), diags);
  if (diags.has_errors()) throw DiagnosticsError(std::move(diags));
  return objects;
}

namespace {

/// A routine granted by its bare name, or ON ROUTINE, named as the database reads the grant back
/// when the objects declare the routine it means: its argument types, FUNCTION or PROCEDURE.
void name_granted_routines(std::vector<model::DbObject>& objects) {
  using K = model::ObjectKind;
  std::multimap<std::string, const model::DbObject*> routines; // "schema.name" → declared
  for (const auto& o : objects)
    if (o.kind == K::function || o.kind == K::procedure)
      routines.emplace(o.schema + "." + o.name, &o);
  for (auto& o : objects) {
    if (o.kind != K::grant) continue;
    for (std::string_view word : {" ON FUNCTION ", " ON PROCEDURE ", " ON ROUTINE "}) {
      const auto at = o.name.find(word);
      if (at == std::string::npos) continue;
      const auto begin = at + word.size();
      const auto end = o.name.find(" TO ", begin);
      const auto object = o.name.substr(begin, end - begin);
      const auto base = object.substr(0, object.find('('));
      const model::DbObject* meant = nullptr;
      int matches = 0;
      for (auto [it, last] = routines.equal_range(base); it != last; ++it)
        if (base == object || base + it->second->target == object) {
          meant = it->second;
          ++matches;
        }
      if (matches != 1) break; // an overload the objects do not settle: kept as written
      const auto old_name = o.name;
      o.name = fmt::format("{} ON {} {}{}{}", o.name.substr(0, at),
                           meant->kind == K::procedure ? "PROCEDURE" : "FUNCTION", base,
                           meant->target, o.name.substr(end));
      if (o.sql == "GRANT " + old_name) o.sql = "GRANT " + o.name;
      break;
    }
  }
}

} // namespace

void merge_grants(std::vector<model::DbObject>& objects) {
  name_granted_routines(objects);
  std::map<std::string, std::size_t> first; // " ON KIND OBJECT TO ROLE[ WITH ...]" → its grant
  std::vector<model::DbObject> out;
  for (auto& o : objects) {
    const auto on = o.name.find(" ON ");
    if (o.kind != model::ObjectKind::grant || on == std::string::npos) {
      out.push_back(std::move(o));
      continue;
    }
    const auto key = o.name.substr(on);
    const auto it = first.find(key);
    if (it == first.end()) {
      first.emplace(key, out.size());
      out.push_back(std::move(o));
      continue;
    }
    auto& kept = out[it->second];
    auto privileges = split_privileges(kept.name.substr(0, kept.name.find(" ON ")));
    for (auto& p : split_privileges(o.name.substr(0, on)))
      if (std::find(privileges.begin(), privileges.end(), p) == privileges.end())
        privileges.push_back(std::move(p));
    order_privileges(privileges);
    kept.name = fmt::format("{}{}", fmt::join(privileges, ", "), key);
    kept.sql = "GRANT " + kept.name;
  }
  objects = std::move(out);
}

} // namespace schemagen::pgparse
