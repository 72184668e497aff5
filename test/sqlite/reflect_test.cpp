#include "internal.hpp"

#include <chrono>
#include <sqlite3.h>
#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace schemagen;
using Strings = std::vector<std::string>;

namespace {

const model::Table& table(const model::Metadata& m, std::string_view name) {
  const auto* t = m.find_table("public", name);
  REQUIRE_MESSAGE(t, "no table ", std::string(name));
  return *t;
}

model::Metadata made_of(std::string_view sql) {
  sqlite::Connection c(":memory:");
  c.exec(sql);
  return sqlite::reflect(c, {});
}

model::Origin at(unsigned line) { return {SourceLoc{"models.hpp", line, 1}}; }

model::Column column(std::string name, std::string type, bool nullable = false,
                     std::optional<std::string> server_default = std::nullopt, unsigned line = 0) {
  model::Column c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.nullable = nullable;
  c.server_default = std::move(server_default);
  c.origin = at(line);
  return c;
}

} // namespace

TEST_CASE("reflect reads columns and every constraint, named and unnamed") {
  const auto m = made_of(R"(
    CREATE TABLE parent (id INTEGER PRIMARY KEY, code TEXT NOT NULL, UNIQUE (code));
    CREATE TABLE child (
      id integer CONSTRAINT child_pk PRIMARY KEY,
      parent_id INT CONSTRAINT child_parent REFERENCES parent (id) ON DELETE CASCADE,
      code text REFERENCES parent (code) ON UPDATE SET NULL,
      email varchar ( 20 ) NOT NULL CONSTRAINT child_email UNIQUE,
      qty INT DEFAULT 0 CHECK (qty >= 0),
      at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
      total GENERATED ALWAYS AS (qty * 2),
      CONSTRAINT child_qty_small CHECK (qty < 100),
      CONSTRAINT child_pair UNIQUE (parent_id, code),
      FOREIGN KEY (parent_id, code) REFERENCES parent);
    CREATE INDEX child_email_lower ON child (lower(email)) WHERE qty > 0;
    CREATE UNIQUE INDEX child_code ON child (code DESC);
  )");
  CHECK(m.schemas == Strings{"public"});
  REQUIRE(m.tables.size() == 2);
  const auto& c = table(m, "child");
  REQUIRE(c.columns.size() == 6); // the generated column is not one schemagen writes
  CHECK(c.columns[0].name == "id");
  CHECK(c.columns[0].type == "INTEGER");
  CHECK_FALSE(c.columns[0].nullable);
  CHECK(c.columns[0].autoincrement);
  CHECK(c.columns[1].type == "INTEGER");
  CHECK(c.columns[1].nullable);
  CHECK_FALSE(c.columns[1].autoincrement);
  CHECK(c.columns[3].type == "VARCHAR(20)");
  CHECK_FALSE(c.columns[3].nullable);
  CHECK(c.columns[4].server_default == "0");
  CHECK(c.columns[5].server_default == "CURRENT_TIMESTAMP");
  CHECK_FALSE(c.columns[3].server_default);

  REQUIRE(c.primary_key);
  CHECK(c.primary_key->name == "child_pk");
  CHECK(c.primary_key->columns == Strings{"id"});
  REQUIRE(c.unique_constraints.size() == 2);
  CHECK(c.unique_constraints[0].name == "child_email");
  CHECK(c.unique_constraints[0].columns == Strings{"email"});
  CHECK(c.unique_constraints[1].name == "child_pair");
  CHECK(c.unique_constraints[1].columns == Strings{"parent_id", "code"});

  REQUIRE(c.foreign_keys.size() == 3);
  // an unnamed one gets PostgreSQL's default name: <table>_<columns>_fkey
  CHECK(c.foreign_keys[0].name == "child_code_fkey");
  CHECK(c.foreign_keys[0].columns == Strings{"code"});
  CHECK(c.foreign_keys[0].referred_columns == Strings{"code"});
  CHECK(c.foreign_keys[0].on_update == "SET NULL");
  CHECK(c.foreign_keys[0].on_delete == "");
  CHECK(c.foreign_keys[1].name == "child_parent");
  CHECK(c.foreign_keys[1].referred_schema == "public");
  CHECK(c.foreign_keys[1].referred_table == "parent");
  CHECK(c.foreign_keys[1].referred_columns == Strings{"id"});
  CHECK(c.foreign_keys[1].on_delete == "CASCADE");
  CHECK(c.foreign_keys[2].name == "child_parent_id_code_fkey");
  CHECK(c.foreign_keys[2].columns == Strings{"parent_id", "code"});
  // no referred columns written: the referred table's primary key
  CHECK(c.foreign_keys[2].referred_columns == Strings{"id"});

  REQUIRE(c.checks.size() == 2);
  CHECK(c.checks[0].name == "child_check");
  CHECK(c.checks[0].expression == "qty >= 0");
  CHECK(c.checks[1].name == "child_qty_small");
  CHECK(c.checks[1].expression == "qty < 100");

  REQUIRE(c.indexes.size() == 2);
  CHECK(c.indexes[0].name == "child_code");
  CHECK(c.indexes[0].unique);
  CHECK(c.indexes[0].columns == Strings{"code DESC"});
  CHECK_FALSE(c.indexes[0].where);
  CHECK(c.indexes[1].name == "child_email_lower");
  CHECK_FALSE(c.indexes[1].unique);
  CHECK(c.indexes[1].columns == Strings{"LOWER(email)"});
  CHECK(c.indexes[1].where == "qty > 0");
  CHECK(c.indexes[1].method == "btree");

  const auto& p = table(m, "parent");
  REQUIRE(p.primary_key);
  CHECK(p.primary_key->name == "parent_pkey");
  REQUIRE(p.unique_constraints.size() == 1);
  CHECK(p.unique_constraints[0].name == "parent_code_key");
  CHECK(p.indexes.empty());
}

