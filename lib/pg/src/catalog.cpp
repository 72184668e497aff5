#include "catalog.hpp"

#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace schemagen::pg::catalog {

namespace {

/// The WHERE condition of a reader: `in_schema` names the schema's column, `oid` the row's oid
/// column, `owned` the catalog whose extension-owned rows reflection leaves out.
std::string where(Filter filter, std::string_view in_schema, std::string_view oid,
                  std::string_view owned) {
  if (filter == Filter::oids) return fmt::format("{} = ANY($1::oid[])", oid);
  // what an extension created is the extension's: CREATE EXTENSION makes it again
  return fmt::format("{} = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE "
                     "e.classid = '{}'::regclass AND e.objid = {} AND e.deptype = 'e')",
                     in_schema, owned, oid);
}

// Every reader's first column is the row's oid.

constexpr const char* views_sql = R"(
SELECT c.oid, n.nspname, c.relname, c.relkind = 'm', pg_get_viewdef(c.oid),
       obj_description(c.oid, 'pg_class')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND {}
ORDER BY 2, 3)";

// aggregates and window functions have no pg_get_functiondef(): only 'f' and 'p'
constexpr const char* functions_sql = R"(
SELECT p.oid, n.nspname, p.proname, '(' || oidvectortypes(p.proargtypes) || ')',
       pg_get_functiondef(p.oid), p.prokind = 'p'
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND {}
ORDER BY 2, 3, 4)";

constexpr const char* triggers_sql = R"(
SELECT t.oid, n.nspname, t.tgname, format('%I.%I', n.nspname, c.relname), pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND {}
ORDER BY 2, 3, 4)";

// every clause spelled out, the roles in name order (the catalog keeps them by oid)
constexpr const char* policies_sql = R"(
SELECT p.oid, n.nspname, p.polname, format('%I.%I', n.nspname, c.relname),
       format('CREATE POLICY %I ON %I.%I AS %s FOR %s TO %s', p.polname, n.nspname, c.relname,
              CASE WHEN p.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
              CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                            WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
              (SELECT string_agg(CASE WHEN r.oid = 0 THEN 'PUBLIC' ELSE quote_ident(a.rolname) END,
                                 ', ' ORDER BY a.rolname NULLS FIRST)
               FROM unnest(p.polroles) r(oid) LEFT JOIN pg_roles a ON a.oid = r.oid))
       || coalesce(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
       || coalesce(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {}
ORDER BY 2, 3, 4)";

// Grants to roles other than the owner, one per object and grantee as the ACL keeps them, named
// as a declared GRANT is ("SELECT, INSERT ON TABLE auth.users TO reader"), the privileges in
// PostgreSQL's order and a column privilege's columns in name order: on tables, views and
// sequences and their columns, functions and procedures, the schemas and the current database.
// What an object has without a GRANT is left out: the kind's default (acldefault(): EXECUTE on a
// routine for PUBLIC) or what initdb gave it (pg_init_privs: USAGE on schema public for PUBLIC).
// The placeholders: the relations', the routines' and the schemas' conditions.
constexpr const char* grants_sql = R"(
WITH acls(word, object, dep, owner, acl, base, col) AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname || '.' || c.relname,
         n.nspname || '.' || c.relname, c.relowner, c.relacl,
         coalesce(i.initprivs, acldefault(CASE c.relkind WHEN 'S' THEN 's'::"char" ELSE 'r' END, c.relowner)),
         NULL::name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_init_privs i ON i.objoid = c.oid AND i.classoid = 'pg_class'::regclass AND i.objsubid = 0
  WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND {0}
  UNION ALL
  SELECT 'TABLE', n.nspname || '.' || c.relname, n.nspname || '.' || c.relname, c.relowner,
         t.attacl, NULL, t.attname
  FROM pg_attribute t JOIN pg_class c ON c.oid = t.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE t.attacl IS NOT NULL AND t.attnum > 0 AND NOT t.attisdropped
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND {0}
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
         n.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')',
         n.nspname || '.' || p.proname, p.proowner, p.proacl,
         coalesce(i.initprivs, acldefault('f', p.proowner)), NULL
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  LEFT JOIN pg_init_privs i ON i.objoid = p.oid AND i.classoid = 'pg_proc'::regclass AND i.objsubid = 0
  WHERE p.proacl IS NOT NULL AND p.prokind IN ('f', 'p') AND {1}
  UNION ALL
  SELECT 'SCHEMA', n.nspname, NULL, n.nspowner, n.nspacl,
         coalesce(i.initprivs, acldefault('n', n.nspowner)), NULL
  FROM pg_namespace n
  LEFT JOIN pg_init_privs i ON i.objoid = n.oid AND i.classoid = 'pg_namespace'::regclass AND i.objsubid = 0
  WHERE n.nspacl IS NOT NULL AND {2}
  UNION ALL
  SELECT 'DATABASE', d.datname, NULL, d.datdba, d.datacl, acldefault('d', d.datdba), NULL
  FROM pg_database d WHERE d.datacl IS NOT NULL AND d.datname = current_database()
), entries AS (
  SELECT x.word, x.object, x.dep, x.col, a.grantee, a.privilege_type, a.is_grantable
  FROM acls x CROSS JOIN LATERAL aclexplode(x.acl) a
  WHERE a.grantee <> x.owner
    AND NOT EXISTS (SELECT 1 FROM aclexplode(x.base) b WHERE b.grantee = a.grantee
                      AND b.privilege_type = a.privilege_type AND b.is_grantable = a.is_grantable)
), privileges AS (
  SELECT word, object, dep, grantee, is_grantable, privilege_type,
         privilege_type || coalesce(' (' || string_agg(col, ', ' ORDER BY col) || ')', '') AS label
  FROM entries GROUP BY word, object, dep, grantee, is_grantable, privilege_type, col IS NULL
)
SELECT format('%s ON %s %s TO %s%s',
              string_agg(p.label, ', ' ORDER BY array_position(ARRAY['SELECT', 'INSERT', 'UPDATE',
                'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'USAGE', 'EXECUTE', 'CREATE',
                'CONNECT', 'TEMPORARY'], p.privilege_type), p.label),
              p.word, p.object, CASE WHEN p.grantee = 0 THEN 'PUBLIC' ELSE r.rolname END,
              CASE WHEN p.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END),
       p.dep
