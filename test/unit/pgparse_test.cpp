// lib/pgparse: the SQL files of `objects:` read with PostgreSQL's parser, what a query
// references, and the canonical form offline comparison uses.

#include "schemagen/pgparse/pgparse.hpp"

#include <doctest/doctest.h>
#include <string>

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