TEST_CASE("reflect: what is not a rowid alias is not autoincrement") {
  const auto m = made_of(R"(
    CREATE TABLE a (id INT PRIMARY KEY);
    CREATE TABLE b (id INTEGER PRIMARY KEY, x) WITHOUT ROWID;
    CREATE TABLE c (id INTEGER, k INTEGER, PRIMARY KEY (id, k));
    CREATE TABLE d (id INTEGER NOT NULL, CONSTRAINT d_pk PRIMARY KEY (id));
  )");
  CHECK_FALSE(table(m, "a").columns[0].autoincrement);
  CHECK_FALSE(table(m, "b").columns[0].autoincrement);
  CHECK_FALSE(table(m, "c").columns[0].autoincrement);
  CHECK(table(m, "c").primary_key->columns == Strings{"id", "k"});
  CHECK(table(m, "d").columns[0].autoincrement);
  CHECK(table(m, "d").primary_key->name == "d_pk");
}

TEST_CASE("reflect: odd names, and a table ALTER TABLE renamed") {
  sqlite::Connection c(":memory:");
  c.exec(R"(
    CREATE TABLE IF NOT EXISTS "main"."from" ("select" INTEGER PRIMARY KEY, [a b] TEXT,
      `it's` TEXT CONSTRAINT "odd ""u""" UNIQUE, CONSTRAINT [odd check] CHECK ("a b" <> 'x'));
    CREATE INDEX "where" ON "from" ("a b", "it's") WHERE [a b] IS NOT NULL;
    CREATE TABLE old (id INTEGER PRIMARY KEY, f INTEGER CONSTRAINT old_f REFERENCES "from");
    ALTER TABLE old RENAME TO "new name";
    ALTER TABLE "new name" RENAME COLUMN f TO "from id";
  )");
  // SQLite rewrote the text: it is this that is read
  CHECK(c.query("SELECT sql FROM sqlite_schema WHERE name = 'new name'")
            .at(0)
            .at(0)
            ->starts_with("CREATE TABLE \"new name\""));
  const auto m = sqlite::reflect(c, {});
  const auto& f = table(m, "from");
  CHECK(f.columns[0].name == "select");
  CHECK(f.columns[0].autoincrement);
  CHECK(f.columns[1].name == "a b");
  CHECK(f.columns[2].name == "it's");
  REQUIRE(f.unique_constraints.size() == 1);
  CHECK(f.unique_constraints[0].name == "odd \"u\"");
  REQUIRE(f.checks.size() == 1);
  CHECK(f.checks[0].name == "odd check");
  CHECK(f.checks[0].expression == "\"a b\" <> 'x'");
  REQUIRE(f.indexes.size() == 1);
  CHECK(f.indexes[0].name == "where");
  CHECK(f.indexes[0].columns == Strings{"a b", "it's"});
  CHECK(f.indexes[0].where == "\"a b\" IS NOT NULL");

  const auto& n = table(m, "new name");
  CHECK(n.columns[1].name == "from id");
  REQUIRE(n.foreign_keys.size() == 1);
  CHECK(n.foreign_keys[0].name == "old_f");
  CHECK(n.foreign_keys[0].columns == Strings{"from id"});
  CHECK(n.foreign_keys[0].referred_table == "from");
  CHECK(n.foreign_keys[0].referred_columns == Strings{"select"});
}

