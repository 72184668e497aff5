// The SQLite op compiler against real SQLite files: each test builds a schema with
// create_table_sql, fills it, runs the compiled statements as a run does (foreign keys off, one
// transaction, the foreign-key check before COMMIT) and reads back the schema and the rows.

#include "internal.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fmt/format.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const auto dir = fs::path(SCHEMAGEN_TEST_SCRATCH) / "compile";
  fs::create_directories(dir);
  const auto file = dir / (name + ".db");
  fs::remove(file);
  return file;
}

model::Column column(std::string name, std::string type, bool nullable = true,
                     std::optional<std::string> server_default = {}) {
  return {.name = std::move(name),
          .type = std::move(type),
          .nullable = nullable,
          .server_default = std::move(server_default)};
}

/// Table `name` with `columns`, its primary key on `key` when given.
model::Table table(std::string name, std::vector<model::Column> columns,
                   std::vector<std::string> key = {}) {
  model::Table t{.name = std::move(name), .columns = std::move(columns)};
  if (!key.empty()) t.primary_key = model::PrimaryKey{"pk_" + t.name, std::move(key)};
  return t;
}

/// Foreign key `name` of `columns` to `referred_table`(`referred_columns`) in the public schema.
model::ForeignKey foreign_key(std::string name, std::vector<std::string> columns,
                              std::string referred_table, std::vector<std::string> referred_columns,
                              std::string on_delete = "") {
  return {.name = std::move(name),
          .columns = std::move(columns),
          .referred_schema = "public",
          .referred_table = std::move(referred_table),
          .referred_columns = std::move(referred_columns),
          .on_delete = std::move(on_delete)};
}

using Rows = dialect::Rows;

/// An attribute an alter_column sets.
ops::Change<std::string> set(std::string value) { return std::optional<std::string>(value); }

/// A database file and the schema the chain has built in it.
struct Db {
  /// The file `name` with `tables` created and `rows` run.
  Db(const std::string& name, std::vector<model::Table> tables, const std::string& rows = "")
      : c(scratch(name)) {
    for (auto& t : tables) {
      c.exec(sqlite::create_table_sql(t));
      for (const auto& ix : t.indexes) c.exec(sqlite::create_index_sql(ix, t.name));
      state.tables.push_back(std::move(t));
    }
    if (!rows.empty()) c.exec(rows);
  }

  /// Compiles `ops` (at lines 1, 2, ... of rev.yaml) and runs them as a run does; the statements.
  std::vector<std::string> migrate(const std::vector<ops::Op>& list, bool live = false) {
    std::vector<ops::LocatedOp> located;
    for (const auto& op : list)
      located.push_back({op, {"rev.yaml", static_cast<unsigned>(located.size() + 1), 1}});
    const auto steps = sqlite::compile(located, state, live ? &c : nullptr);
    std::vector<std::string> out;
    c.exec("PRAGMA foreign_keys = OFF");
    c.exec("BEGIN");
    for (const auto& s : steps) {
      c.exec(s.statement.sql);
      out.push_back(s.statement.sql);
    }
    CHECK(c.query("PRAGMA foreign_key_check").empty());
    c.exec("COMMIT");
    return out;
  }

  Rows q(const std::string& sql) { return c.query(sql); }
  std::string one(const std::string& sql) { return q(sql).at(0).at(0).value_or("NULL"); }
  std::string schema_sql(const std::string& name) {
    return one(fmt::format("SELECT sql FROM sqlite_schema WHERE name = '{}'", name));
  }

  sqlite::Connection c;
  model::Metadata state;
};

std::size_t count_starting(const std::vector<std::string>& statements, std::string_view prefix) {
  return std::count_if(statements.begin(), statements.end(),
                       [&](const auto& s) { return s.rfind(prefix, 0) == 0; });
}

/// users(id INTEGER primary key, name TEXT) with three rows.
Db users(const std::string& file) {
  return Db(file,
            {table("users", {column("id", "INTEGER", false), column("name", "TEXT")}, {"id"})},
            "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob'), (3, NULL)");
}

