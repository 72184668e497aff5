// Views and schema objects against the real server: reflection reads every kind with the fields
// the declared side also fills, and normalisation spells the models' declarations the way
// reflection spells the database's, so that the same object written differently compares equal.

#include "objects.hpp"
#include "pg_env.hpp"
#include "schemagen/pg/connection.hpp"
#include "schemagen/pg/reflect.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace schemagen;

namespace {

/// A fresh database `name` with `setup` run in it; a connection to it.
std::unique_ptr<pg::Connection> fresh_db(const std::string& name, const std::string& setup) {
  const auto env = testing::read_env(SCHEMAGEN_TEST_PG_ENV);
  REQUIRE_MESSAGE(env.count("SCHEMAGEN_TEST_PG_URL"), "the postgres fixture did not start");
  const auto url = env.at("SCHEMAGEN_TEST_PG_URL");
  {
    pg::Connection admin(url);
    admin.exec("DROP DATABASE IF EXISTS " + name);
    admin.exec("CREATE DATABASE " + name);
  }
  auto db = std::make_unique<pg::Connection>(url.substr(0, url.rfind('/') + 1) + name);
  if (!setup.empty()) db->exec(setup);
  return db;
}

constexpr const char* setup = R"(
CREATE EXTENSION pgcrypto;
CREATE SCHEMA auth;
CREATE TABLE auth.users (id serial PRIMARY KEY, email text NOT NULL, active boolean);
CREATE VIEW auth.active_users AS SELECT id, email FROM auth.users WHERE active;
CREATE MATERIALIZED VIEW auth.counts AS SELECT count(*) AS n FROM auth.users;
CREATE INDEX counts_n ON auth.counts (n);
COMMENT ON VIEW auth.active_users IS 'who may log in';
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE FUNCTION public.add(a integer, b text) RETURNS int LANGUAGE sql AS 'SELECT a';
CREATE PROCEDURE public.noop(x int) LANGUAGE sql AS 'SELECT 1';
CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SEQUENCE public.order_no START 1000;
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON auth.users FOR SELECT USING (active);
)";

model::Metadata reflect(pg::Connection& db) {
  return pg::reflect(db, {{"public", "auth"}, {}, "public", "schemagen_version"});
}

const model::DbObject& object(const model::Metadata& m, model::ObjectKind kind,
                              const std::string& name) {
  auto it = std::find_if(m.objects.begin(), m.objects.end(),
                         [&](const auto& o) { return o.kind == kind && o.name == name; });
  REQUIRE_MESSAGE(it != m.objects.end(), "no ", model::to_string(kind), " ", name);
  return *it;
}

model::DbObject declared(model::ObjectKind kind, std::string schema, std::string name,
                         std::string target, std::string sql) {
  auto o = testing::db_object(kind, std::move(schema), std::move(name), std::move(target),
                              std::move(sql));
  o.origin.loc = {"objects.sql", 3, 1};
  return o;
}

model::View declared_view(std::string schema, std::string name, std::string sql) {
  model::View v;
  v.schema = std::move(schema);
  v.name = std::move(name);
  v.sql = std::move(sql);
  v.origin.loc = {"views.hpp", 10, 1};
  return v;
}

} // namespace