FROM privileges p LEFT JOIN pg_roles r ON r.oid = p.grantee
GROUP BY p.word, p.object, p.dep, p.grantee, r.rolname, p.is_grantable
ORDER BY 1)";

// every option spelled out, so that two sequences with the same options read the same however
// their statements were written
constexpr const char* sequences_sql = R"(
SELECT c.oid, n.nspname, c.relname,
       format('AS %s INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s CACHE %s %s',
              format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart,
              s.seqcache, CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {}
ORDER BY 2, 3)";

// a serial or identity column's sequence is the column's (deptype 'a' or 'i'), not an object
constexpr const char* not_owned_sequence =
    " AND NOT EXISTS (SELECT 1 FROM pg_depend o WHERE o.classid = 'pg_class'::regclass AND "
    "o.objid = c.oid AND o.refclassid = 'pg_class'::regclass AND o.deptype IN ('a', 'i'))";

// plpgsql comes with every database: never the models' to create or drop
constexpr const char* extensions_sql = R"(
SELECT e.oid, e.extname FROM pg_extension e WHERE e.extname <> 'plpgsql' AND {}
ORDER BY 2)";

// the object that depends: a view's references are its rewrite rule's. A column reference names
// its relation too (a view's rule depends on the columns it reads, not on their table as such).
constexpr const char* depends_sql = R"(
SELECT DISTINCT owner.cls, owner.oid, x.dep
FROM pg_depend d
LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
CROSS JOIN LATERAL (SELECT CASE WHEN rw.oid IS NULL THEN d.classid::regclass::text ELSE 'pg_class' END AS cls,
                           coalesce(rw.ev_class, d.objid) AS oid) owner
LEFT JOIN pg_class r ON d.refclassid = 'pg_class'::regclass AND r.oid = d.refobjid
LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = r.oid AND d.refobjsubid > 0 AND a.attnum = d.refobjsubid
LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
LEFT JOIN pg_namespace pn ON pn.oid = p.pronamespace
CROSS JOIN LATERAL unnest(ARRAY[
    CASE WHEN r.oid IS NOT NULL THEN rn.nspname || '.' || r.relname
         ELSE pn.nspname || '.' || p.proname || '(' || oidvectortypes(p.proargtypes) || ')' END,
    rn.nspname || '.' || r.relname || '.' || a.attname]) x(dep)
WHERE d.classid IN ('pg_rewrite'::regclass, 'pg_proc'::regclass, 'pg_trigger'::regclass, 'pg_policy'::regclass)
  AND d.deptype IN ('n', 'a') AND d.refclassid IN ('pg_class'::regclass, 'pg_proc'::regclass)
  AND owner.oid = ANY($1::oid[]) AND NOT (d.refclassid = 'pg_class'::regclass AND d.refobjid = owner.oid)
  AND coalesce(rn.nspname, pn.nspname) NOT IN ('pg_catalog', 'information_schema')
  AND x.dep IS NOT NULL
ORDER BY 1, 2, 3)";

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

} // namespace

std::string trimmed_definition(std::string_view text) {
  std::string out = trimmed(text);
  while (!out.empty() && out.back() == ';') out = trimmed(out.substr(0, out.size() - 1));
  return out;
}

std::string sequence_statement(const std::string& schema, const std::string& name,
                               const std::string& options) {
  return fmt::format("CREATE SEQUENCE {} {}", sql::qualified(schema, name), options);
}

std::vector<std::pair<Key, model::View>> read_views(Connection& db, Filter filter,
                                                    const std::string& param) {
  auto r = db.exec(fmt::format(views_sql, where(filter, "n.nspname", "c.oid", "pg_class")), {param});
  std::vector<std::pair<Key, model::View>> out;
  for (int i = 0; i < r.rows(); ++i) {
    model::View v;
    v.schema = r.get(i, 1);
    v.name = r.get(i, 2);
    v.materialized = r.get(i, 3) == "t";
    v.definition = trimmed_definition(r.get(i, 4));
    v.sql = v.definition;
    v.comment = r.optional(i, 5);
    out.emplace_back(Key{"pg_class", std::string(r.get(i, 0))}, std::move(v));
  }
  return out;
}