/// notes(code TEXT primary key, body TEXT, n TEXT): no rowid alias; rowids 1, 3 and 7.
Db notes(const std::string& file) {
  auto t =
      table("notes", {column("code", "TEXT", false), column("body", "TEXT"), column("n", "TEXT")},
            {"code"});
  t.indexes.push_back({.name = "ix_notes_body", .columns = {"body"}});
  return Db(file, {t},
            "INSERT INTO notes (rowid, code, body, n) VALUES (1, 'a', 'x', '42'), "
            "(3, 'b', NULL, '7'), (7, 'c', 'z', NULL)");
}

} // namespace

TEST_CASE("create_table_sql and create_index_sql write every constraint, named") {
  auto t = table("t",
                 {column("id", "INTEGER", false), column("name", "VARCHAR(20)", true, "'x'"),
                  column("parent_id", "INTEGER")},
                 {"id"});
  t.unique_constraints.push_back({.name = "uq_t_name", .columns = {"name"}});
  t.foreign_keys.push_back(foreign_key("fk_t_parent", {"parent_id"}, "p", {"id"}, "CASCADE"));
  t.checks.push_back({.name = "ck_t", .expression = "id > 0"});
  CHECK(sqlite::create_table_sql(t) ==
        "CREATE TABLE \"t\" (\n"
        "    \"id\" INTEGER NOT NULL,\n"
        "    \"name\" VARCHAR(20) DEFAULT ('x'),\n"
        "    \"parent_id\" INTEGER,\n"
        "    CONSTRAINT \"pk_t\" PRIMARY KEY (\"id\"),\n"
        "    CONSTRAINT \"uq_t_name\" UNIQUE (\"name\"),\n"
        "    CONSTRAINT \"fk_t_parent\" FOREIGN KEY (\"parent_id\") REFERENCES \"p\" (\"id\") "
        "ON DELETE CASCADE,\n"
        "    CONSTRAINT \"ck_t\" CHECK (id > 0)\n"
        ")");
  CHECK(sqlite::create_table_sql(t, "u", "aux").rfind("CREATE TABLE \"aux\".\"u\" (\n", 0) == 0);
  const model::Index ix{
      .name = "ix_t", .columns = {"name", "lower(name)"}, .unique = true, .where = "id > 0"};
  CHECK(sqlite::create_index_sql(ix, "t") ==
        "CREATE UNIQUE INDEX \"ix_t\" ON \"t\" (name, (lower(name))) WHERE id > 0");
  CHECK(sqlite::create_index_sql(ix, "u", "aux") ==
        "CREATE UNIQUE INDEX \"aux\".\"ix_t\" ON \"u\" (name, (lower(name))) WHERE id > 0");

  sqlite::Connection c(":memory:");
  c.exec("ATTACH ':memory:' AS aux");
  c.exec(sqlite::create_table_sql(t));
  c.exec(sqlite::create_table_sql(t, "u", "aux"));
  c.exec(sqlite::create_index_sql(ix, "t"));
  c.exec(sqlite::create_index_sql(ix, "u", "aux"));
  CHECK(c.query("SELECT count(*) FROM aux.sqlite_schema WHERE name = 'ix_t'").at(0).at(0) == "1");
  CHECK(c.query("SELECT dflt_value FROM pragma_table_info('t') WHERE name = 'name'").at(0).at(0) ==
        "'x'");
}

