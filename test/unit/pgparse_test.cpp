// lib/pgparse: the SQL files of `objects:` read with PostgreSQL's parser, what a query
// references, and the canonical form offline comparison uses.

#include "schemagen/pgparse/pgparse.hpp"

#include "schemagen/ops/apply.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <string>
#include <variant>

using namespace schemagen;
using model::ObjectKind;

namespace {

std::vector<model::DbObject> read(std::string_view text, DiagnosticList* diags_out = nullptr) {
  DiagnosticList diags;
  auto objects = pgparse::read_objects(text, "db/objects.sql", diags);
  if (diags_out) {
    *diags_out = diags;
  } else {
    INFO(diags.str());
    REQUIRE_FALSE(diags.has_errors());
  }
  return objects;
}

/// The one diagnostic reading `text` gives, as "file:line:col: error: message".
std::string error_of(std::string_view text) {
  DiagnosticList diags;
  pgparse::read_objects(text, "db/objects.sql", diags);
  REQUIRE(diags.items().size() == 1);
  return diags.items().front().str();
}

} // namespace

TEST_CASE("a function: its schema, name, input argument types as format_type spells them") {
  const auto objects = read(
      "CREATE OR REPLACE FUNCTION auth.touch(a int, INOUT b varchar(10), OUT c text,\n"
      "    VARIADIC d int8[]) RETURNS record LANGUAGE plpgsql AS $$ BEGIN END $$;");
  REQUIRE(objects.size() == 1);
  const auto& f = objects[0];
  CHECK(f.kind == ObjectKind::function);
  CHECK(f.schema == "auth");
  CHECK(f.name == "touch");
  CHECK(f.target == "(integer, character varying, bigint[])");
  CHECK(f.sql == "CREATE OR REPLACE FUNCTION auth.touch(a int, INOUT b varchar(10), OUT c text,\n"
                 "    VARIADIC d int8[]) RETURNS record LANGUAGE plpgsql AS $$ BEGIN END $$");
  CHECK(f.origin.loc == SourceLoc{"db/objects.sql", 1, 1});
  CHECK(f.depends_on.empty()); // a plpgsql body is not read
}

TEST_CASE("type names as format_type spells them") {
  const auto objects =
      read("CREATE FUNCTION f(int4, integer, smallint, int2, float8, double precision, real,\n"
           "  bool, boolean, character varying, char(3), timestamptz, timestamp,\n"
           "  timestamp with time zone, time, timetz, numeric(10, 2), decimal, text, jsonb,\n"
           "  uuid, text[], auth.role, my_type, bigint[][]) RETURNS void LANGUAGE sql AS ''");
  REQUIRE(objects.size() == 1);
  CHECK(objects[0].schema == "public");
  CHECK(objects[0].target ==
        "(integer, integer, smallint, smallint, double precision, double precision, real, "
        "boolean, boolean, character varying, character, timestamp with time zone, timestamp "
        "without time zone, timestamp with time zone, time without time zone, time with time "
        "zone, numeric, numeric, text, jsonb, uuid, text[], auth.role, my_type, bigint[])");
}

TEST_CASE("a procedure, and a function of no arguments") {
  const auto objects = read("CREATE PROCEDURE ops.archive(IN days integer, OUT moved bigint)\n"
                            "LANGUAGE plpgsql AS $$ BEGIN moved := 0; END $$;\n"
                            "CREATE FUNCTION now_utc() RETURNS timestamp LANGUAGE sql\n"
                            "AS $$ SELECT now() AT TIME ZONE 'utc' $$;");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].kind == ObjectKind::procedure);
  CHECK(objects[0].schema == "ops");
  CHECK(objects[0].target == "(integer)");
  CHECK(objects[1].kind == ObjectKind::function);
  CHECK(objects[1].target == "()");
  CHECK(objects[1].describe() == "function public.now_utc()");
  CHECK(objects[1].depends_on == std::vector<std::string>{"public.now"}); // timezone(): pg_catalog
}

TEST_CASE("a SQL function depends on what its body references; a syntax error in it is one") {
  const auto objects =
      read("CREATE FUNCTION auth.active_count(since date) RETURNS bigint LANGUAGE sql STABLE\n"
           "AS $$ SELECT count(*) FROM auth.users u JOIN sessions s ON s.user_id = u.id\n"
           "      WHERE s.at > since $$;\n"
           "CREATE FUNCTION auth.total() RETURNS bigint\n"
           "BEGIN ATOMIC SELECT auth.active_count(current_date) + (SELECT count(*) FROM logins);"
           " END;");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].depends_on ==
        std::vector<std::string>{"auth.users", "public.count", "public.sessions"});
  CHECK(objects[1].depends_on ==
        std::vector<std::string>{"auth.active_count", "public.count", "public.logins"});

  // the table an INSERT, UPDATE or DELETE writes is held without the RangeVar wrapper in the tree
  const auto writers =
      read("CREATE PROCEDURE clear(n bigint) LANGUAGE sql AS $$ UPDATE app.t SET note = NULL "
           "WHERE id = n $$;\n"
           "CREATE FUNCTION add() RETURNS void LANGUAGE sql AS $$ INSERT INTO log SELECT 1 $$;\n"
           "CREATE PROCEDURE tidy() LANGUAGE sql AS $$ DELETE FROM app.old USING app.keep k $$;");
  REQUIRE(writers.size() == 3);
  CHECK(writers[0].depends_on == std::vector<std::string>{"app.t"});
  CHECK(writers[1].depends_on == std::vector<std::string>{"public.log"});
  CHECK(writers[2].depends_on == std::vector<std::string>{"app.keep", "app.old"});

  CHECK(error_of("\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELEC 1 $$;") ==
        "db/objects.sql:2:52: error: the body of function public.f() does not parse: syntax "
        "error at or near \"SELEC\"");
}

