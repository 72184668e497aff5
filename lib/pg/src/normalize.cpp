#include "schemagen/pg/reflect.hpp"

#include "catalog.hpp"
#include "schemagen/pg/ddl.hpp"
#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>
#include <unistd.h>

namespace schemagen::pg {

namespace {

using sql::qualified;
using sql::quote_ident;

// Every statement here runs through exec_one(): one statement each, never a string of several,
// so nothing a model spells can end the transaction that is always rolled back.

/// The DDL that creates table `t` as scratch table `name` in `scratch`: columns with their types
/// and defaults, checks, and each index as scratch index i<n>_<k>.
std::vector<std::string> scratch_ddl(const model::Table& t, std::size_t n,
                                     const std::string& scratch) {
  std::vector<std::string> lines;
  for (const auto& c : t.columns) {
    std::string line = quote_ident(c.name) + " " + c.type;
    if (c.server_default) line += " DEFAULT " + *c.server_default;
    lines.push_back(line);
  }
  for (std::size_t k = 0; k < t.checks.size(); ++k)
    lines.push_back(fmt::format("CONSTRAINT {} CHECK ({})", quote_ident(fmt::format("k{}", k)),
                                t.checks[k].expression));
  const std::string table = qualified(scratch, fmt::format("t{}", n));
  std::vector<std::string> out = {
      fmt::format("CREATE TABLE {} ({})", table, fmt::join(lines, ", "))};
  for (std::size_t k = 0; k < t.indexes.size(); ++k) {
    const auto& ix = t.indexes[k];
    std::vector<std::string> elements;
    for (const auto& c : ix.columns) elements.push_back(sql::index_element(c));
    out.push_back(fmt::format("CREATE {}INDEX {} ON {} USING {} ({}){}", ix.unique ? "UNIQUE " : "",
                              quote_ident(fmt::format("i{}_{}", n, k)), table,
                              sql::access_method(ix.method), fmt::join(elements, ", "),
                              ix.where ? " WHERE " + *ix.where : ""));
  }
  return out;
}

/// What the server said when it refused a statement.
struct Refusal {
  std::string message, sqlstate;
};

/// Runs `statements` in a savepoint, kept when they all succeed (`keep`) and otherwise rolled
/// back; what the server said when one fails.
std::optional<Refusal> in_savepoint(pg::Connection& db, const std::vector<std::string>& statements,
                                    bool keep) {
  db.exec_one("SAVEPOINT sg_norm");
  std::optional<Refusal> error;
  try {
    for (const auto& s : statements) db.exec_one(s);
  } catch (const pg::QueryError& e) {
    error = Refusal{e.server_message(), e.sqlstate()};
  }
  db.exec_one(error || !keep ? "ROLLBACK TO SAVEPOINT sg_norm" : "RELEASE SAVEPOINT sg_norm");
  return error;
}
std::optional<Refusal> try_keep(pg::Connection& db, const std::vector<std::string>& s) {
  return in_savepoint(db, s, true);
}
/// Whether the server takes `statements`, leaving nothing behind either way.
std::optional<Refusal> probe(pg::Connection& db, const std::vector<std::string>& s) {
  return in_savepoint(db, s, false);
}

/// Stand-ins for enum types to which the models add values: a value added to the database's type
/// cannot be used in the transaction that adds it, so the scratch schema gets a copy of the type
/// with the models' values, and what the server says of the copy is said of the original.
class StandIns {
public:
  void add(std::string original, std::string stand_in) {
    names_.emplace_back(std::move(original), std::move(stand_in));
  }
  bool empty() const { return names_.empty(); }
  /// A column's type, the stand-in where it names a type that has one (arrays of it too).
  std::string column_type(const std::string& type) const {
    std::string base = type;
    while (base.ends_with("[]")) base.resize(base.size() - 2);
    for (const auto& [original, stand_in] : names_)
      if (base == original) return stand_in + type.substr(base.size());
    return type;
  }
  /// What the server spelled, with every stand-in named as the original.
  std::string back(std::string text) const {
    for (const auto& [original, stand_in] : names_)
      for (auto at = text.find(stand_in); at != std::string::npos;
           at = text.find(stand_in, at + original.size()))
        text.replace(at, stand_in.size(), original);
    return text;
  }
  std::optional<std::string> back(const std::optional<std::string>& text) const {
    return text ? std::optional(back(*text)) : std::nullopt;
  }

private:
  std::vector<std::pair<std::string, std::string>> names_; // original spelling, stand-in
};

/// Creates, in the open transaction, what the models' columns may name that the database does
/// not have yet: their schemas and their enum types; with `stand_ins`, copies in `scratch` of the
/// database's enum types that lack a value the models give them.
void create_types(pg::Connection& db, const model::Metadata& models, DiagnosticList& diags,
                  StandIns* stand_ins = nullptr, const std::string& scratch = {},
                  std::vector<std::string>* refused = nullptr) {
  for (const auto& s : models.schemas)
    if (auto err = try_keep(db, {fmt::format("CREATE SCHEMA IF NOT EXISTS {}", quote_ident(s))})) {
      SourceLoc at; // where the models first name it
      for (const auto& t : models.tables)
        if (t.schema == s && at.file.empty()) at = t.origin.loc;
      for (const auto& e : models.enums)
        if (e.schema == s && at.file.empty()) at = e.origin.loc;
      diags.error(at, fmt::format("schema {}: the server refuses it: {}", s, err->message));
    }
  for (std::size_t k = 0; k < models.enums.size(); ++k) {
    const auto& e = models.enums[k];
    std::string values;
    for (const auto& v : e.values) values += (values.empty() ? "" : ", ") + sql::quote_literal(v);
    auto has = db.exec("SELECT to_regtype($1) IS NOT NULL, ARRAY(SELECT enumlabel FROM pg_enum "
                       "WHERE enumtypid = to_regtype($1) ORDER BY enumsortorder)::text[]",
                       {qualified(e.schema, e.name)});
    std::string target = qualified(e.schema, e.name);
    if (has.get(0, 0) == "t") {
      const auto existing = pg::parse_array(has.get(0, 1));
      const bool adds = std::any_of(e.values.begin(), e.values.end(), [&](const auto& v) {
        return std::find(existing.begin(), existing.end(), v) == existing.end();
      });
      if (!adds || !stand_ins) continue;
      target = qualified(scratch, fmt::format("e{}_", k));
      stand_ins->add(sql::type_name(e.schema, e.name), target);
    }
    if (auto err = try_keep(db, {fmt::format("CREATE TYPE {} AS ENUM ({})", target, values)})) {
      diags.error(e.origin.loc, fmt::format("enum type {}: the server refuses it: {}",
                                            e.qualified_name(), err->message));
      if (refused) refused->push_back(sql::type_name(e.schema, e.name));
    }
  }
}

/// Runs `fn` in a transaction that is always rolled back.
template <class Fn>
void rolled_back(pg::Connection& db, Fn fn) {
  db.exec_one("BEGIN");
  try {
    fn();
  } catch (...) {
    try {
      db.exec_one("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  db.exec_one("ROLLBACK");
}

/// Says which parts of table `t` (scratch number `n`) the server refuses, each at its own model:
/// every column alone, then each check and index on the columns the server takes (a column whose
/// default alone is refused stays, without it; one whose type is refused goes, and what then
/// names a missing column says nothing new).
void diagnose_table(pg::Connection& db, const model::Table& t, std::size_t n,
                    const std::string& scratch, const StandIns& stand_ins,
                    const std::vector<std::string>& refused_types, DiagnosticList& diags) {
  // a column of an enum type the server refused: said at the enum already
  auto of_refused_type = [&](const model::Column& c) {
    std::string base = c.type;
    while (base.ends_with("[]")) base.resize(base.size() - 2);
    return std::find(refused_types.begin(), refused_types.end(), base) != refused_types.end();
  };
  model::Table bare = t;
  for (auto& c : bare.columns) c.type = stand_ins.column_type(c.type);
  bare.checks.clear();
  bare.indexes.clear();
  std::vector<std::string> dropped; // columns whose type the server refuses
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    const auto& c = t.columns[i];
    model::Table alone;
    alone.columns = {bare.columns[i]};
    const auto err = probe(db, scratch_ddl(alone, n, scratch));
    if (!err) continue;
    if (!of_refused_type(c))
      diags.error(c.origin.loc, fmt::format("column {}.{} ({}{}): the server refuses it: {}",
                                            t.qualified_name(), c.name, c.type,
                                            c.server_default ? " DEFAULT " + *c.server_default : "",
                                            stand_ins.back(err->message)));
    alone.columns[0].server_default.reset();
    if (!probe(db, scratch_ddl(alone, n, scratch))) {
      bare.columns[i].server_default.reset();
    } else {
      bare.columns[i].name.clear(); // removed below
      dropped.push_back(c.name);
    }
  }
  std::erase_if(bare.columns, [](const auto& c) { return c.name.empty(); });
  auto report = [&](const SourceLoc& at, const std::string& what, const std::optional<Refusal>& e) {
    if (!e) return;
    constexpr std::string_view undefined_column = "42703";
    if (e->sqlstate == undefined_column)
      for (const auto& d : dropped)
        if (e->message.find(fmt::format("\"{}\"", d)) != std::string::npos) return;
    diags.error(at, fmt::format("{} on {}: the server refuses it: {}", what, t.qualified_name(),
                                stand_ins.back(e->message)));
  };
  for (const auto& ck : t.checks) {
    model::Table one = bare;
    one.checks = {ck};
    report(ck.origin.loc, "check " + ck.name, probe(db, scratch_ddl(one, n, scratch)));
  }
  for (const auto& ix : t.indexes) {
    model::Table one = bare;
    one.indexes = {ix};
    report(ix.origin.loc, "index " + ix.name, probe(db, scratch_ddl(one, n, scratch)));
  }
}

/// Normalises tables [first, last) of `models` into `out`, in one transaction that is rolled back.
void normalize_chunk(pg::Connection& db, const model::Metadata& models, model::Metadata& out,
                     std::size_t first, std::size_t last) {
  const std::string scratch = fmt::format("sg_normalize_{}", ::getpid());
  rolled_back(db, [&] {
    DiagnosticList diags;
    db.exec_one(fmt::format("CREATE SCHEMA {}", quote_ident(scratch)));
    StandIns stand_ins;
    std::vector<std::string> refused_types;
    create_types(db, models, diags, &stand_ins, scratch, &refused_types);
    // the scratch tables: a table's columns on the stand-ins where the models add enum values
    auto ddl = [&](std::size_t n) {
      if (stand_ins.empty()) return scratch_ddl(models.tables[n], n, scratch);
      auto t = models.tables[n];
      for (auto& c : t.columns) c.type = stand_ins.column_type(c.type);
      return scratch_ddl(t, n, scratch);
    };
    // every table at once; only when that fails, table by table, keeping those that pass
    std::vector<std::string> all;
    for (std::size_t n = first; n < last; ++n)
      for (auto& s : ddl(n)) all.push_back(std::move(s));
    if (try_keep(db, all)) {
      for (std::size_t n = first; n < last; ++n)
        if (try_keep(db, ddl(n)))
          diagnose_table(db, models.tables[n], n, scratch, stand_ins, refused_types, diags);
      if (!diags.has_errors())
        diags.error(SourceLoc{}, "the server refuses the models, and no single table shows why");
    }
    if (diags.has_errors()) throw DiagnosticsError(diags);

    // read back the server's spelling of everything
    auto cols = db.exec(R"(
      SELECT substr(c.relname, 2)::int, a.attnum - 1, format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid)
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = $1::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped)",
                        {quote_ident(scratch)});
    for (int i = 0; i < cols.rows(); ++i) {
      auto& c = out.tables.at(std::stoul(std::string(cols.get(i, 0))))
                    .columns.at(std::stoul(std::string(cols.get(i, 1))));
      c.type = stand_ins.back(std::string(cols.get(i, 2)));
      if (c.server_default) c.server_default = stand_ins.back(cols.optional(i, 3));
    }
    auto checks = db.exec(R"(
      SELECT substr(c.relname, 2)::int, con.conname, pg_get_expr(con.conbin, con.conrelid)
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
      WHERE c.relnamespace = $1::regnamespace AND con.contype = 'c')",
                          {quote_ident(scratch)});
    for (int i = 0; i < checks.rows(); ++i)
      out.tables.at(std::stoul(std::string(checks.get(i, 0))))
          .checks.at(std::stoul(std::string(checks.get(i, 1)).substr(1)))
          .expression = stand_ins.back(std::string(checks.get(i, 2)));
    auto idx = db.exec(fmt::format(R"(
      SELECT i.relname,
             {},
             pg_get_expr(ix.indpred, ix.indrelid, true)
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
      WHERE i.relnamespace = $1::regnamespace)",
                                   catalog::index_columns_sql),
                       {quote_ident(scratch)});
    for (int i = 0; i < idx.rows(); ++i) {
      const std::string name(idx.get(i, 0)); // i<n>_<k>
      const auto sep = name.find('_');
      auto& ix = out.tables.at(std::stoul(name.substr(1, sep - 1)))
                     .indexes.at(std::stoul(name.substr(sep + 1)));
      ix.columns = pg::parse_array(idx.get(i, 1));
      for (auto& c : ix.columns) c = stand_ins.back(c);
      ix.where = stand_ins.back(idx.optional(i, 2));
    }
  });
}

