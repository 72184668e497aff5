// What SQLite keeps only in the SQL text of sqlite_schema (constraint names, checks, index
// expressions and predicates), read with a small tokenizer of SQLite's SQL; and the one spelling
// of types and expressions that makes two texts of one schema compare equal.

#include "internal.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <set>
#include <span>
#include <stdexcept>

namespace schemagen::sqlite {

namespace {

char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return upper(c); });
  return out;
}

bool word_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool word_char(char c) {
  return word_start(c) || std::isdigit(static_cast<unsigned char>(c)) || c == '$';
}

// ---- tokens ------------------------------------------------------------------------------------

enum class Kind { word, quoted, string, blob, number, variable, punct };

struct Token {
  Kind kind;
  std::string_view text; // as written
  std::string value;     // a word or quoted identifier's name, a string literal's content
};

/// Text SQLite's grammar does not allow where it was read.
struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The text between `open` and its closing `close`, doubled closers standing for one; an
/// unterminated one runs to the end (what is not SQL fails later, in the parser or in SQLite).
std::size_t quoted_end(std::string_view sql, std::size_t at, char close, bool doubling,
                       std::string& value) {
  for (std::size_t i = at + 1; i < sql.size(); ++i) {
    if (sql[i] != close) {
      value += sql[i];
    } else if (doubling && i + 1 < sql.size() && sql[i + 1] == close) {
      value += close;
      ++i;
    } else {
      return i + 1;
    }
  }
  return sql.size();
}

std::vector<Token> tokenize(std::string_view sql) {
  static constexpr std::array<std::string_view, 10> operators = {
      "->>", "->", "||", "<=", ">=", "<>", "!=", "==", "<<", ">>"};
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const char next = i + 1 < sql.size() ? sql[i + 1] : '\0';
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    if (c == '-' && next == '-') {
      i = std::min(sql.find('\n', i), sql.size());
      continue;
    }
    if (c == '/' && next == '*') {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      continue;
    }
    Token t{Kind::punct, {}, {}};
    std::size_t end = i + 1;
    if (c == '\'') {
      t.kind = Kind::string;
      end = quoted_end(sql, i, '\'', true, t.value);
    } else if (c == '"' || c == '`') {
      t.kind = Kind::quoted;
      end = quoted_end(sql, i, c, true, t.value);
    } else if (c == '[') {
      t.kind = Kind::quoted;
      end = quoted_end(sql, i, ']', false, t.value);
    } else if ((c == 'x' || c == 'X') && next == '\'') {
      t.kind = Kind::blob;
      end = quoted_end(sql, i + 1, '\'', false, t.value);
    } else if (word_start(c)) {
      t.kind = Kind::word;
      while (end < sql.size() && word_char(sql[end])) ++end;
      t.value = sql.substr(i, end - i);
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && std::isdigit(static_cast<unsigned char>(next)))) {
      t.kind = Kind::number;
      const bool hex = c == '0' && (next == 'x' || next == 'X');
      while (end < sql.size()) {
        const char d = sql[end];
        const bool sign = !hex && (d == '+' || d == '-') && (upper(sql[end - 1]) == 'E');
        if (!(std::isalnum(static_cast<unsigned char>(d)) || d == '.' || d == '_' || sign)) break;
        ++end;
      }
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
      t.kind = Kind::variable;
      while (end < sql.size() && word_char(sql[end])) ++end;
    } else {
      for (auto op : operators)
        if (sql.substr(i, op.size()) == op) {
          end = i + op.size();
          break;
        }
    }
    t.text = sql.substr(i, end - i);
    out.push_back(std::move(t));
    i = end;
  }
  return out;
}

using Tokens = std::span<const Token>;

bool is_punct(const Token& t, std::string_view p) { return t.kind == Kind::punct && t.text == p; }
/// An unquoted word, case-insensitively (`kw` upper case).
bool is_word(const Token& t, std::string_view kw) {
  return t.kind == Kind::word && t.value.size() == kw.size() && upper(t.value) == kw;
}

/// The index of the ')' that closes the '(' at `open`, or tokens.size().
std::size_t closing(Tokens tokens, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < tokens.size(); ++i) {
    if (is_punct(tokens[i], "(")) ++depth;
    if (is_punct(tokens[i], ")") && --depth == 0) return i;
  }
  return tokens.size();
}

