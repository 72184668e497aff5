// Views and schema objects in compare(): what is created, replaced and dropped, in what order,
// and views dropped and made again around what changes under them (two layers deep).

#include "schemagen/compare/compare.hpp"
#include "schemagen/ops/apply.hpp"

#include <doctest/doctest.h>

using namespace schemagen;

namespace {

model::Table table(const std::string& name, const std::string& a_type) {
  model::Table t;
  t.name = name;
  t.columns = {{"a", a_type, false, {}, {}, {}, {}, {}, {}}, {"b", "text", true, {}, {}, {}, {}, {}, {}}};
  t.primary_key = model::PrimaryKey{name + "_pkey", {"a"}};
  return t;
}

model::View view(const std::string& name, const std::string& sql,
                 std::vector<std::string> depends_on = {}) {
  model::View v;
  v.name = name;
  v.sql = sql;
  v.definition = sql; // the server's spelling, here the same
  v.depends_on = std::move(depends_on);
  return v;
}

model::DbObject object(model::ObjectKind kind, const std::string& name, const std::string& target,
                       const std::string& sql) {
  model::DbObject o;
  o.kind = kind;
  o.schema = kind == model::ObjectKind::extension ? "" : "public";
  o.name = name;
  o.target = target;
  o.sql = sql;
  o.definition = sql;
  return o;
}

/// The ops as "op_name subject" lines.
std::vector<std::string> described(const std::vector<ops::Op>& ops) {
  std::vector<std::string> out;
  for (const auto& op : ops) out.push_back(ops::describe(op));
  return out;
}

compare::Result run(const model::Metadata& models, const model::Metadata& db) {
  return compare::compare(models, models, db, {});
}

using Lines = std::vector<std::string>;

} // namespace

TEST_CASE("a column type change under two layers of views drops them first and makes them again") {
  model::Metadata db;
  db.tables = {table("t", "integer")};
  // v1 reads t.a (the server's column-level dependency), v2 reads v1, v3 reads only t.b
  db.views = {view("v1", "SELECT a FROM t", {"public.t", "public.t.a"}),
              view("v2", "SELECT a FROM v1", {"public.v1", "public.v1.a"}),
              view("v3", "SELECT b FROM t", {"public.t", "public.t.b"})};
  model::Metadata models = db;
  models.tables[0].columns[0].type = "bigint";
  const auto r = run(models, db);
  CHECK(described(r.upgrade) == Lines{"drop_view v2", "drop_view v1", "alter_column t.a",
                                      "create_view v1", "create_view v2"});
  CHECK(described(r.downgrade) == Lines{"drop_view v2", "drop_view v1", "alter_column t.a",
                                        "create_view v1", "create_view v2"});
  // the way back restores the database's own definitions
  CHECK(std::get<ops::CreateView>(r.downgrade[4]).view.sql == "SELECT a FROM v1");

  // replayed, up then down, the schema comes back
  auto m = db;
  for (const auto& op : r.upgrade) ops::apply(op, m);
  CHECK(m.tables[0].columns[0].type == "bigint");
  CHECK(m.views.size() == 3);
  for (const auto& op : r.downgrade) ops::apply(op, m);
  model::canonicalize(m);
  auto expected = db;
  model::canonicalize(expected);
  CHECK(m == expected);
}

TEST_CASE("without column-level dependencies a view of the table is made again; a dropped column too") {
  model::Metadata db;
  db.tables = {table("t", "integer")};
  db.views = {view("v", "SELECT a, b FROM t")}; // offline: only its SQL says what it reads
  model::Metadata models = db;
  models.tables[0].columns.pop_back(); // b dropped
  models.views[0] = view("v", "SELECT a FROM t");
  const auto r = run(models, db);
  CHECK(described(r.upgrade) == Lines{"drop_view v", "create_view v", "drop_column t.b"});
}

