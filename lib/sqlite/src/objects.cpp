// An objects file for a SQLite database: its CREATE TRIGGER statements, split where SQLite's own
// sqlite3_complete() says a statement ends (a trigger's BEGIN ... END holds semicolons), each read
// for its name and table. Anything else is an error at its place: SQLite has views (SG_VIEW) and
// triggers, and no other kind of object.

#include "schemagen/sqlite/sqlite.hpp"

#include <cctype>
#include <fmt/format.h>
#include <regex>
#include <sqlite3.h>

namespace schemagen::sqlite {

namespace {

/// Where the statement starting at `at` really starts: after blank space and comments.
std::size_t skip_blank(std::string_view text, std::size_t at) {
  while (at < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[at]))) {
      ++at;
    } else if (text.substr(at, 2) == "--") {
      at = std::min(text.find('\n', at), text.size());
    } else if (text.substr(at, 2) == "/*") {
      const auto end = text.find("*/", at + 2);
      at = end == std::string_view::npos ? text.size() : end + 2;
    } else {
      break;
    }
  }
  return at;
}

SourceLoc location(std::string_view text, std::size_t at, const std::string& file) {
  SourceLoc loc{file, 1, 1};
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) { // a character, not a byte
      ++loc.column;
    }
  }
  return loc;
}

/// A name as written ("x", [x], `x` or x), unquoted; a schema before it (main.x) dropped.
std::string unquoted(std::string name) {
  if (const auto dot = name.rfind('.'); dot != std::string::npos && name.front() != '"')
    name = name.substr(dot + 1);
  if (name.size() >= 2 && (name.front() == '"' || name.front() == '[' || name.front() == '`'))
    name = name.substr(1, name.size() - 2);
  return name;
}

/// The kind of schema object other than a trigger that `sql` declares ("function", "grant"), or
/// nullopt.
std::optional<model::ObjectKind> other_kind(const std::string& sql) {
  static const std::regex head(
      R"(^(CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE|EXTENSION|SEQUENCE|POLICY)\b|GRANT\b))",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_search(sql, m, head)) return std::nullopt;
  std::string kind = m[3].matched ? m[3].str() : "grant";
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return model::object_kind(kind);
}

} // namespace

std::vector<model::DbObject> read_triggers(std::string_view text, const std::string& file,
                                           DiagnosticList& diags) {
  static const std::regex trigger(
      R"(^CREATE\s+(TEMP(ORARY)?\s+)?TRIGGER\s+(IF\s+NOT\s+EXISTS\s+)?((\w+\.)?("[^"]+"|\[[^\]]+\]|`[^`]+`|\w+))[\s\S]*?\sON\s+((\w+\.)?("[^"]+"|\[[^\]]+\]|`[^`]+`|\w+)))",
      std::regex::icase);
  std::vector<model::DbObject> out;
  std::size_t at = skip_blank(text, 0);
  while (at < text.size()) {
    // the shortest text from `at` to a ';' that SQLite calls one complete statement
    std::size_t end = at;
    std::string statement;
    for (;;) {
      end = text.find(';', end);
      if (end == std::string_view::npos) {
        end = text.size();
        break;
      }
      statement.assign(text.substr(at, end + 1 - at));
      if (sqlite3_complete(statement.c_str())) break;
      ++end;
    }
    std::string sql(text.substr(at, end - at));
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.back()))) sql.pop_back();
    const auto loc = location(text, at, file);
    std::smatch m;
    if (std::regex_search(sql, m, trigger)) {
      model::DbObject o;
      o.kind = model::ObjectKind::trigger;
      o.name = unquoted(m[4].str());
      o.target = "public." + unquoted(m[7].str());
      o.sql = sql;
      o.depends_on = {o.target};
      o.origin.loc = loc;
      out.push_back(std::move(o));
    } else if (const auto kind = other_kind(sql)) {
      diags.error(loc, fmt::format("SQLite has views and triggers, no {}: declare it only for "
                                   "PostgreSQL's databases",
                                   model::plural(*kind)));
    } else {
      diags.error(loc, "an objects file of a SQLite database holds CREATE TRIGGER statements "
                       "only: SQLite has views (SG_VIEW in the models) and triggers, and tables "
                       "belong in the models");
    }
    at = skip_blank(text, std::min(end + 1, text.size()));
  }
  return out;
}

} // namespace schemagen::sqlite
