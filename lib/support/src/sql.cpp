#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <array>
#include <cctype>
#include <optional>
#include <regex>
#include <set>
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

namespace {
/// Whether `rest`, after an index entry's column, holds only words (DESC, NULLS LAST, COLLATE "C",
/// an operator class), not an expression's operators.
bool column_options(std::string_view rest) {
  return std::all_of(rest.begin(), rest.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ' ' || c == '.' ||
           c == '"';
  });
}

/// Whether `text` is one parenthesised whole: "(a + 1)", not "(a) + (b)" nor "(a || '(') || (b)"
/// (parentheses in quotes, 'x' or "x", do not count).
bool enclosed(std::string_view text) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') return false;
  int depth = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0; // a doubled quote closes and opens again
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    depth += c == '(' ? 1 : c == ')' ? -1 : 0;
    if (depth == 0 && i + 1 < text.size()) return false;
  }
  return depth == 0 && !quote;
}

/// `entry` split into what it orders by and the ordering words at its end (" DESC NULLS LAST"),
/// which stay outside the parentheses an expression is written in.
std::pair<std::string_view, std::string_view> without_order(std::string_view entry) {
  auto body = entry;
  for (bool found = true; found;) {
    found = false;
    for (std::string_view word : {" NULLS FIRST", " NULLS LAST", " ASC", " DESC"}) {
      if (body.size() <= word.size()) continue;
      const auto tail = body.substr(body.size() - word.size());
      if (!std::equal(tail.begin(), tail.end(), word.begin(), word.end(), [](char a, char b) {
            return std::toupper(static_cast<unsigned char>(a)) == b;
          }))
        continue;
      body.remove_suffix(word.size());
      while (!body.empty() && body.back() == ' ') body.remove_suffix(1);
      found = true;
    }
  }
  return {body, entry.substr(body.size())};
}
} // namespace

std::string index_element(const std::string& entry) {
  if (is_identifier(entry)) return quote_ident(entry);
  const auto space = entry.find(' ');
  if (space != std::string::npos && is_identifier(entry.substr(0, space)) &&
      column_options(std::string_view(entry).substr(space)))
    return quote_ident(entry.substr(0, space)) + entry.substr(space);
  if (!entry.empty() && entry.front() == '"') { // a quoted column, as the catalog spells one
    std::size_t i = 1;
    while (i < entry.size() && !(entry[i] == '"' && (i + 1 == entry.size() || entry[i + 1] != '"')))
      i += entry[i] == '"' ? 2 : 1;
    if (i < entry.size() && column_options(std::string_view(entry).substr(i + 1))) return entry;
  }
  const auto [body, order] = without_order(entry);
  if (body.empty() || enclosed(body)) return entry;
  return fmt::format("({}){}", body, order);
}

std::optional<std::string> referential_action(std::string_view text) {
  std::string up;
  bool space = false;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !up.empty()) up += ' ';
    space = false;
    up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  static const std::set<std::string> actions = {"CASCADE", "RESTRICT", "SET NULL", "SET DEFAULT",
                                                "NO ACTION"};
  if (!actions.count(up)) return std::nullopt;
  return up == "NO ACTION" ? std::string() : up;
}

std::string access_method(std::string_view method) {
  std::string lower(method);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return quote_ident(lower);
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
/// Where a URL's query gives the password (`?password=` or `&password=`): the value, to the next
/// '&' or the end, however many characters a raw password holds that a URL should have encoded.
std::optional<std::pair<std::size_t, std::size_t>> query_password_span(std::string_view url) {
  if (url.find("://") == std::string_view::npos) return std::nullopt;
  for (const auto* key : {"?password=", "&password="})
    if (const auto p = url.find(key); p != std::string_view::npos) {
      const auto begin = p + std::string_view(key).size();
      return std::pair{begin, std::min(url.find('&', begin), url.size())};
    }
  return std::nullopt;
}

std::optional<std::pair<std::size_t, std::size_t>> password_span(std::string_view url) {
  // the userinfo ends at the last '@' before a password in the query (which may hold '@' too)
  const auto query = query_password_span(url);
  const auto at = url.substr(0, query ? query->first : url.size()).rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  std::size_t start = 0; // where the userinfo begins
  if (const auto sep = url.find("://"); sep != std::string_view::npos && sep != 0 && sep < at) {
    start = sep + 3;
  } else if (url.substr(0, at).find('=') != std::string_view::npos) {
    return std::nullopt; // the keyword form: password= is masked by its key
  } else { // malformed ("postgresql:/u:p@h", "u:p@h"): a scheme followed by '/' is no user name
    std::size_t i = 0;
    while (i < at && scheme_char(url[i])) ++i;
    if (i > 0 && i + 1 < at && url[i] == ':' && url[i + 1] == '/') {
      start = i + 1;
      while (start < at && url[start] == '/') ++start;
    }
  }
  const auto colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return std::nullopt;
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
  for (auto pos = text.find(what); pos != std::string::npos;
       pos = text.find(what, pos + with.size()))
    text.replace(pos, what.size(), with);
}

} // namespace

std::string redact_url(std::string_view url) {
  std::string out(url);
  if (const auto span = query_password_span(out))
    out.replace(span->first, span->second - span->first, mask);
  if (const auto span = password_span(out))
    out.replace(span->first, span->second - span->first, mask);
  return redact_keywords(out);
}

std::string url_password(std::string_view url) {
  if (const auto span = query_password_span(url))
    return std::string(url.substr(span->first, span->second - span->first));
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
      if (cuts[b] >= begin + min_secret_piece)
        pieces.push_back(password.substr(begin, cuts[b] - begin));
    }
  std::sort(pieces.begin(), pieces.end(), [](auto x, auto y) { return x.size() > y.size(); });
  for (const auto piece : pieces) replace_all(out, piece, mask);
  return out;
}

} // namespace schemagen::sql