TEST_CASE("reflection reads views, materialized views and every kind of schema object") {
  auto db = fresh_db("sg_objects_reflect", setup);
  const auto m = reflect(*db);
  using K = model::ObjectKind;

  REQUIRE(m.views.size() == 2);
  const auto* v = m.find_view("auth", "active_users");
  REQUIRE(v);
  CHECK_FALSE(v->materialized);
  CHECK(v->comment == std::optional<std::string>("who may log in"));
  CHECK(v->definition == "SELECT users.id,\n    users.email\n   FROM auth.users\n  WHERE users.active");
  CHECK(v->sql == v->definition);
  REQUIRE(v->columns.size() == 2);
  CHECK(v->columns[0].name == "id");
  CHECK(v->columns[0].type == "integer");
  CHECK(v->columns[1].type == "text");
  CAPTURE(v->depends_on);
  CHECK(v->depends_on == std::vector<std::string>{"auth.users", "auth.users.active",
                                                  "auth.users.email", "auth.users.id"});
  const auto* counts = m.find_view("auth", "counts");
  REQUIRE(counts);
  CHECK(counts->materialized);
  REQUIRE(counts->indexes.size() == 1);
  CHECK(counts->indexes[0].name == "counts_n");
  CHECK(counts->depends_on == std::vector<std::string>{"auth.users"});
  // a materialized view's index is not the tables'
  for (const auto& t : m.tables)
    for (const auto& ix : t.indexes) CHECK(ix.name != "counts_n");

  CHECK(object(m, K::extension, "pgcrypto").schema.empty());
  CHECK(object(m, K::extension, "pgcrypto").definition == "pgcrypto");
  CHECK(object(m, K::extension, "pgcrypto").sql == "CREATE EXTENSION pgcrypto");
  CHECK(std::none_of(m.objects.begin(), m.objects.end(),
                     [](const auto& o) { return o.name == "plpgsql"; }));
  // pgcrypto's own functions are the extension's
  CHECK(std::none_of(m.objects.begin(), m.objects.end(),
                     [](const auto& o) { return o.name == "digest"; }));

  const auto& add = object(m, K::function, "add");
  CHECK(add.schema == "public");
  CHECK(add.target == "(integer, text)");
  CHECK(add.sql.starts_with("CREATE OR REPLACE FUNCTION public.add(a integer, b text)"));
  CHECK(add.definition == add.sql);
  CHECK(object(m, K::procedure, "noop").target == "(integer)");
  CHECK(object(m, K::function, "touch").target == "()");

  const auto& trigger = object(m, K::trigger, "users_touch");
  CHECK(trigger.schema == "auth");
  CHECK(trigger.target == "auth.users");
  CHECK(trigger.definition ==
        "CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users FOR EACH ROW EXECUTE FUNCTION "
        "touch()");
  CHECK(std::find(trigger.depends_on.begin(), trigger.depends_on.end(), "public.touch()") !=
        trigger.depends_on.end());

  // only the sequence no column owns
  CHECK(std::count_if(m.objects.begin(), m.objects.end(),
                      [](const auto& o) { return o.kind == K::sequence; }) == 1);
  CHECK(object(m, K::sequence, "order_no").definition ==
        "CREATE SEQUENCE public.order_no AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE "
        "9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE");

  const auto& policy = object(m, K::policy, "own");
  CHECK(policy.target == "auth.users");
  CHECK(policy.definition ==
        "CREATE POLICY own ON auth.users AS PERMISSIVE FOR SELECT TO PUBLIC USING (active)");
  CHECK(policy.depends_on == std::vector<std::string>{"auth.users", "auth.users.active"});

  // exclude_tables leaves out views, and a table's triggers and policies with it
  const auto some = pg::reflect(*db, {{"public", "auth"}, {"auth.counts", "auth.users"}, "public",
                                      "schemagen_version"});
  CHECK_FALSE(some.find_view("auth", "counts"));
  CHECK(some.find_view("auth", "active_users"));
  CHECK(std::none_of(some.objects.begin(), some.objects.end(),
                     [](const auto& o) { return o.target == "auth.users"; }));
}

TEST_CASE("normalisation spells declared views and objects as reflection spells the database's") {
  auto db = fresh_db("sg_objects_normalize", setup);
  const auto database = reflect(*db);
  using K = model::ObjectKind;

  model::Metadata models;
  models.schemas = {"auth", "public"};
  model::Table users;
  users.schema = "auth";
  users.name = "users";
  users.columns = {{"id", "integer"}, {"email", "text"}, {"active", "boolean"}};
  models.tables = {users};
  models.views = {
      declared_view("auth", "active_users",
                    "select id , email\nfrom   auth.users   where (active);"),
      declared_view("auth", "counts", "SELECT COUNT(*) AS n FROM auth.users")};
  models.views[1].materialized = true;
  models.objects = {
      declared(K::extension, "", "pgcrypto", "", "create extension if not exists pgcrypto"),
      declared(K::sequence, "public", "order_no", "",
               "create sequence order_no start with 1000 increment 1"),
      declared(K::function, "public", "add", "(int4, text)",
               "create function add(a int, b text) returns integer language sql as 'SELECT a'"),
      declared(K::trigger, "auth", "users_touch", "auth.users",
               "create trigger users_touch before update on auth.users for each row execute "
               "procedure touch()"),
      declared(K::policy, "auth", "own", "auth.users",
               "create policy own on auth.users for select using (active)")};

  const auto normalized = pg::normalize(*db, models);
  CHECK(normalized.views[0].definition == database.find_view("auth", "active_users")->definition);
  CHECK(normalized.views[0].sql == models.views[0].sql); // what revisions carry stays as written
  CHECK(normalized.views[1].definition == database.find_view("auth", "counts")->definition);
  CHECK(normalized.views[1].depends_on == database.find_view("auth", "counts")->depends_on);
  for (std::size_t k = 0; k < models.objects.size(); ++k) {
    const auto& mine = normalized.objects[k];
    CAPTURE(mine.describe());
    const auto* theirs = database.find_object(mine);
    REQUIRE(theirs);
    CHECK(mine.definition == theirs->definition);
    CHECK(mine == *theirs);
  }
  // the server's spelling of the argument types
  CHECK(normalized.objects[2].target == "(integer, text)");
  // and nothing is left behind: the database is as it was
  CHECK(reflect(*db) == database);
  CHECK(reflect(*db).find_view("auth", "active_users")->definition ==
        database.find_view("auth", "active_users")->definition);

  // a view over a table that only the models make is normalised too
  model::Table orders;
  orders.schema = "public";
  orders.name = "orders";
  orders.columns = {{"id", "integer"}, {"total", "numeric(10,2)"}};
  models.tables.push_back(orders);
  models.views.push_back(declared_view("public", "big_orders",
                                       "SELECT id FROM orders WHERE total > 100"));
  const auto with_new = pg::normalize(*db, models);
  CHECK(with_new.views[2].definition ==
        "SELECT orders.id\n   FROM orders\n  WHERE (orders.total > (100)::numeric)");
  CHECK(with_new.views[2].depends_on ==
        std::vector<std::string>{"public.orders", "public.orders.id", "public.orders.total"});
}