TEST_CASE("add_column: ALTER TABLE where SQLite takes the column, a rebuild where not") {
  auto db = users("add_column");
  auto s = db.migrate(
      {ops::AddColumn{.table = "users", .column = column("nick", "TEXT", true, "'anon'")},
       ops::AddColumn{.table = "users", .column = column("score", "INTEGER", false, "0")}});
  CHECK(s == std::vector<std::string>{
                 "ALTER TABLE \"users\" ADD COLUMN \"nick\" TEXT DEFAULT 'anon'",
                 "ALTER TABLE \"users\" ADD COLUMN \"score\" INTEGER NOT NULL DEFAULT 0"});
  CHECK(db.one("SELECT group_concat(nick || score) FROM users") == "anon0,anon0,anon0");

  // CURRENT_TIMESTAMP is no constant: ADD COLUMN refuses it
  s = db.migrate({ops::AddColumn{
      .table = "users", .column = column("seen", "DATETIME", false, "CURRENT_TIMESTAMP")}});
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(db.one("SELECT count(*) FROM users WHERE seen IS NOT NULL") == "3");
  CHECK(db.one("SELECT group_concat(id || ':' || coalesce(name, '-')) FROM users") ==
        "1:ann,2:bob,3:-");
  CHECK(db.q("PRAGMA table_info(users)").size() == 5);
  CHECK(db.state.find_table("public", "users")->columns.size() == 5);
}

TEST_CASE("drop_column: DROP COLUMN where SQLite takes it, a rebuild keeping rowids where not") {
  auto db = notes("drop_column");
  auto s = db.migrate({ops::DropColumn{.table = "notes", .name = "n"}});
  CHECK(s == std::vector<std::string>{"ALTER TABLE \"notes\" DROP COLUMN \"n\""});

  // an indexed column: SQLite's DROP COLUMN refuses it
  s = db.migrate({ops::DropColumn{.table = "notes", .name = "body"}});
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(db.q("SELECT rowid, code FROM notes ORDER BY rowid") ==
        Rows{{"1", "a"}, {"3", "b"}, {"7", "c"}});
  CHECK(db.one("SELECT count(*) FROM sqlite_schema WHERE name = 'ix_notes_body'") == "0");
  CHECK(db.q("PRAGMA table_info(notes)").size() == 1);
}

TEST_CASE("alter_column: a type change converts, NOT NULL fills NULLs from the default, a "
          "rename is RENAME COLUMN") {
  auto db = notes("alter_column");
  auto s = db.migrate({ops::AlterColumn{.table = "notes", .name = "n", .type = "INTEGER"}});
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(db.q("SELECT typeof(n), n FROM notes ORDER BY rowid") ==
        Rows{{"integer", "42"}, {"integer", "7"}, {"null", std::nullopt}});

  s = db.migrate({ops::AlterColumn{
      .table = "notes", .name = "body", .nullable = false, .server_default = set("'none'")}});
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(db.q("SELECT body FROM notes ORDER BY rowid") == Rows{{"x"}, {"none"}, {"z"}});
  CHECK(db.one("SELECT \"notnull\" FROM pragma_table_info('notes') WHERE name = 'body'") == "1");
  CHECK(db.one("SELECT count(*) FROM sqlite_schema WHERE name = 'ix_notes_body'") == "1");

  s = db.migrate({ops::AlterColumn{.table = "notes", .name = "body", .new_name = "text"},
                  ops::AlterColumn{.table = "notes", .name = "text", .comment = set("what")}});
  CHECK(s == std::vector<std::string>{"ALTER TABLE \"notes\" RENAME COLUMN \"body\" TO \"text\""});
  CHECK(db.schema_sql("ix_notes_body").find("\"text\"") != std::string::npos);
  CHECK(db.q("SELECT rowid, text FROM notes ORDER BY rowid") ==
        Rows{{"1", "x"}, {"3", "none"}, {"7", "z"}});
}

