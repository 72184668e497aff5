// lib/ddl and support/sql: the SQL text, quoting exactly when PostgreSQL needs it.

#include "schemagen/pg/ddl.hpp"
#include "schemagen/support/sql.hpp"

#include "objects.hpp"

#include <doctest/doctest.h>

using namespace schemagen;

namespace {
std::string one(const ops::Op& op) {
  auto s = pg::compile(op);
  REQUIRE(s.size() == 1);
  return s[0].sql;
}
} // namespace

TEST_CASE("identifiers are quoted exactly when needed, literals escaped") {
  CHECK(sql::quote_ident("users") == "users");
  CHECK(sql::quote_ident("user") == "\"user\"");
  CHECK(sql::quote_ident("select") == "\"select\"");
  CHECK(sql::quote_ident("Users") == "\"Users\"");
  CHECK(sql::quote_ident("order lines") == "\"order lines\"");
  CHECK(sql::quote_ident("a\"b") == "\"a\"\"b\"");
  CHECK(sql::quote_ident("name") == "name"); // an unreserved keyword stands bare
  CHECK(sql::quote_ident("_x1") == "_x1");
  CHECK(sql::quote_ident("x$1") == "\"x$1\""); // as the server quotes it
  CHECK(sql::quote_ident("1abc") == "\"1abc\"");
  CHECK(sql::quote_literal("it's") == "'it''s'");
  CHECK(sql::quote_literal("a\\b") == "E'a\\\\b'");
}

TEST_CASE("ops compile to PostgreSQL") {
  model::Table t;
  t.name = "Order Lines";
  t.columns = {{"id",
                "INTEGER",
                false,
                std::nullopt,
                model::Identity::none,
                true,
                std::nullopt,
                std::nullopt,
                {}},
               {"select",
                "TEXT",
                true,
                "'x'",
                model::Identity::none,
                false,
                "a comment's",
                std::nullopt,
                {}}};
  t.primary_key = model::PrimaryKey{"pk", {"id"}};
  t.foreign_keys = {{"fk", {"id"}, "s", "Other", {"id"}, "SET NULL", "", {}}};
  auto create = pg::compile(ops::CreateTable{t});
  REQUIRE(create.size() == 2);
  CHECK(create[0].sql ==
        "CREATE TABLE public.\"Order Lines\" (\n    id SERIAL NOT NULL,\n    \"select\" TEXT "
        "DEFAULT 'x',\n    CONSTRAINT pk PRIMARY KEY (id),\n    CONSTRAINT fk FOREIGN KEY (id) "
        "REFERENCES s.\"Other\" (id) ON DELETE SET NULL\n)");
  CHECK(create[1].sql == "COMMENT ON COLUMN public.\"Order Lines\".\"select\" IS 'a comment''s'");

  model::Index ix{"ix", {"a", "lower(b)", "c DESC"}, true, "a > 0", "gin", {}};
  auto idx = pg::compile(ops::CreateIndex{"s", "t", ix, true});
  REQUIRE(idx.size() == 1);
  CHECK(idx[0].sql ==
        "CREATE UNIQUE INDEX CONCURRENTLY ix ON s.t USING gin (a, (lower(b)), c DESC) WHERE a > 0");
  CHECK_FALSE(idx[0].transactional);
  CHECK(pg::compile(ops::CreateIndex{"s", "t", ix, false})[0].transactional);

  ops::AlterColumn a;
  a.table = "t";
  a.name = "c";
  a.type = "INTEGER";
  a.using_ = "c::integer";
  a.nullable = false;
  auto alter = pg::compile(a);
  REQUIRE(alter.size() == 2);
  CHECK(alter[0].sql == "ALTER TABLE public.t ALTER COLUMN c TYPE INTEGER USING c::integer");
  CHECK(alter[1].sql == "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL");

  const auto add_value =
      pg::compile(ops::AddEnumValue{"public", "mood", "meh", std::nullopt, "ok"});
  REQUIRE(add_value.size() == 1);
  CHECK(add_value[0].sql == "ALTER TYPE public.mood ADD VALUE IF NOT EXISTS 'meh' AFTER 'ok'");
  CHECK_FALSE(add_value[0].transactional); // committed before anything uses the new value
  CHECK(one(ops::BulkInsert{
            "public",
            "t",
            {{{"a", {ops::Literal::Kind::string, "x'y"}}, {"b", {ops::Literal::Kind::null, ""}}},
             {{"a", {ops::Literal::Kind::number, "2"}},
              {"b", {ops::Literal::Kind::boolean, "true"}}}}}) ==
        "INSERT INTO public.t (a, b) VALUES\n    ('x''y', NULL),\n    (2, true)");
  CHECK(pg::compile(ops::Execute{{{"sqlite", "VACUUM"}}}).empty());
  CHECK(one(ops::Execute{{{"postgresql", "SELECT 1"}, {"sqlite", "SELECT 2"}}}) == "SELECT 1");
}