TEST_CASE("reflect: one schema spelled two ways reads the same") {
  const std::string one_way = R"(
    CREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(20) NOT NULL,
      at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, n INTEGER DEFAULT 1,
      kind TEXT CHECK (kind IN ('a','b')), CONSTRAINT t_email UNIQUE (email));
    CREATE INDEX t_lower ON t (lower(email)) WHERE n > 0;
  )";
  const auto a = made_of(one_way);
  const auto b = made_of(R"(
    create table "t" ( "id" integer primary key , "email" varchar ( 20 )  not null ,
      "at" timestamp default ( current_timestamp ) , n int default (1),
      kind text check ( "kind" in ( 'a', 'b' ) ), constraint "t_email" unique ("email") )
    ;create index "t_lower" on "t" ( LOWER ( "email" ) ) where ("n" > 0)
  )");
  CHECK(a == b);
  // and a real difference is one: a string literal keeps its case
  auto other = one_way;
  other.replace(other.find("'b'"), 3, "'B'");
  CHECK(a != made_of(other));
}

TEST_CASE("reflect leaves out the version tables, SQLite's own, excluded and virtual tables") {
  sqlite::Connection c(":memory:");
  c.exec(R"(
    CREATE TABLE schemagen_version (v TEXT);
    CREATE TABLE schemagen_version_log (v TEXT);
    CREATE TABLE counter (id INTEGER PRIMARY KEY AUTOINCREMENT);
    CREATE TABLE tmp_scratch (a);
    CREATE TABLE kept (a);
    CREATE VIRTUAL TABLE docs USING fts5(body); -- and its shadow tables docs_data, ...
  )");
  CHECK(!c.query("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'").empty());
  CHECK(!c.query("SELECT 1 FROM sqlite_schema WHERE name = 'docs_data'").empty());
  dialect::ReflectOptions options;
  options.exclude_tables = {"tmp_*"};
  const auto m = sqlite::reflect(c, options);
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[0].name == "counter");
  CHECK(m.tables[1].name == "kept");
  // an attached database is read as the same schema
  c.exec("ATTACH ':memory:' AS other; CREATE TABLE other.elsewhere (a INT)");
  const auto other = sqlite::reflect(c, {}, "other");
  REQUIRE(other.tables.size() == 1);
  CHECK(other.tables[0].name == "elsewhere");
  CHECK(other.tables[0].schema == "public");
}

