#include "schemagen/compare/compare.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

namespace schemagen::compare {

namespace {

std::string lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Lower-cased as SQL folds names: not inside double quotes ("Auth".St → "Auth".st).
std::string fold(std::string_view s) {
  std::string out;
  bool quoted = false;
  for (char c : s) {
    if (c == '"') quoted = !quoted;
    out += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/// Single spaces, none at either end, after an opening parenthesis or a comma, nor before a
/// parenthesis or a comma: " numeric ( 10 ,\t2 ) " → "numeric(10,2)", while
/// "timestamp(3) with time zone" keeps the space after its precision. Called for every column
/// of every table, so no regex.
std::string squeeze(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool gap = false; // blanks seen since the last character kept
  for (const char c : s) {
    if (blank(c)) {
      gap = true;
      continue;
    }
    if (gap && !out.empty() && out.back() != '(' && out.back() != ',' && c != '(' && c != ')' &&
        c != ',')
      out += ' ';
    out += c;
    gap = false;
  }
  return out;
}

} // namespace

std::string canonical_type(std::string_view type) {
  std::string t = squeeze(fold(type));
  std::string dims;
  while (t.size() > 2 && t.ends_with("[]")) {
    dims += "[]";
    t.resize(t.size() - 2);
  }
  std::string mods;
  if (auto open = t.find('('); open != std::string::npos) {
    auto close = t.find(')', open);
    mods = t.substr(open, close - open + 1);
    t = squeeze(t.substr(0, open) + (close + 1 < t.size() ? t.substr(close + 1) : ""));
  }
  static const std::map<std::string, std::string> names = {
      {"int8", "bigint"},
      {"bigserial", "bigint"},
      {"serial8", "bigint"},
      {"int", "integer"},
      {"int4", "integer"},
      {"serial", "integer"},
      {"serial4", "integer"},
      {"int2", "smallint"},
      {"smallserial", "smallint"},
      {"serial2", "smallint"},
      {"float8", "double precision"},
      {"float", "double precision"},
      {"float4", "real"},
      {"bool", "boolean"},
      {"varchar", "character varying"},
      {"char", "character"},
      {"bpchar", "character"},
      {"decimal", "numeric"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp", "timestamp without time zone"},
      {"timetz", "time with time zone"},
      {"time", "time without time zone"},
      {"varbit", "bit varying"}};
  if (auto it = names.find(t); it != names.end()) t = it->second;
  // "timestamp(3) with time zone" is written with the precision in the middle
  if (!mods.empty() && (t == "timestamp with time zone" || t == "timestamp without time zone" ||
                        t == "time with time zone" || t == "time without time zone")) {
    const auto space = t.find(' ');
    return t.substr(0, space) + mods + t.substr(space) + dims;
  }
  if (t == "character" && mods.empty()) mods = "(1)";
  return t + mods + dims;
}

namespace {

std::optional<std::string> canonical_default(const std::optional<std::string>& d) {
  if (!d) return d;
  std::string s = squeeze(*d);
  // a literal with a cast, 'x'::text or (0)::smallint, is the literal
  static const std::regex cast_literal(R"(^\(?('(?:[^']|'')*'|-?[0-9.]+)\)?::[a-z_ ."0-9\[\]()]+$)",
                                       std::regex::icase);
  std::smatch m;
  if (s.find("::") != std::string::npos && std::regex_match(s, m, cast_literal)) s = m[1];
  const std::string l = lower(s);
  if (l == "current_timestamp" || l == "transaction_timestamp()" || l == "now()")
    return std::string("now()");
  if (l == "'t'" || l == "'true'" || l == "true") return std::string("true");
  if (l == "'f'" || l == "'false'" || l == "false") return std::string("false");
  static const std::regex quoted_number(R"(^'(-?[0-9.]+)'$)");
  if (s.starts_with('\'') && std::regex_match(s, m, quoted_number)) return std::string(m[1]);
  return s;
}

std::string canonical_expression(const std::string& e) {
  // literals lose the casts the server adds to them: m = 'ok'::mood is m = 'ok'
  static const std::regex literal_cast(
      R"(('(?:[^']|'')*')::[A-Za-z_][A-Za-z0-9_.]*( varying| precision| with time zone| without time zone)?(\([0-9, ]*\))?(\[\])?)");
  std::string s = e.find("::") == std::string::npos
                      ? squeeze(e)
                      : squeeze(std::regex_replace(e, literal_cast, "$1"));
  while (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    // strip outer parentheses only when they enclose the whole expression
    int depth = 0;
    bool whole = true;
    for (std::size_t i = 0; i < s.size(); ++i) {
      depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
      if (depth == 0 && i + 1 < s.size()) whole = false;
    }
    if (!whole) break;
    s = squeeze(s.substr(1, s.size() - 2));
  }
  return s;
}

} // namespace

bool textual_needs_using(const std::string& from, const std::string& to) {
  auto category = [](const std::string& t) {
    const auto c = canonical_type(t);
    if (c.ends_with("[]")) return c;
    if (c.starts_with("character") || c == "text") return std::string("string");
    if (c == "smallint" || c == "integer" || c == "bigint" || c.starts_with("numeric") ||
        c == "real" || c == "double precision")
      return std::string("number");
    return c;
  };
  const auto a = category(from), b = category(to);
  return !(b == "string" || (a == "number" && b == "number") ||
           canonical_type(from) == canonical_type(to));
}

bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  return canonical_default(a) == canonical_default(b);
}

model::Metadata canonical_text(model::Metadata out) {
  for (auto& t : out.tables) {
    for (auto& c : t.columns) {
      c.type = canonical_type(c.type);
      c.server_default = canonical_default(c.server_default);
    }
    for (auto& ck : t.checks) ck.expression = canonical_expression(ck.expression);
    for (auto& ix : t.indexes) {
      for (auto& c : ix.columns) c = canonical_expression(c);
      if (ix.where) ix.where = canonical_expression(*ix.where);
    }
  }
  return out;
}

} // namespace schemagen::compare