TEST_CASE("constraints are added and dropped by rebuilds") {
  auto db = users("constraints");
  const auto teams =
      table("teams", {column("id", "INTEGER", false), column("code", "TEXT", false)}, {"id"});
  db.c.exec(sqlite::create_table_sql(teams));
  db.state.tables.push_back(teams);
  db.c.exec("INSERT INTO teams VALUES (1, 'ann'), (2, 'bob')");
  db.migrate({
      ops::CreateUniqueConstraint{.table = "users", .constraint = {"uq_users_name", {"name"}}},
      ops::CreateCheckConstraint{.table = "users", .constraint = {"ck_users_id", "id > 0"}},
      ops::CreateForeignKey{.table = "users",
                            .constraint =
                                foreign_key("fk_users_team", {"name"}, "teams", {"code"})},
      ops::DropConstraint{.table = "teams", .name = "pk_teams"},
      ops::CreatePrimaryKey{.table = "teams", .constraint = {"pk_teams_code", {"code"}}},
  });
  const auto users_sql = db.schema_sql("users");
  for (const auto* name : {"uq_users_name", "ck_users_id", "fk_users_team"})
    CHECK(users_sql.find(name) != std::string::npos);
  CHECK_THROWS_AS(db.c.exec("INSERT INTO users VALUES (4, 'ann')"), dialect::QueryError);
  CHECK_THROWS_AS(db.c.exec("INSERT INTO users VALUES (-1, NULL)"), dialect::QueryError);
  CHECK(db.q("SELECT name FROM pragma_table_info('teams') WHERE pk = 1") == Rows{{"code"}});
  CHECK(db.q("SELECT rowid, id, code FROM teams ORDER BY id") ==
        Rows{{"1", "1", "ann"}, {"2", "2", "bob"}});

  db.migrate({ops::DropConstraint{.table = "users", .name = "uq_users_name"}});
  CHECK(db.schema_sql("users").find("uq_users_name") == std::string::npos);
  CHECK(db.schema_sql("users").find("fk_users_team") != std::string::npos);
  CHECK(db.one("SELECT count(*) FROM users") == "3");
}

TEST_CASE("several ops on one table make one rebuild at its first op, between others' ops") {
  auto db = users("one_rebuild");
  db.c.exec(sqlite::create_table_sql(table("log", {column("msg", "TEXT")})));
  db.state.tables.push_back(table("log", {column("msg", "TEXT")}));
  const std::vector<ops::Op> list{
      ops::AddColumn{.table = "users",
                     .column = column("seen", "DATETIME", true, "CURRENT_TIMESTAMP")},
      ops::AddColumn{.table = "log", .column = column("at", "TEXT")},
      ops::AlterColumn{
          .table = "users", .name = "name", .nullable = false, .server_default = set("'nobody'")},
      ops::CreateIndex{.table = "log", .index = {.name = "ix_log_at", .columns = {"at"}}},
      ops::CreateUniqueConstraint{.table = "users", .constraint = {"uq_users_name", {"name"}}},
      ops::CreateIndex{.table = "users", .index = {.name = "ix_users_seen", .columns = {"seen"}}},
  };
  std::vector<ops::LocatedOp> located;
  for (const auto& op : list) located.push_back({op, {}});
  auto state = db.state;
  const auto steps = sqlite::compile(located, state, nullptr);
  CHECK(steps.front().op == &located[0]);
  // offline, the check that the file has no triggers on the table goes first
  CHECK(steps.front().statement.sql.rfind("CREATE TEMP TABLE", 0) == 0);
  REQUIRE(steps.size() > 2);
  CHECK(steps[2].op == &located[0]);
  CHECK(steps[2].statement.sql.rfind("CREATE TABLE \"_schemagen_tmp_users\"", 0) == 0);
  CHECK(std::none_of(steps.begin(), steps.end(),
                     [&](const auto& s) { return s.op == &located[2] || s.op == &located[4]; }));

  const auto s = db.migrate(list);
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(count_starting(s, "ALTER TABLE \"log\" ADD COLUMN") == 1);
  CHECK(db.q("SELECT name FROM users ORDER BY id") == Rows{{"ann"}, {"bob"}, {"nobody"}});
  CHECK(db.one("SELECT count(*) FROM sqlite_schema WHERE name IN ('ix_users_seen', "
               "'ix_log_at')") == "2");
  CHECK(db.schema_sql("users").find("uq_users_name") != std::string::npos);
}

