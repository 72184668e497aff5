// The models as SQLite keeps them: what the scanner writes in PostgreSQL's terms, mapped the way
// SQLAlchemy maps its generic types for SQLite. The rules (the README's SQLite type mapping):
//
//   models                                              SQLite
//   --------------------------------------------------- -------------------------------------------
//   BYTEA                                                BLOB
//   TIMESTAMP[(p)] [WITH | WITHOUT TIME ZONE],           DATETIME (SQLite keeps ISO-8601 text; a
//     TIMESTAMPTZ                                          zone is not kept)
//   TIME[(p)] [WITH | WITHOUT TIME ZONE], TIMETZ         TIME
//   JSON, JSONB                                          JSON
//   UUID                                                 CHAR(32) (hex digits, as SQLAlchemy)
//   any other type name (INTEGER, BIGINT, TEXT,          kept: SQLite takes any type name and gives
//     VARCHAR(n), NUMERIC(p,s), REAL, DOUBLE PRECISION,    the column the affinity the name implies
//     BOOLEAN, DATE, ...)
//   a column of an enum type                             TEXT with CHECK ("col" IN ('a', 'b', ...))
//                                                          named <table>_<col>_check (unless the
//                                                          table has a check of that name); no
//                                                          enum is kept
//   the whole primary key, INTEGER/BIGINT/SMALLINT with  INTEGER, autoincrement: the rowid alias,
//     autoincrement, or INTEGER without it                 which SQLite numbers itself (a BIGINT
//                                                          primary key would not be numbered)
//   default 'x'::type (a literal with casts)             'x'
//   default now(), CURRENT_TIMESTAMP                     CURRENT_TIMESTAMP
//   other defaults (true, false, numbers, ...)           kept (SQLite >= 3.23 reads TRUE/FALSE)
//   table and column comments                            dropped: SQLite has nowhere to keep them
//   schema main                                          public (the models' name for the file's
//                                                          main database)
//   a view                                               kept, its columns' types mapped as a
//                                                          table's (an enum's is TEXT), its comment
//                                                          dropped
//
// Refused, each at the annotation concerned and all in one DiagnosticsError: a schema other than
// public/main (the driver applies schema_map first), array types, INTERVAL, identity on what is
// not an integer whole primary key (there it is INTEGER PRIMARY KEY AUTOINCREMENT),
// autoincrement on a column that is not the whole primary key, index methods other than btree,
// materialized views, schema objects other than triggers (SQLite has no functions, sequences,
// grants, ...).

#include "internal.hpp"
#include "schemagen/model/naming.hpp"
#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <regex>

namespace schemagen::sqlite {

namespace {

/// The type upper case with single spaces and none inside parentheses, to match names on.
std::string spelled(std::string_view type) {
  std::string out;
  bool space = false;
  for (char c : type) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = !out.empty();
      continue;
    }
    if (space && c != '(' && c != ')' && c != ',' && out.back() != '(' && out.back() != ',')
      out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

/// The SQLite type for a PostgreSQL type name that SQLite spells otherwise, or nullopt to keep it.
std::optional<std::string> mapped_type(const std::string& type) {
  static const std::regex timestamp(R"(TIMESTAMP(\(\d+\))?( WITH(OUT)? TIME ZONE)?|TIMESTAMPTZ)");
  static const std::regex time(R"(TIME(\(\d+\))?( WITH(OUT)? TIME ZONE)?|TIMETZ)");
  if (type == "BYTEA") return "BLOB";
  if (std::regex_match(type, timestamp)) return "DATETIME";
  if (std::regex_match(type, time)) return "TIME";
  if (type == "JSON" || type == "JSONB") return "JSON";
  if (type == "UUID") return "CHAR(32)";
  return std::nullopt;
}

bool integer_type(const std::string& type) {
  return type == "INTEGER" || type == "INT" || type == "INT4" || type == "BIGINT" ||
         type == "INT8" || type == "SMALLINT" || type == "INT2";
}

/// The default as SQLite can take it: PostgreSQL's casts of a literal dropped, its clock
/// functions made SQLite's. Anything else is kept for normalize() to accept or refuse.
std::string lowered_default(const std::string& expr) {
  // a string or number literal, then one or more casts to a type name ('{}'::jsonb, '1'::bigint)
  static const std::regex cast_literal(
      R"(\s*('(?:[^']|'')*'|[-+]?[0-9][0-9.eE+-]*)(\s*::\s*[A-Za-z_][A-Za-z0-9_ ."]*(\([0-9, ]*\))?(\[\])*)+\s*)");
  std::smatch m;
  if (std::regex_match(expr, m, cast_literal)) return m[1].str();
  const auto s = spelled(expr);
  if (s == "NOW()" || s == "CURRENT_TIMESTAMP") return "CURRENT_TIMESTAMP";
  return expr;
}

