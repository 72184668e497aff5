// A SQLite database read as the metadata scan produces: what the pragma table-valued functions
// say, and from the SQL text what only it keeps (constraint names, checks, index expressions);
// and the models normalised by creating them in a scratch database and reading them back.

#include "internal.hpp"
#include "schemagen/model/naming.hpp"
#include "schemagen/support/json.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <regex>
#include <tuple>

namespace schemagen::sqlite {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  // SQLite's names are case-insensitive in ASCII
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}
bool same_names(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const auto& x, const auto& y) { return same_name(x, y); });
}

/// The name the text gives the first not yet `used` of `named` that `matches`; "" for none.
template <class T, class Matches>
std::string name_from_text(const std::vector<T>& named, std::vector<bool>& used, Matches matches) {
  for (std::size_t i = 0; i < named.size(); ++i)
    if (!used[i] && matches(named[i])) {
      used[i] = true;
      return named[i].name;
    }
  return "";
}

std::string referential_action(const std::optional<std::string>& pragma) {
  const auto a = pragma.value_or("NO ACTION");
  return a == "NO ACTION" ? "" : a;
}

const std::string& text(const std::optional<std::string>& v) {
  static const std::string empty;
  return v ? *v : empty;
}

/// The tables of `db` as read, in the order of their names, not yet canonicalised: checks in
/// the order of the text.
model::Metadata read(Connection& c, const dialect::ReflectOptions& options, const std::string& db,
                     const std::vector<std::string>* only = nullptr) {
  // every query ranges over the same tables: ordinary ones, not SQLite's own, nor virtual tables
  // and the shadow tables they keep their data in (pragma_table_list: SQLite 3.37)
  const auto from = fmt::format("{}.sqlite_schema s", quote_identifier(db));
  std::string user_tables =
      "s.type = 'table' AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND s.name IN "
      "(SELECT l.name FROM pragma_table_list l WHERE l.schema = ?1 AND l.type = 'table')";
  std::vector<std::optional<std::string>> schema = {db};
  if (only) {
    user_tables += " AND s.name COLLATE NOCASE IN (SELECT value FROM json_each(?2))";
    schema.push_back(json::list(*only));
  }

  model::Metadata m;
  std::map<std::string, std::size_t> index_of;
  std::vector<TableText> texts;
  for (const auto& row : c.query(
           fmt::format("SELECT s.name, s.sql FROM {} WHERE {} ORDER BY s.name", from, user_tables),
           schema)) {
    const auto& name = text(row[0]);
    const bool version_table =
        !options.version_table.empty() &&
        (name == options.version_table || name == options.version_table + "_log");
    if (version_table || dialect::excluded(options.exclude_tables, "public", name)) continue;
    model::Table t;
    t.name = name;
    index_of[name] = m.tables.size();
    m.tables.push_back(std::move(t));
    texts.push_back(parse_create_table(text(row[1])));
  }
  // `fn`(table, row) for each row of `columns` of the tables read joined with `joins`
  auto each = [&](std::string_view columns, std::string_view joins, std::string_view rest,
                  auto fn) {
    for (const auto& row : c.query(fmt::format("SELECT s.name, {} FROM {} {} WHERE {} {}", columns,
                                               from, joins, user_tables, rest),
                                   schema)) {
      const auto it = index_of.find(text(row[0]));
      if (it != index_of.end()) fn(it->second, row);
    }
  };

  // columns, and the primary key in its own order
  std::vector<std::map<int, std::string>> primary(m.tables.size());
  std::vector<std::string> declared(m.tables.size()); // the primary key column's declared type
  each("p.name, p.type, p.\"notnull\", p.dflt_value, p.pk", "JOIN pragma_table_xinfo(s.name, ?1) p",
       "AND p.hidden = 0 ORDER BY s.name, p.cid", [&](std::size_t i, const auto& row) {
         model::Column col;
         col.name = text(row[1]);
         col.type = canonical_type(text(row[2]));
         const int pk = std::stoi(text(row[5]));
         col.nullable = text(row[3]) == "0" && pk == 0;
         if (row[4]) col.server_default = canonical_default(*row[4]);
         if (pk > 0) {
           primary[i][pk] = col.name;
           declared[i] = text(row[2]);
         }
         m.tables[i].columns.push_back(std::move(col));
       });
  for (std::size_t i = 0; i < m.tables.size(); ++i) {
    auto& t = m.tables[i];
    if (primary[i].empty()) continue;
    t.primary_key = model::PrimaryKey{texts[i].primary_key ? texts[i].primary_key->name : "", {}};
    for (const auto& [position, name] : primary[i]) t.primary_key->columns.push_back(name);
    // SQLite's rule for the rowid alias: declared exactly INTEGER, the whole key, a rowid table
    if (primary[i].size() == 1 && !texts[i].without_rowid && same_name(declared[i], "INTEGER"))
      for (auto& col : t.columns)
        if (col.name == primary[i].begin()->second) {
          col.autoincrement = true;
          // numbers never given twice: what identity asks for on SQLite
          if (texts[i].autoincrement) col.identity = model::Identity::by_default;
        }
  }

  // unique constraints (the indexes SQLite made for them) and indexes, a row per key column
  std::vector<std::vector<bool>> used_uniques(m.tables.size());
  for (std::size_t i = 0; i < m.tables.size(); ++i) used_uniques[i].resize(texts[i].uniques.size());
  struct Built {
    std::size_t table;
    std::string name, origin, sql;
    bool unique;
    std::vector<std::string> columns;
  };
  std::vector<Built> built;
  each("l.name, l.\"unique\", l.origin, x.name, i.sql",
       fmt::format("JOIN pragma_index_list(s.name, ?1) l JOIN pragma_index_xinfo(l.name, ?1) x "
                   "LEFT JOIN {}.sqlite_schema i ON i.type = 'index' AND i.name = l.name",
                   quote_identifier(db)),
       "AND x.key ORDER BY s.name, l.name, x.seqno", [&](std::size_t i, const auto& row) {
         if (built.empty() || built.back().table != i || built.back().name != text(row[1]))
           built.push_back({i, text(row[1]), text(row[3]), text(row[5]), text(row[2]) == "1", {}});
         built.back().columns.push_back(text(row[4]));
       });
  for (auto& b : built) {
    auto& t = m.tables[b.table];
    if (b.origin == "u") {
      auto name = name_from_text(texts[b.table].uniques, used_uniques[b.table],
                                 [&](const auto& u) { return same_names(u.columns, b.columns); });
      t.unique_constraints.push_back({std::move(name), std::move(b.columns), {}});
    } else if (b.origin == "c") {
      std::vector<std::string> columns;
      for (const auto& col : t.columns) columns.push_back(col.name);
      auto parsed = parse_create_index(b.sql, &columns);
      model::Index ix;
      ix.name = b.name;
      ix.columns = std::move(parsed.elements);
      ix.unique = b.unique;
      ix.where = std::move(parsed.where);
      t.indexes.push_back(std::move(ix));
    }
  }

  // foreign keys, a row per column
  std::vector<std::vector<bool>> used_fks(m.tables.size());
  for (std::size_t i = 0; i < m.tables.size(); ++i)
    used_fks[i].resize(texts[i].foreign_keys.size());
  std::vector<std::pair<std::size_t, model::ForeignKey>> fks;
  std::string last_id;
  each("f.id, f.\"table\", f.\"from\", f.\"to\", f.on_update, f.on_delete",
       "JOIN pragma_foreign_key_list(s.name, ?1) f", "ORDER BY s.name, f.id, f.seq",
       [&](std::size_t i, const auto& row) {
         if (fks.empty() || fks.back().first != i || last_id != text(row[1])) {
           model::ForeignKey fk;
           fk.referred_schema = "public";
           fk.referred_table = text(row[2]);
           fk.on_update = referential_action(row[5]);
           fk.on_delete = referential_action(row[6]);
           fks.emplace_back(i, std::move(fk));
           last_id = text(row[1]);
         }
         fks.back().second.columns.push_back(text(row[3]));
         // no referred column: the referred table's primary key, filled in below
         if (row[4]) fks.back().second.referred_columns.push_back(*row[4]);
       });
  for (auto& [i, fk] : fks) {
    // the referred table as it is named, however the reference spells it
    auto referred = index_of.find(fk.referred_table);
    if (referred == index_of.end())
      referred = std::find_if(index_of.begin(), index_of.end(), [&](const auto& named) {
        return same_name(named.first, fk.referred_table);
      });
    if (referred != index_of.end()) {
      const auto& parent = m.tables[referred->second];
      fk.referred_table = parent.name;
      if (fk.referred_columns.empty() && parent.primary_key)
        fk.referred_columns = parent.primary_key->columns;
    }
    fk.name = name_from_text(texts[i].foreign_keys, used_fks[i], [&](const auto& f) {
      return same_names(f.columns, fk.columns) && same_name(f.referred_table, fk.referred_table);
    });
    m.tables[i].foreign_keys.push_back(std::move(fk));
  }

  for (std::size_t i = 0; i < m.tables.size(); ++i)
    for (auto& ck : texts[i].checks)
      m.tables[i].checks.push_back({std::move(ck.name), std::move(ck.expression), {}});
  return m;
}

