#include "schemagen/pg/reflect.hpp"
#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>
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
    auto idx = db.exec(R"(
      SELECT i.relname,
             ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) FROM generate_series(1, ix.indnkeyatts) k ORDER BY k)::text[],
             pg_get_expr(ix.indpred, ix.indrelid, true)
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
      WHERE i.relnamespace = $1::regnamespace)",
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