TEST_CASE("an execute or bulk_insert ends the window: the ops after it rebuild again") {
  auto db = users("window");
  const auto s = db.migrate({
      ops::AddColumn{.table = "users", .column = column("n", "INTEGER", true, "(1 + 1)")},
      ops::Execute{
          .sql = {{"sqlite", "UPDATE users SET n = id * 10"}, {"", "SELECT no_such_function()"}}},
      ops::CreateCheckConstraint{.table = "users", .constraint = {"ck_users_n", "n >= 10"}},
  });
  CHECK(count_starting(s, "CREATE TABLE") == 2);
  CHECK(db.q("SELECT n FROM users ORDER BY id") == Rows{{"10"}, {"20"}, {"30"}});
}

TEST_CASE("a rebuilt parent keeps its ON DELETE CASCADE children and the rows they refer to") {
  Db db("cascade", {table("p", {column("id", "INTEGER", false), column("name", "TEXT")}, {"id"})});
  auto child =
      table("c", {column("id", "INTEGER", false), column("p_id", "INTEGER", false)}, {"id"});
  child.foreign_keys.push_back(foreign_key("fk_c_p", {"p_id"}, "p", {"id"}, "CASCADE"));
  db.c.exec(sqlite::create_table_sql(child));
  db.state.tables.push_back(child);
  db.c.exec("INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (10, 1), (11, 2), "
            "(12, 2)");
  db.c.exec("PRAGMA foreign_keys = ON"); // as an application leaves it: the run turns it off
  const auto s = db.migrate({
      ops::AlterColumn{.table = "p", .name = "name", .type = "VARCHAR(10)"},
      ops::CreateCheckConstraint{.table = "c", .constraint = {"ck_c_id", "id > 0"}},
  });
  CHECK(count_starting(s, "CREATE TABLE") == 2);
  CHECK(db.q("SELECT id, p_id FROM c ORDER BY id") == Rows{{"10", "1"}, {"11", "2"}, {"12", "2"}});
  CHECK(db.q("SELECT id FROM p ORDER BY id") == Rows{{"1"}, {"2"}});
  CHECK(db.schema_sql("c").find("REFERENCES \"p\"") != std::string::npos);
  db.c.exec("PRAGMA foreign_keys = ON");
  db.c.exec("DELETE FROM p WHERE id = 2");
  CHECK(db.one("SELECT count(*) FROM c") == "1");
}

TEST_CASE("a view over a rebuilt table still works, and its triggers are recreated") {
  auto db = users("view_trigger");
  db.c.exec("CREATE TABLE audit (what TEXT)");
  db.c.exec("CREATE VIEW named AS SELECT id, name FROM users WHERE name IS NOT NULL");
  db.c.exec("CREATE TRIGGER users_audit AFTER INSERT ON users BEGIN INSERT INTO audit VALUES "
            "(new.name); END");
  const auto s = db.migrate(
      {ops::CreateCheckConstraint{.table = "users", .constraint = {"ck_users_id", "id < 100"}}},
      true);
  CHECK(count_starting(s, "CREATE TRIGGER") == 1);
  CHECK(db.q("SELECT name FROM named ORDER BY id") == Rows{{"ann"}, {"bob"}});
  CHECK(db.one("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = "
               "'users'") == "1");
  db.c.exec("INSERT INTO users VALUES (4, 'dan')");
  CHECK(db.q("SELECT what FROM audit") == Rows{{"dan"}});
  CHECK(db.schema_sql("named").find("FROM users") != std::string::npos);
}