TEST_CASE("names and words that reach SQL: enum types, index entries, access methods, actions") {
  // an enum used as a column's type, spelled as format_type() spells it
  CHECK(sql::type_name("public", "status") == "status");
  CHECK(sql::type_name("Auth", "Status") == "\"Auth\".\"Status\"");
  CHECK(sql::type_name("public", "e); COMMIT; DROP TABLE victim; --") ==
        "\"e); COMMIT; DROP TABLE victim; --\"");
  // index entries: a column, a column with options, a quoted column as the catalog spells it
  CHECK(sql::index_element("from") == "\"from\"");
  CHECK(sql::index_element("created_at DESC") == "created_at DESC");
  CHECK(sql::index_element("\"Order\" DESC") == "\"Order\" DESC");
  CHECK(sql::index_element("\"a\"\"b\"") == "\"a\"\"b\"");
  CHECK(sql::index_element("lower(email)") == "(lower(email))");
  CHECK(sql::index_element("(total * 2)") == "(total * 2)");
  CHECK(sql::index_element("\"a\" || \"b\"") == "(\"a\" || \"b\")");
  // an expression's ordering stays outside its parentheses
  CHECK(sql::index_element("lower(\"Name\") NULLS FIRST") == "(lower(\"Name\")) NULLS FIRST");
  CHECK(sql::index_element("lower(a) desc nulls last") == "(lower(a)) desc nulls last");
  CHECK(sql::index_element("(w + 1) DESC") == "(w + 1) DESC");
  CHECK(sql::index_element("(a) + (b) ASC") == "((a) + (b)) ASC");
  CHECK(sql::index_element("(a || '(') || (b)") == "((a || '(') || (b))");
  CHECK(sql::index_element("(a || ')(')") == "(a || ')(')");
  CHECK(sql::index_element("nulls_first(x)") == "(nulls_first(x))");
  // methods are lower-cased names; actions only PostgreSQL's own
  CHECK(sql::access_method("GIN") == "gin");
  CHECK(sql::access_method("x; DROP TABLE victim") == "\"x; drop table victim\"");
  CHECK(sql::referential_action(" set   null ") == "SET NULL");
  CHECK(sql::referential_action("NO ACTION") == "");
  CHECK_FALSE(sql::referential_action("CASCADE; DROP TABLE victim"));
}

namespace {
const auto object = testing::db_object;
std::vector<std::string> all(const ops::Op& op) {
  std::vector<std::string> out;
  for (const auto& s : pg::compile(op)) out.push_back(s.sql);
  return out;
}
} // namespace

TEST_CASE("views compile to CREATE, CREATE OR REPLACE and DROP; a materialized one is made again") {
  model::View v;
  v.schema = "auth";
  v.name = "active_users";
  v.sql = "SELECT id FROM auth.users WHERE active";
  v.comment = "who";
  CHECK(all(ops::CreateView{v}) ==
        std::vector<std::string>{"CREATE VIEW auth.active_users AS\nSELECT id FROM auth.users WHERE active",
                                 "COMMENT ON VIEW auth.active_users IS 'who'"});
  auto before = v;
  before.sql = "SELECT id FROM auth.users";
  CHECK(all(ops::ReplaceView{v, before}) ==
        std::vector<std::string>{
            "CREATE OR REPLACE VIEW auth.active_users AS\nSELECT id FROM auth.users WHERE active"});
  CHECK(one(ops::DropView{v}) == "DROP VIEW auth.active_users");

  auto m = v;
  m.materialized = true;
  m.comment.reset();
  m.indexes = {{"active_users_id", {"id"}}};
  CHECK(all(ops::CreateView{m}) ==
        std::vector<std::string>{
            "CREATE MATERIALIZED VIEW auth.active_users AS\nSELECT id FROM auth.users WHERE active",
            "CREATE INDEX active_users_id ON auth.active_users (id)"});
  // a view that becomes materialized is dropped as the plain view it was
  const auto becomes = all(ops::ReplaceView{m, before});
  REQUIRE(becomes.size() == 3);
  CHECK(becomes[0] == "DROP VIEW auth.active_users");
  CHECK(becomes[1].starts_with("CREATE MATERIALIZED VIEW"));
  const auto stops = all(ops::ReplaceView{v, m});
  CHECK(stops[0] == "DROP MATERIALIZED VIEW auth.active_users");
  CHECK(stops[1].starts_with("CREATE VIEW"));
}