bool main_schema(const std::string& schema) { return schema == "public" || schema == "main"; }

std::string schema_refusal(const std::string& schema) {
  return fmt::format("SQLite has no schema {0}: a SQLite file keeps its tables in main; map it "
                     "there in the configuration (schema_map: {{{0}: main}})",
                     schema);
}

class Lowering {
public:
  explicit Lowering(model::Metadata& m) : m_(m) {}

  void run() {
    for (const auto& e : m_.enums)
      if (!main_schema(e.schema)) diags_.error(e.origin.loc, schema_refusal(e.schema));
    for (auto& t : m_.tables) table(t);
    for (auto& v : m_.views) view(v);
    for (auto& o : m_.objects) object(o);
    m_.enums.clear();
    m_.schemas.clear();
    model::canonicalize(m_);
    if (diags_.has_errors()) throw DiagnosticsError(std::move(diags_));
  }

private:
  /// `schema` as the models name SQLite's main database, refused at `at` when it is another.
  void main_schema_of(std::string& schema, const SourceLoc& at) {
    if (schema == "main") schema = "public";
    if (schema != "public") diags_.error(at, schema_refusal(schema));
  }

  void view(model::View& v) {
    main_schema_of(v.schema, v.origin.loc);
    if (v.materialized)
      diags_.error(v.origin.loc, fmt::format("view {} is materialized: SQLite has no materialized "
                                             "views; make it a plain view, or a table",
                                             v.name));
    v.comment.reset();
    for (auto& c : v.columns) {
      c.comment.reset();
      lower_type(c, fmt::format("column {}.{}", v.name, c.name));
    }
  }