TEST_CASE("table ops, indexes, comments, execute and bulk_insert run natively") {
  auto db = users("table_ops");
  auto made = table("tags", {column("id", "INTEGER", false), column("label", "TEXT")}, {"id"});
  made.comment = "tags";
  made.columns[1].comment = "shown";
  const auto s = db.migrate({
      ops::CreateTable{.table = made},
      ops::SetTableComment{.table = "tags", .comment = "labels"},
      ops::BulkInsert{.table = "tags",
                      .rows = {{{"id", {ops::Literal::Kind::number, "1"}},
                                {"label", {ops::Literal::Kind::string, "it's a\\b"}}},
                               {{"id", {ops::Literal::Kind::number, "2"}},
                                {"label", {ops::Literal::Kind::null, ""}}}}},
      ops::CreateIndex{.table = "tags",
                       .index = {.name = "ix_tags_label", .columns = {"label"}},
                       .concurrently = true},
      ops::RenameTable{.name = "tags", .new_name = "labels"},
      ops::DropIndex{.table = "labels", .name = "ix_tags_label"},
      ops::Execute{.sql = {{"postgresql", "SELECT pg_sleep(0)"}, {"", "DELETE FROM users"}}},
      ops::Execute{.sql = {{"postgresql", "SELECT pg_sleep(0)"}}},
      ops::DropTable{.name = "users"},
      ops::CreateSchema{.name = "main"},
  });
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(count_starting(s, "ALTER TABLE \"tags\" RENAME TO \"labels\"") == 1);
  CHECK(std::none_of(s.begin(), s.end(),
                     [](const auto& x) { return x.find("pg_sleep") != std::string::npos; }));
  CHECK(db.q("SELECT id, label FROM labels ORDER BY id") ==
        Rows{{"1", "it's a\\b"}, {"2", std::nullopt}});
  CHECK(db.q("SELECT name FROM sqlite_schema ORDER BY name") == Rows{{"labels"}});
  CHECK(db.state.find_table("public", "labels"));
  CHECK_FALSE(db.state.find_table("public", "users"));
}

TEST_CASE("what SQLite cannot do is a UserError at the op's line, naming it") {
  auto refused = [](ops::Op op) -> std::string {
    model::Metadata state;
    state.tables.push_back(table("t", {column("id", "INTEGER", false)}, {"id"}));
    const std::vector<ops::LocatedOp> list{{ops::SetTableComment{.table = "t"}, {"rev.yaml", 3, 5}},
                                           {std::move(op), {"rev.yaml", 4, 5}}};
    try {
      sqlite::compile(list, state, nullptr);
    } catch (const UserError& e) {
      return e.what();
    }
    return "compiled";
  };
  auto says = [&](ops::Op op, std::string_view op_name, std::string_view why) {
    const auto message = refused(std::move(op));
    CAPTURE(message);
    CHECK(message.rfind("rev.yaml:4:5: error: ", 0) == 0);
    CHECK(message.find(op_name) != std::string::npos);
    CHECK(message.find(why) != std::string::npos);
  };
  says(ops::CreateEnum{.type = {.name = "role", .values = {"a"}}}, "create_enum", "no enum types");
  says(ops::AddEnumValue{.name = "role", .value = "b"}, "add_enum_value", "no enum types");
  says(ops::DropEnum{.name = "role"}, "drop_enum", "no enum types");
  says(ops::CreateSchema{.name = "auth"}, "create_schema", "schema_map: {auth: main}");
  auto with_identity = column("n", "INTEGER", false);
  with_identity.identity = model::Identity::by_default;
  says(ops::AddColumn{.table = "t", .column = with_identity}, "add_column", "whole primary key");
  says(ops::CreateIndex{.table = "t", .index = {.name = "ix", .columns = {"id"}, .method = "gin"}},
       "create_index", "B-tree");
  says(ops::DropTable{.schema = "auth", .name = "t"}, "drop_table", "schema_map: {auth: main}");
  says(ops::CreateForeignKey{.table = "t",
                             .constraint = {.name = "fk",
                                            .columns = {"id"},
                                            .referred_schema = "billing",
                                            .referred_table = "x",
                                            .referred_columns = {"id"}}},
       "create_foreign_key", "schema_map: {billing: main}");
  // identity on the whole INTEGER key is AUTOINCREMENT: a rebuild
  CHECK(refused(ops::AlterColumn{.table = "t", .name = "id", .identity = model::Identity::always}) ==
        "compiled");
  CHECK(refused(ops::CreateSchema{.name = "public"}) == "compiled");
  CHECK(refused(ops::DropTable{.schema = "main", .name = "t"}) == "compiled");
}