/// Makes the models' tables exist under their own names, with the models' columns and types, in
/// the open transaction: what views, functions, triggers and policies name must resolve as it
/// will once the revision ran (a view over a column whose type the models change has the new
/// type). A missing table is created (columns and types only); an existing one whose columns
/// differ is renamed aside and created so (which locks it until the rollback). What the server
/// refuses here, normalize_chunk() reported.
void create_model_tables(pg::Connection& db, const model::Metadata& models) {
  auto r = db.exec(R"(
    SELECT n.nspname, c.relname, a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1::text[]))",
                   {pg::array_literal(models.schemas)});
  std::map<std::pair<std::string, std::string>, std::set<std::string>> existing;
  for (int i = 0; i < r.rows(); ++i) {
    auto& cols = existing[{std::string(r.get(i, 0)), std::string(r.get(i, 1))}];
    if (!r.is_null(i, 2)) cols.emplace(r.get(i, 2));
  }
  // the models' columns as the server spells them, to tell which tables differ
  std::vector<std::string> declared;
  for (const auto& t : models.tables)
    for (const auto& c : t.columns) declared.push_back(c.type);
  std::vector<std::string> spelled;
  {
    auto s = db.exec("SELECT coalesce(format_type(to_regtype(t), NULL), t) FROM "
                     "unnest($1::text[]) WITH ORDINALITY u(t, k) ORDER BY k",
                     {pg::array_literal(declared)});
    for (int i = 0; i < s.rows(); ++i) spelled.emplace_back(s.get(i, 0));
  }
  std::size_t at = 0, aside = 0;
  for (const auto& t : models.tables) {
    const auto table = qualified(t.schema, t.name);
    std::vector<std::string> cols;
    std::set<std::string> wanted;
    for (const auto& c : t.columns) {
      cols.push_back(quote_ident(c.name) + " " + c.type);
      // to_regtype drops a modifier: the declared one follows (a spelling that still differs
      // only sets the table aside when it need not)
      const auto open = c.type.find('('), close = c.type.find(')');
      const auto modifier = open != std::string::npos && close != std::string::npos && close > open
                                ? c.type.substr(open, close - open + 1)
                                : std::string();
      wanted.insert(c.name + " " + spelled.at(at++) + modifier);
    }
    auto it = existing.find({t.schema, t.name});
    if (it != existing.end()) {
      if (std::includes(it->second.begin(), it->second.end(), wanted.begin(), wanted.end()))
        continue;
      try_keep(db, {fmt::format("ALTER TABLE {} RENAME TO {}", table,
                                quote_ident(fmt::format("sg_normalize_aside_{}", aside++)))});
    }
    try_keep(db, {fmt::format("CREATE TABLE {} ({})", table, fmt::join(cols, ", "))});
  }
}