TEST_CASE("a view changes by CREATE OR REPLACE when its columns allow, else it is made again") {
  model::Metadata db;
  db.tables = {table("t", "integer")};
  auto v = view("v", "SELECT a FROM t");
  v.columns = {{"a", "integer", false, {}, {}, {}, {}, {}, {}}};
  db.views = {v};
  auto models = db;
  models.views[0].sql = models.views[0].definition = "SELECT a, b FROM t";
  models.views[0].columns.push_back({"b", "text", true, {}, {}, {}, {}, {}, {}});
  auto r = run(models, db);
  REQUIRE(r.upgrade.size() == 1);
  const auto& replace = std::get<ops::ReplaceView>(r.upgrade[0]);
  CHECK(replace.view.sql == "SELECT a, b FROM t");
  CHECK(replace.existing->sql == "SELECT a FROM t");
  // CREATE OR REPLACE cannot take the column away again: the way back makes the view again
  REQUIRE(described(r.downgrade) == Lines{"drop_view v", "create_view v"});
  CHECK(std::get<ops::DropView>(r.downgrade[0]).view.sql == "SELECT a, b FROM t");
  CHECK(std::get<ops::CreateView>(r.downgrade[1]).view.sql == "SELECT a FROM t");

  auto same_columns = models; // a new query over the same columns is replaced both ways
  same_columns.views[0].columns.pop_back();
  same_columns.views[0].sql = same_columns.views[0].definition = "SELECT a FROM t WHERE a > 0";
  r = run(same_columns, db);
  CHECK(described(r.upgrade) == Lines{"replace_view v"});
  CHECK(described(r.downgrade) == Lines{"replace_view v"});

  auto read = db; // one another view reads is made again both ways, with its reader
  read.views.push_back(view("w", "SELECT a FROM v", {"public.v"}));
  auto read_models = models;
  read_models.views.push_back(read.views.back());
  r = run(read_models, read);
  CHECK(described(r.upgrade) ==
        Lines{"drop_view w", "drop_view v", "create_view v", "create_view w"});

  models.views[0].columns = {{"b", "text", true, {}, {}, {}, {}, {}, {}}}; // a column goes
  models.views[0].sql = models.views[0].definition = "SELECT b FROM t";
  r = run(models, db);
  CHECK(described(r.upgrade) == Lines{"drop_view v", "create_view v"});

  auto mv = db;
  mv.views[0].materialized = true;
  auto mmodels = mv;
  mmodels.views[0].sql = mmodels.views[0].definition = "SELECT a FROM t WHERE a > 0";
  r = run(mmodels, mv);
  CHECK(described(r.upgrade) == Lines{"drop_view v", "create_view v"});
}

TEST_CASE("new views follow their tables and the views they read; gone ones go first") {
  model::Metadata db;
  db.views = {view("old", "SELECT 1 AS x")};
  model::Metadata models;
  models.tables = {table("t", "integer")};
  models.views = {view("top", "SELECT a FROM mid"), view("mid", "SELECT a FROM t")};
  model::canonicalize(models);
  const auto r = run(models, db);
  CHECK(described(r.upgrade) ==
        Lines{"drop_view old", "create_table t", "create_view mid", "create_view top"});
}

TEST_CASE("the database's views are left alone while the models declare none") {
  model::Metadata db;
  db.views = {view("by_hand", "SELECT 1 AS x")};
  db.objects = {object(model::ObjectKind::function, "f", "()", "CREATE FUNCTION f() ...")};
  const auto r = run(model::Metadata{}, db);
  CHECK(r.upgrade.empty());
}