TEST_CASE("reflect reads a thousand tables in a few queries") {
  sqlite::Connection c(":memory:");
  std::string sql = "BEGIN;";
  for (int i = 0; i < 1000; ++i)
    sql += fmt::format("CREATE TABLE t{0} (id INTEGER PRIMARY KEY, p INT REFERENCES t{1} (id), "
                       "name TEXT NOT NULL UNIQUE DEFAULT 'x', CHECK (length(name) > 0));"
                       "CREATE INDEX t{0}_p ON t{0} (p) WHERE p IS NOT NULL;",
                       i, i == 0 ? 0 : i - 1);
  c.exec(sql + "COMMIT;");
  // the statements reflect() runs, counted by SQLite (the time it takes is the benchmark's); the
  // PRAGMAs SQLite runs inside its pragma_* table-valued functions are not reflect()'s
  int statements = 0;
  sqlite3_trace_v2(
      c.handle(), SQLITE_TRACE_STMT,
      [](unsigned, void* count, void*, void* text) {
        if (!std::string_view(static_cast<const char*>(text)).starts_with("-- PRAGMA"))
          ++*static_cast<int*>(count);
        return 0;
      },
      &statements);
  const auto m = sqlite::reflect(c, {});
  sqlite3_trace_v2(c.handle(), 0, nullptr, nullptr);
  REQUIRE(m.tables.size() == 1000);
  CHECK(table(m, "t999").foreign_keys.at(0).referred_table == "t998");
  CHECK(table(m, "t999").indexes.at(0).where == "p IS NOT NULL");
  CHECK(statements <= 6);
}

namespace {

/// Models as scan and lower() give them, spelled otherwise than SQLite spells them back.
model::Metadata models() {
  model::Table users;
  users.name = "users";
  users.origin = at(1);
  users.columns = {column("id", "integer", false, std::nullopt, 2),
                   column("email", "varchar ( 20 )", false, std::nullopt, 3),
                   column("created_at", "timestamp", false, "(current_timestamp)", 4),
                   column("score", "int", true, "((0))", 5)};
  users.columns[0].autoincrement = true;
  users.primary_key = model::PrimaryKey{"users_pk", {"id"}};
  users.unique_constraints = {{"users_email", {"email"}, at(6)}};
  users.checks = {{"users_score", "score >= 0", at(7)}};
  model::Index by_email;
  by_email.name = "users_lower_email";
  by_email.columns = {"lower(email)"};
  by_email.where = "score is not null";
  by_email.origin = at(8);
  users.indexes = {by_email};

  model::Table posts;
  posts.name = "posts";
  posts.columns = {column("id", "INTEGER"), column("user_id", "int8"),
                   column("title", "text", false, "'untitled'")};
  posts.columns[0].autoincrement = true;
  posts.primary_key = model::PrimaryKey{"posts_pkey", {"id"}}; // the name SQLite leaves out
  posts.foreign_keys = {
      {"posts_user", {"user_id"}, "public", "users", {"id"}, "CASCADE", "", at(9)}};
  model::Index by_user;
  by_user.name = "posts_user_id";
  by_user.columns = {"user_id"};
  posts.indexes = {by_user};

  model::Metadata m;
  m.tables = {users, posts}; // not in canonical order: normalize keeps the models' own
  m.schemas = {"public"};
  return m;
}

} // namespace