/// One model view or object being normalised: how its statement went and where it is found.
struct Created {
  std::optional<Refusal> refused;
  std::string oid; // empty: not found
};

/// Whether the server refused a statement because it names a relation that does not exist:
/// one the models do not make (it will fail at upgrade) or that later statements here make.
bool undefined_relation(const std::optional<Refusal>& r) {
  return r && r->sqlstate == "42P01";
}

/// The typed view check: the columns the server made of the view's query against the struct's
/// members (their types spelled by the server too), all mismatches at once.
void check_view_columns(const model::View& v,
                        const std::vector<std::pair<std::string, std::string>>& made,
                        const std::vector<std::pair<std::string, std::string>>& declared,
                        DiagnosticList& diags) {
  const auto name = v.qualified_name();
  const auto n = std::min(made.size(), declared.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto& at = v.columns[i].origin.loc;
    if (made[i].first != declared[i].first)
      diags.error(at, fmt::format("view {}: column {} of its query is {} ({}), but the struct's "
                                  "member {} is {}",
                                  name, i + 1, made[i].first, made[i].second, i + 1,
                                  declared[i].first));
    else if (made[i].second != declared[i].second)
      diags.error(at, fmt::format("view {}: column {} is {} in the database, but the struct says {}",
                                  name, made[i].first, made[i].second, declared[i].second));
  }
  for (std::size_t i = n; i < made.size(); ++i)
    diags.error(v.origin.loc, fmt::format("view {}: its query has column {} ({}), which the "
                                          "struct has no member for",
                                          name, made[i].first, made[i].second));
  for (std::size_t i = n; i < declared.size(); ++i)
    diags.error(v.origin.loc, fmt::format("view {}: the struct's member {} ({}) is no column of "
                                          "its query",
                                          name, declared[i].first, declared[i].second));
}

