#pragma once
// libpg_query's parse tree, read as YAML (its JSON is YAML too, and yaml-cpp is at hand), and the
// helpers the readers of its nodes share. Only parse.cpp includes pg_query.h.

#include "schemagen/model/metadata.hpp"
#include "schemagen/support/diagnostics.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include "schemagen/support/yaml_node.hpp"

namespace schemagen::pgparse::detail {

/// A syntax error: the parser's message and the byte offset in the input it points at.
struct SyntaxError {
  std::string message;
  std::size_t offset = 0;
};

/// The tree pg_query_parse() makes of `sql`: {"version": ..., "stmts": [RawStmt, ...]}, each
/// RawStmt {"stmt": NODE, "stmt_location": byte offset, "stmt_len": bytes}, the last two left
/// out when 0 (a length of 0 runs to the end of the input). Throws SyntaxError.
yaml::Node parse(std::string_view sql);

/// The first byte at or after `i` (up to `end`) that is neither blank space nor in a comment.
std::size_t skip_blank(std::string_view text, std::size_t i, std::size_t end);

/// Where a RawStmt's own text starts and ends in `text`: past the blank space and comments before
/// it, which libpg_query counts into the statement (a RawStmt starts just after the previous ';'),
/// and before the blank space after it.
std::pair<std::size_t, std::size_t> span(std::string_view text, const yaml::Node& raw_stmt);

/// `at` moved on to the byte `offset` of `text`, the text found there: lines counted from `at`'s,
/// columns in characters. With `at` unknown, only the file name stays unknown.
SourceLoc advance(const SourceLoc& at, std::string_view text, std::size_t offset);

/// A SyntaxError in `text` as a UserError at `at` moved on to where it points.
[[noreturn]] void fail(const SyntaxError& e, const SourceLoc& at, std::string_view text,
                       std::string_view what);

/// A node {"Kind": {fields}}: its kind and its fields; an empty kind for anything else.
std::pair<std::string, yaml::Node> node(const yaml::Node& n);

/// A field as a string ("" when absent), an integer (0 when absent: libpg_query leaves out zeros)
/// or a flag (false when absent).
std::string text(const yaml::Node& fields, const char* key);
long long integer(const yaml::Node& fields, const char* key);
bool flag(const yaml::Node& fields, const char* key);

/// The strings of a list of String nodes (a qualified name: ["auth", "users"]).
std::vector<std::string> strings(const yaml::Node& list);

/// "schema.name" of a RangeVar's fields, public when unqualified.
std::string qualified(const yaml::Node& range_var);
/// "schema.name" of a qualified name's parts (a function's, catalog.schema.name included).
std::string qualified(const std::vector<std::string>& parts);

/// The relations (RangeVar) and functions (FuncCall) under `tree`, as "schema.name", minus the
/// names of the common table expressions defined under it; appended to `out`.
void collect_references(const yaml::Node& tree, std::vector<std::string>& out);

/// Sorts `names` and drops repeats.
void sort_unique(std::vector<std::string>& names);

/// format_type() of a TypeName node's fields: its name, and [] when it is an array.
std::string format_type(const yaml::Node& type_name);

/// An ObjectWithArgs' argument types as a routine's identity spells them, "(integer, text)";
/// nullopt when the routine is named bare (args_unspecified).
std::optional<std::string> routine_arguments(const yaml::Node& object_with_args);

/// The body of a CreateFunctionStmt given as a string (AS '...' or AS $$...$$), if it has one,
/// and its language ("sql" when only a SQL-standard body is given).
std::string function_body(const yaml::Node& create_function);
std::string function_language(const yaml::Node& create_function);

// ---- objects.cpp --------------------------------------------------------------------------------

/// The objects one statement `sql` declares, read as read_objects() reads them, a REVOKE's
/// being the grants it takes away (named as a GRANT of them is: " WITH GRANT OPTION" for REVOKE
/// GRANT OPTION FOR). None, with `why` saying so, for what an objects file would refuse.
std::vector<model::DbObject> statement_objects(std::string_view sql, std::string& why);

/// Privileges in PostgreSQL's order, a table's before the same one's on columns, and no repeats.
void order_privileges(std::vector<std::string>& privileges);
/// The privileges of a grant's name's list, at its top level: "SELECT (a, b), INSERT" is two.
std::vector<std::string> split_privileges(std::string_view list);

} // namespace schemagen::pgparse::detail