TEST_CASE("normalize gives the models as reflect reads the database made from them") {
  sqlite::Connection c(":memory:");
  const auto m = models();
  auto n = sqlite::normalize(m);
  REQUIRE(n.tables.size() == 2);
  CHECK(n.tables[0].name == "users"); // the models' order and shape
  const auto& u = n.tables[0];
  CHECK(u.columns[1].type == "VARCHAR(20)");
  CHECK(u.columns[2].server_default == "CURRENT_TIMESTAMP");
  CHECK(u.columns[3].type == "INTEGER");
  CHECK(u.columns[3].server_default == "0");
  CHECK(u.checks[0].expression == "score >= 0");
  CHECK(u.indexes[0].columns == Strings{"LOWER(email)"});
  CHECK(u.indexes[0].where == "score IS NOT NULL");
  CHECK(n.tables[1].columns[1].type == "BIGINT");
  CHECK(n.tables[1].columns[2].server_default == "'untitled'");
  // what normalize does not spell is the models' own
  CHECK(u.columns[3].origin.loc.line == 5);
  CHECK(u.primary_key->name == "users_pk");

  // the same schema made by hand, spelled another way again
  c.exec(R"(
    CREATE TABLE users (id INTEGER NOT NULL, email VARCHAR(20) NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, score INTEGER DEFAULT 0,
      CONSTRAINT users_pk PRIMARY KEY (id), CONSTRAINT users_email UNIQUE (email),
      CONSTRAINT users_score CHECK (score >= 0));
    CREATE INDEX users_lower_email ON users (LOWER(email)) WHERE score IS NOT NULL;
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL
      CONSTRAINT posts_user REFERENCES users (id) ON DELETE CASCADE,
      title TEXT NOT NULL DEFAULT 'untitled');
    CREATE INDEX posts_user_id ON posts (user_id);
  )");
  model::canonicalize(n);
  CHECK(n == sqlite::reflect(c, {}));
  // the connection read from has nothing attached
  CHECK(c.query("SELECT count(*) FROM pragma_database_list").at(0).at(0) == "1");
}

TEST_CASE("normalize beside a connection inside a transaction leaves it as it was") {
  sqlite::Connection c(":memory:");
  c.exec("CREATE TABLE t (a); BEGIN IMMEDIATE; INSERT INTO t VALUES (1)");
  const auto n = sqlite::normalize(models());
  CHECK(n.tables[0].columns[1].type == "VARCHAR(20)");
  CHECK(c.in_transaction());
  CHECK(c.query("SELECT count(*) FROM pragma_database_list").at(0).at(0) == "1");
  c.exec("COMMIT");
}

TEST_CASE("normalize refuses what SQLite refuses, every problem at its model, in one error") {
  sqlite::Connection c(":memory:");
  auto m = models();
  auto& users = m.tables[0];
  users.columns[2].server_default = "now()";                  // line 4: SQLite has no now()
  users.columns[1].type = "varchar(20";                       // line 3: not a type
  users.checks[0].expression = "no_such_function(score) > 0"; // line 7
  m.tables[1].indexes[0].columns = {"missing_column + 1"};
  m.tables[1].indexes[0].origin = at(10);
  try {
    sqlite::normalize(m);
    FAIL("normalize took it");
  } catch (const DiagnosticsError& e) {
    std::map<unsigned, std::string> by_line;
    for (const auto& d : e.diagnostics().items()) {
      CHECK(d.loc.file == "models.hpp");
      by_line[d.loc.line] += d.message;
    }
    CHECK(by_line.size() == 4);
    CHECK(by_line[3].find("users.email") != std::string::npos);
    CHECK(by_line[3].find("syntax error") != std::string::npos);
    CHECK(by_line[4].find("no such function: now") != std::string::npos);
    CHECK(by_line[7].find("no such function: no_such_function") != std::string::npos);
    CHECK(by_line[10].find("no such column: missing_column") != std::string::npos);
  }
  CHECK(c.query("SELECT count(*) FROM pragma_database_list").at(0).at(0) == "1");

  // a default that is not constant is refused by CREATE TABLE, at its column
  m = models();
  m.tables[1].columns[2].server_default = "title || 'x'";
  m.tables[1].columns[2].origin = at(11);
  try {
    sqlite::normalize(m);
    FAIL("normalize took it");
  } catch (const DiagnosticsError& e) {
    REQUIRE(e.diagnostics().items().size() == 1);
    CHECK(e.diagnostics().items()[0].loc.line == 11);
    CHECK(e.diagnostics().items()[0].message.find("not constant") != std::string::npos);
  }
}