/// The models' views and schema objects as the server spells them (`out`'s definitions and
/// depends_on), each created as its revision would create it, in a transaction that is rolled
/// back: functions and triggers by CREATE OR REPLACE, a policy after DROP POLICY IF EXISTS, a
/// view over the one it replaces; read back as reflection reads the database's. A statement the
/// server refuses is a UserError at its model, except one that names a relation that does not
/// exist (the models make it some other way, or the upgrade will fail): then its definition
/// stays empty.
void normalize_objects(pg::Connection& db, const model::Metadata& models, model::Metadata& out) {
  if (models.views.empty() && models.objects.empty()) return;
  using K = model::ObjectKind;
  const std::string scratch = fmt::format("sg_normalize_{}", ::getpid());
  DiagnosticList diags;
  rolled_back(db, [&] {
    db.exec_one(fmt::format("CREATE SCHEMA {}", quote_ident(scratch)));
    DiagnosticList ignored; // normalize_chunk() said what the server refuses of these
    create_types(db, models, ignored);
    create_model_tables(db, models);

    // what references comes after what it references (ObjectKind's order); views after functions
    std::vector<Created> objects(models.objects.size());
    auto refused_at = [&](const model::DbObject& o, const Refusal& r) {
      diags.error(o.origin.loc,
                  fmt::format("{}: the server refuses it: {}", o.describe(), r.message));
    };
    auto create_objects = [&](std::initializer_list<K> kinds) {
      for (std::size_t k = 0; k < models.objects.size(); ++k) {
        const auto& o = models.objects[k];
        if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) continue;
        std::vector<std::string> statements;
        switch (o.kind) {
        case K::extension: // its definition is its name: made only for what uses it
          try_keep(db, {"CREATE EXTENSION IF NOT EXISTS " + quote_ident(o.name)});
          continue;
        case K::sequence:
          statements = {fmt::format("CREATE SEQUENCE {}{}", qualified(scratch, fmt::format("s{}", k)),
                                    pg::sequence_options(o.sql))};
          break;
        case K::function:
        case K::procedure: statements = {pg::or_replace(o.sql)}; break;
        case K::trigger:
          statements = pg::is_constraint_trigger(o.sql)
                           ? std::vector<std::string>{fmt::format("DROP TRIGGER IF EXISTS {} ON {}",
                                                                  quote_ident(o.name), o.target),
                                                      o.sql}
                           : std::vector<std::string>{pg::or_replace(o.sql)};
          break;
        case K::policy:
          statements = {fmt::format("DROP POLICY IF EXISTS {} ON {}", quote_ident(o.name), o.target),
                        o.sql};
          break;
        case K::grant: continue; // compared by their statements
        }
        objects[k].refused = try_keep(db, statements);
        // what CREATE OR REPLACE cannot change (the return type, a parameter's name): the
        // revision drops the routine and makes it again, and so does this
        constexpr std::string_view invalid_function_definition = "42P13";
        if ((o.kind == K::function || o.kind == K::procedure) && objects[k].refused &&
            objects[k].refused->sqlstate == invalid_function_definition) {
          objects[k].refused =
              try_keep(db, {fmt::format("DROP ROUTINE {}{} CASCADE", qualified(o.schema, o.name),
                                        o.target),
                            o.sql});
          // what the CASCADE took along of the routines made before it is made again
          for (std::size_t before = 0; before < k; ++before)
            if (const auto& b = models.objects[before];
                (b.kind == K::function || b.kind == K::procedure) && !objects[before].refused)
              try_keep(db, {pg::or_replace(b.sql)});
        }
        if (objects[k].refused && !undefined_relation(objects[k].refused))
          refused_at(o, *objects[k].refused);
      }
    };
    create_objects({K::extension, K::sequence, K::function, K::procedure});

    // views: over what has the name (a view replaced, a materialized view dropped first), again
    // while one made later lets another through, and again if dropping one took another along
    std::vector<std::string> view_names;
    for (const auto& v : models.views) view_names.push_back(qualified(v.schema, v.name));
    std::vector<Created> views(models.views.size());
    auto relkinds = [&] {
      auto r = db.exec("SELECT c.relkind FROM unnest($1::text[]) WITH ORDINALITY u(name, k) "
                       "LEFT JOIN pg_class c ON c.oid = to_regclass(u.name) ORDER BY u.k",
                       {pg::array_literal(view_names)});
      std::vector<std::string> kinds;
      for (int i = 0; i < r.rows(); ++i) kinds.emplace_back(r.get(i, 0));
      return kinds;
    };
    std::vector<bool> made(models.views.size(), false);
    for (std::size_t round = 0; round <= models.views.size(); ++round) {
      const auto kinds = relkinds();
      bool progress = false, pending = false;
      for (std::size_t k = 0; k < models.views.size(); ++k) {
        if (made[k] && kinds[k] == "v") continue;
        if (round > 0 && !made[k] && !undefined_relation(views[k].refused)) continue;
        const auto& v = models.views[k];
        const auto create = fmt::format("CREATE VIEW {} AS\n{}", view_names[k],
                                        catalog::trimmed_definition(v.sql));
        std::optional<Refusal> err;
        if (kinds[k] == "m") {
          err = try_keep(db, {"DROP MATERIALIZED VIEW " + view_names[k] + " CASCADE", create});
        } else if (kinds[k] == "v") {
          err = try_keep(db, {pg::or_replace(create)});
          constexpr std::string_view columns_changed = "42P16";
          if (err && err->sqlstate == columns_changed)
            err = try_keep(db, {"DROP VIEW " + view_names[k] + " CASCADE", create});
        } else {
          err = try_keep(db, {create});
        }
        views[k].refused = err;
        made[k] = !err;
        progress |= !err;
        pending |= undefined_relation(err);
      }
      if (!pending || !progress) break;
    }
    for (std::size_t k = 0; k < models.views.size(); ++k)
      if (views[k].refused && !undefined_relation(views[k].refused))
        diags.error(models.views[k].origin.loc,
                    fmt::format("view {}: the server refuses it: {}",
                                models.views[k].qualified_name(), views[k].refused->message));
    create_objects({K::trigger, K::policy});

    // the struct's members as a scratch table each: their types as the server spells them
    for (std::size_t k = 0; k < models.views.size(); ++k) {
      const auto& v = models.views[k];
      if (v.columns.empty()) continue;
      std::vector<std::string> cols;
      for (const auto& c : v.columns) cols.push_back(quote_ident(c.name) + " " + c.type);
      const auto table = qualified(scratch, fmt::format("c{}", k));
      if (!try_keep(db, {fmt::format("CREATE TABLE {} ({})", table, fmt::join(cols, ", "))}))
        continue;
      for (const auto& c : v.columns) // say which member the server refuses
        if (auto err = probe(db, {fmt::format("CREATE TABLE {} ({} {})", table,
                                              quote_ident(c.name), c.type)}))
          diags.error(c.origin.loc, fmt::format("view {}: member {} ({}): the server refuses "
                                                "the type: {}",
                                                v.qualified_name(), c.name, c.type, err->message));
    }
    if (diags.has_errors()) return;

    // where each one is now, in one query
    std::vector<std::string> lookup_kind, lookup_a, lookup_b;
    for (std::size_t k = 0; k < models.views.size(); ++k) {
      lookup_kind.push_back("rel");
      lookup_a.push_back(view_names[k]);
      lookup_b.push_back(qualified(scratch, fmt::format("c{}", k)));
    }
    for (std::size_t k = 0; k < models.objects.size(); ++k) {
      const auto& o = models.objects[k];
      lookup_kind.push_back(o.kind == K::sequence                                ? "rel"
                            : o.kind == K::function || o.kind == K::procedure ? "proc"
                            : o.kind == K::trigger                             ? "trigger"
                            : o.kind == K::policy                              ? "policy"
                                                                               : "none");
      lookup_a.push_back(o.kind == K::sequence ? qualified(scratch, fmt::format("s{}", k))
                         : o.kind == K::function || o.kind == K::procedure
                             ? qualified(o.schema, o.name) + o.target
                             : o.name);
      lookup_b.push_back(o.target);
    }
    auto found = db.exec(R"(
      SELECT CASE u.kind
               WHEN 'rel' THEN to_regclass(u.a)::oid
               WHEN 'proc' THEN to_regprocedure(u.a)::oid
               WHEN 'trigger' THEN (SELECT t.oid FROM pg_trigger t
                                    WHERE t.tgrelid = to_regclass(u.b) AND t.tgname = u.a)
               WHEN 'policy' THEN (SELECT p.oid FROM pg_policy p
                                   WHERE p.polrelid = to_regclass(u.b) AND p.polname = u.a)
             END,
             CASE u.kind WHEN 'rel' THEN to_regclass(nullif(u.b, ''))::oid END
      FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY u(kind, a, b, k)
      ORDER BY u.k)",
                         {pg::array_literal(lookup_kind), pg::array_literal(lookup_a),
                          pg::array_literal(lookup_b)});
    std::map<catalog::Key, std::size_t> view_of, object_of;
    std::map<std::string, std::size_t> members_of; // a scratch table's oid → its view
    std::vector<std::string> view_oids;
    std::map<K, std::vector<std::string>> oids_of;
    for (std::size_t k = 0; k < models.views.size(); ++k) {
      if (!views[k].refused && !found.is_null(static_cast<int>(k), 0)) {
        views[k].oid = found.get(static_cast<int>(k), 0);
        view_of[{"pg_class", views[k].oid}] = k;
        view_oids.push_back(views[k].oid);
      }
      if (!found.is_null(static_cast<int>(k), 1))
        members_of[std::string(found.get(static_cast<int>(k), 1))] = k;
    }
    for (std::size_t k = 0; k < models.objects.size(); ++k) {
      const int row = static_cast<int>(models.views.size() + k);
      const auto& o = models.objects[k];
      if (objects[k].refused || found.is_null(row, 0)) {
        if (!objects[k].refused && lookup_kind[models.views.size() + k] != "none")
          diags.error(o.origin.loc, fmt::format("{}: its statement makes no {} of that name{}",
                                                o.describe(), model::to_string(o.kind),
                                                o.target.empty() ? "" : " on " + o.target));
        continue;
      }
      objects[k].oid = found.get(row, 0);
      const auto kind = o.kind == K::procedure ? K::function : o.kind;
      const char* cls = kind == K::function  ? "pg_proc"
                        : kind == K::trigger ? "pg_trigger"
                        : kind == K::policy  ? "pg_policy"
                                             : "pg_class";
      object_of[{cls, objects[k].oid}] = k;
      oids_of[kind].push_back(objects[k].oid);
    }
    if (diags.has_errors()) return;

    // the typed check, on the columns of the views made and of the members' scratch tables
    std::vector<std::string> typed = view_oids;
    for (const auto& [oid, k] : members_of) typed.push_back(oid);
    auto cols = db.exec("SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) "
                        "FROM pg_attribute a WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 "
                        "AND NOT a.attisdropped ORDER BY a.attrelid, a.attnum",
                        {pg::array_literal(typed)});
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> columns_of;
    for (int i = 0; i < cols.rows(); ++i)
      columns_of[std::string(cols.get(i, 0))].emplace_back(cols.get(i, 1), cols.get(i, 2));
    for (const auto& [oid, k] : members_of)
      if (!views[k].oid.empty())
        check_view_columns(models.views[k], columns_of[views[k].oid], columns_of[oid], diags);

    // the server's spelling, read as reflection reads it
    std::vector<catalog::Key> keys;
    for (auto& [key, v] : catalog::read_views(db, catalog::Filter::oids,
                                              pg::array_literal(view_oids))) {
      out.views[view_of.at(key)].definition = std::move(v.definition);
      keys.push_back(key);
    }
    for (auto& [kind, oids] : oids_of)
      for (auto& [key, o] :
           catalog::read_objects(db, kind, catalog::Filter::oids, pg::array_literal(oids))) {
        auto& mine = out.objects[object_of.at(key)];
        if (kind == K::sequence) // read under its scratch name
          o.definition = catalog::sequence_statement(mine.schema, mine.name, "") +
                         o.definition.substr(catalog::sequence_statement(o.schema, o.name, "").size());
        else
          keys.push_back(key);
        if (kind == K::function) mine.target = o.target; // the server's spelling of the types
        mine.definition = std::move(o.definition);
      }
    for (auto& [key, deps] : catalog::read_depends(db, keys)) {
      if (auto v = view_of.find(key); v != view_of.end())
        out.views[v->second].depends_on = std::move(deps);
      else if (auto o = object_of.find(key); o != object_of.end())
        out.objects[o->second].depends_on = std::move(deps);
    }
  });
  for (auto& o : out.objects)
    if (o.kind == K::extension) o.definition = o.name;
  if (diags.has_errors()) throw DiagnosticsError(diags);
}

} // namespace

