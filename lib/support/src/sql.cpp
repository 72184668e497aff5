#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <regex>
#include <vector>

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

namespace {

constexpr std::string_view mask = "***";

bool scheme_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
}

/// [begin, end) of the password in `url`, one whole URL: from the userinfo's first ':' to its
/// last '@' — so that an unencoded '@', '/' or '?' in the password is hidden with it, whatever
/// the URL's other parts are. An '@' in the query only makes more of the URL hidden.
std::optional<std::pair<std::size_t, std::size_t>> password_span(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  const auto at = url.rfind('@');
  const auto colon = url.find(':', sep + 3);
  if (at == std::string_view::npos || at < sep + 3 || colon > at) return std::nullopt;
  return std::pair{colon + 1, at};
}

/// `password=` and its value (keyword form, URL query): 1 the key, 2 the value as written,
/// 3 a quoted value's content, 4 a bare value.
const std::regex& password_keyword() {
  static const std::regex re(R"((password\s*=\s*)('((?:\\.|[^'\\])*)'?|([^\s&]*)))",
                             std::regex::icase);
  return re;
}

/// `text` with the value of every `password=` replaced by ***.
std::string redact_keywords(std::string_view text) {
  return std::regex_replace(std::string(text), password_keyword(), "$1***");
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

} // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  if (const auto span = password_span(out))
    out.replace(span->first, span->second - span->first, mask);
  return redact_keywords(out);
}

std::string url_password(std::string_view url) {
  if (const auto span = password_span(url))
    return std::string(url.substr(span->first, span->second - span->first));
  std::smatch m;
  const std::string text(url);
  if (std::regex_search(text, m, password_keyword())) return m[3].matched ? m[3].str() : m[4].str();
  return "";
}

std::string redact_text(std::string_view text, std::string_view password) {
  std::string out(text);
  // every URL in it: from its scheme to the next blank or quote
  for (auto sep = out.find("://"); sep != std::string::npos; sep = out.find("://", sep + 3)) {
    auto begin = sep;
    while (begin > 0 && scheme_char(out[begin - 1])) --begin;
    const auto end = std::min(out.find_first_of(" \t\n'\"", sep), out.size());
    const auto redacted = redact_url(std::string_view(out).substr(begin, end - begin));
    out.replace(begin, end - begin, redacted);
    sep = begin + redacted.find("://");
  }
  out = redact_keywords(out);
  if (password.empty()) return out;
  // the password, and every run of it between two of the characters a parser may cut it at,
  // longest first: whatever of it libpq took for a host, a port or a database name
  std::vector<std::size_t> cuts = {0};
  for (std::size_t i = 0; i < password.size(); ++i)
    if (std::string_view("@/?#:").find(password[i]) != std::string_view::npos) cuts.push_back(i);
  cuts.push_back(password.size());
  std::vector<std::string_view> pieces;
  for (std::size_t a = 0; a < cuts.size(); ++a)
    for (std::size_t b = a + 1; b < cuts.size(); ++b) {
      const auto begin = a == 0 ? 0 : cuts[a] + 1;
      if (cuts[b] >= begin + min_secret_piece) pieces.push_back(password.substr(begin, cuts[b] - begin));
    }
  std::sort(pieces.begin(), pieces.end(), [](auto x, auto y) { return x.size() > y.size(); });
  for (const auto piece : pieces) replace_all(out, piece, mask);
  return out;
}

} // namespace schemagen::sql