TEST_CASE("a trigger: on its table, depending on the table and its function") {
  const auto objects =
      read("CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users\n"
           "  FOR EACH ROW EXECUTE FUNCTION auth.touch();\n"
           "CREATE CONSTRAINT TRIGGER check_owner AFTER INSERT ON accounts\n"
           "  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE PROCEDURE check_owner()");
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].kind == ObjectKind::trigger);
  CHECK(objects[0].name == "users_touch");
  CHECK(objects[0].schema == "auth");
  CHECK(objects[0].target == "auth.users");
  CHECK(objects[0].depends_on == std::vector<std::string>{"auth.touch", "auth.users"});
  CHECK(objects[0].describe() == "trigger users_touch on auth.users");
  CHECK(objects[1].name == "check_owner");
  CHECK(objects[1].schema == "public");
  CHECK(objects[1].target == "public.accounts");
  CHECK(objects[1].depends_on ==
        std::vector<std::string>{"public.accounts", "public.check_owner"});
  CHECK(objects[1].origin.loc == SourceLoc{"db/objects.sql", 3, 1});
}

TEST_CASE("an extension, a sequence, a policy") {
  const auto objects =
      read("CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
           "CREATE SEQUENCE billing.invoice_no START 1000 OWNED BY billing.invoices.no;\n"
           "CREATE SEQUENCE tickets;\n"
           "CREATE POLICY own_rows ON documents FOR SELECT TO reader\n"
           "  USING (owner = current_user AND team IN (SELECT id FROM auth.teams));");
  REQUIRE(objects.size() == 4);
  CHECK(objects[0].kind == ObjectKind::extension);
  CHECK(objects[0].schema == "");
  CHECK(objects[0].name == "pgcrypto");
  CHECK(objects[0].target == "");
  CHECK(objects[1].kind == ObjectKind::sequence);
  CHECK(objects[1].schema == "billing");
  CHECK(objects[1].name == "invoice_no");
  CHECK(objects[1].depends_on == std::vector<std::string>{"billing.invoices"});
  CHECK(objects[2].schema == "public");
  CHECK(objects[2].name == "tickets");
  CHECK(objects[2].depends_on.empty());
  CHECK(objects[3].kind == ObjectKind::policy);
  CHECK(objects[3].name == "own_rows");
  CHECK(objects[3].schema == "public");
  CHECK(objects[3].target == "public.documents");
  CHECK(objects[3].depends_on == std::vector<std::string>{"auth.teams", "public.documents"});
}

TEST_CASE("a grant is named by its privileges in PostgreSQL's order, object and grantees") {
  const auto objects =
      read("GRANT select ON auth.active_users TO reader;\n"
           "GRANT UPDATE, select ON TABLE a, b TO writer, reader;\n"
           "GRANT ALL ON SEQUENCE tickets TO PUBLIC WITH GRANT OPTION;\n"
           "GRANT EXECUTE ON FUNCTION auth.touch(int, text), g TO app;\n"
           "GRANT USAGE ON SCHEMA auth TO app;\n"
           "GRANT SELECT (id, name), UPDATE (name) ON users TO app;\n"
           "GRANT temp ON DATABASE app TO app;");
  std::vector<std::string> names;
  for (const auto& o : objects) {
    CHECK(o.kind == ObjectKind::grant);
    CHECK(o.schema == "");
    names.push_back(o.name);
  }
  // a grant per object and role, as the database's ACL keeps them
  CHECK(names == std::vector<std::string>{
                     "SELECT ON TABLE auth.active_users TO reader",
                     "SELECT, UPDATE ON TABLE public.a TO reader",
                     "SELECT, UPDATE ON TABLE public.a TO writer",
                     "SELECT, UPDATE ON TABLE public.b TO reader",
                     "SELECT, UPDATE ON TABLE public.b TO writer",
                     "SELECT, UPDATE, USAGE ON SEQUENCE public.tickets TO PUBLIC WITH GRANT OPTION",
                     "EXECUTE ON FUNCTION auth.touch(integer, text) TO app",
                     "EXECUTE ON FUNCTION public.g TO app",
                     "USAGE ON SCHEMA auth TO app",
                     "SELECT (id, name), UPDATE (name) ON TABLE public.users TO app",
                     "TEMPORARY ON DATABASE app TO app",
                 });
  REQUIRE(objects.size() == 11);
  CHECK(objects[0].sql == "GRANT select ON auth.active_users TO reader");
  CHECK(objects[0].depends_on == std::vector<std::string>{"auth.active_users"});
  // one statement naming two objects and two roles: a grant each, each its own statement
  CHECK(objects[1].sql == "GRANT SELECT, UPDATE ON TABLE public.a TO reader");
  CHECK(objects[1].origin.loc == SourceLoc{"db/objects.sql", 2, 1});
  CHECK(objects[6].depends_on == std::vector<std::string>{"auth.touch"});
  CHECK(objects[8].depends_on.empty());
}

TEST_CASE("what several statements grant one role on one object is one grant") {
  auto objects = read("GRANT SELECT ON t TO r;\nGRANT INSERT, SELECT (a, b) ON TABLE public.t TO r;\n"
                      "GRANT SELECT ON t TO other;");
  pgparse::merge_grants(objects);
  REQUIRE(objects.size() == 2);
  CHECK(objects[0].name == "SELECT, SELECT (a, b), INSERT ON TABLE public.t TO r");
  CHECK(objects[0].sql == "GRANT " + objects[0].name);
  CHECK(objects[1].name == "SELECT ON TABLE public.t TO other");
}

