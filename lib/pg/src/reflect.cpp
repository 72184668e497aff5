#include "schemagen/pg/reflect.hpp"

#include "catalog.hpp"
#include "schemagen/support/diagnostics.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fnmatch.h>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <unordered_map>

namespace schemagen::pg {

namespace {

std::string action(std::string_view code) {
  switch (code.empty() ? 'a' : code[0]) {
  case 'r': return "RESTRICT";
  case 'c': return "CASCADE";
  case 'n': return "SET NULL";
  case 'd': return "SET DEFAULT";
  default: return ""; // 'a': NO ACTION
  }
}

// The catalog queries below join pg_description rather than call obj_description() and
// col_description() per row (each a SQL function run as a query of its own: most of the time of
// a reflection of thousands of tables), and are ordered, where at all, by oid rather than by
// name: canonicalize() puts tables and their constraints and indexes in name order anyway, and
// sorting tens of thousands of rows by text cost as much as reading them.

constexpr const char* tables_sql = R"(
SELECT n.nspname, c.relname, ds.description
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_description ds
       ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = 0
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY($1::text[]))";

// every column of every relation in the schemas, with its relation's oid and its number: the
// constraints' and indexes' keys are named from them. Unordered: sorting 100,000 rows on the
// server spilled to disk, and the client puts each relation's columns in order by number. Which
// columns own their sequence (serial) is asked afterwards, of those whose default calls
// nextval() only: joining pg_depend for every column cost a tenth of the query. A default is
// deparsed without its relation (relid 0)
// unless it is a generated column's, the only kind that can read columns: given a relation,
// pg_get_expr() opens it, which in a fresh session builds its relcache entry, and for thousands
// of tables that was most of the query's time.
constexpr const char* columns_sql = R"(
SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, CASE WHEN a.attgenerated <> '' THEN d.adrelid ELSE 0 END), a.attidentity, ds.description,
       a.attrelid, a.attnum, quote_ident(a.attname)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_description ds
       ON ds.objoid = c.oid AND ds.classoid = 'pg_class'::regclass AND ds.objsubid = a.attnum
WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relispartition AND n.nspname = ANY($1::text[])
  AND a.attnum > 0 AND NOT a.attisdropped)";

// the columns of the relations of $1 that own a sequence (serial): (relation, number)
constexpr const char* owned_sql = R"(
SELECT DISTINCT dep.refobjid, dep.refobjsubid
FROM pg_depend dep JOIN pg_class s ON s.oid = dep.objid AND s.relkind = 'S'
WHERE dep.deptype = 'a' AND dep.classid = 'pg_class'::regclass
  AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid = ANY($1::oid[]))";

// the key columns by number (conkey, confkey), named from the columns read: an ARRAY subquery
// over pg_attribute per constraint cost more than the rest of the query
constexpr const char* constraints_sql = R"(
SELECT n.nspname, c.relname, con.conname, con.contype, con.conrelid, con.conkey,
       fn.nspname, fc.relname, con.confrelid, con.confkey, con.confdeltype, con.confupdtype,
       CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'u', 'f', 'c') AND n.nspname = ANY($1::text[]) AND c.relkind IN ('r', 'p'))";

// the columns of relations a foreign key refers to outside the schemas read
constexpr const char* referred_columns_sql = R"(
SELECT a.attrelid, a.attnum, a.attname FROM pg_attribute a
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped)";

// an INVALID index (what an interrupted concurrent build leaves) is no index: missing, and the
// build that makes it drops that one first. A key that is a column is named from the columns
// read (pg_get_indexdef() per key was a third of a reflection); only an index with expressions
// has its expression keys deparsed (NULL for its column keys).
constexpr const char* indexes_sql = R"(
SELECT n.nspname, t.relname, i.relname, ix.indisunique, am.amname,
       ix.indrelid, ix.indkey::text, ix.indoption::text,
       CASE WHEN ix.indexprs IS NOT NULL THEN ARRAY(
         SELECT CASE WHEN ix.indkey[k - 1] = 0 THEN pg_get_indexdef(ix.indexrelid, k, true) END
         FROM generate_series(1, ix.indnkeyatts) k ORDER BY k)::text[] END,
       pg_get_expr(ix.indpred, ix.indrelid, true), ix.indnkeyatts
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class t ON t.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = ANY($1::text[]) AND t.relkind IN ('r', 'p', 'm') AND ix.indisvalid
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x')))";

