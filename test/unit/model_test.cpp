// lib/model: canonical order, equality, YAML round trip, default names.

#include "schemagen/model/binary.hpp"
#include "schemagen/model/naming.hpp"
#include "schemagen/model/yaml.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
using namespace schemagen::model;

namespace {

Metadata sample() {
  Metadata m;
  Table users;
  users.schema = "auth";
  users.name = "users";
  users.comment = "People: who \"sign\" in";
  users.columns = {
      {"id",
       "BIGINT",
       false,
       std::nullopt,
       Identity::always,
       false,
       std::nullopt,
       std::nullopt,
       {}},
      {"disabled",
       "BOOLEAN",
       false,
       "false",
       Identity::none,
       false,
       std::nullopt,
       std::nullopt,
       {}},
      {"tags", "TEXT[]", true, "'{}'", Identity::none, false, "labels: free", "labels", {}},
  };
  users.primary_key = PrimaryKey{"users_pkey", {"id"}};
  users.indexes = {{"ix_b", {"lower(tags)"}, true, "disabled = false", "gin", {}},
                   {"ix_a", {"disabled"}, false, std::nullopt, "btree", {}}};
  users.checks = {{"ck", "id > 0", {}}};
  Table orgs;
  orgs.name = "orgs";
  orgs.columns = {
      {"id", "INTEGER", false, std::nullopt, Identity::none, true, std::nullopt, std::nullopt, {}}};
  orgs.foreign_keys = {{"fk", {"id"}, "auth", "users", {"id"}, "CASCADE", "", {}}};
  m.tables = {users, orgs};
  m.enums = {{"public", "status", {"b", "a"}, {}}};
  return m;
}

} // namespace

TEST_CASE("canonical order sorts tables and constraints but keeps columns and enum values") {
  Metadata m = sample();
  canonicalize(m);
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[0].name == "users"); // auth < public
  CHECK(m.tables[1].name == "orgs");
  CHECK(m.tables[0].indexes[0].name == "ix_a");
  CHECK(m.tables[0].columns[0].name == "id");
  CHECK(m.tables[0].columns[2].name == "tags");
  CHECK(m.enums[0].values == std::vector<std::string>{"b", "a"});
  CHECK(m.schemas == std::vector<std::string>{"auth", "public"});
}

TEST_CASE("YAML round trip gives back an equal metadata, and the same text") {
  Metadata m = sample();
  const std::string text = to_yaml(m);
  Metadata back = from_yaml(text, "metadata.yaml");
  canonicalize(m);
  CHECK(back == m);
  CHECK(to_yaml(back) == text);
  // SQL text that YAML would read as a boolean stays a string
  CHECK(text.find("server_default: \"false\"") != std::string::npos);
}

TEST_CASE("equality sees every field but not where a thing was declared") {
  Metadata a = sample(), b = sample();
  b.tables[0].origin.loc = SourceLoc{"x.hpp", 3, 4};
  CHECK(a == b);
  b.tables[0].columns[1].server_default = "true";
  CHECK_FALSE(a == b);
  b = sample();
  b.tables[0].indexes[1].method = "hash";
  CHECK_FALSE(a == b);
}

TEST_CASE("reading metadata rejects unknown keys with their line") {
  const std::string text = "tables:\n  - name: t\n    schema: public\n    colums: []\n";
  try {
    from_yaml(text, "m.yaml");
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("m.yaml:4:5: error: unknown key 'colums'") !=
          std::string::npos);
  }
}

TEST_CASE("default names follow PostgreSQL, truncated to 63 bytes like makeObjectName") {
  CHECK(default_name(NameKind::primary_key, {"users", {}, {}}, {}) == "users_pkey");
  CHECK(default_name(NameKind::unique, {"users", {"username"}, {}}, {}) == "users_username_key");
  CHECK(default_name(NameKind::foreign_key, {"users", {"org_id"}, "orgs"}, {}) ==
        "users_org_id_fkey");
  CHECK(default_name(NameKind::unique, {"t", {"a", "b"}, {}}, {}) == "t_a_b_key");
  CHECK(default_name(NameKind::index, {"users", {"email"}, {}}, {}) == "ix_users_email");
  const std::string long_table(40, 't'), long_col(40, 'c');
  const auto name = postgres_default_name(long_table, {long_col}, "key");
  CHECK(name.size() == 63);
  CHECK(name == std::string(29, 't') + "_" + std::string(29, 'c') + "_key");
  NamingConvention nc = {{"fk", "fk_{table}_{column_0_N}_{referred_table}"},
                         {"ix", "ix_{column_0}"}};
  CHECK(default_name(NameKind::foreign_key, {"a", {"x", "y"}, "b"}, nc) == "fk_a_x_y_b");
  CHECK(default_name(NameKind::index, {"a", {"x"}, {}}, nc) == "ix_x");
}