TEST_CASE("lower() maps PostgreSQL's types to SQLite's and enums to CHECKs") {
  model::Metadata m;
  m.schemas = {"public"};
  m.enums.push_back({.name = "role", .values = {"admin", "it's"}});
  auto t =
      table("users",
            {column("id", "BIGINT", false), column("data", "bytea"),
             column("at", "TIMESTAMP(3) WITH TIME ZONE", true, "now()"),
             column("plain", "timestamp without time zone"), column("t", "time with time zone"),
             column("doc", "JSONB", true, "'{}'::jsonb"), column("key", "UUID"),
             column("ratio", "DOUBLE PRECISION"), column("name", "VARCHAR(20)", true, "'x'::text"),
             column("flag", "BOOLEAN", false, "true"), column("role", "role", false)},
            {"id"});
  t.schema = "main";
  t.comment = "people";
  t.columns[0].autoincrement = true;
  t.columns[1].comment = "raw";
  m.tables.push_back(t);
  auto plain_int = table("tags", {column("id", "INTEGER", false), column("n", "BIGINT")}, {"id"});
  m.tables.push_back(plain_int);
  model::View v{.schema = "main", .name = "roles", .sql = "SELECT id, role, data, at FROM users"};
  v.columns = {column("id", "BIGINT", false), column("role", "role", false),
               column("data", "BYTEA"), column("at", "TIMESTAMP WITH TIME ZONE")};
  v.columns[1].comment = "theirs";
  v.comment = "who is what";
  m.views.push_back(v);

  const auto out = sqlite::lower(m);
  CHECK(out.enums.empty());
  CHECK(out.schemas == std::vector<std::string>{"public"});
  const auto* u = out.find_table("public", "users");
  REQUIRE(u);
  CHECK_FALSE(u->comment);
  std::vector<std::string> types;
  for (const auto& c : u->columns) types.push_back(c.type);
  CHECK(types == std::vector<std::string>{"INTEGER", "BLOB", "DATETIME", "DATETIME", "TIME", "JSON",
                                          "CHAR(32)", "DOUBLE PRECISION", "VARCHAR(20)", "BOOLEAN",
                                          "TEXT"});
  CHECK(u->columns[0].autoincrement);
  CHECK_FALSE(u->columns[1].comment);
  CHECK(u->find_column("at")->server_default == "CURRENT_TIMESTAMP");
  CHECK(u->find_column("doc")->server_default == "'{}'");
  CHECK(u->find_column("name")->server_default == "'x'");
  CHECK(u->find_column("flag")->server_default == "true");
  REQUIRE(u->checks.size() == 1);
  CHECK(u->checks[0].name == "users_role_check");
  CHECK(u->checks[0].expression == "\"role\" IN ('admin', 'it''s')");
  const auto* tags = out.find_table("public", "tags");
  CHECK(tags->columns[0].autoincrement);
  CHECK_FALSE(tags->columns[1].autoincrement);
  // a view's columns are typed as a table's, for the check against what SQLite makes of it
  const auto* roles = out.find_view("public", "roles");
  REQUIRE(roles);
  CHECK_FALSE(roles->comment);
  CHECK(roles->sql == v.sql);
  types.clear();
  for (const auto& c : roles->columns) types.push_back(c.type);
  CHECK(types == std::vector<std::string>{"BIGINT", "TEXT", "BLOB", "DATETIME"});
  CHECK_FALSE(roles->columns[1].comment);

  // SQLite takes the lowered models, and the rowid alias numbers rows
  sqlite::Connection c(":memory:");
  for (const auto& table : out.tables) c.exec(sqlite::create_table_sql(table));
  CHECK_THROWS_AS(c.exec("INSERT INTO users (role) VALUES ('guest')"), dialect::QueryError);
  c.exec("INSERT INTO users (role) VALUES ('it''s')");
  CHECK(c.query("SELECT id, flag, doc FROM users").at(0) == Rows::value_type{"1", "1", "{}"});

  // a check of the enum's name already there is kept as it is
  m.tables[0].checks.push_back({.name = "users_role_check", .expression = "length(role) > 0"});
  const auto kept = sqlite::lower(m);
  REQUIRE(kept.tables[1].checks.size() == 1);
  CHECK(kept.tables[1].checks[0].expression == "length(role) > 0");
}

