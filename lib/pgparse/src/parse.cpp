// libpg_query's parser, its tree, and what is read off any tree: references, the canonical form,
// type names. The only file that includes pg_query.h.

#include "schemagen/pgparse/pgparse.hpp"
#include "tree.hpp"

#include "schemagen/support/json.hpp"

#include <pg_query.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <memory>
#include <optional>
#include <set>

namespace schemagen::pgparse {

namespace detail {

namespace {

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

/// The byte offset of the `n`th character (0-based) of `text`: libpg_query counts an error's
/// position in characters, as PostgreSQL reports it to clients.
std::size_t byte_of_character(std::string_view text, std::size_t n) {
  std::size_t i = 0;
  for (; i < text.size() && n > 0; --n)
    for (++i; i < text.size() && utf8_continuation(text[i]); ++i) {
    }
  return i;
}

} // namespace

yaml::Node parse(std::string_view sql) {
  // the parser reads a C string, and the server would read no further either: what follows a
  // NUL byte would be parsed by nobody, and the offsets of what came before it are not the text's
  if (const auto nul = sql.find('\0'); nul != std::string_view::npos)
    throw SyntaxError{"a NUL byte, which SQL text cannot hold", nul};
  const std::string input(sql); // the parser wants a NUL-terminated string
  const std::unique_ptr<PgQueryParseResult, void (*)(PgQueryParseResult*)> result(
      new PgQueryParseResult(pg_query_parse(input.c_str())), [](PgQueryParseResult* r) {
        pg_query_free_parse_result(*r);
        delete r;
      });
  if (const auto* e = result->error) {
    // cursorpos is 1-based, 0 when the parser knows no position (an error at the end)
    const std::size_t at = e->cursorpos > 0
                               ? byte_of_character(sql, static_cast<std::size_t>(e->cursorpos - 1))
                               : sql.size();
    throw SyntaxError{e->message ? e->message : "syntax error", at};
  }
  // the parse tree comes as JSON, which is YAML, read to a depth short of what PostgreSQL's own
  // parser allows (an expression nested some thousands of parentheses deep)
  try {
    return yaml::Node::parse(result->parse_tree);
  } catch (const yaml::ParseError&) {
    const auto first = sql.find_first_not_of(" \t\r\n"); // where the SQL starts
    throw SyntaxError{"the statement nests too deeply for schemagen to read its parse tree",
                      first == std::string_view::npos ? 0 : first};
  }
}

std::size_t skip_blank(std::string_view text, std::size_t i, std::size_t end) {
  while (i < end) {
    if (std::isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
    } else if (text.substr(i, 2) == "--") { // to the line's end: \n or \r, as PostgreSQL's scanner has it
      const auto eol = text.find_first_of("\n\r", i);
      i = eol == std::string_view::npos ? end : eol + 1;
    } else if (text.substr(i, 2) == "/*") { // PostgreSQL's block comments nest
      int depth = 0;
      do {
        if (text.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (text.substr(i, 2) == "*/") {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      } while (depth > 0 && i < end);
    } else {
      break;
    }
  }
  return std::min(i, end);
}

std::pair<std::size_t, std::size_t> span(std::string_view text, const yaml::Node& raw_stmt) {
  const auto begin =
      std::min(static_cast<std::size_t>(integer(raw_stmt, "stmt_location")), text.size());
  const auto len = static_cast<std::size_t>(integer(raw_stmt, "stmt_len"));
  auto end = len ? std::min(begin + len, text.size()) : text.size();
  const auto start = skip_blank(text, begin, end);
  while (end > start && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return {start, end};
}

SourceLoc advance(const SourceLoc& at, std::string_view text, std::size_t offset) {
  SourceLoc loc{at.file, at.line ? at.line : 1, at.column ? at.column : 1};
  offset = std::min(offset, text.size());
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if (!utf8_continuation(text[i])) {
      ++loc.column;
    }
  }
  return loc;
}

void fail(const SyntaxError& e, const SourceLoc& at, std::string_view text, std::string_view what) {
  const auto loc = advance(at, text, e.offset);
  if (at.known()) throw UserError(loc, fmt::format("{}: {}", what, e.message));
  throw UserError(
      fmt::format("error: {}: {} (line {}, column {})", what, e.message, loc.line, loc.column));
}

std::pair<std::string, yaml::Node> node(const yaml::Node& n) {
  if (!n || !n.IsMap() || n.size() != 1) return {};
  const auto it = n.begin();
  return {it->first.Scalar(), it->second};
}

std::string text(const yaml::Node& fields, const char* key) {
  const auto v = fields[key];
  return v && v.IsScalar() ? v.Scalar() : std::string();
}

long long integer(const yaml::Node& fields, const char* key) {
  const auto v = fields[key];
  return v && v.IsScalar() ? v.as<long long>() : 0;
}

bool flag(const yaml::Node& fields, const char* key) {
  const auto v = fields[key];
  return v && v.IsScalar() && v.Scalar() == "true";
}

std::vector<std::string> strings(const yaml::Node& list) {
  std::vector<std::string> out;
  if (!list || !list.IsSequence()) return out;
  for (const auto& item : list)
    if (const auto [kind, fields] = node(item); kind == "String")
      out.push_back(text(fields, "sval"));
  return out;
}

std::string qualified(const yaml::Node& range_var) {
  const auto schema = text(range_var, "schemaname");
  return fmt::format("{}.{}", schema.empty() ? "public" : schema, text(range_var, "relname"));
}

std::string qualified(const std::vector<std::string>& parts) {
  if (parts.empty()) return "";
  if (parts.size() == 1) return "public." + parts.back();
  return parts[parts.size() - 2] + "." + parts.back(); // a catalog before the schema is this one
}

namespace {

struct Found {
  std::vector<std::pair<std::string, std::string>> relations; // (schema or "", name)
  std::vector<std::vector<std::string>> functions;
  std::set<std::string> ctes;
};

void walk(const yaml::Node& n, Found& found) {
  if (!n) return; // a field the tree leaves out
  if (n.IsSequence()) {
    for (const auto& item : n) walk(item, found);
    return;
  }
  if (!n.IsMap()) return;
  for (const auto& kv : n) {
    const auto& key = kv.first.Scalar();
    const auto& value = kv.second;
    // a field typed RangeVar (an INSERT's, UPDATE's or DELETE's relation, SELECT INTO's rel)
    // holds its fields without the {"RangeVar": ...} a field typed Node has
    const bool range_var_field = (key == "relation" || key == "rel") && value.IsMap() &&
                                 !text(value, "relname").empty();
    if (key == "RangeVar" || range_var_field)
      found.relations.emplace_back(text(value, "schemaname"), text(value, "relname"));
    else if (key == "FuncCall")
      found.functions.push_back(strings(value["funcname"]));
    else if (key == "CommonTableExpr")
      found.ctes.insert(text(value, "ctename"));
    walk(value, found);
  }
}

} // namespace

void collect_references(const yaml::Node& tree, std::vector<std::string>& out) {
  Found found;
  walk(tree, found);
  // A WITH query's name hides a table of that name only inside the WITH's statement; taking it
  // out everywhere errs only for a query that both defines a CTE and names a table of the same
  // name unqualified outside that CTE's scope.
  for (const auto& [schema, name] : found.relations)
    if (!schema.empty() || !found.ctes.contains(name))
      out.push_back(fmt::format("{}.{}", schema.empty() ? "public" : schema, name));
  for (const auto& parts : found.functions) out.push_back(qualified(parts));
  // the system catalog's relations and functions are no schema object schemagen manages; the
  // parser itself names pg_catalog for SQL-standard syntax (EXTRACT, AT TIME ZONE, ...)
  std::erase_if(out, [](const std::string& name) { return name.starts_with("pg_catalog."); });
}

void sort_unique(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
}

std::string format_type(const yaml::Node& type_name) {
  auto names = strings(type_name["names"]);
  std::string out = format_type_name(names);
  if (flag(type_name, "pct_type")) out += "%TYPE"; // the column's type, known only to the server
  if (const auto bounds = type_name["arrayBounds"]; bounds && bounds.size() > 0) out += "[]";
  return out;
}

namespace {

/// The fields of the DefElem named `name` in the function's options.
std::optional<yaml::Node> option(const yaml::Node& create_function, std::string_view name) {
  const auto options = create_function["options"];
  if (options && options.IsSequence())
    for (const auto& item : options)
      if (const auto [kind, fields] = node(item);
          kind == "DefElem" && text(fields, "defname") == name)
        return fields;
  return std::nullopt;
}

} // namespace

std::optional<std::string> routine_arguments(const yaml::Node& object_with_args) {
  if (flag(object_with_args, "args_unspecified")) return std::nullopt;
  std::vector<std::string> args;
  for (const auto& arg : object_with_args["objargs"])
    if (const auto [kind, type] = node(arg); kind == "TypeName") args.push_back(format_type(type));
  return fmt::format("({})", fmt::join(args, ", "));
}

std::string function_language(const yaml::Node& create_function) {
  if (const auto lang = option(create_function, "language")) {
    const auto [kind, fields] = node((*lang)["arg"]);
    if (kind == "String") return text(fields, "sval");
  }
  return create_function["sql_body"] ? "sql" : "";
}

std::string function_body(const yaml::Node& create_function) {
  const auto as = option(create_function, "as");
  if (!as) return "";
  // AS 'body', or AS 'obj_file', 'link_symbol' for C: a List of Strings
  const auto [kind, fields] = node((*as)["arg"]);
  const auto items = kind == "List" ? strings(fields["items"]) : std::vector<std::string>{};
  return items.size() == 1 ? items.front() : "";
}

} // namespace detail

using namespace detail;

std::string format_type_name(const std::vector<std::string>& names) {
  // the types format_type() spells with SQL's words rather than their catalog names; the parser
  // turns those words into pg_catalog.<name>, and a file may spell the catalog name itself
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 13> spelled = {{
      {"int2", "smallint"},
      {"int4", "integer"},
      {"int8", "bigint"},
      {"float4", "real"},
      {"float8", "double precision"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"bpchar", "character"},
      {"varbit", "bit varying"},
      {"timestamp", "timestamp without time zone"},
      {"timestamptz", "timestamp with time zone"},
      {"time", "time without time zone"},
      {"timetz", "time with time zone"},
  }};
  if (names.empty()) return "";
  const bool catalog = names.size() == 2 && names.front() == "pg_catalog";
  if (names.size() == 1 || catalog) {
    const auto& name = names.back();
    for (const auto& [from, to] : spelled)
      if (name == from) return std::string(to);
    if (name == "char") return catalog ? "character" : "\"char\""; // bare "char": a 1-byte type
    if (name == "decimal") return "numeric";
    return name;
  }
  std::string out;
  for (const auto& part : names) out += (out.empty() ? "" : ".") + part;
  return out;
}

std::vector<std::string> references(std::string_view sql, const SourceLoc& at) {
  yaml::Node tree;
  try {
    tree = parse(sql);
  } catch (const SyntaxError& e) {
    fail(e, at, sql, "the query does not parse");
  }
  std::vector<std::string> out;
  collect_references(tree["stmts"], out);
  sort_unique(out);
  return out;
}

namespace {

/// What canonical() leaves out of a node of a kind: how it is created, not what it is.
bool dropped(std::string_view kind, std::string_view key) {
  if (key == "location" || key == "stmt_location" || key == "stmt_len") return true;
  if (key == "replace")
    return kind == "CreateFunctionStmt" || kind == "CreateTrigStmt" || kind == "ViewStmt";
  if (key == "if_not_exists") return kind == "CreateExtensionStmt" || kind == "CreateSeqStmt";
  return false;
}

class Canonical {
public:
  std::string out;

  void emit(const yaml::Node& n, std::string_view kind) {
    if (n.IsSequence()) {
      out += '[';
      bool first = true;
      for (const auto& item : n) {
        if (!first) out += ',';
        first = false;
        emit(item, kind);
      }
      out += ']';
    } else if (n.IsMap()) {
      map(n, kind);
    } else if (n.IsScalar()) {
      out += n.Tag() == "!" ? json::str(n.Scalar()) : n.Scalar(); // "!": it was quoted
    } else {
      out += "null";
    }
  }

private:
  void map(const yaml::Node& n, std::string_view kind) {
    // a TypeName's fields: its name as format_type() spells it, so that int4 and integer agree
    const bool type_name = n["names"] && n["typemod"];
    out += '{';
    bool first = true;
    for (const auto& kv : n) {
      const auto& key = kv.first.Scalar();
      if (dropped(kind, key)) continue;
      out += first ? "" : ",";
      first = false;
      out += json::str(key) + ':';
      if (type_name && key == "names") {
        out += json::str(format_type_name(strings(kv.second)));
      } else if (key == "CreateFunctionStmt") {
        function(kv.second);
      } else {
        // a node's kind names the fields it holds; anything else keeps the enclosing kind
        const bool is_kind = !key.empty() && key.front() >= 'A' && key.front() <= 'Z';
        emit(kv.second, is_kind ? std::string_view(key) : kind);
      }
    }
    out += '}';
  }

  /// A SQL function's body as its parse tree, when it parses; any other body as its text.
  void function(const yaml::Node& fields) {
    const auto body = function_body(fields);
    if (function_language(fields) != "sql" || body.empty())
      return emit(fields, "CreateFunctionStmt");
    yaml::Node body_tree;
    try {
      body_tree = parse(body);
    } catch (const SyntaxError&) {
      return emit(fields, "CreateFunctionStmt");
    }
    auto copy = fields.clone();
    for (const auto& item : copy["options"])
      if (auto [kind, def] = node(item); kind == "DefElem" && text(def, "defname") == "as")
        def.set("arg", body_tree["stmts"]); // def is the copy's node: this replaces it there
    emit(copy, "CreateFunctionStmt");
  }
};

} // namespace

std::string canonical(std::string_view sql, const SourceLoc& at) {
  yaml::Node tree;
  try {
    tree = parse(sql);
  } catch (const SyntaxError& e) {
    fail(e, at, sql, "the SQL does not parse");
  }
  Canonical c;
  c.emit(tree["stmts"], "");
  return c.out;
}

} // namespace schemagen::pgparse