TEST_CASE("a kind the revisions made is managed once the models declare none: the last one goes") {
  using K = model::ObjectKind;
  model::Metadata db;
  db.views = {view("v", "SELECT 1 AS x")};
  db.objects = {object(K::function, "f", "()", "CREATE FUNCTION f() ..."),
                object(K::sequence, "s", "", "CREATE SEQUENCE s")};
  compare::Options o;
  o.managed.views = true;
  o.managed.objects = {K::function};
  const auto r = compare::compare({}, {}, db, o);
  // the sequence is no kind the revisions made: made by hand or by an execute, it stays
  CHECK(described(r.upgrade) == Lines{"drop_view v", "drop_function public.f()"});
  CHECK(described(r.downgrade) == Lines{"create_function public.f()", "create_view v"});

  compare::Managed m; // what counts: the ops' own creations, not an execute's replay:
  ops::Execute e{{{"", "CREATE VIEW w AS SELECT 1"}}, nullptr};
  m.add(e);
  CHECK_FALSE(m.views);
  m.add(ops::CreateView{view("w", "SELECT 1")});
  auto grant = object(K::grant, "CONNECT ON DATABASE d TO r", "", "GRANT CONNECT ON DATABASE d TO r");
  m.add(ops::CreateObject{grant});
  CHECK(m.views);
  CHECK(m.objects == std::set<K>{K::grant});
  CHECK(m.database_grants);
}

TEST_CASE("triggers and grants on a view: made after it, dropped before it, kept when it is made "
          "again") {
  using K = model::ObjectKind;
  auto grant = [](const std::string& on) {
    auto g = object(K::grant, "SELECT ON TABLE " + on + " TO r", "", "GRANT SELECT ON TABLE " + on + " TO r");
    g.schema = "";
    g.depends_on = {on};
    return g;
  };
  auto trigger = object(K::trigger, "v_ins", "public.v", "CREATE TRIGGER v_ins INSTEAD OF ...");
  trigger.depends_on = {"public.v"};
  model::Metadata db;
  db.tables = {table("t", "integer")};
  model::Metadata models = db;
  models.views = {view("v", "SELECT a FROM t", {"public.t"})};
  models.objects = {trigger, grant("public.v")};
  model::canonicalize(models);
  auto r = run(models, db);
  CHECK(described(r.upgrade) == Lines{"create_view v", "create_trigger v_ins on public.v",
                                      "grant SELECT ON TABLE public.v TO r"});
  CHECK(described(r.downgrade) == Lines{"revoke SELECT ON TABLE public.v TO r",
                                        "drop_trigger v_ins on public.v", "drop_view v"});

  // a column type change under the view: the view is made again, and what is on it with it; a
  // grant the project does not manage (no grant is declared) is kept as the database had it
  db = models;
  models.tables[0].columns[0].type = "bigint";
  r = run(models, db);
  CHECK(described(r.upgrade) ==
        Lines{"drop_trigger v_ins on public.v", "revoke SELECT ON TABLE public.v TO r",
              "drop_view v", "alter_column t.a", "create_view v",
              "create_trigger v_ins on public.v", "grant SELECT ON TABLE public.v TO r"});
  auto unmanaged = models;
  unmanaged.objects = {trigger};
  r = run(unmanaged, db);
  CHECK(described(r.upgrade) ==
        Lines{"drop_trigger v_ins on public.v", "revoke SELECT ON TABLE public.v TO r",
              "drop_view v", "alter_column t.a", "create_view v",
              "create_trigger v_ins on public.v", "grant SELECT ON TABLE public.v TO r"});

  // replayed, dropping the view takes what is on it along, as the server does
  model::Metadata replayed = db;
  ops::apply(ops::DropView{replayed.views[0]}, replayed);
  CHECK(replayed.objects.empty());
}

TEST_CASE("a policy or trigger naming a column whose type changes goes first and comes back") {
  using K = model::ObjectKind;
  auto on_t = [](K kind, const std::string& name, const std::string& sql) {
    auto o = object(kind, name, "public.t", sql);
    o.depends_on = {"public.t"};
    return o;
  };
  model::Metadata db;
  db.tables = {table("t", "integer")};
  db.objects = {on_t(K::policy, "by_a", "CREATE POLICY by_a ON public.t USING ((a > 0))"),
                on_t(K::policy, "by_b", "CREATE POLICY by_b ON public.t USING ((b <> ''))"),
                on_t(K::trigger, "on_a", "CREATE TRIGGER on_a BEFORE UPDATE OF a ON public.t ...")};
  auto models = db;
  models.tables[0].columns[0].type = "bigint";
  const auto r = run(models, db);
  CHECK(described(r.upgrade) ==
        Lines{"drop_policy by_a on public.t", "drop_trigger on_a on public.t", "alter_column t.a",
              "create_policy by_a on public.t", "create_trigger on_a on public.t"});
  CHECK(described(r.downgrade) ==
        Lines{"drop_trigger on_a on public.t", "drop_policy by_a on public.t", "alter_column t.a",
              "create_trigger on_a on public.t", "create_policy by_a on public.t"});
}

