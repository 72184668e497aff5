#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>

namespace schemagen::sql {

namespace {
// PostgreSQL 15's keywords that are not UNRESERVED_KEYWORD (src/include/parser/kwlist.h):
// these need quotes to stand as a name. Taken from the server's pg_get_keywords(), which a test
// compares it with. Sorted, for binary search.
constexpr std::array<std::string_view, 151> keywords = {
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
};
} // namespace

bool is_keyword(std::string_view word) {
  auto end = keywords.end();
  auto it = std::lower_bound(keywords.begin(), end, word);
  return it != end && *it == word;
}

std::string quote_ident(std::string_view name) {
  bool safe = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) safe = safe && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (safe && !is_keyword(name)) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string qualified(std::string_view schema, std::string_view name) {
  if (schema.empty()) return quote_ident(name);
  return quote_ident(schema) + "." + quote_ident(name);
}

std::string type_name(std::string_view schema, std::string_view name) {
  return schema == "public" ? quote_ident(name) : qualified(schema, name);
}

bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$';
  });
}

std::string index_element(const std::string& entry) {
  if (is_identifier(entry)) return quote_ident(entry);
  const auto space = entry.find(' ');
  if (space != std::string::npos && is_identifier(entry.substr(0, space)))
    return quote_ident(entry.substr(0, space)) + entry.substr(space);
  if (entry.empty() || (entry.front() == '(' && entry.back() == ')')) return entry;
  return "(" + entry + ")";
}

std::string quote_literal(std::string_view value) {
  std::string out;
  const bool backslash = value.find('\\') != std::string_view::npos;
  if (backslash) out += 'E';
  out += '\'';
  for (char c : value) {
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  return out + '\'';
}

std::string redact_url(std::string_view url) {
  // scheme://user:password@host... -> scheme://user:***@host...
  static const std::regex with_password(R"(^([a-z][a-z0-9+.-]*://[^:/@]*):[^@/]*@)",
                                        std::regex::icase);
  std::string text(url);
  text = std::regex_replace(text, with_password, "$1:***@");
  // keyword form and query parameters: password=secret
  static const std::regex keyword(R"((password\s*=\s*)('[^']*'|[^\s&]*))", std::regex::icase);
  return std::regex_replace(text, keyword, "$1***");
}

} // namespace schemagen::sql