/// `tokens` split at the commas outside parentheses.
std::vector<Tokens> split_commas(Tokens tokens) {
  std::vector<Tokens> out;
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (is_punct(tokens[i], "(")) ++depth;
    if (is_punct(tokens[i], ")")) --depth;
    if (depth == 0 && is_punct(tokens[i], ",")) {
      out.push_back(tokens.subspan(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(tokens.subspan(start));
  return out;
}

// ---- expressions -------------------------------------------------------------------------------

/// The words of a space-separated list, for looking words up.
std::set<std::string, std::less<>> word_set(std::string_view list) {
  std::set<std::string, std::less<>> out;
  for (std::size_t at = 0; at < list.size();) {
    const auto end = std::min(list.find(' ', at), list.size());
    out.emplace(list.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

/// Whether `upper_word` is one of SQLite's keywords (sqlite3_keyword_name()): a name spelled as
/// one needs quotes.
bool keyword(std::string_view upper_word) {
  static const auto words = word_set(
      "ABORT ACTION ADD AFTER ALL ALTER ALWAYS ANALYZE AND AS ASC ATTACH AUTOINCREMENT BEFORE "
      "BEGIN BETWEEN BY CASCADE CASE CAST CHECK COLLATE COLUMN COMMIT CONFLICT CONSTRAINT "
      "CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DATABASE DEFAULT "
      "DEFERRABLE DEFERRED DELETE DESC DETACH DISTINCT DO DROP EACH ELSE END ESCAPE EXCEPT "
      "EXCLUDE EXCLUSIVE EXISTS EXPLAIN FAIL FILTER FIRST FOLLOWING FOR FOREIGN FROM FULL "
      "GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER "
      "INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED "
      "NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER "
      "PARTITION PLAN PRAGMA PRECEDING PRIMARY QUERY RAISE RANGE RECURSIVE REFERENCES REGEXP "
      "REINDEX RELEASE RENAME REPLACE RESTRICT RETURNING RIGHT ROLLBACK ROW ROWS SAVEPOINT "
      "SELECT SET TABLE TEMP TEMPORARY THEN TIES TO TRANSACTION TRIGGER UNBOUNDED UNION UNIQUE "
      "UPDATE USING VACUUM VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT");
  return words.count(upper_word) > 0;
}

/// Whether `upper_word` is a keyword an expression in a default, check or index can use as one
/// (or TRUE or FALSE, SQLite's names for 1 and 0): upper-cased where written bare. Every other
/// keyword written bare there is a name SQLite took in its place ("key", "action").
bool expression_keyword(std::string_view upper_word) {
  static const auto words = word_set(
      "AND AS ASC BETWEEN CASE CAST COLLATE CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP DESC "
      "DISTINCT ELSE END ESCAPE EXISTS FALSE FROM GLOB IN IS ISNULL LIKE MATCH NOT NOTNULL NULL "
      "OR REGEXP THEN TRUE WHEN");
  return words.count(upper_word) > 0;
}

/// Keywords that stand for a value, not for an operator.
bool value_keyword(std::string_view upper_word) {
  return upper_word == "NULL" || upper_word == "TRUE" || upper_word == "FALSE" ||
         upper_word == "END" || upper_word.starts_with("CURRENT_");
}

/// `name` as an expression spells it: bare when it is a plain identifier and no keyword.
std::string name_in_expression(std::string_view name) {
  const auto u = upper(name);
  const bool plain = !name.empty() && word_start(name[0]) &&
                     std::all_of(name.begin(), name.end(), word_char) && !keyword(u) &&
                     !expression_keyword(u);
  return plain ? std::string(name) : quote_identifier(name);
}

/// `tokens` without the parentheses that enclose all of them.
Tokens unwrap(Tokens tokens) {
  while (tokens.size() >= 2 && is_punct(tokens.front(), "(") &&
         closing(tokens, 0) == tokens.size() - 1)
    tokens = tokens.subspan(1, tokens.size() - 2);
  return tokens;
}

/// Whether `name` is one of `columns` (or a name of the rowid), as SQLite compares names.
bool names_column(std::string_view name, const std::vector<std::string>& columns) {
  const auto u = upper(name);
  return u == "ROWID" || u == "OID" || u == "_ROWID_" ||
         std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return upper(c) == u; });
}

/// `tokens` as one spelling. With the table's `columns`, a double-quoted word that names none of
/// them is the string SQLite takes it for (its double-quoted string literals): `s IN ("a")` is
/// `s IN ('a')`.
std::string render(Tokens all, const std::vector<std::string>* columns = nullptr) {
  const Tokens tokens = unwrap(all);
  std::string out;
  bool operand_before = false; // whether the last token ends an operand (so +/- after it is binary)
  bool glue_next = false;      // no space before the next token
  bool in_cast_type = false;   // between CAST(... AS and its ')': a type name
  int cast_depth = 0;
  std::vector<int> casts; // the depths of the CAST( being read
  int depth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto& t = tokens[i];
    const bool call = i + 1 < tokens.size() && is_punct(tokens[i + 1], "(");
    std::string text;
    bool operand = true, glue_before = false;
    if (i > 0 && is_word(tokens[i - 1], "COLLATE") &&
        (t.kind == Kind::word || t.kind == Kind::quoted)) {
      text = upper(t.value); // a collation: SQLite's names are not case sensitive
    } else
      switch (t.kind) {
      case Kind::word: {
        const auto u = upper(t.value);
        if (in_cast_type) {
          text = u;
        } else if (expression_keyword(u)) {
          text = u;
          operand = value_keyword(u);
          if (u == "CAST" && call) casts.push_back(depth + 1);
          if (u == "AS" && !casts.empty() && casts.back() == depth) {
            in_cast_type = true;
            cast_depth = depth;
          }
        } else if (call) {
          text = u; // a function: nor are these
        } else {
          text = name_in_expression(t.value);
        }
        break;
      }
      case Kind::quoted: {
        const bool qualified = (i > 0 && is_punct(tokens[i - 1], ".")) ||
                               (i + 1 < tokens.size() && is_punct(tokens[i + 1], "."));
        const bool string = columns && t.text.front() == '"' && !call && !qualified &&
                            !in_cast_type && !names_column(t.value, *columns);
        text = string ? literal(t.value) : name_in_expression(t.value);
        break;
      }
      case Kind::blob: text = "X" + std::string(t.text.substr(1)); break;
      case Kind::number: text = upper(t.text); break;
      case Kind::string:
      case Kind::variable: text = t.text; break;
      case Kind::punct:
        text = t.text == "==" ? "=" : t.text == "!=" ? "<>" : std::string(t.text);
        operand = text == ")";
        if (text == "(") {
          ++depth;
          // a call's '(' follows its name; a keyword's ("IN (") stands apart
          glue_before = i > 0 && (tokens[i - 1].kind == Kind::quoted ||
                                  (tokens[i - 1].kind == Kind::word &&
                                   (!expression_keyword(upper(tokens[i - 1].value)) ||
                                    is_word(tokens[i - 1], "CAST"))));
        } else if (text == ")") {
          if (in_cast_type && depth == cast_depth) in_cast_type = false;
          if (!casts.empty() && casts.back() == depth) casts.pop_back();
          --depth;
          glue_before = true;
        } else if (text == "," || text == ".") {
          glue_before = true;
        }
        break;
      }
    if (!out.empty() && !glue_before && !glue_next) out += ' ';
    out += text;
    // after '(' or '.', and after a sign that is unary, the next token follows at once
    const bool sign = t.kind == Kind::punct && (text == "-" || text == "+" || text == "~");
    glue_next = text == "(" || text == "." || (sign && !operand_before);
    operand_before = operand;
  }
  return out;
}

// ---- CREATE TABLE and CREATE INDEX -------------------------------------------------------------

/// Reads tokens front to back; every mismatch is a ParseError saying what was expected.
class Reader {
public:
  explicit Reader(std::string_view sql) : tokens_(tokenize(sql)) {}

  bool done() const { return at_ >= tokens_.size(); }
  const Token* peek(std::size_t ahead = 0) const {
    return at_ + ahead < tokens_.size() ? &tokens_[at_ + ahead] : nullptr;
  }
  bool next_is(std::string_view kw, std::size_t ahead = 0) const {
    const auto* t = peek(ahead);
    return t && is_word(*t, kw);
  }
  bool next_is_punct(std::string_view p) const { return peek() && is_punct(*peek(), p); }
  bool accept(std::string_view kw) {
    if (!next_is(kw)) return false;
    ++at_;
    return true;
  }
  bool accept_punct(std::string_view p) {
    if (!next_is_punct(p)) return false;
    ++at_;
    return true;
  }
  void expect(std::string_view kw) {
    if (!accept(kw)) fail(kw);
  }
  void expect_punct(std::string_view p) {
    if (!accept_punct(p)) fail(fmt::format("'{}'", p));
  }
  /// The first keyword of `kws` that comes next (consumed), or fails.
  std::string_view one_of(std::initializer_list<std::string_view> kws) {
    for (auto kw : kws)
      if (accept(kw)) return kw;
    fail(fmt::format("one of {}", fmt::join(kws, ", ")));
  }
  /// A name: a word, a quoted identifier, or a string literal (SQLite takes all three).
  std::string name() {
    const auto* t = peek();
    if (!t || !(t->kind == Kind::word || t->kind == Kind::quoted || t->kind == Kind::string))
      fail("a name");
    ++at_;
    return t->value;
  }
  /// `[schema.]name`: the name.
  std::string qualified_name() {
    auto n = name();
    return accept_punct(".") ? name() : n;
  }
  /// The tokens inside the parenthesised group that comes next.
  Tokens group() {
    if (!next_is_punct("(")) fail("'('");
    const Tokens rest = Tokens(tokens_).subspan(at_);
    const auto close = closing(rest, 0);
    if (close == rest.size()) fail("a closing ')'");
    at_ += close + 1;
    return rest.subspan(1, close - 1);
  }
  /// Everything that is left.
  Tokens rest() {
    const Tokens r = Tokens(tokens_).subspan(at_);
    at_ = tokens_.size();
    return r;
  }
  /// One token of any kind.
  void skip() {
    if (done()) fail("more text");
    ++at_;
  }

  [[noreturn]] void fail(std::string_view expected) const {
    throw ParseError(fmt::format("expected {} {}", expected,
                                 done() ? std::string("at the end")
                                        : fmt::format("at \"{}\"", tokens_[at_].text)));
  }

private:
  std::vector<Token> tokens_;
  std::size_t at_ = 0;
};

/// `( name [COLLATE x] [ASC|DESC], ... )`: the names.
std::vector<std::string> column_list(Reader& r) {
  std::vector<std::string> names;
  for (auto item : split_commas(r.group())) {
    const auto core = unwrap(item);
    if (core.empty() || !(core[0].kind == Kind::word || core[0].kind == Kind::quoted ||
                          core[0].kind == Kind::string))
      throw ParseError("expected a column name in a column list");
    names.push_back(core[0].value);
  }
  return names;
}

/// `[ON CONFLICT resolution]`: kept in `t.conflicts` as "<what> ON CONFLICT <resolution>"
/// (ABORT, the default, is not kept: it is what the constraint does without the clause).
void conflict_clause(Reader& r, TableText& t, const std::string& what) {
  if (!r.next_is("ON") || !r.next_is("CONFLICT", 1)) return;
  r.skip();
  r.skip();
  const auto resolution = upper(r.one_of({"ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"}));
  if (resolution != "ABORT") t.conflicts.push_back(what + " ON CONFLICT " + resolution);
}

/// What follows REFERENCES: the referred table and columns; the actions and the rest are the
/// pragma's to say.
TableText::Foreign references(Reader& r) {
  TableText::Foreign fk;
  fk.referred_table = r.name();
  if (r.next_is_punct("(")) fk.referred_columns = column_list(r);
  for (;;) {
    if (r.accept("ON")) {
      r.one_of({"DELETE", "UPDATE"});
      if (r.accept("SET"))
        r.one_of({"NULL", "DEFAULT"});
      else if (r.accept("NO"))
        r.expect("ACTION");
      else
        r.one_of({"CASCADE", "RESTRICT"});
    } else if (r.accept("MATCH")) {
      r.name();
    } else if (r.next_is("DEFERRABLE") || (r.next_is("NOT") && r.next_is("DEFERRABLE", 1))) {
      const bool never = r.accept("NOT");
      r.skip();
      // only DEFERRABLE INITIALLY DEFERRED differs from what a foreign key does without it
      if (r.accept("INITIALLY") && upper(r.one_of({"DEFERRED", "IMMEDIATE"})) == "DEFERRED")
        fk.deferred = !never;
    } else {
      return fk;
    }
  }
}

/// Whether a table constraint, not a column, comes next.
bool table_constraint_next(const Reader& r) {
  return r.next_is("CONSTRAINT") || r.next_is("PRIMARY") || r.next_is("UNIQUE") ||
         r.next_is("CHECK") || r.next_is("FOREIGN");
}

/// Whether a column constraint (or the end of the column) comes next, ending its type.
bool type_ends(const Reader& r) {
  if (r.done() || r.next_is_punct(",") || r.next_is_punct(")")) return true;
  for (auto kw : {"CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
                  "REFERENCES", "GENERATED", "AS"})
    if (r.next_is(kw)) return true;
  return false;
}

/// A column definition; the tokens of its checks go to `checks`, read once every column is known.
void column_definition(Reader& r, TableText& t, std::vector<Tokens>& checks) {
  const auto column = r.name();
  t.columns.push_back(column);
  while (!type_ends(r)) {
    if (r.next_is_punct("("))
      r.group(); // VARCHAR(20)
    else
      r.skip();
  }
  std::string name; // of the constraint that comes next
  while (!r.done() && !r.next_is_punct(",") && !r.next_is_punct(")")) {
    if (r.accept("CONSTRAINT")) {
      name = r.name();
      continue;
    }
    if (r.accept("PRIMARY")) {
      r.expect("KEY");
      if (!r.accept("ASC")) r.accept("DESC");
      conflict_clause(r, t, fmt::format("column {} PRIMARY KEY", column));
      if (r.accept("AUTOINCREMENT")) t.autoincrement = true;
      t.primary_key = TableText::Named{name, {column}};
    } else if (r.accept("NOT")) {
      r.expect("NULL");
      conflict_clause(r, t, fmt::format("column {} NOT NULL", column));
    } else if (r.accept("NULL")) {
      conflict_clause(r, t, fmt::format("column {} NULL", column));
    } else if (r.accept("UNIQUE")) {
      conflict_clause(r, t, fmt::format("column {} UNIQUE", column));
      t.uniques.push_back({name, {column}});
    } else if (r.accept("CHECK")) {
      t.checks.push_back({name, ""});
      checks.push_back(r.group());
    } else if (r.accept("DEFAULT")) {
      if (r.next_is_punct("(")) {
        r.group();
      } else {
        if (r.next_is_punct("-") || r.next_is_punct("+")) r.skip();
        r.skip();
      }
    } else if (r.accept("COLLATE")) {
      t.collations.emplace_back(column, r.name());
    } else if (r.accept("REFERENCES")) {
      auto fk = references(r);
      fk.name = name;
      fk.columns = {column};
      t.foreign_keys.push_back(std::move(fk));
    } else if (r.accept("GENERATED") || r.next_is("AS")) {
      if (!r.accept("AS")) {
        r.expect("ALWAYS");
        r.expect("AS");
      }
      r.group();
      if (!r.accept("STORED")) r.accept("VIRTUAL");
    } else {
      r.fail("a column constraint");
    }
    name.clear();
  }
}

void table_constraint(Reader& r, TableText& t, std::vector<Tokens>& checks) {
  std::string name;
  if (r.accept("CONSTRAINT")) name = r.name();
  if (r.accept("PRIMARY")) {
    r.expect("KEY");
    t.primary_key = TableText::Named{name, column_list(r)};
    conflict_clause(r, t, fmt::format("PRIMARY KEY ({})", fmt::join(t.primary_key->columns, ", ")));
  } else if (r.accept("UNIQUE")) {
    t.uniques.push_back({name, column_list(r)});
    conflict_clause(r, t, fmt::format("UNIQUE ({})", fmt::join(t.uniques.back().columns, ", ")));
  } else if (r.accept("CHECK")) {
    t.checks.push_back({name, ""});
    checks.push_back(r.group());
  } else if (r.accept("FOREIGN")) {
    r.expect("KEY");
    auto columns = column_list(r);
    r.expect("REFERENCES");
    auto fk = references(r);
    fk.name = name;
    fk.columns = std::move(columns);
    t.foreign_keys.push_back(std::move(fk));
  } else {
    r.fail("PRIMARY KEY, UNIQUE, CHECK or FOREIGN KEY");
  }
}

/// `CREATE [TEMP|UNIQUE] <what> [IF NOT EXISTS] [schema.]name`: the name.
std::string create_header(Reader& r, std::string_view what) {
  r.expect("CREATE");
  if (!r.accept("TEMP") && !r.accept("TEMPORARY")) r.accept("UNIQUE");
  r.expect(what);
  if (r.accept("IF")) {
    r.expect("NOT");
    r.expect("EXISTS");
  }
  return r.qualified_name();
}

} // namespace

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string canonical_type(std::string_view type) {
  // upper case, single spaces, none next to '(', ')' or ','
  std::string t;
  const auto tokens = tokenize(type);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const auto tight = [](const Token& x) {
      return is_punct(x, "(") || is_punct(x, ")") || is_punct(x, ",");
    };
    const bool after_open = i > 0 && (is_punct(tokens[i - 1], "(") || is_punct(tokens[i - 1], ","));
    if (i > 0 && !tight(tokens[i]) && !after_open) t += ' ';
    t += upper(tokens[i].text);
  }
  const auto open = t.find('(');
  const std::string base = t.substr(0, open);
  const std::string modifiers = open == std::string::npos ? "" : t.substr(open);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> synonyms = {{
      {"INT", "INTEGER"},
      {"INT4", "INTEGER"},
      {"INT8", "BIGINT"},
      {"INT2", "SMALLINT"},
      {"BOOL", "BOOLEAN"},
      {"FLOAT8", "DOUBLE PRECISION"},
      {"DOUBLE", "DOUBLE PRECISION"},
      {"FLOAT4", "REAL"},
      {"CHARACTER VARYING", "VARCHAR"},
      {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
  }};
  for (const auto& [synonym, name] : synonyms)
    if (base == synonym) return std::string(name) + modifiers;
  return t;
}

std::string canonical_expression(std::string_view expr) { return render(tokenize(expr)); }

std::optional<std::string> canonical_default(std::string_view expr) {
  const auto tokens = tokenize(expr);
  // a name alone ("x", [x], `x`, x; not TRUE, NULL, CURRENT_TIMESTAMP...): SQLite's grammar takes
  // it for a string
  if (tokens.size() == 1 &&
      (tokens[0].kind == Kind::quoted ||
       (tokens[0].kind == Kind::word && !expression_keyword(upper(tokens[0].value)))))
    return literal(tokens[0].value);
  auto out = render(tokens);
  if (out == "NULL") return std::nullopt; // what a column without a default gets
  return out;
}

TableText parse_create_table(std::string_view sql) {
  Reader r(sql);
  std::string table = "(unnamed)";
  try {
    table = create_header(r, "TABLE");
    TableText t;
    std::vector<Tokens> checks; // a column's check may name a column defined after it
    r.expect_punct("(");
    while (!table_constraint_next(r)) {
      column_definition(r, t, checks);
      if (!r.accept_punct(",")) break;
    }
    // table constraints: the comma between two of them is optional
    while (!r.next_is_punct(")")) {
      table_constraint(r, t, checks);
      r.accept_punct(",");
    }
    r.expect_punct(")");
    for (std::size_t k = 0; k < checks.size(); ++k)
      t.checks[k].expression = render(checks[k], &t.columns);
    do {
      if (r.done()) break;
      if (r.accept("STRICT")) {
        t.strict = true;
        continue;
      }
      r.expect("WITHOUT");
      r.expect("ROWID");
      t.without_rowid = true;
    } while (r.accept_punct(","));
    if (!r.done()) r.fail("the end");
    return t;
  } catch (const ParseError& e) {
    throw UserError(fmt::format("error: cannot read the CREATE TABLE text of table {}: {}: {}",
                                table, e.what(), sql));
  }
}

IndexText parse_create_index(std::string_view sql, const std::vector<std::string>* columns) {
  Reader r(sql);
  std::string index = "(unnamed)";
  try {
    index = create_header(r, "INDEX");
    r.expect("ON");
    r.name();
    IndexText ix;
    for (auto item : split_commas(r.group())) {
      // [COLLATE name] [ASC|DESC] end the element: ASC is the default, said by nothing
      bool desc = false;
      std::string collation;
      if (!item.empty() && (is_word(item.back(), "ASC") || is_word(item.back(), "DESC"))) {
        desc = is_word(item.back(), "DESC");
        item = item.first(item.size() - 1);
      }
      if (item.size() >= 2 && is_word(item[item.size() - 2], "COLLATE")) {
        collation = " COLLATE " + upper(item.back().value);
        item = item.first(item.size() - 2);
      }
      const auto core = unwrap(item);
      if (core.empty()) throw ParseError("expected an index element");
      const bool column =
          core.size() == 1 && (core[0].kind == Kind::word || core[0].kind == Kind::quoted);
      ix.elements.push_back((column ? core[0].value : render(core, columns)) + collation +
                            (desc ? " DESC" : ""));
    }
    if (r.accept("WHERE")) ix.where = render(r.rest(), columns);
    if (!r.done()) r.fail("WHERE or the end");
    return ix;
  } catch (const ParseError& e) {
    throw UserError(fmt::format("error: cannot read the CREATE INDEX text of index {}: {}: {}",
                                index, e.what(), sql));
  }
}

} // namespace schemagen::sqlite