TEST_CASE("a typed view whose columns differ from its struct is reported at the members") {
  auto db = fresh_db("sg_objects_typed", setup);
  model::Metadata models;
  models.schemas = {"auth"};
  auto v = declared_view("auth", "active_users", "SELECT id, email, active FROM auth.users");
  auto member = [](std::string name, std::string type, unsigned line) {
    model::Column c;
    c.name = std::move(name);
    c.type = std::move(type);
    c.origin.loc = {"views.hpp", line, 5};
    return c;
  };
  v.columns = {member("id", "BIGINT", 11), member("email", "TEXT", 12), member("enabled", "bool", 13),
               member("extra", "int", 14)};
  models.views = {v};
  try {
    pg::normalize(*db, models);
    FAIL("the mismatch was not reported");
  } catch (const DiagnosticsError& e) {
    const auto text = e.diagnostics().str();
    CAPTURE(text);
    CHECK(e.diagnostics().error_count() == 3);
    CHECK(text.find("views.hpp:11:5") != std::string::npos);
    CHECK(text.find("column id is integer in the database, but the struct says bigint") !=
          std::string::npos);
    CHECK(text.find("views.hpp:12:5") == std::string::npos); // email matches
    CHECK(text.find("views.hpp:13:5") != std::string::npos);
    CHECK(text.find("column 3 of its query is active (boolean)") != std::string::npos);
    CHECK(text.find("views.hpp:10:1") != std::string::npos); // the member the query lacks
    CHECK(text.find("member extra (integer) is no column") != std::string::npos);
  }
}

TEST_CASE("a view or function the server refuses is reported at its declaration") {
  auto db = fresh_db("sg_objects_refused", setup);
  model::Metadata models;
  models.views = {declared_view("public", "bad", "SELECT nope FROM auth.users")};
  models.objects = {declared(model::ObjectKind::function, "public", "broken", "()",
                             "CREATE FUNCTION broken() RETURNS int LANGUAGE sql AS 'SELECT nope'")};
  try {
    pg::normalize(*db, models);
    FAIL("nothing was reported");
  } catch (const DiagnosticsError& e) {
    const auto text = e.diagnostics().str();
    CAPTURE(text);
    CHECK(e.diagnostics().error_count() == 2);
    CHECK(text.find("views.hpp:10:1") != std::string::npos);
    CHECK(text.find("view bad: the server refuses it") != std::string::npos);
    CHECK(text.find("column \"nope\" does not exist") != std::string::npos);
    CHECK(text.find("objects.sql:3:1") != std::string::npos);
    CHECK(text.find("function public.broken(): the server refuses it") != std::string::npos);
  }
  // a view over a relation nothing makes: left to the upgrade, without a definition
  models.objects.clear();
  models.views = {declared_view("public", "later", "SELECT 1 AS one FROM somewhere_else")};
  CHECK(pg::normalize(*db, models).views[0].definition.empty());
}
