// The lint: each rule fires on its case and stays quiet on the safe variant.

#include "schemagen/lint/lint.hpp"
#include "schemagen/ops/yaml.hpp"

#include <doctest/doctest.h>

using namespace schemagen;

namespace {

/// The rules that fire on an upgrade written as revision-file YAML.
std::vector<std::string> fired(const std::string& upgrade) {
  const yaml::Reader r("rev.yaml");
  std::vector<std::string> out;
  for (const auto& f : lint::lint(ops::read_ops(r, r.parse(upgrade), "upgrade")))
    out.push_back(f.rule);
  return out;
}
using V = std::vector<std::string>;

} // namespace

TEST_CASE("destructive: dropping a table or a column") {
  CHECK(fired("- drop_table: {name: t}") == V{lint::destructive});
  CHECK(fired("- drop_column: {table: t, name: c}") == V{lint::destructive});
  CHECK(fired("- rename_table: {name: t, new_name: u}").empty());
  CHECK(fired("- add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}").empty());
}

TEST_CASE("narrowing: a type that holds less") {
  CHECK(
      fired(
          "- alter_column: {table: t, name: c, type: VARCHAR(50), existing_type: VARCHAR(100)}") ==
      V{lint::narrowing, lint::table_rewrite}); // shrinking a limit checks every row: a rewrite
  CHECK(fired("- alter_column: {table: t, name: c, type: INTEGER, existing_type: bigint}") ==
        V{lint::narrowing, lint::table_rewrite});
  CHECK(fired("- alter_column: {table: t, name: c, type: VARCHAR(20), existing_type: text}") ==
        V{lint::narrowing, lint::table_rewrite});
  CHECK(fired("- alter_column: {table: t, name: c, type: \"NUMERIC(8,2)\", existing_type: "
              "\"numeric(10,2)\"}") == V{lint::narrowing, lint::table_rewrite});
  // the safe variants: widening
  CHECK(fired("- alter_column: {table: t, name: c, type: VARCHAR(200), existing_type: character "
              "varying(100)}")
            .empty());
  CHECK(fired("- alter_column: {table: t, name: c, type: TEXT, existing_type: VARCHAR(100)}")
            .empty());
  CHECK(fired("- alter_column: {table: t, name: c, type: \"NUMERIC(12,2)\", existing_type: "
              "\"numeric(10,2)\"}")
            .empty());
}

TEST_CASE(
    "not_null_without_default: NOT NULL on an existing column or a new one, with no default") {
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true}") ==
        V{lint::not_null_without_default});
  CHECK(fired("- add_column: {table: t, column: {name: c, type: TEXT, nullable: false}}") ==
        V{lint::not_null_without_default});
  // safe: with a default, or nullable, or on a table this revision creates
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true, "
              "server_default: \"'x'\"}")
            .empty());
  CHECK(fired("- add_column: {table: t, column: {name: c, type: TEXT, nullable: false, "
              "server_default: \"''\"}}")
            .empty());
  CHECK(fired("- create_table: {name: t, columns: [{name: id, type: INTEGER}]}\n"
              "- add_column: {table: t, column: {name: c, type: TEXT, nullable: false}}")
            .empty());
}

TEST_CASE("index_without_concurrently: an index or unique constraint on an existing table") {
  CHECK(fired("- create_index: {name: ix, table: t, columns: [c]}") ==
        V{lint::index_without_concurrently});
  CHECK(fired("- create_unique_constraint: {name: uq, table: t, columns: [c]}") ==
        V{lint::index_without_concurrently});
  CHECK(fired("- create_index: {name: ix, table: t, columns: [c], concurrently: true}").empty());
  CHECK(fired("- create_table: {name: t, columns: [{name: c, type: INTEGER}]}\n"
              "- create_index: {name: ix, table: t, columns: [c]}")
            .empty());
}

TEST_CASE("table_rewrite: type changes and volatile defaults that rewrite the table") {
  CHECK(fired("- alter_column: {table: t, name: c, type: BIGINT, existing_type: integer}") ==
        V{lint::table_rewrite});
  CHECK(fired("- alter_column: {table: t, name: c, type: INTEGER, using: c::integer, "
              "existing_type: text}") == V{lint::table_rewrite});
  CHECK(fired("- add_column: {table: t, column: {name: u, type: UUID, nullable: false, "
              "server_default: gen_random_uuid()}}") == V{lint::table_rewrite});
  CHECK(fired("- add_column: {table: t, column: {name: at, type: TIMESTAMPTZ, nullable: false, "
              "server_default: now()}}")
            .empty());
}

TEST_CASE("execute may say what it does to the schema, for offline replay") {
  const yaml::Reader r("rev.yaml");
  const auto ops = ops::read_ops(
      r,
      r.parse("- execute:\n    sql: CREATE VIEW v AS SELECT 1\n    replay: []\n"
              "- execute: {postgresql: ALTER TABLE t ADD COLUMN c int, replay: [{add_column: "
              "{table: t, column: {name: c, type: INTEGER, nullable: true}}}]}"),
      "upgrade");
  const auto& first = std::get<ops::Execute>(ops[0].op);
  REQUIRE(first.replay);
  CHECK(first.replay->empty());
  const auto& second = std::get<ops::Execute>(ops[1].op);
  REQUIRE(second.replay);
  CHECK(ops::describe((*second.replay)[0].op) == "add_column t.c");
  // and it is written back with its replay: spelled out here, so a field the writer drops shows
  const std::string expected = "\n"
                               "  - execute:\n"
                               "      sql: CREATE VIEW v AS SELECT 1\n"
                               "      replay: []\n"
                               "  - execute:\n"
                               "      postgresql: ALTER TABLE t ADD COLUMN c int\n"
                               "      replay: \n"
                               "      - add_column:\n"
                               "          table: t\n"
                               "          column: {name: c, type: INTEGER, nullable: true}";
  CHECK(ops::write_ops({ops[0].op, ops[1].op}) == expected);
  const auto back = ops::read_ops(r, r.parse(expected.substr(1)), "upgrade");
  REQUIRE(back.size() == 2);
  const auto& again = std::get<ops::Execute>(back[1].op);
  CHECK(again.sql.at("postgresql") == "ALTER TABLE t ADD COLUMN c int");
  REQUIRE(again.replay);
  REQUIRE(again.replay->size() == 1);
  const auto& add = std::get<ops::AddColumn>((*again.replay)[0].op);
  CHECK(add.table == "t");
  CHECK(add.column.name == "c");
  CHECK(add.column.type == "INTEGER");
  CHECK(add.column.nullable);
  REQUIRE(std::get<ops::Execute>(back[0].op).replay);
  CHECK(std::get<ops::Execute>(back[0].op).replay->empty());
}