std::vector<std::pair<Key, model::DbObject>> read_objects(Connection& db, model::ObjectKind kind,
                                                          Filter filter, const std::string& param) {
  using K = model::ObjectKind;
  std::vector<std::pair<Key, model::DbObject>> out;
  auto add = [&](std::string_view cls, std::string_view oid, model::DbObject o) {
    out.emplace_back(Key{std::string(cls), std::string(oid)}, std::move(o));
  };
  // rows of (oid, schema, name, target, statement[, is a procedure]): an object each
  auto read = [&](const std::string& query, std::string_view cls, K row_kind) {
    auto r = db.exec(query, {param});
    for (int i = 0; i < r.rows(); ++i) {
      model::DbObject o;
      o.kind = r.columns() > 5 && r.get(i, 5) == "t" ? K::procedure : row_kind;
      o.schema = r.get(i, 1);
      o.name = r.get(i, 2);
      o.target = r.get(i, 3);
      o.definition = trimmed(r.get(i, 4));
      o.sql = o.definition;
      add(cls, r.get(i, 0), std::move(o));
    }
  };
  // a trigger or policy belongs to its table: the table's schema decides, and an extension's
  // table's triggers and policies are the extension's
  auto on_table = [&](std::string_view oid) {
    return filter == Filter::oids ? where(filter, "", oid, "")
                                  : where(filter, "n.nspname", "c.oid", "pg_class");
  };
  switch (kind) {
  case K::function:
  case K::procedure:
    read(fmt::format(functions_sql, where(filter, "n.nspname", "p.oid", "pg_proc")), "pg_proc",
         K::function);
    break;
  case K::trigger:
    read(fmt::format(triggers_sql, on_table("t.oid")), "pg_trigger", K::trigger);
    break;
  case K::policy: read(fmt::format(policies_sql, on_table("p.oid")), "pg_policy", K::policy); break;
  case K::sequence: {
    auto cond = where(filter, "n.nspname", "c.oid", "pg_class");
    if (filter == Filter::schemas) cond += not_owned_sequence;
    auto r = db.exec(fmt::format(sequences_sql, cond), {param});
    for (int i = 0; i < r.rows(); ++i) {
      model::DbObject o;
      o.kind = K::sequence;
      o.schema = r.get(i, 1);
      o.name = r.get(i, 2);
      o.definition = sequence_statement(o.schema, o.name, std::string(r.get(i, 3)));
      o.sql = o.definition;
      add("pg_class", r.get(i, 0), std::move(o));
    }
    break;
  }
  case K::extension: {
    auto r = db.exec(fmt::format(extensions_sql, filter == Filter::oids ? "e.oid = ANY($1::oid[])"
                                                                        : "$1::text[] IS NOT NULL"),
                     {param});
    for (int i = 0; i < r.rows(); ++i) {
      model::DbObject o;
      o.kind = K::extension;
      o.schema = "";
      o.name = r.get(i, 1);
      o.sql = "CREATE EXTENSION " + sql::quote_ident(o.name);
      o.definition = o.name;
      add("pg_extension", r.get(i, 0), std::move(o));
    }
    break;
  }
  case K::grant: {
    if (filter == Filter::oids) break; // a grant has no oid: compared by its statement
    auto r = db.exec(fmt::format(grants_sql, where(filter, "n.nspname", "c.oid", "pg_class"),
                                 where(filter, "n.nspname", "p.oid", "pg_proc"),
                                 "n.nspname = ANY($1::text[])"),
                     {param});
    for (int i = 0; i < r.rows(); ++i) {
      model::DbObject o;
      o.kind = K::grant;
      o.schema = "";
      o.name = r.get(i, 0);
      o.sql = "GRANT " + o.name;
      o.definition = o.name; // a grant is what it is named: privileges, object, grantees
      if (const auto on = r.optional(i, 1)) o.depends_on = {*on};
      add("acl", std::to_string(i), std::move(o));
    }
    break;
  }
  }
  return out;
}

std::map<Key, std::vector<std::string>> read_depends(Connection& db, const std::vector<Key>& keys) {
  std::map<Key, std::vector<std::string>> out;
  if (keys.empty()) return out;
  std::vector<std::string> oids;
  for (const auto& k : keys) oids.push_back(k.second);
  auto r = db.exec(depends_sql, {"{" + fmt::format("{}", fmt::join(oids, ",")) + "}"});
  for (int i = 0; i < r.rows(); ++i) {
    Key k{std::string(r.get(i, 0)), std::string(r.get(i, 1))};
    // an oid is unique only within its catalog: another catalog's row of the same oid is no match
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) continue;
    out[k].emplace_back(r.get(i, 2));
  }
  return out;
}

} // namespace schemagen::pg::catalog