TEST_CASE("a routine reading a view is made after it and dropped before it") {
  using K = model::ObjectKind;
  auto reader = object(K::function, "noted", "()", "CREATE FUNCTION noted() ... FROM w");
  reader.depends_on = {"public.w"};
  model::Metadata db;
  model::Metadata models;
  models.views = {view("w", "SELECT 1 AS x")};
  models.objects = {reader};
  auto r = run(models, db);
  CHECK(described(r.upgrade) == Lines{"create_view w", "create_function public.noted()"});
  compare::Options made; // made by the revisions, now declared no more
  made.managed.views = true;
  made.managed.objects = {K::function};
  r = compare::compare(db, db, models, made);
  CHECK(described(r.upgrade) == Lines{"drop_function public.noted()", "drop_view w"});
  CHECK(described(r.downgrade) == Lines{"create_view w", "create_function public.noted()"});
}

TEST_CASE("schema objects: extensions first, routines before tables, triggers after, drops mirrored") {
  using K = model::ObjectKind;
  model::Metadata db;
  db.tables = {table("old_t", "integer")};
  db.objects = {object(K::function, "gone", "(integer)", "CREATE FUNCTION gone(integer) ..."),
                object(K::extension, "hstore", "", "CREATE EXTENSION hstore")};
  model::Metadata models;
  models.tables = {table("t", "integer")};
  auto trg = object(K::trigger, "t_touch", "public.t", "CREATE TRIGGER t_touch ...");
  trg.depends_on = {"public.t", "public.touch"};
  models.objects = {object(K::extension, "citext", "", "CREATE EXTENSION citext"),
                    object(K::function, "touch", "()", "CREATE FUNCTION touch() ..."), trg};
  model::canonicalize(models);
  const auto r = run(models, db);
  CHECK(described(r.upgrade) ==
        Lines{"create_extension citext", "create_function public.touch()", "create_table t",
              "create_trigger t_touch on public.t", "drop_table old_t",
              "drop_function public.gone(integer)", "drop_extension hstore"});
  CHECK(r.downgrade.size() == r.upgrade.size());
  CHECK(ops::describe(r.downgrade.front()) == "create_extension hstore");
}