namespace {

/// What decides how the server spells a table's things, its names aside: tables of one shape
/// share one scratch table (a thousand tables of a few shapes cost a few scratch tables).
std::string shape(const model::Table& t) {
  std::string key;
  for (const auto& c : t.columns)
    key += fmt::format("c{}\x1f{}\x1f{}\x1e", c.name, c.type, c.server_default.value_or("\x1d"));
  for (const auto& ck : t.checks) key += fmt::format("k{}\x1e", ck.expression);
  for (const auto& ix : t.indexes)
    key += fmt::format("i{}\x1f{}\x1f{}\x1f{}\x1e", fmt::join(ix.columns, "\x1f"), ix.unique,
                       ix.where.value_or("\x1d"), ix.method);
  return key;
}

} // namespace

model::Metadata normalize(pg::Connection& db, const model::Metadata& models) {
  // one representative per shape, with generic constraint and index names
  model::Metadata reps;
  reps.schemas = models.schemas;
  reps.enums = models.enums;
  std::map<std::string, std::size_t> rep_of_shape;
  std::vector<std::size_t> rep_of(models.tables.size());
  for (std::size_t i = 0; i < models.tables.size(); ++i) {
    auto [it, fresh] = rep_of_shape.emplace(shape(models.tables[i]), reps.tables.size());
    if (fresh) reps.tables.push_back(models.tables[i]);
    rep_of[i] = it->second;
  }
  model::Metadata normalized = reps;
  // a few hundred tables per transaction: each scratch table takes locks, and a transaction may
  // hold only max_locks_per_transaction × max_connections of them
  constexpr std::size_t chunk = 200;
  for (std::size_t first = 0; first < reps.tables.size() || first == 0; first += chunk) {
    normalize_chunk(db, reps, normalized, first, std::min(reps.tables.size(), first + chunk));
    if (reps.tables.empty()) break;
  }
  model::Metadata out = models;
  normalize_objects(db, models, out);
  for (std::size_t i = 0; i < out.tables.size(); ++i) {
    auto& t = out.tables[i];
    const auto& n = normalized.tables[rep_of[i]];
    for (std::size_t k = 0; k < t.columns.size(); ++k) {
      t.columns[k].type = n.columns[k].type;
      t.columns[k].server_default = n.columns[k].server_default;
    }
    for (std::size_t k = 0; k < t.checks.size(); ++k)
      t.checks[k].expression = n.checks[k].expression;
    for (std::size_t k = 0; k < t.indexes.size(); ++k) {
      t.indexes[k].columns = n.indexes[k].columns;
      t.indexes[k].where = n.indexes[k].where;
    }
  }
  return out;
}