constexpr const char* enums_sql = R"(
SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[]
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY($1::text[])
GROUP BY 1, 2 ORDER BY 1, 2)";

/// A decimal number as the server prints it (an oid, a column number), or -1.
long number(std::string_view text) {
  long n = -1;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n;
}

/// The numbers of an int2vector as the server prints it ("2 1").
std::vector<long> numbers(std::string_view text) {
  std::vector<long> out;
  for (std::size_t at = 0; at < text.size();) {
    const auto space = std::min(text.find(' ', at), text.size());
    out.push_back(number(text.substr(at, space - at)));
    at = space + 1;
  }
  return out;
}

/// Column names by relation oid and column number, to name constraint and index keys with.
class ColumnNames {
public:
  // relations as the server prints their oids
  void add(std::string_view relation, std::string_view column, std::string_view name,
           std::string_view quoted = {}) {
    auto& names = by_relation_[number(relation)];
    const auto n = static_cast<std::size_t>(std::max(0L, number(column)));
    if (names.size() <= n) names.resize(n + 1);
    names[n].plain = name;
    if (quoted != name) names[n].quoted = quoted; // else the same as plain
  }
  bool knows(std::string_view relation) const { return by_relation_.count(number(relation)) > 0; }
  /// The column `relation` numbers `n` as SQL writes it, or nullptr.
  const std::string* quoted(std::string_view relation, long n) const {
    const auto* name = find(relation, n);
    return !name ? nullptr : name->quoted.empty() ? &name->plain : &name->quoted;
  }
  /// The names of the columns an int2[] of column numbers ("{2,1}") lists, in its order.
  std::vector<std::string> of(std::string_view relation, std::string_view numbers) const {
    std::vector<std::string> out;
    for (const auto& n : parse_array(numbers)) {
      const auto* name = find(relation, number(n));
      out.push_back(name ? name->plain : "");
    }
    return out;
  }

private:
  struct Name {
    std::string plain, quoted; // quoted: as SQL writes it (quote_ident), when not plain
  };
  const Name* find(std::string_view relation, long n) const {
    const auto it = by_relation_.find(number(relation));
    if (it == by_relation_.end() || n < 0 || static_cast<std::size_t>(n) >= it->second.size())
      return nullptr;
    return &it->second[static_cast<std::size_t>(n)];
  }
  std::unordered_map<long, std::vector<Name>> by_relation_;
};

/// An index's keys as pg_get_indexdef() spells each (a column quoted as needed, an expression
/// deparsed), with DESC and NULLS as `indoption` says where they are not the default.
std::vector<std::string> index_keys(const pg::Result& r, int row, const ColumnNames& names) {
  const std::string relation(r.get(row, 5));
  const auto keys = numbers(r.get(row, 6));
  const auto options = numbers(r.get(row, 7));
  const auto expressions = parse_array(r.get(row, 8));
  const auto key_count = static_cast<std::size_t>(number(r.get(row, 10)));
  std::vector<std::string> out;
  for (std::size_t k = 0; k < key_count && k < keys.size(); ++k) {
    std::string key;
    if (keys[k] != 0) {
      const auto* name = names.quoted(relation, keys[k]);
      if (!name)
        throw UserError(fmt::format("error: reflecting index {}: column {} of relation {} was not "
                                    "read",
                                    r.get(row, 2), keys[k], relation));
      key = *name;
    } else if (k < expressions.size()) {
      key = expressions[k];
    }
    const long option = k < options.size() ? options[k] : 0;
    const bool desc = option & 1, nulls_first = option & 2;
    if (desc) key += nulls_first ? " DESC" : " DESC NULLS LAST";
    else if (nulls_first) key += " NULLS FIRST";
    out.push_back(std::move(key));
  }
  return out;
}