TEST_CASE("lower() refuses what SQLite lacks, every refusal at its origin in one error") {
  auto at = [](unsigned line) { return model::Origin{{"models.hpp", line, 3}}; };
  model::Metadata m;
  m.enums.push_back({.schema = "auth", .name = "kind", .values = {"a"}, .origin = at(17)});
  auto other = table("accounts", {column("id", "INTEGER", false)}, {"id"});
  other.schema = "auth";
  other.origin = at(10);
  m.tables.push_back(other);
  auto t =
      table("t",
            {column("id", "INTEGER", false), column("tags", "TEXT[]"), column("span", "INTERVAL"),
             column("n", "INTEGER", false), column("seq", "BIGINT", false)},
            {"id"});
  t.columns[1].origin = at(11);
  t.columns[2].origin = at(12);
  t.columns[3].identity = model::Identity::always;
  t.columns[3].origin = at(13);
  t.columns[4].autoincrement = true;
  t.columns[4].origin = at(14);
  t.indexes.push_back(
      {.name = "ix_t_tags", .columns = {"tags"}, .method = "gin", .origin = at(15)});
  t.foreign_keys.push_back({.name = "fk_t_account",
                            .columns = {"id"},
                            .referred_schema = "auth",
                            .referred_table = "accounts",
                            .referred_columns = {"id"},
                            .origin = at(16)});
  m.tables.push_back(t);
  m.views.push_back(
      {.name = "totals", .sql = "SELECT 1 AS n", .materialized = true, .origin = at(18)});
  model::View in_auth{.schema = "auth", .name = "names", .sql = "SELECT 'a' AS a"};
  in_auth.origin = at(19);
  in_auth.columns = {column("a", "TEXT[]")};
  in_auth.columns[0].origin = at(20);
  m.views.push_back(in_auth);
  try {
    sqlite::lower(m);
    FAIL("lowered");
  } catch (const DiagnosticsError& e) {
    std::vector<unsigned> lines;
    for (const auto& d : e.diagnostics().items()) lines.push_back(d.loc.line);
    std::sort(lines.begin(), lines.end());
    CHECK(lines == std::vector<unsigned>{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
    const std::string text = e.what();
    CAPTURE(text);
    for (const auto* says :
         {"schema_map: {auth: main}", "array type", "INTERVAL", "identity", "whole primary key",
          "B-tree", "view totals is materialized: SQLite has no materialized views",
          "column names.a has array type TEXT[]"})
      CHECK(text.find(says) != std::string::npos);
  }
}

TEST_CASE("a rebuild of 100,000 rows keeps every row and rowid") {
  Db db("large", {table("big", {column("k", "TEXT", false), column("v", "TEXT")}, {"k"})});
  db.c.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) "
            "INSERT INTO big (rowid, k, v) SELECT i * 2, 'k' || i, i FROM n");
  const auto s = db.migrate({ops::AlterColumn{.table = "big", .name = "v", .type = "INTEGER"},
                             ops::AddColumn{.table = "big", .column = column("w", "TEXT")}});
  CHECK(count_starting(s, "CREATE TABLE") == 1);
  CHECK(db.q("SELECT count(*), sum(rowid), sum(v), min(typeof(v)), max(typeof(v)) FROM big "
             "WHERE k = 'k' || v AND rowid = v * 2") ==
        Rows{{"100000", "10000100000", "5000050000", "integer", "integer"}});
}