TEST_CASE("several statements in a file: each its text and its line, comments before it left out") {
  const std::string file = "-- the objects of the auth schema\n"
                           "CREATE EXTENSION citext;\n"
                           "\n"
                           "/* counts /* nested */ users */   CREATE SEQUENCE auth.seq\n"
                           "  INCREMENT 5 ;  CREATE EXTENSION \"uuid-ossp\"\n"
                           "\n";
  const auto objects = read(file);
  REQUIRE(objects.size() == 3);
  CHECK(objects[0].sql == "CREATE EXTENSION citext");
  CHECK(objects[0].origin.loc == SourceLoc{"db/objects.sql", 2, 1});
  CHECK(objects[1].sql == "CREATE SEQUENCE auth.seq\n  INCREMENT 5");
  CHECK(objects[1].origin.loc == SourceLoc{"db/objects.sql", 4, 35});
  CHECK(objects[2].sql == "CREATE EXTENSION \"uuid-ossp\"");
  CHECK(objects[2].name == "uuid-ossp");
  CHECK(objects[2].origin.loc == SourceLoc{"db/objects.sql", 5, 18});
}

TEST_CASE("a syntax error is at its file, line and column, counted in characters") {
  CHECK(error_of("CREATE EXTENSION a;\n"
                 "CREATE FUNCTION f() RETURNS int\n"
                 "  LANGUAGE sql AS 'SELECT 1' STRCT;\n") ==
        "db/objects.sql:3:30: error: syntax error at or near \"STRCT\"");
  // 'é' is two bytes and one column
  CHECK(error_of("-- é\nGRANT SELECT ON 'é' TO x;") ==
        "db/objects.sql:2:17: error: syntax error at or near \"'é'\"");
  CHECK(error_of("CREATE SEQUENCE") ==
        "db/objects.sql:1:16: error: syntax error at end of input");
}

TEST_CASE("a statement with no place in an objects file is an error there, saying where it goes") {
  DiagnosticList diags;
  const auto objects = read("CREATE EXTENSION a;\n"
                            "CREATE TABLE t (id int);\n"
                            "  CREATE VIEW v AS SELECT 1;\n"
                            "INSERT INTO t VALUES (1);\n"
                            "ALTER TABLE t ADD COLUMN x int;\n"
                            "GRANT admin TO bob;\n"
                            "REVOKE SELECT ON t FROM bob;\n"
                            "GRANT SELECT ON ALL TABLES IN SCHEMA s TO bob;\n"
                            "CREATE SEQUENCE ok;",
                            &diags);
  CHECK(objects.size() == 2); // every mistake is reported; what is right is still read
  REQUIRE(diags.items().size() == 7);
  const auto& d = diags.items();
  CHECK(d[0].loc == SourceLoc{"db/objects.sql", 2, 1});
  CHECK(d[0].message.starts_with("CREATE TABLE in an objects file: tables and their indexes "
                                 "belong in the models (SG_TABLE, SG_INDEX)"));
  CHECK(d[1].loc == SourceLoc{"db/objects.sql", 3, 3});
  CHECK(d[1].message.find("CREATE VIEW in an objects file: a view belongs in the models, as a "
                          "struct with SG_VIEW") == 0);
  CHECK(d[2].message.find("INSERT in an objects file") == 0);
  CHECK(d[2].message.find("data belongs in a revision's execute or call op") != std::string::npos);
  CHECK(d[3].message.find("ALTER in an objects file") == 0);
  CHECK(d[4].message.find("GRANT role in an objects file") == 0);
  CHECK(d[5].message.find("REVOKE in an objects file") == 0);
  CHECK(d[6].message.find("IN SCHEMA") != std::string::npos);
  CHECK(d[6].loc.line == 8);
}

TEST_CASE("read_objects_file names the file by its path, and throws its errors") {
  CHECK_THROWS_WITH_AS(pgparse::read_objects_file("/nonexistent/objects.sql"),
                       doctest::Contains("/nonexistent/objects.sql"), UserError);
}

TEST_CASE("references: relations and functions, CTE names left out, public when unqualified") {
  CHECK(pgparse::references("SELECT u.id, lower(u.name) FROM auth.users u\n"
                            "  JOIN sessions s ON s.user_id = u.id\n"
                            "  LEFT JOIN LATERAL (SELECT * FROM billing.invoices i\n"
                            "                     WHERE i.user_id = u.id) x ON true\n"
                            "WHERE EXISTS (SELECT 1 FROM bans b WHERE b.user_id = u.id)\n"
                            "  AND u.id IN (SELECT auth.member_ids('admin'))") ==
        std::vector<std::string>{"auth.member_ids", "auth.users", "billing.invoices",
                                 "public.bans", "public.lower", "public.sessions"});
  CHECK(pgparse::references("WITH recent AS (SELECT * FROM orders WHERE at > now()),\n"
                            "     totals AS (SELECT customer, sum(amount) FROM recent GROUP BY 1)\n"
                            "SELECT * FROM totals JOIN shop.customers c ON c.id = customer\n"
                            "UNION ALL SELECT * FROM public.recent") ==
        std::vector<std::string>{"public.now", "public.orders", "public.recent", "public.sum",
                                 "shop.customers"});
  CHECK(pgparse::references("SELECT extract(year FROM at) FROM events") ==
        std::vector<std::string>{"public.events"}); // pg_catalog.extract is no user object
}