std::function<bool(const std::string&, const std::string&)>
cast_checker(pg::Connection& db, const model::Metadata& models) {
  auto cache = std::make_shared<std::map<std::pair<std::string, std::string>, bool>>();
  return [&db, &models, cache](const std::string& from, const std::string& to) {
    auto key = std::pair{from, to};
    if (auto it = cache->find(key); it != cache->end()) return it->second;
    bool needs = false;
    // the target may be a type the models create in this same change
    rolled_back(db, [&] {
      DiagnosticList ignored; // normalize() reported what the server refuses
      create_types(db, models, ignored);
      // no USING needed: the same type, a string target (I/O conversion is allowed in assignment),
      // an assignment or implicit cast, or arrays whose elements convert so
      auto r = db.exec(R"(
      WITH t AS (SELECT $1::regtype::oid AS f, $2::regtype::oid AS t),
           e AS (SELECT coalesce(nullif(ft.typelem, 0), t.f) AS f, coalesce(nullif(tt.typelem, 0), t.t) AS t,
                        ft.typcategory = 'A' AS farr, tt.typcategory = 'A' AS tarr, tt.typcategory AS tcat
                 FROM t JOIN pg_type ft ON ft.oid = t.f JOIN pg_type tt ON tt.oid = t.t)
      SELECT NOT (e.f = e.t
                  OR (e.tcat = 'S' AND NOT e.tarr)
                  OR (e.farr = e.tarr AND ((SELECT typcategory FROM pg_type WHERE oid = e.t) = 'S'
                                           OR EXISTS (SELECT 1 FROM pg_cast c WHERE c.castsource = e.f
                                                      AND c.casttarget = e.t AND c.castcontext IN ('a', 'i')))))
      FROM e)",
                       {from, to});
      needs = r.get(0, 0) == "t";
    });
    cache->emplace(key, needs);
    return needs;
  };
}

} // namespace schemagen::pg