constexpr const char* schemas_sql =
    "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY 1";

/// Whether reflection leaves the relation out: the version table's, or excluded.
bool skipped(const Options& options, const std::string& schema, const std::string& name) {
  if (schema == options.version_table_schema &&
      (name == options.version_table || name == options.version_table + "_log" ||
       name == options.version_table + "_lock"))
    return true;
  return dialect::excluded(options.exclude_tables, schema, name);
}

/// What reflect() reads beside the tables' columns and indexes: the constraints, then the views
/// (without their columns and indexes) and the schema objects, each with what it depends on, as
/// normalisation reads the models' (catalog.hpp).
struct Beside {
  pg::Result constraints;
  std::vector<model::View> views;
  std::vector<model::DbObject> objects;
};

Beside read_beside(pg::Connection& db, const Options& options, const std::string& schemas) {
  using catalog::Filter;
  Beside out{db.exec(constraints_sql, {schemas}), {}, {}};
  std::map<catalog::Key, std::size_t> view_at, object_at;
  for (auto& [key, v] : catalog::read_views(db, Filter::schemas, schemas)) {
    if (skipped(options, v.schema, v.name)) continue;
    view_at[key] = out.views.size();
    out.views.push_back(std::move(v));
  }
  using K = model::ObjectKind;
  for (auto kind : {K::extension, K::sequence, K::function, K::trigger, K::policy, K::grant})
    for (auto& [key, o] : catalog::read_objects(db, kind, Filter::schemas, schemas)) {
      // a trigger's or policy's table may be excluded, and the object with it
      if ((kind == K::trigger || kind == K::policy) &&
          dialect::excluded(options.exclude_tables, o.schema,
                            o.target.substr(o.target.find('.') + 1)))
        continue;
      if (kind != K::grant) object_at[key] = out.objects.size(); // a grant's depends_on is read
      out.objects.push_back(std::move(o));
    }
  std::vector<catalog::Key> keys;
  for (const auto& [k, at] : view_at) keys.push_back(k);
  for (const auto& [k, at] : object_at) keys.push_back(k);
  for (auto& [k, deps] : catalog::read_depends(db, keys)) {
    if (auto v = view_at.find(k); v != view_at.end()) out.views[v->second].depends_on = std::move(deps);
    else if (auto o = object_at.find(k); o != object_at.end())
      out.objects[o->second].depends_on = std::move(deps);
  }
  return out;
}

/// `read` run on a second connection, by a thread of its own, while `db` reads the rest: on
/// a large schema the catalog work is as much the server's as the client's, and one server
/// session uses one core. The thread takes the rows as the server sends them, so the server is
/// never left waiting on a full socket. Only when that connection can be had and sees what `db`
/// sees: outside a transaction (within one, `db` could hold changes no other connection sees),
/// on the same server, under the same search_path (deparsed expressions name what is not on it
/// with its schema). Else result() runs `read` on `db`.
template <class T> class OnTheSide {
public:
  OnTheSide(pg::Connection& db, std::function<T(pg::Connection&)> read)
      : db_(db), read_(std::move(read)) {
    if (db.in_transaction()) return;
    try {
      const std::string path(db.exec_one("SELECT current_setting('search_path')").get(0, 0));
      side_ = db.another();
      side_->exec("SELECT set_config('search_path', $1, false)", {path});
    } catch (const std::exception&) { // max_connections reached, say: slower, not wrong
      side_.reset();
      return;
    }
    result_ = std::async(std::launch::async, [this] { return read_(*side_); });
  }
  OnTheSide(const OnTheSide&) = delete;
  OnTheSide& operator=(const OnTheSide&) = delete;
  ~OnTheSide() { // left before result() (an exception): the server need not finish
    if (!result_.valid()) return;
    side_->cancel();
    result_.wait();
  }

  /// What `read` returned; what it threw, as it would have thrown on `db`.
  T result() { return result_.valid() ? result_.get() : read_(db_); }

private:
  pg::Connection& db_;
  std::function<T(pg::Connection&)> read_;
  std::unique_ptr<pg::Connection> side_;
  std::future<T> result_;
};

} // namespace