TEST_CASE("every kind of string survives the round trip through a YAML reader") {
  const std::vector<std::string> nasty = {
      "plain",      "with: colon", "hash # here", "\"quoted\"", "it's",    "line\nbreak",
      "tab\there",  "- dash",      "[brackets]",  "{braces}",   "a, b",    "   padded  ",
      "true",       "NULL",        "0.5",         "1e3",        "ünïcödé", "back\\slash",
      "ends with:", "*star",       "&amp",        "!bang",      "%pct",    "@at",
      "`tick",      "?q",          "|pipe",       ">gt",        "x\x01y",  "'{}'::jsonb",
      "now()"};
  Metadata m;
  Table t;
  t.name = "t";
  for (std::size_t i = 0; i < nasty.size(); ++i) {
    Column c;
    c.name = "c" + std::to_string(i);
    c.type = "TEXT";
    c.server_default = nasty[i];
    c.comment = nasty[i];
    t.columns.push_back(c);
  }
  t.comment = "multi\nline: comment";
  t.checks = {{"ck", "a IN ('x', 'y') AND b <> '#'", {}}};
  m.tables = {t};
  m.enums = {{"public", "e", nasty, {}}};
  const auto text = to_yaml(m);
  canonicalize(m);
  CHECK(from_yaml(text, "x.yaml") == m);
}

TEST_CASE("the binary form reads back exactly, origins included, and refuses garbage") {
  Metadata m = sample();
  m.tables[0].origin.loc = SourceLoc{"a.hpp", 3, 7};
  m.tables[0].columns[1].origin.loc = SourceLoc{"a.hpp", 5, 2};
  View v;
  v.schema = "app";
  v.name = "daily";
  v.sql = "SELECT day, total FROM sums";
  v.materialized = true;
  v.columns = {Column{"day", "DATE", false, {}, {}, {}, "Its day.", {}, {{"a.hpp", 9, 3}}},
               Column{"total", "DOUBLE PRECISION", true, {}, {}, {}, {}, {}, {{"a.hpp", 10, 3}}}};
  v.indexes = {Index{"ix_daily_day", {"day"}, true, "total > 0", "btree", {{"a.hpp", 8, 5}}}};
  v.comment = "Per day.";
  v.definition = " SELECT sums.day, sums.total FROM sums;";
  v.depends_on = {"app.sums"};
  v.origin.loc = SourceLoc{"a.hpp", 8, 1};
  m.views = {v};
  // schema objects too: a cached chain without them once asked for every extension again
  DbObject ext;
  ext.kind = ObjectKind::extension;
  ext.name = "citext";
  ext.sql = "CREATE EXTENSION IF NOT EXISTS citext";
  DbObject trigger;
  trigger.kind = ObjectKind::trigger;
  trigger.schema = "app";
  trigger.name = "sums_touch";
  trigger.target = "app.sums";
  trigger.sql = "CREATE TRIGGER sums_touch BEFORE UPDATE ON app.sums FOR EACH ROW EXECUTE "
                "FUNCTION app.touch()";
  trigger.definition = "CREATE TRIGGER sums_touch ...";
  trigger.depends_on = {"app.touch"};
  trigger.origin.loc = SourceLoc{"db/t.sql", 4, 1};
  m.objects = {ext, trigger};
  const auto bytes = to_binary(m);
  auto back = from_binary(bytes);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(back->tables[0].origin.loc == SourceLoc{"a.hpp", 3, 7});
  CHECK(back->tables[0].columns[1].origin.loc == SourceLoc{"a.hpp", 5, 2});
  // what a view's == leaves out, and where a view's mismatch is reported
  REQUIRE(back->views.size() == 1);
  const View& w = back->views[0];
  CHECK(w.columns == v.columns);
  CHECK(w.columns[1].origin.loc == SourceLoc{"a.hpp", 10, 3});
  CHECK(w.indexes[0].origin.loc == SourceLoc{"a.hpp", 8, 5});
  CHECK(w.definition == v.definition);
  CHECK(w.depends_on == v.depends_on);
  CHECK(w.sql == v.sql);
  CHECK(w.origin.loc == v.origin.loc);
  REQUIRE(back->objects.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto &was = m.objects[i], &is = back->objects[i];
    CHECK(is.kind == was.kind);
    CHECK(is.describe() == was.describe());
    CHECK(is.sql == was.sql);
    CHECK(is.definition == was.definition);
    CHECK(is.depends_on == was.depends_on);
    CHECK(is.origin.loc == was.origin.loc);
  }
  CHECK_FALSE(from_binary(bytes.substr(0, bytes.size() - 3)));
  CHECK_FALSE(from_binary("not a cache"));
}