TEST_CASE("a changed function is replaced, or made again when what it returns changes") {
  using K = model::ObjectKind;
  model::Metadata db;
  auto f = object(K::function, "f", "()", "x");
  f.definition = "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $$ SELECT 1 $$";
  db.objects = {f};
  auto models = db;
  models.objects[0].definition =
      "CREATE OR REPLACE FUNCTION public.f()\n RETURNS integer\n LANGUAGE sql\nAS $$ SELECT 2 $$";
  CHECK(described(run(models, db).upgrade) == Lines{"replace_function public.f()"});
  models.objects[0].definition =
      "CREATE OR REPLACE FUNCTION public.f()\n RETURNS bigint\n LANGUAGE sql\nAS $$ SELECT 2 $$";
  CHECK(described(run(models, db).upgrade) ==
        Lines{"drop_function public.f()", "create_function public.f()"});

  // a parameter renamed (or a default taken away): no CREATE OR REPLACE either
  models.objects[0].definition =
      "CREATE OR REPLACE FUNCTION public.f(renamed integer)\n RETURNS integer\n LANGUAGE sql\nAS $$ SELECT 2 $$";
  db.objects[0].definition =
      "CREATE OR REPLACE FUNCTION public.f(a integer)\n RETURNS integer\n LANGUAGE sql\nAS $$ SELECT 2 $$";
  CHECK(described(run(models, db).upgrade) ==
        Lines{"drop_function public.f()", "create_function public.f()"});
  models.objects[0].definition =
      "CREATE OR REPLACE FUNCTION public.f()\n RETURNS bigint\n LANGUAGE sql\nAS $$ SELECT 2 $$";
  db.objects[0].definition = f.definition;

  // a grant on it no longer declared, of a kind the project manages: revoked before it goes
  {
    auto g = object(K::grant, "EXECUTE ON FUNCTION public.f() TO r", "", "GRANT EXECUTE ON FUNCTION public.f() TO r");
    g.schema = "";
    auto with_grant = db;
    with_grant.objects.push_back(g);
    compare::Options managed;
    managed.managed.objects = {K::grant};
    const auto r = compare::compare(models, models, with_grant, managed);
    CHECK(described(r.upgrade) == Lines{"revoke EXECUTE ON FUNCTION public.f() TO r",
                                        "drop_function public.f()", "create_function public.f()"});
  }

  // its grants go with it and are granted again
  auto g = object(K::grant, "EXECUTE ON FUNCTION public.f() TO r", "", "GRANT EXECUTE ON FUNCTION public.f() TO r");
  g.schema = "";
  db.objects.push_back(g);
  models.objects.push_back(g);
  const auto r = run(models, db);
  CHECK(described(r.upgrade) ==
        Lines{"revoke EXECUTE ON FUNCTION public.f() TO r", "drop_function public.f()",
              "create_function public.f()", "grant EXECUTE ON FUNCTION public.f() TO r"});
  CHECK(described(r.downgrade) ==
        Lines{"revoke EXECUTE ON FUNCTION public.f() TO r", "drop_function public.f()",
              "create_function public.f()", "grant EXECUTE ON FUNCTION public.f() TO r"});
}

TEST_CASE("the offline canonical spelling: blanks squeezed, names folded, literal casts dropped") {
  CHECK(compare::canonical_type("numeric( 10 ,\t2 )") == "numeric(10,2)");
  CHECK(compare::canonical_type("  TIMESTAMP(3)   WITH\nTIME ZONE ") ==
        "timestamp(3) with time zone");
  CHECK(compare::canonical_type("VARCHAR (20)[]") == "character varying(20)[]");
  CHECK(compare::canonical_type("\"Auth\".Role") == "\"Auth\".role");
  CHECK(compare::canonical_type("char") == "character(1)");
  // the precision in the middle, however it is spelled
  CHECK(compare::canonical_type("timestamptz(3)") == "timestamp(3) with time zone");
  CHECK(compare::canonical_type("time (6)   without time zone") == "time(6) without time zone");

  model::Metadata m;
  m.tables.push_back(table("t", "INT"));
  auto& t = m.tables.back();
  t.columns[1].server_default = "'draft'::text";
  t.checks.push_back({"ck", "( (a  >=  0) AND (b <> ''::text) )", {}});
  model::Index ix;
  ix.name = "ix";
  ix.columns = {"lower( b )", "a"};
  ix.where = "(b IS NOT NULL)";
  t.indexes.push_back(ix);
  const auto c = compare::canonical_text(m);
  const auto& ct = c.tables.front();
  CHECK(ct.columns[0].type == "integer");
  CHECK(ct.columns[1].server_default == "'draft'");
  CHECK(ct.checks[0].expression == "(a >= 0) AND(b <> '')");
  CHECK(ct.indexes[0].columns == std::vector<std::string>{"lower(b)", "a"});
  CHECK(ct.indexes[0].where == "b IS NOT NULL");
  CHECK(compare::same_default(std::string("'5'"), std::string(" 5 ")));
  CHECK_FALSE(compare::same_default(std::string("'5x'"), std::string("5")));
}