model::Metadata reflect(pg::Connection& db, const Options& options) {
  const std::string schemas = pg::array_literal(options.schemas);
  model::Metadata m;
  // A check's expression is deparsed against its table, which the server opens, building the
  // table's cache entry in a fresh session: most of the constraints query's time, and as much as
  // the columns'. So the constraints, views and objects are read on a second connection while
  // this one reads the tables' columns and indexes.
  OnTheSide<Beside> beside(
      db, [&](pg::Connection& c) { return read_beside(c, options, schemas); });
  auto r = db.exec(schemas_sql, {schemas});
  for (int i = 0; i < r.rows(); ++i) m.schemas.emplace_back(r.get(i, 0));

  std::map<std::pair<std::string, std::string>, std::size_t> index_of;
  auto skip = [&](const std::string& schema, const std::string& name) {
    return skipped(options, schema, name);
  };
  r = db.exec(tables_sql, {schemas});
  for (int i = 0; i < r.rows(); ++i) {
    model::Table t;
    t.schema = r.get(i, 0);
    t.name = r.get(i, 1);
    if (skip(t.schema, t.name)) continue;
    t.comment = r.optional(i, 2);
    index_of[{t.schema, t.name}] = m.tables.size();
    m.tables.push_back(std::move(t));
  }
  auto table = [&](const pg::Result& res, int row) -> model::Table* {
    auto it = index_of.find({std::string(res.get(row, 0)), std::string(res.get(row, 1))});
    return it == index_of.end() ? nullptr : &m.tables[it->second];
  };

  // views by (schema, name), read with the tables' columns and indexes; the rest comes later
  std::map<std::pair<std::string, std::string>, model::View> views;
  auto view = [&](const pg::Result& res, int row) -> model::View* {
    auto it = views.find({std::string(res.get(row, 0)), std::string(res.get(row, 1))});
    return it == views.end() ? nullptr : &it->second;
  };
  r = db.exec(R"(SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY($1::text[]))",
              {schemas});
  for (int i = 0; i < r.rows(); ++i) {
    model::View v;
    v.schema = r.get(i, 0);
    v.name = r.get(i, 1);
    if (!skip(v.schema, v.name)) views.emplace(std::pair{v.schema, v.name}, std::move(v));
  }

  ColumnNames names;
  r = db.exec(columns_sql, {schemas});
  std::vector<std::pair<std::pair<long, long>, int>> in_order; // (relation, number) → row
  in_order.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    in_order.push_back({{number(r.get(i, 8)), number(r.get(i, 9))}, i});
  std::sort(in_order.begin(), in_order.end());
  // columns whose default calls nextval(): serial, if the column owns the sequence
  std::map<std::pair<long, long>, std::pair<model::Table*, std::size_t>> nextval; // → column
  for (const auto& [at, i] : in_order) {
    names.add(r.get(i, 8), r.get(i, 9), r.get(i, 2), r.get(i, 10));
    if (auto* v = view(r, i)) { // a view's columns say only what they are called and hold
      model::Column c;
      c.name = r.get(i, 2);
      c.type = r.get(i, 3);
      c.nullable = true;
      v->columns.push_back(std::move(c));
      continue;
    }
    auto* t = table(r, i);
    if (!t) continue;
    model::Column c;
    c.name = r.get(i, 2);
    c.type = r.get(i, 3);
    c.nullable = r.get(i, 4) != "t";
    c.server_default = r.optional(i, 5);
    const auto identity = r.get(i, 6);
    c.identity = identity == "a"   ? model::Identity::always
                 : identity == "d" ? model::Identity::by_default
                                   : model::Identity::none;
    c.comment = r.optional(i, 7);
    const bool calls_nextval = c.server_default && c.server_default->starts_with("nextval(");
    t->columns.push_back(std::move(c));
    if (calls_nextval) nextval[at] = {t, t->columns.size() - 1};
  }
  if (!nextval.empty()) {
    std::set<long> relations;
    for (const auto& [at, _] : nextval) relations.insert(at.first);
    const auto owned = db.exec(owned_sql, {fmt::format("{{{}}}", fmt::join(relations, ","))});
    for (int i = 0; i < owned.rows(); ++i)
      if (const auto it = nextval.find({number(owned.get(i, 0)), number(owned.get(i, 1))});
          it != nextval.end()) {
        auto& c = it->second.first->columns[it->second.second];
        c.autoincrement = true; // serial: the sequence is the column's own business
        c.server_default.reset();
      }
  }

  r = db.exec(indexes_sql, {schemas});
  for (int i = 0; i < r.rows(); ++i) {
    auto* t = table(r, i);
    auto* v = t ? nullptr : view(r, i);
    if (!t && !v) continue;
    model::Index ix;
    ix.name = r.get(i, 2);
    ix.unique = r.get(i, 3) == "t";
    ix.method = r.get(i, 4);
    ix.columns = index_keys(r, i, names);
    ix.where = r.optional(i, 9);
    (t ? t->indexes : v->indexes).push_back(std::move(ix));
  }

  r = db.exec(enums_sql, {schemas});
  for (int i = 0; i < r.rows(); ++i)
    m.enums.push_back(model::Enum{
        std::string(r.get(i, 0)), std::string(r.get(i, 1)), parse_array(r.get(i, 2)), {}});

  // last, so that all of the above ran while the side connection read them
  auto read = beside.result();
  for (auto& v : read.views)
    if (auto it = views.find({v.schema, v.name}); it != views.end()) {
      v.columns = std::move(it->second.columns);
      v.indexes = std::move(it->second.indexes);
      m.views.push_back(std::move(v));
    }
  m.objects = std::move(read.objects);
  r = std::move(read.constraints);
  { // a foreign key may refer to a table whose columns were not read (another schema's)
    std::vector<std::string> unknown;
    for (int i = 0; i < r.rows(); ++i)
      if (r.get(i, 3) == "f" && table(r, i) && !names.knows(std::string(r.get(i, 8))))
        unknown.emplace_back(r.get(i, 8));
    if (!unknown.empty()) {
      auto referred = db.exec(referred_columns_sql, {"{" + fmt::format("{}", fmt::join(unknown, ",")) + "}"});
      for (int i = 0; i < referred.rows(); ++i)
        names.add(referred.get(i, 0), referred.get(i, 1), referred.get(i, 2));
    }
  }
  for (int i = 0; i < r.rows(); ++i) {
    auto* t = table(r, i);
    if (!t) continue;
    const std::string name(r.get(i, 2));
    const auto type = r.get(i, 3);
    auto columns = names.of(std::string(r.get(i, 4)), r.get(i, 5));
    if (type == "p") {
      t->primary_key = model::PrimaryKey{name, columns};
    } else if (type == "u") {
      t->unique_constraints.push_back({name, columns, {}});
    } else if (type == "f") {
      model::ForeignKey fk;
      fk.name = name;
      fk.columns = columns;
      fk.referred_schema = r.get(i, 6);
      fk.referred_table = r.get(i, 7);
      fk.referred_columns = names.of(std::string(r.get(i, 8)), r.get(i, 9));
      fk.on_delete = action(r.get(i, 10));
      fk.on_update = action(r.get(i, 11));
      t->foreign_keys.push_back(std::move(fk));
    } else if (type == "c") {
      t->checks.push_back({name, std::string(r.get(i, 12)), {}});
    }
  }

  model::canonicalize(m);
  return m;
}

} // namespace schemagen::pg