TEST_CASE("references: a syntax error at the query's own position") {
  CHECK_THROWS_WITH_AS(pgparse::references("SELECT *\nFROM", SourceLoc{"models.hpp", 10, 20}),
                       "models.hpp:11:5: error: the query does not parse: syntax error at end of "
                       "input",
                       UserError);
  CHECK_THROWS_WITH_AS(pgparse::references("SELECT FROM WHERE"),
                       doctest::Contains("(line 1, column 13)"), UserError);
}

TEST_CASE("canonical: the same for layout, comments, keyword case and type spelling; not for a "
          "real change") {
  const auto a = pgparse::canonical(
      "CREATE FUNCTION auth.f(a int4) RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM t "
      "WHERE id = a $$");
  const auto b = pgparse::canonical("-- counts\ncreate or replace function auth.f(\n"
                                    "    a INTEGER  /* the id */\n"
                                    ") returns int8\n"
                                    "language SQL as 'select count(*)\n  from t where id=a';");
  CHECK(a == b);
  CHECK(a.find("location") == std::string::npos);
  CHECK(a != pgparse::canonical("CREATE FUNCTION auth.f(a int4) RETURNS bigint LANGUAGE sql AS "
                                "$$ SELECT count(*) FROM t WHERE id = a + 1 $$"));
  CHECK(a != pgparse::canonical("CREATE FUNCTION auth.f(a int4) RETURNS integer LANGUAGE sql AS "
                                "$$ SELECT count(*) FROM t WHERE id = a $$"));

  CHECK(pgparse::canonical("CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE "
                           "FUNCTION touch()") ==
        pgparse::canonical("create   trigger t\n  before update on users\n  for each row\n"
                           "  execute procedure touch();"));
  CHECK(pgparse::canonical("CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE "
                           "FUNCTION touch()") !=
        pgparse::canonical("CREATE TRIGGER t AFTER UPDATE ON users FOR EACH ROW EXECUTE "
                           "FUNCTION touch()"));
  CHECK(pgparse::canonical("CREATE EXTENSION IF NOT EXISTS pgcrypto") ==
        pgparse::canonical("create extension pgcrypto"));
  CHECK(pgparse::canonical("SELECT a FROM t WHERE b = 'x'") ==
        pgparse::canonical("select a\nfrom t -- rows\nwhere b='x'"));
  CHECK(pgparse::canonical("SELECT a FROM t WHERE b = 'x'") !=
        pgparse::canonical("SELECT a FROM t WHERE b = 'X'"));
  // plpgsql bodies are compared as text: layout inside one is a difference
  CHECK(pgparse::canonical("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN END$$") !=
        pgparse::canonical("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$BEGIN  END$$"));
}

TEST_CASE("format_type_name") {
  CHECK(pgparse::format_type_name({"pg_catalog", "int8"}) == "bigint");
  CHECK(pgparse::format_type_name({"pg_catalog", "bpchar"}) == "character");
  CHECK(pgparse::format_type_name({"char"}) == "\"char\"");
  CHECK(pgparse::format_type_name({"auth", "role"}) == "auth.role");
  CHECK(pgparse::format_type_name({"citext"}) == "citext");
}

TEST_CASE("a statement nested deeper than the parse tree can be read is an error at it, no crash") {
  // PostgreSQL parses it; its JSON parse tree is deeper than schemagen reads (2,000 levels, as
  // yaml-cpp read; found by fuzzing)
  const std::string deep = "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN " +
                           std::string(3000, '+') + "1;";
  const auto error = error_of("\n" + deep);
  INFO(error);
  CHECK(error.find("db/objects.sql:2:1: error:") == 0);
  CHECK(error.find("nests too deeply") != std::string::npos);
  CHECK(pgparse::read_script(deep).error.value_or("").find("nests too deeply") !=
        std::string::npos);
}

TEST_CASE("a NUL byte in SQL is an error where it is, not the end of what is read") {
  // the parser reads a C string: without the check, what follows the NUL was read by nobody
  const std::string text("-- a\nCREATE FUNCTION f() RETURNS trigger\0 LANGUAGE plpgsql AS 'x';", 66);
  REQUIRE(text.find('\0') != std::string::npos);
  CHECK(error_of(text) == "db/objects.sql:2:36: error: a NUL byte, which SQL text cannot hold");
  const auto script = pgparse::read_script(text);
  REQUIRE(script.error);
  CHECK(script.error_offset == text.find('\0'));
}

TEST_CASE("a -- comment ends at a carriage return too, as PostgreSQL's scanner ends it") {
  // found by fuzzing: the statement after "-- note\r" was taken for part of the comment
  const auto objects = read("-- note\r\rCREATE EXTENSION pgcrypto;\n");
  REQUIRE(objects.size() == 1);
  CHECK(objects[0].name == "pgcrypto");
  CHECK(objects[0].sql == "CREATE EXTENSION pgcrypto");
}

// ---- read_script: what an execute's statements do to the schema, as ops ----------------------