// ---- the scratch database's DDL: as a run would create the tables ---------------------------

std::string scratch_table_sql(const model::Table& t, const std::string& name,
                              const std::string& db) {
  return create_table_sql(t, name, db);
}

std::string scratch_index_sql(const model::Index& ix, const model::Table& t,
                              const std::string& db) {
  return create_index_sql(ix, t.name, db, &t.columns);
}

// ---- normalisation -----------------------------------------------------------------------------

/// An in-memory database attached to a connection for as long as this lives.
class Scratch {
public:
  explicit Scratch(Connection& c) : c_(c) {
    static std::atomic<unsigned> count = 0;
    name_ = fmt::format("sg_normalize_{}", ++count);
    c_.exec(fmt::format("ATTACH ':memory:' AS {}", quote_identifier(name_)));
  }
  ~Scratch() {
    try {
      c_.exec(fmt::format("DETACH {}", quote_identifier(name_)));
    } catch (...) { // nothing more to do: the connection keeps an empty database attached
    }
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& name() const { return name_; }

private:
  Connection& c_;
  std::string name_;
};

/// What SQLite said when it refused `sql`, or nullopt when it ran it. One statement only, so
/// that nothing a model spells runs more.
std::optional<std::string> refusal(Connection& c, const std::string& sql) {
  try {
    c.query(sql);
    return std::nullopt;
  } catch (const dialect::QueryError& e) {
    return e.server_message();
  }
}

/// Says which parts of table `t`, which SQLite refused with `message`, it refuses, each at its
/// own model: every column alone, then each check on the columns it takes (a column whose default
/// alone is refused stays, without it). Returns the columns refused.
std::vector<std::string> diagnose_table(Connection& c, const model::Table& t, const std::string& db,
                                        const std::string& message, DiagnosticList& diags) {
  const std::string probe = "sg_normalize_probe";
  // what SQLite took: a probe table, dropped again
  auto takes = [&](const model::Table& part) {
    auto err = refusal(c, scratch_table_sql(part, probe, db));
    if (!err)
      c.exec(fmt::format("DROP TABLE {}.{}", quote_identifier(db), quote_identifier(probe)));
    return err;
  };
  const auto errors = diags.error_count();
  std::vector<std::string> refused;
  model::Table good;
  for (const auto& col : t.columns) {
    model::Table alone;
    alone.columns = {col};
    const auto err = takes(alone);
    if (err) {
      refused.push_back(col.name);
      diags.error(col.origin.loc,
                  fmt::format("column {}.{} ({}{}): SQLite refuses it: {}", t.name, col.name,
                              col.type, col.server_default ? " DEFAULT " + *col.server_default : "",
                              *err));
    }
    alone.columns[0].server_default.reset();
    if (!err || !takes(alone)) good.columns.push_back(alone.columns[0]);
  }
  for (const auto& ck : t.checks) {
    if (good.columns.empty()) break;
    auto one = good;
    one.checks = {ck};
    if (const auto err = takes(one))
      diags.error(ck.origin.loc,
                  fmt::format("check {} on {}: SQLite refuses it: {}", ck.name, t.name, *err));
  }
  if (diags.error_count() == errors)
    diags.error(t.origin.loc, fmt::format("table {}: SQLite refuses it: {}", t.name, message));
  return refused;
}

/// Creates `t` and its indexes in `db`; what SQLite refuses goes to `diags`.
void create(Connection& c, const model::Table& t, const std::string& db, DiagnosticList& diags) {
  std::vector<std::string> refused;
  if (const auto err = refusal(c, scratch_table_sql(t, "", db)))
    refused = diagnose_table(c, t, db, *err, diags);
  else
    for (const auto& ix : t.indexes)
      if (const auto index_err = refusal(c, scratch_index_sql(ix, t, db)))
        diags.error(ix.origin.loc, fmt::format("index {} on {}: SQLite refuses it: {}", ix.name,
                                               t.name, *index_err));
  // CREATE TABLE takes a default that calls a function SQLite lacks: only using it says so (and
  // only a call can: a default with no parenthesis outside its strings needs no asking)
  auto calls = [](std::string_view e) {
    bool quoted = false;
    for (char ch : e) {
      if (ch == '\'') quoted = !quoted;
      if (ch == '(' && !quoted) return true;
    }
    return false;
  };
  for (const auto& col : t.columns)
    if (col.server_default && calls(*col.server_default) &&
        std::find(refused.begin(), refused.end(), col.name) == refused.end())
      if (const auto err = refusal(c, fmt::format("SELECT ({})", *col.server_default)))
        diags.error(col.origin.loc, fmt::format("column {}.{} DEFAULT {}: SQLite refuses it: {}",
                                                t.name, col.name, *col.server_default, *err));
}

/// The query of a CREATE VIEW statement as SQLite keeps it: what follows its AS.
std::string view_query(const std::string& create) {
  static const std::regex head(
      R"(^\s*CREATE\s+(TEMP(ORARY)?\s+)?VIEW\s+(IF\s+NOT\s+EXISTS\s+)?("[^"]*"|\[[^\]]*\]|`[^`]*`|[\w.]+)\s*(\([^)]*\))?\s*AS\s+)",
      std::regex::icase);
  std::smatch m;
  if (!std::regex_search(create, m, head)) return create;
  auto query = create.substr(static_cast<std::size_t>(m.length(0)));
  while (!query.empty() && (std::isspace(static_cast<unsigned char>(query.back())) || query.back() == ';'))
    query.pop_back();
  return query;
}

/// The file's views (their queries as SQLite keeps their text) and triggers (their statements):
/// what schemagen made of declared ones is exactly what it ran, so the texts compare as they are.
void read_views_and_triggers(Connection& c, const dialect::ReflectOptions& options,
                             const std::string& db, model::Metadata& m) {
  for (auto& row : c.query(fmt::format("SELECT type, name, tbl_name, sql FROM {}.sqlite_schema "
                                       "WHERE type IN ('view', 'trigger') AND sql IS NOT NULL "
                                       "ORDER BY name",
                                       quote_identifier(db)))) {
    const auto& type = text(row.at(0));
    const auto& name = text(row.at(1));
    const auto& table = text(row.at(2));
    if (type == "view") {
      if (dialect::excluded(options.exclude_tables, "public", name)) continue;
      model::View v;
      v.name = name;
      v.sql = view_query(text(row.at(3)));
      m.views.push_back(std::move(v));
    } else {
      if (dialect::excluded(options.exclude_tables, "public", table)) continue;
      model::DbObject t;
      t.kind = model::ObjectKind::trigger;
      t.name = name;
      t.target = "public." + table;
      t.sql = text(row.at(3));
      m.objects.push_back(std::move(t));
    }
  }
}

} // namespace

model::Metadata reflect(Connection& c, const dialect::ReflectOptions& options,
                        const std::string& db, const std::vector<std::string>* only) {
  auto m = read(c, options, db, only);
  if (!only) read_views_and_triggers(c, options, db, m);
  // SQLite keeps no name for a constraint written without one: it gets the one PostgreSQL (and
  // so the models, without a naming convention) would give it, so that ops can name it
  for (auto& t : m.tables) {
    if (t.primary_key && t.primary_key->name.empty())
      t.primary_key->name = model::postgres_default_name(t.name, {}, "pkey");
    for (auto& u : t.unique_constraints)
      if (u.name.empty()) u.name = model::postgres_default_name(t.name, u.columns, "key");
    for (auto& fk : t.foreign_keys)
      if (fk.name.empty()) fk.name = model::postgres_default_name(t.name, fk.columns, "fkey");
    std::size_t unnamed = 0;
    for (auto& ck : t.checks)
      if (ck.name.empty())
        ck.name = model::postgres_default_name(
            t.name, {},
            unnamed++ == 0 ? std::string("check") : fmt::format("check{}", unnamed - 1));
  }
  // canonicalize() orders by name alone: what shares a name ("" when unnamed) by definition
  for (auto& t : m.tables) {
    std::sort(t.unique_constraints.begin(), t.unique_constraints.end(),
              [](const auto& a, const auto& b) {
                return std::tie(a.name, a.columns) < std::tie(b.name, b.columns);
              });
    std::sort(t.foreign_keys.begin(), t.foreign_keys.end(), [](const auto& a, const auto& b) {
      return std::tie(a.name, a.columns, a.referred_table, a.referred_columns) <
             std::tie(b.name, b.columns, b.referred_table, b.referred_columns);
    });
    std::sort(t.checks.begin(), t.checks.end(), [](const auto& a, const auto& b) {
      return std::tie(a.name, a.expression) < std::tie(b.name, b.expression);
    });
  }
  model::canonicalize(m);
  return m;
}

model::Metadata normalize(const model::Metadata& models) {
  // the scratch databases hang on a connection of their own: attached to the file's, every DDL
  // statement made SQLite read the file's schema again (and a database attached inside a
  // transaction could not be detached before it ends)
  Connection host(":memory:");

  // SQLite's DDL slows with every table its database already holds (1,000 tables take ten times
  // what 250 take, four times): the models go through small scratch databases, one after another
  constexpr std::size_t per_scratch = 100;
  DiagnosticList diags;
  dialect::ReflectOptions every_table;
  every_table.version_table.clear(); // a model may be named like the version table
  std::vector<model::Table> created;
  for (std::size_t first = 0; first < models.tables.size(); first += per_scratch) {
    const Scratch scratch(host);
    const auto last = std::min(first + per_scratch, models.tables.size());
    host.exec("BEGIN"); // one journal for the lot, rolled back with the scratch database
    for (auto k = first; k < last; ++k) create(host, models.tables[k], scratch.name(), diags);
    if (!diags.has_errors()) // else every refusal is reported, in one error, and nothing read
      for (auto& t : read(host, every_table, scratch.name()).tables)
        created.push_back(std::move(t));
    host.exec("ROLLBACK");
  }
  if (diags.has_errors()) throw DiagnosticsError(diags);
  std::map<std::string_view, const model::Table*> by_name;
  for (const auto& t : created) by_name.emplace(t.name, &t);

  model::Metadata out = models;
  for (auto& t : out.tables) {
    t.comment.reset(); // SQLite keeps none
    for (auto& col : t.columns) col.comment.reset();
    const auto found = by_name.find(t.name);
    if (found == by_name.end()) continue; // in another schema: lower() refuses it
    const auto* n = found->second;
    for (auto& col : t.columns)
      if (const auto* nc = n->find_column(col.name)) {
        col.type = nc->type;
        col.server_default = nc->server_default;
        col.autoincrement = nc->autoincrement; // an INTEGER whole primary key is the rowid
        col.identity = nc->identity;           // ... AUTOINCREMENT when it has identity
      }
    // the checks as the text has them: in the models' order
    for (std::size_t k = 0; k < t.checks.size() && k < n->checks.size(); ++k)
      t.checks[k].expression = n->checks[k].expression;
    for (auto& ix : t.indexes)
      for (const auto& nix : n->indexes)
        if (nix.name == ix.name) {
          ix.columns = nix.columns;
          ix.where = nix.where;
        }
  }
  return out;
}

} // namespace schemagen::sqlite