TEST_CASE("schema objects: OR REPLACE where the server has it, made again where it has not") {
  using K = model::ObjectKind;
  const auto fn = object(K::function, "public", "touch", "()",
                         "-- touch\ncreate function public.touch() returns trigger language "
                         "plpgsql as $$begin return new; end$$");
  CHECK(one(ops::CreateObject{fn}) == fn.sql);
  CHECK(one(ops::ReplaceObject{fn, fn}) ==
        "-- touch\ncreate OR REPLACE function public.touch() returns trigger language plpgsql as "
        "$$begin return new; end$$");
  CHECK(one(ops::DropObject{fn}) == "DROP FUNCTION public.touch()");
  auto already = fn;
  already.sql = "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger AS 'x' LANGUAGE sql";
  CHECK(one(ops::ReplaceObject{already, fn}) == already.sql);
  CHECK(one(ops::DropObject{object(K::procedure, "app", "noop", "(integer)", "")}) ==
        "DROP PROCEDURE app.noop(integer)");

  const auto trigger = object(K::trigger, "auth", "users_touch", "auth.users",
                              "CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users FOR EACH "
                              "ROW EXECUTE FUNCTION touch()");
  CHECK(one(ops::ReplaceObject{trigger, trigger}).starts_with("CREATE OR REPLACE TRIGGER"));
  CHECK(one(ops::DropObject{trigger}) == "DROP TRIGGER users_touch ON auth.users");
  // a constraint trigger has no OR REPLACE
  auto constraint = trigger;
  constraint.sql = "CREATE CONSTRAINT TRIGGER users_touch AFTER UPDATE ON auth.users FOR EACH "
                   "ROW EXECUTE FUNCTION touch()";
  CHECK(all(ops::ReplaceObject{constraint, trigger}) ==
        std::vector<std::string>{"DROP TRIGGER users_touch ON auth.users", constraint.sql});

  const auto policy = object(K::policy, "auth", "own", "auth.users",
                             "CREATE POLICY own ON auth.users USING (true)");
  CHECK(all(ops::ReplaceObject{policy, policy}) ==
        std::vector<std::string>{"DROP POLICY own ON auth.users", policy.sql});

  CHECK(one(ops::DropObject{object(K::extension, "", "uuid-ossp", "", "")}) ==
        "DROP EXTENSION \"uuid-ossp\"");
}

TEST_CASE("a sequence is altered with its CREATE SEQUENCE's options, its value kept") {
  using K = model::ObjectKind;
  auto s = object(K::sequence, "public", "order no", "",
                  "CREATE SEQUENCE IF NOT EXISTS public.\"order no\"\n  AS integer START WITH 10;");
  CHECK(one(ops::ReplaceObject{s, s}) ==
        "ALTER SEQUENCE public.\"order no\"\n  AS integer START WITH 10 INCREMENT BY 1 NO "
        "MINVALUE NO MAXVALUE CACHE 1 NO CYCLE");
  CHECK(pg::sequence_options("create sequence s increment 2") == " increment 2");
  CHECK(pg::sequence_options("CREATE SEQUENCE s") == "");
}

TEST_CASE("what a CREATE SEQUENCE leaves out, ALTER SEQUENCE is told as its default") {
  // ALTER keeps what it is not told: an increment dropped from the declaration must go back to 1
  CHECK(pg::complete_sequence_options(" START 1000") ==
        " START 1000 AS bigint INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1 NO CYCLE");
  CHECK(pg::complete_sequence_options("") == " AS bigint INCREMENT BY 1 NO MINVALUE NO MAXVALUE "
                                             "START WITH 1 CACHE 1 NO CYCLE");
  // the first value: the lowest rising, the highest falling, whether given or not
  CHECK(pg::complete_sequence_options(" increment by -2 maxvalue - 10 no cycle") ==
        " increment by -2 maxvalue - 10 no cycle AS bigint NO MINVALUE START WITH -10 CACHE 1");
  CHECK(pg::complete_sequence_options(" INCREMENT -1") ==
        " INCREMENT -1 AS bigint NO MINVALUE NO MAXVALUE START WITH -1 CACHE 1 NO CYCLE");
  CHECK(pg::complete_sequence_options(" AS integer MINVALUE 5 CACHE 20 CYCLE") ==
        " AS integer MINVALUE 5 CACHE 20 CYCLE INCREMENT BY 1 NO MAXVALUE START WITH 5");
  CHECK(pg::complete_sequence_options(" as smallint increment 3 start with 7 no minvalue") ==
        " as smallint increment 3 start with 7 no minvalue NO MAXVALUE CACHE 1 NO CYCLE");
}

TEST_CASE("a grant is revoked: FROM for its last TO, without WITH GRANT OPTION") {
  using K = model::ObjectKind;
  auto revoke = [](std::string grant) {
    return one(ops::DropObject{object(K::grant, "", "x", "", std::move(grant))});
  };
  CHECK(revoke("GRANT SELECT ON TABLE auth.active_users TO reader") ==
        "REVOKE SELECT ON TABLE auth.active_users FROM reader");
  // line breaks, lower case, a terminator, the grant option
  CHECK(revoke("grant select, update on auth.users\nto reader with grant option;") ==
        "REVOKE select, update on auth.users\nFROM reader");
  // a name holding " to " is no keyword
  CHECK(revoke("GRANT SELECT ON \"a to b\" TO \"to\"") == "REVOKE SELECT ON \"a to b\" FROM \"to\"");
}