namespace {

using When = pgparse::Statement::When;

/// The one statement of `sql`, read as an execute's SQL.
pgparse::Statement statement_of(std::string_view sql) {
  auto script = pgparse::read_script(sql);
  INFO(script.error.value_or(""));
  REQUIRE_FALSE(script.error);
  REQUIRE(script.statements.size() == 1);
  auto s = std::move(script.statements.front());
  REQUIRE(s.when.size() == s.ops.size());
  return s;
}

template <class T>
const T& op_of(const pgparse::Statement& s, std::size_t i = 0) {
  REQUIRE(i < s.ops.size());
  const auto* op = std::get_if<T>(&s.ops[i]);
  REQUIRE(op != nullptr);
  return *op;
}

/// `sql` replayed on `m` as offline replay follows it: each followed statement's ops as
/// on_schema() makes them there, applied in turn. "" when every statement is followed and
/// applies; else why not.
std::string replay(std::string_view sql, model::Metadata& m) {
  const auto script = pgparse::read_script(sql);
  if (script.error) return *script.error;
  for (const auto& s : script.statements) {
    if (!s.followed) return "not followed: " + s.text;
    for (std::size_t i = 0; i < s.ops.size(); ++i) {
      std::string why;
      const auto ops = pgparse::on_schema(s.ops[i], s.when[i], m, why);
      if (!ops) return why;
      for (const auto& op : *ops) ops::apply(op, m);
    }
  }
  return "";
}

const model::DbObject* find_object(const model::Metadata& m, ObjectKind kind,
                                   std::string_view name) {
  for (const auto& o : m.objects)
    if (o.kind == kind && o.name == name) return &o;
  return nullptr;
}

std::vector<std::string> grant_names(const model::Metadata& m) {
  std::vector<std::string> out;
  for (const auto& o : m.objects)
    if (o.kind == ObjectKind::grant) out.push_back(o.name);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("read_script: CREATE TYPE AS ENUM and ALTER TYPE ADD VALUE are create_enum and "
          "add_enum_value; RENAME VALUE is not followed") {
  auto s = statement_of("CREATE TYPE auth.mood AS ENUM ('sad', 'ok')");
  CHECK(s.followed);
  CHECK(op_of<ops::CreateEnum>(s).type == model::Enum{"auth", "mood", {"sad", "ok"}, {}});

  s = statement_of("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'sad'");
  CHECK(s.followed);
  const auto& a = op_of<ops::AddEnumValue>(s);
  CHECK(a.schema == "public");
  CHECK(a.value == "meh");
  CHECK(a.after == std::optional<std::string>("sad"));
  CHECK_FALSE(a.before);
  CHECK(s.when[0] == When::absent);
  s = statement_of("ALTER TYPE mood ADD VALUE 'worse' BEFORE 'sad'");
  CHECK(op_of<ops::AddEnumValue>(s).before == std::optional<std::string>("sad"));
  CHECK(s.when[0] == When::always);

  CHECK_FALSE(statement_of("ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'").followed);

  s = statement_of("DROP TYPE IF EXISTS auth.mood");
  CHECK(s.followed);
  CHECK(op_of<ops::DropEnum>(s).schema == "auth");
  CHECK(op_of<ops::DropEnum>(s).name == "mood");
  CHECK(s.when[0] == When::present);
}

TEST_CASE("read_script: COMMENT ON TABLE and COLUMN are set_table_comment and alter_column") {
  auto s = statement_of("COMMENT ON TABLE auth.users IS 'who logs in'");
  CHECK(s.followed);
  const auto& c = op_of<ops::SetTableComment>(s);
  CHECK(c.schema == "auth");
  CHECK(c.table == "users");
  CHECK(c.comment == std::optional<std::string>("who logs in"));
  CHECK_FALSE(op_of<ops::SetTableComment>(statement_of("COMMENT ON TABLE t IS NULL")).comment);
  CHECK_FALSE(op_of<ops::SetTableComment>(statement_of("COMMENT ON TABLE t IS ''")).comment);

  s = statement_of("COMMENT ON COLUMN users.email IS 'where mail goes'");
  const auto& a = op_of<ops::AlterColumn>(s);
  CHECK(a.schema == "public");
  CHECK(a.table == "users");
  CHECK(a.name == "email");
  CHECK(a.comment == ops::Change<std::string>(std::optional<std::string>("where mail goes")));
  CHECK_FALSE(a.type);
  CHECK_FALSE(a.nullable);
  // a comment on what no op says is not followed
  CHECK_FALSE(statement_of("COMMENT ON FUNCTION f() IS 'x'").followed);
}

TEST_CASE("read_script: a view's sql is its query; OR REPLACE makes or replaces it; what a "
          "model's view cannot have is not followed") {
  auto s = statement_of("CREATE VIEW auth.\"Active\" AS\n  SELECT id FROM users WHERE active");
  CHECK(s.followed);
  const auto& v = op_of<ops::CreateView>(s);
  CHECK(v.view.schema == "auth");
  CHECK(v.view.name == "Active");
  CHECK(v.view.sql == "SELECT id FROM users WHERE active");
  CHECK_FALSE(v.view.materialized);

  s = statement_of("create or replace view v as with x as (select 1 as a) select a from x;");
  REQUIRE(s.ops.size() == 2);
  CHECK(op_of<ops::CreateView>(s, 0).view.sql == "with x as (select 1 as a) select a from x");
  CHECK(s.when[0] == When::absent);
  CHECK(op_of<ops::ReplaceView>(s, 1).view.sql == "with x as (select 1 as a) select a from x");
  CHECK(s.when[1] == When::present);

  s = statement_of("CREATE MATERIALIZED VIEW IF NOT EXISTS totals AS SELECT count(*) FROM t "
                   "WITH NO DATA");
  CHECK(s.followed);
  CHECK(op_of<ops::CreateView>(s).view.materialized);
  CHECK(op_of<ops::CreateView>(s).view.sql == "SELECT count(*) FROM t");
  CHECK(s.when[0] == When::absent);
  CHECK(op_of<ops::CreateView>(statement_of("CREATE MATERIALIZED VIEW m AS SELECT * FROM data"))
            .view.sql == "SELECT * FROM data");

  for (const char* sql : {"CREATE VIEW v (a) AS SELECT 1", "CREATE TEMP VIEW v AS SELECT 1",
                          "CREATE VIEW v WITH (security_barrier) AS SELECT 1",
                          "CREATE VIEW v AS SELECT 1 WITH CHECK OPTION",
                          "CREATE RECURSIVE VIEW v (n) AS SELECT 1",
                          "CREATE MATERIALIZED VIEW m (a) AS SELECT 1",
                          "CREATE TABLE t2 AS SELECT 1 AS a", "SELECT 1 AS a INTO t3"}) {
    INFO(sql);
    CHECK_FALSE(statement_of(sql).followed);
  }

  s = statement_of("DROP MATERIALIZED VIEW IF EXISTS auth.totals, other");
  CHECK(s.followed);
  REQUIRE(s.ops.size() == 2);
  CHECK(op_of<ops::DropView>(s).view.schema == "auth");
  CHECK(op_of<ops::DropView>(s).view.materialized);
  CHECK(op_of<ops::DropView>(s, 1).view.schema == "public");
  CHECK(op_of<ops::DropView>(s, 1).view.name == "other");
  CHECK(s.when[1] == When::present);
}

TEST_CASE("read_script: functions, procedures, triggers, policies, extensions, sequences and "
          "grants as the objects file reads them") {
  const std::string f = "CREATE OR REPLACE FUNCTION auth.touch(a int) RETURNS trigger "
                        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";
  auto s = statement_of(f + ";");
  CHECK(s.followed);
  REQUIRE(s.ops.size() == 2);
  const auto& made = op_of<ops::CreateObject>(s, 0).object;
  CHECK(made.kind == ObjectKind::function);
  CHECK(made.schema == "auth");
  CHECK(made.name == "touch");
  CHECK(made.target == "(integer)");
  CHECK(made.sql == f);
  CHECK(s.when == std::vector<When>{When::absent, When::present});
  CHECK(op_of<ops::ReplaceObject>(s, 1).object.target == "(integer)");

  s = statement_of("CREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$");
  CHECK(op_of<ops::CreateObject>(s).object.kind == ObjectKind::procedure);
  CHECK(s.when[0] == When::always);

  s = statement_of("CREATE TRIGGER touch BEFORE UPDATE ON auth.users FOR EACH ROW EXECUTE "
                   "FUNCTION auth.touch()");
  CHECK(s.followed);
  CHECK(op_of<ops::CreateObject>(s).object.kind == ObjectKind::trigger);
  CHECK(op_of<ops::CreateObject>(s).object.target == "auth.users");
  CHECK(s.locks == std::vector<std::pair<std::string, std::string>>{{"auth", "users"}});

  s = statement_of("CREATE POLICY own ON docs USING (owner = current_user)");
  CHECK(op_of<ops::CreateObject>(s).object.kind == ObjectKind::policy);

  s = statement_of("CREATE EXTENSION IF NOT EXISTS pgcrypto");
  CHECK(op_of<ops::CreateObject>(s).object.kind == ObjectKind::extension);
  CHECK(s.when[0] == When::absent);
  CHECK_FALSE(statement_of("CREATE EXTENSION earthdistance CASCADE").followed);

  s = statement_of("CREATE SEQUENCE billing.no START 1000");
  CHECK(op_of<ops::CreateObject>(s).object.kind == ObjectKind::sequence);
  CHECK(op_of<ops::CreateObject>(s).object.describe() == "sequence billing.no");
  CHECK_FALSE(statement_of("CREATE TEMP SEQUENCE n").followed);

  // ALTER SEQUENCE: its sql is the ALTER, merged by on_schema(); RESTART alone changes nothing
  // a sequence is declared with
  s = statement_of("ALTER SEQUENCE IF EXISTS billing.no INCREMENT 5");
  CHECK(s.followed);
  CHECK(op_of<ops::ReplaceObject>(s).object.sql == "ALTER SEQUENCE IF EXISTS billing.no INCREMENT 5");
  CHECK(s.when[0] == When::present);
  s = statement_of("ALTER SEQUENCE users_id_seq RESTART WITH 100");
  CHECK(s.followed);
  CHECK(s.ops.empty());

  s = statement_of("GRANT SELECT, INSERT ON a, b TO r");
  CHECK(s.followed);
  REQUIRE(s.ops.size() == 2);
  CHECK(op_of<ops::CreateObject>(s, 0).object.name == "SELECT, INSERT ON TABLE public.a TO r");
  s = statement_of("REVOKE GRANT OPTION FOR SELECT ON a FROM r");
  CHECK(s.followed);
  CHECK(op_of<ops::DropObject>(s).object.name == "SELECT ON TABLE public.a TO r WITH GRANT OPTION");
  CHECK_FALSE(statement_of("GRANT SELECT ON ALL TABLES IN SCHEMA public TO r").followed);
  CHECK_FALSE(statement_of("REVOKE SELECT ON a FROM r CASCADE").followed);
}

TEST_CASE("read_script: DROP names what it drops, a routine bare when written bare; CASCADE, "
          "DO blocks and dynamic SQL are not followed") {
  auto s = statement_of("DROP FUNCTION f, auth.g(int, text), h()");
  CHECK(s.followed);
  REQUIRE(s.ops.size() == 3);
  CHECK(op_of<ops::DropObject>(s, 0).object.target == ""); // bare: on_schema() finds it
  CHECK(op_of<ops::DropObject>(s, 1).object.describe() == "function auth.g(integer, text)");
  CHECK(op_of<ops::DropObject>(s, 2).object.target == "()");
  s = statement_of("DROP PROCEDURE p(int)");
  CHECK(op_of<ops::DropObject>(s).object.kind == ObjectKind::procedure);
  s = statement_of("DROP TRIGGER IF EXISTS touch ON auth.users");
  CHECK(op_of<ops::DropObject>(s).object.kind == ObjectKind::trigger);
  CHECK(op_of<ops::DropObject>(s).object.schema == "auth");
  CHECK(op_of<ops::DropObject>(s).object.target == "auth.users");
  CHECK(s.when[0] == When::present);
  s = statement_of("DROP POLICY own ON docs");
  CHECK(op_of<ops::DropObject>(s).object.target == "public.docs");
  s = statement_of("DROP EXTENSION pgcrypto");
  CHECK(op_of<ops::DropObject>(s).object.schema == "");
  s = statement_of("DROP SEQUENCE billing.no");
  CHECK(op_of<ops::DropObject>(s).object.describe() == "sequence billing.no");
  s = statement_of("DROP VIEW v");
  CHECK_FALSE(op_of<ops::DropView>(s).view.materialized);

  for (const char* sql : {"DROP VIEW v CASCADE", "DROP FUNCTION f() CASCADE",
                          "DROP ROUTINE f", "DROP AGGREGATE agg(int)",
                          "DO $$ BEGIN CREATE TABLE t (a int); END $$",
                          "DROP TABLE t CASCADE"}) {
    INFO(sql);
    CHECK_FALSE(statement_of(sql).followed);
  }
}

TEST_CASE("read_script: IF [NOT] EXISTS on tables, indexes, schemas and columns leaves it to "
          "the schema") {
  CHECK(statement_of("CREATE TABLE IF NOT EXISTS t (a int)").when[0] == When::absent);
  CHECK(statement_of("CREATE INDEX IF NOT EXISTS i ON t (a)").when[0] == When::absent);
  CHECK(statement_of("CREATE SCHEMA IF NOT EXISTS s").when[0] == When::absent);
  CHECK(statement_of("DROP TABLE IF EXISTS t").when[0] == When::present);
  const auto s = statement_of("ALTER TABLE t ADD COLUMN IF NOT EXISTS c int, "
                              "ADD COLUMN IF NOT EXISTS d int UNIQUE, DROP COLUMN IF EXISTS e");
  // a column with constraints is skipped with them: not left to the schema op by op
  CHECK(s.when == std::vector<When>{When::absent, When::always, When::always, When::present});
}

TEST_CASE("on_schema: replayed, what the statements make compares as the chain's ops would make "
          "it; OR REPLACE and IF [NOT] EXISTS as the schema has it") {
  model::Metadata m;
  REQUIRE(replay("CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
                 "CREATE TABLE t (id bigint PRIMARY KEY, m mood);\n"
                 "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n"
                 "COMMENT ON VIEW v IS NULL;\n",
                 m)
              .starts_with("not followed: COMMENT ON VIEW"));
  m = {};
  REQUIRE(replay("CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
                 "CREATE TABLE t (id bigint PRIMARY KEY, m mood);\n"
                 "CREATE OR REPLACE VIEW v AS SELECT id FROM t;\n"
                 "CREATE OR REPLACE VIEW v AS SELECT id, m FROM t;\n"
                 "ALTER TYPE mood ADD VALUE 'meh' AFTER 'sad';\n"
                 "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh';\n"
                 "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
                 "CREATE EXTENSION IF NOT EXISTS pgcrypto;\n"
                 "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT $1 $$;\n"
                 "CREATE OR REPLACE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n"
                 "DROP TABLE IF EXISTS gone;\n"
                 "COMMENT ON COLUMN t.m IS 'how it feels';\n"
                 "COMMENT ON TABLE t IS 'feelings';",
                 m) == "");
  REQUIRE(m.enums.size() == 1);
  CHECK(m.enums[0].values == std::vector<std::string>{"sad", "meh", "ok"});
  REQUIRE(m.views.size() == 1);
  CHECK(m.views[0].sql == "SELECT id, m FROM t");
  CHECK(m.tables[0].comment == std::optional<std::string>("feelings"));
  CHECK(m.tables[0].columns[1].comment == std::optional<std::string>("how it feels"));
  const auto* f = find_object(m, ObjectKind::function, "f");
  REQUIRE(f != nullptr);
  CHECK(f->sql.ends_with("SELECT 2 $$"));
  CHECK(std::count_if(m.objects.begin(), m.objects.end(), [](const auto& o) {
          return o.kind == ObjectKind::extension;
        }) == 1);

  // a materialized view's index is the view's
  REQUIRE(replay("CREATE MATERIALIZED VIEW totals AS SELECT m, count(*) AS n FROM t GROUP BY m;\n"
                 "CREATE UNIQUE INDEX totals_m ON totals (m);",
                 m) == "");
  const auto* totals = m.find_view("public", "totals");
  REQUIRE(totals != nullptr);
  REQUIRE(totals->indexes.size() == 1);
  CHECK(totals->indexes[0].name == "totals_m");
  CHECK(totals->indexes[0].unique);
  REQUIRE(replay("DROP INDEX totals_m;", m) == "");
  CHECK(m.find_view("public", "totals")->indexes.empty());

  // drops as what they drop; a routine named bare is its one overload
  REQUIRE(replay("DROP FUNCTION f; DROP MATERIALIZED VIEW totals; DROP VIEW v; DROP TYPE IF "
                 "EXISTS nothing; DROP EXTENSION pgcrypto;",
                 m) == "");
  CHECK(m.objects.empty());
  CHECK(m.views.empty());
}

TEST_CASE("on_schema: what the schema does not let apply is refused, saying why") {
  model::Metadata m;
  REQUIRE(replay("CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
                 "CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n"
                 "CREATE VIEW v AS SELECT 1 AS a;",
                 m) == "");
  CHECK(replay("DROP FUNCTION f", m) ==
        "the replayed schema has 2 functions public.f, which its name without argument types "
        "does not tell apart (the server refuses it too); name the argument types");
  CHECK(replay("GRANT EXECUTE ON FUNCTION f TO r", m) ==
        "the replayed schema has no routine or several that `public.f` could mean; name its "
        "argument types");
  CHECK(replay("DROP FUNCTION f(int); DROP FUNCTION f", m) == ""); // now one
  CHECK(replay("CREATE VIEW v AS SELECT 2 AS a", m) ==
        "it makes view public.v, which the replayed schema has already");
  CHECK(replay("DROP VIEW w", m) == "the replayed schema has no view public.w");
  CHECK(replay("DROP MATERIALIZED VIEW v", m) ==
        "the replayed schema has no materialized view public.v");
  CHECK(replay("DROP TRIGGER tr ON t", m) ==
        "the replayed schema has no trigger tr on public.t");
  CHECK(replay("ALTER TYPE mood ADD VALUE 'x'", m) ==
        "the replayed schema has no enum type public.mood");
  CHECK(replay("COMMENT ON TABLE v IS 'a view'", m) == "the replayed schema has no table public.v");
  CHECK(replay("ALTER SEQUENCE users_id_seq OWNED BY NONE", m) ==
        "the replayed schema has no sequence public.users_id_seq");
  CHECK(replay("DROP TABLE t", m) == "the replayed schema has no table public.t");
}

TEST_CASE("on_schema: GRANT and REVOKE leave the grants as the server's ACL holds them") {
  model::Metadata m;
  REQUIRE(replay("CREATE TABLE t (a int, b int);\n"
                 "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n"
                 "GRANT SELECT ON t TO r;\n"
                 "GRANT INSERT, SELECT ON t TO r;\n"
                 "GRANT UPDATE ON t TO r WITH GRANT OPTION;\n"
                 "GRANT EXECUTE ON FUNCTION f TO app;\n"
                 "REVOKE EXECUTE ON FUNCTION f(int) FROM PUBLIC;", // a default: no grant
                 m) == "");
  CHECK(grant_names(m) == std::vector<std::string>{
                              "EXECUTE ON FUNCTION public.f(integer) TO app",
                              "SELECT, INSERT ON TABLE public.t TO r",
                              "UPDATE ON TABLE public.t TO r WITH GRANT OPTION",
                          });
  // granting with the option moves a privilege over; revoking the option moves it back
  REQUIRE(replay("GRANT SELECT ON t TO r WITH GRANT OPTION", m) == "");
  CHECK(grant_names(m) == std::vector<std::string>{
                              "EXECUTE ON FUNCTION public.f(integer) TO app",
                              "INSERT ON TABLE public.t TO r",
                              "SELECT, UPDATE ON TABLE public.t TO r WITH GRANT OPTION",
                          });
  REQUIRE(replay("REVOKE GRANT OPTION FOR SELECT ON t FROM r", m) == "");
  CHECK(grant_names(m) == std::vector<std::string>{
                              "EXECUTE ON FUNCTION public.f(integer) TO app",
                              "SELECT, INSERT ON TABLE public.t TO r",
                              "UPDATE ON TABLE public.t TO r WITH GRANT OPTION",
                          });
  const auto* merged = find_object(m, ObjectKind::grant, "SELECT, INSERT ON TABLE public.t TO r");
  REQUIRE(merged != nullptr);
  CHECK(merged->sql == "GRANT SELECT, INSERT ON TABLE public.t TO r");
  CHECK(merged->relation() == std::optional<std::string>("public.t"));
  // a privilege on the table takes the one on its columns; columns apart are not followed
  REQUIRE(replay("GRANT SELECT (a) ON t TO s; REVOKE ALL ON t FROM r", m) == "");
  CHECK(grant_names(m) == std::vector<std::string>{
                              "EXECUTE ON FUNCTION public.f(integer) TO app",
                              "SELECT (a) ON TABLE public.t TO s",
                          });
  CHECK(replay("REVOKE SELECT (b) ON t FROM s", m) ==
        "it revokes SELECT (b) where the replayed schema grants SELECT (a): columns apart from "
        "the rest of a grant");
  REQUIRE(replay("REVOKE SELECT ON t FROM s; REVOKE EXECUTE ON FUNCTION f(integer) FROM app", m) ==
          "");
  CHECK(grant_names(m).empty());
}

TEST_CASE("on_schema: ALTER SEQUENCE sets its options in the sequence's statement") {
  model::Metadata m;
  REQUIRE(replay("CREATE SEQUENCE counter AS integer START 5 CACHE 10;\n"
                 "ALTER SEQUENCE counter INCREMENT BY 2 RESTART WITH 9 CACHE 20;\n",
                 m) == "");
  const auto* seq = find_object(m, ObjectKind::sequence, "counter");
  REQUIRE(seq != nullptr);
  CHECK(seq->sql == "CREATE SEQUENCE counter AS integer START 5 CACHE 20 INCREMENT BY 2");
  // it compares offline as the same statement written so would
  CHECK(pgparse::canonical(seq->sql) ==
        pgparse::canonical("create sequence counter as int4 start 5 cache 20 increment by 2"));
  REQUIRE(replay("ALTER SEQUENCE IF EXISTS other CACHE 1;\n"
                 "ALTER SEQUENCE counter OWNED BY NONE;",
                 m) == "");
  CHECK(find_object(m, ObjectKind::sequence, "counter")->sql ==
        "CREATE SEQUENCE counter AS integer START 5 CACHE 20 INCREMENT BY 2 OWNED BY NONE");
}