  void table(model::Table& t) {
    main_schema_of(t.schema, t.origin.loc);
    t.comment.reset();
    for (auto& c : t.columns) column(t, c);
    for (auto& fk : t.foreign_keys) {
      if (fk.referred_schema == "main") fk.referred_schema = "public";
      if (fk.referred_schema != "public")
        diags_.error(fk.origin.loc,
                     fmt::format("foreign key {} refers to {}.{}: {}", fk.name, fk.referred_schema,
                                 fk.referred_table, schema_refusal(fk.referred_schema)));
    }
    for (const auto& ix : t.indexes) {
      std::string method = ix.method;
      std::transform(method.begin(), method.end(), method.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (method != "btree")
        diags_.error(ix.origin.loc,
                     fmt::format("index {} uses method {}: SQLite has B-tree indexes only; give "
                                 "the index no method",
                                 ix.name, ix.method));
    }
  }

  /// Of the objects an objects file declares, SQLite has triggers, on its one schema.
  void object(model::DbObject& o) {
    if (o.kind != model::ObjectKind::trigger) {
      diags_.error(o.origin.loc,
                   fmt::format("SQLite has views and triggers, no {}: {} belongs only to "
                               "PostgreSQL's databases (give this one an objects: list without it)",
                               model::plural(o.kind), o.describe()));
      return;
    }
    const auto dot = o.target.find('.');
    const auto schema = o.target.substr(0, dot);
    if (!main_schema(schema)) {
      diags_.error(o.origin.loc, fmt::format("trigger {} is on {}: {}", o.name, o.target,
                                             schema_refusal(schema)));
      return;
    }
    o.schema = "public";
    o.target = "public" + o.target.substr(dot);
  }

  void column(model::Table& t, model::Column& c) {
    const auto at = c.origin.loc;
    const auto what = fmt::format("column {}.{}", t.name, c.name);
    c.comment.reset();
    if (c.server_default) c.server_default = lowered_default(*c.server_default);
    const auto* e = enum_of(c.type);
    if (!lower_type(c, what)) return;
    if (e) {
      const auto name = model::postgres_default_name(t.name, {c.name}, "check");
      const bool named = std::any_of(t.checks.begin(), t.checks.end(),
                                     [&](const auto& ck) { return ck.name == name; });
      if (!named) {
        std::string values;
        for (const auto& v : e->values) values += (values.empty() ? "" : ", ") + literal(v);
        t.checks.push_back({name, fmt::format("{} IN ({})", ident(c.name), values), c.origin});
      }
      return;
    }
    const auto type = spelled(c.type);
    const bool whole_key =
        t.primary_key && t.primary_key->columns == std::vector<std::string>{c.name};
    if (c.autoincrement && !whole_key)
      diags_.error(at, fmt::format("{} is autoincrement but not the whole primary key: SQLite "
                                   "numbers only the rowid, an INTEGER column that is the whole "
                                   "primary key",
                                   what));
    else if (c.autoincrement && !integer_type(type))
      diags_.error(at, fmt::format("{} is autoincrement with type {}: SQLite numbers only an "
                                   "INTEGER primary key; give it an integer type",
                                   what, c.type));
    else if (c.identity != model::Identity::none && !(whole_key && integer_type(type)))
      diags_.error(at, fmt::format("{} is an identity column: SQLite numbers only an INTEGER "
                                   "column that is the whole primary key (identity makes it "
                                   "AUTOINCREMENT there); make it one, or drop identity",
                                   what));
    else if (whole_key && (c.autoincrement || c.identity != model::Identity::none ||
                           type == "INTEGER")) {
      c.type = "INTEGER";
      c.autoincrement = true;
      // identity asks for numbers never given twice: AUTOINCREMENT, which takes given values too
      if (c.identity != model::Identity::none) c.identity = model::Identity::by_default;
    }
  }

  /// The column's type as SQLite spells it, an enum's TEXT (a table's column adds the CHECK).
  /// false, reported as `what`, for a type SQLite lacks.
  bool lower_type(model::Column& c, const std::string& what) {
    if (enum_of(c.type)) {
      c.type = "TEXT";
      return true;
    }
    const auto type = spelled(c.type);
    if (type.find('[') != std::string::npos) {
      diags_.error(c.origin.loc,
                   fmt::format("{} has array type {}, which SQLite lacks: give it type = "
                               "\"JSON\" and store the array as JSON, or a table of its own",
                               what, c.type));
      return false;
    }
    if (type.rfind("INTERVAL", 0) == 0) {
      diags_.error(c.origin.loc,
                   fmt::format("{} has type {}, which SQLite lacks: give it type = \"BIGINT\" "
                               "and store a count of seconds (or microseconds)",
                               what, c.type));
      return false;
    }
    if (auto to = mapped_type(type)) c.type = *to;
    return true;
  }

  /// The enum `type` names, as the scanner writes an enum column's type.
  const model::Enum* enum_of(const std::string& type) const {
    for (const auto& e : m_.enums)
      if (type == sql::type_name(e.schema, e.name) ||
          (e.schema == "public" && type == sql::type_name("main", e.name)))
        return &e;
    return nullptr;
  }

  model::Metadata& m_;
  DiagnosticList diags_;
};

} // namespace

model::Metadata lower(model::Metadata models) {
  Lowering(models).run();
  return models;
}

} // namespace schemagen::sqlite
