// The lint: each rule fires on its case and stays quiet on the safe variant.

#include "schemagen/lint/lint.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/support/files.hpp"

#include <doctest/doctest.h>

using namespace schemagen;

namespace {

/// The findings on an upgrade written as revision-file YAML, for a project with `options`.
std::vector<lint::Finding> findings(const std::string& upgrade, const lint::Options& options) {
  const yaml::Reader r("rev.yaml");
  return lint::lint(ops::read_ops(r, r.parse(upgrade), "upgrade"), options);
}

/// The rules that fire on an upgrade, in a project whose runs set lock_timeout (so that
/// missing_lock_timeout, tested on its own, does not join every other rule's findings).
std::vector<std::string> fired(const std::string& upgrade) {
  std::vector<std::string> out;
  for (const auto& f : findings(upgrade, {"postgresql", true})) out.push_back(f.rule);
  return out;
}
using V = std::vector<std::string>;

/// The rules that fire on `sql` in an execute op (its YAML block scalar).
std::vector<std::string> fired_sql(const std::string& sql) {
  std::string indented;
  for (std::size_t i = 0; i < sql.size();) {
    const auto eol = sql.find('\n', i);
    indented += "      " + sql.substr(i, eol - i) + "\n";
    i = eol == std::string::npos ? sql.size() : eol + 1;
  }
  return fired("- execute: |\n" + indented);
}

} // namespace

TEST_CASE("destructive: dropping a table or a column") {
  CHECK(fired("- drop_table: {name: t}") == V{lint::destructive});
  CHECK(fired("- drop_column: {table: t, name: c}") == V{lint::destructive});
  CHECK(fired("- rename_table: {name: t, new_name: u}") == V{lint::renaming_table});
  CHECK(fired("- add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}").empty());
}

TEST_CASE("narrowing: a type that holds less") {
  CHECK(
      fired(
          "- alter_column: {table: t, name: c, type: VARCHAR(50), existing_type: VARCHAR(100)}") ==
      V{lint::prefer_text, lint::narrowing,
        lint::table_rewrite}); // shrinking a limit checks every row: a rewrite
  CHECK(fired("- alter_column: {table: t, name: c, type: INTEGER, existing_type: bigint}") ==
        V{lint::narrowing, lint::table_rewrite});
  CHECK(fired("- alter_column: {table: t, name: c, type: VARCHAR(20), existing_type: text}") ==
        V{lint::prefer_text, lint::narrowing, lint::table_rewrite});
  CHECK(fired("- alter_column: {table: t, name: c, type: \"NUMERIC(8,2)\", existing_type: "
              "\"numeric(10,2)\"}") == V{lint::narrowing, lint::table_rewrite});
  // the safe variants: widening
  CHECK(fired("- alter_column: {table: t, name: c, type: VARCHAR(200), existing_type: character "
              "varying(100)}") == V{lint::prefer_text});
  CHECK(fired("- alter_column: {table: t, name: c, type: TEXT, existing_type: VARCHAR(100)}")
            .empty());
  CHECK(fired("- alter_column: {table: t, name: c, type: \"NUMERIC(12,2)\", existing_type: "
              "\"numeric(10,2)\"}")
            .empty());
}

TEST_CASE("not_null_without_default: SET NOT NULL on an existing column, or a new NOT NULL "
          "column with no default") {
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true}") ==
        V{lint::not_null_without_default});
  CHECK(fired("- add_column: {table: t, column: {name: c, type: TEXT, nullable: false}}") ==
        V{lint::not_null_without_default});
  // a default fills none of the rows there are: SET NOT NULL still scans, and fails on a NULL
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true, "
              "server_default: \"'x'\"}") == V{lint::not_null_without_default});
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true, "
              "existing_server_default: \"'x'\"}") == V{lint::not_null_without_default});
  CHECK(fired_sql("ALTER TABLE t ALTER COLUMN c SET DEFAULT 'x', ALTER COLUMN c SET NOT NULL;") ==
        V{lint::not_null_without_default});
  // safe: a new column with a (non-volatile) default, or nullable, or on a table this revision
  // creates
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
  CHECK(fired("- create_unique_constraint: {name: uq, table: t, columns: [c], online: true}")
            .empty());
  // dropping one, too, unless its table is new or goes in the same revision
  CHECK(fired("- drop_index: {name: ix, table: t}") == V{lint::index_without_concurrently});
  CHECK(fired("- drop_index: {name: ix, table: t, concurrently: true}").empty());
  CHECK(fired("- drop_index: {name: ix, table: t}\n- drop_table: {name: t}") ==
        V{lint::destructive});
  CHECK(fired("- create_primary_key: {name: pk, table: t, columns: [c]}") ==
        V{lint::index_without_concurrently});
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
  CHECK(fired("- add_column: {table: t, column: {name: u, type: UUID, nullable: false, "
              "server_default: gen_random_uuid()}, online: true}")
            .empty());
  CHECK(fired("- add_column: {table: t, column: {name: at, type: TIMESTAMPTZ, nullable: false, "
              "server_default: now()}}")
            .empty());
}

TEST_CASE("table_rewrite: an identity, serial or stored generated column added to a table") {
  // every row takes a value: online: true cannot avoid it
  CHECK(fired("- add_column: {table: t, column: {name: n, type: BIGINT, identity: always}}") ==
        V{lint::table_rewrite});
  CHECK(fired("- add_column: {table: t, column: {name: n, type: BIGINT, identity: always}, "
              "online: true}") == V{lint::table_rewrite});
  CHECK(fired("- add_column: {table: t, column: {name: n, type: BIGINT, autoincrement: true}}") ==
        V{lint::prefer_identity, lint::table_rewrite});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY;") ==
        V{lint::table_rewrite});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN n bigserial;") ==
        V{lint::prefer_identity, lint::table_rewrite});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) "
                  "STORED;") == V{lint::table_rewrite});
  // a table this revision creates has no rows
  CHECK(fired("- create_table: {name: t, columns: [{name: c, type: TEXT}]}\n"
              "- add_column: {table: t, column: {name: n, type: BIGINT, identity: always}}")
            .empty());
  CHECK(fired_sql("CREATE TABLE t (price numeric, qty bigint);\n"
                  "ALTER TABLE t ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY,\n"
                  "  ADD COLUMN total numeric GENERATED ALWAYS AS (price * qty) STORED;")
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

TEST_CASE("not_null_without_default: quiet on the online form of SET NOT NULL") {
  CHECK(fired("- alter_column: {table: t, name: c, nullable: false, existing_nullable: true, "
              "online: true}")
            .empty());
  // by hand: a CHECK (c IS NOT NULL) validated earlier in the revision lets SET NOT NULL skip
  // its scan, in SQL or as ops
  const std::string not_valid =
      "ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL) NOT VALID;";
  const std::string validate = "ALTER TABLE t VALIDATE CONSTRAINT c_nn;";
  const std::string set = "ALTER TABLE t ALTER COLUMN c SET NOT NULL;";
  CHECK(fired_sql(not_valid + "\n" + validate + "\n" + set).empty());
  CHECK(fired("- execute: " + not_valid + "\n- execute: " + validate +
              "\n- alter_column: {table: t, name: c, nullable: false}")
            .empty());
  CHECK(fired("- create_check_constraint: {name: c_nn, table: t, expression: c IS NOT NULL, "
              "online: true}\n"
              "- alter_column: {table: t, name: c, nullable: false}")
            .empty());
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT c_nn CHECK ((\"C\" is  not NULL)) NOT VALID;\n" +
                  validate + "\nALTER TABLE t ALTER COLUMN \"C\" SET NOT NULL;")
            .empty());
  // a check validated with its scan under the lock: that one is reported, SET NOT NULL is not
  CHECK(fired("- create_check_constraint: {name: c_nn, table: t, expression: c IS NOT NULL}\n"
              "- alter_column: {table: t, name: c, nullable: false}") ==
        V{lint::constraint_without_not_valid});
  // not validated, validated after, dropped before, another column's, another table's, or
  // proving more than NOT NULL
  CHECK(fired_sql(not_valid + "\n" + set) == V{lint::not_null_without_default});
  CHECK(fired_sql(not_valid + "\n" + set + "\n" + validate) == V{lint::not_null_without_default});
  CHECK(fired_sql(not_valid + "\n" + validate + "\nALTER TABLE t DROP CONSTRAINT c_nn;\n" + set) ==
        V{lint::not_null_without_default});
  CHECK(fired_sql(not_valid + "\n" + validate + "\nALTER TABLE t ALTER COLUMN d SET NOT NULL;") ==
        V{lint::not_null_without_default});
  CHECK(fired_sql(not_valid + "\n" + validate + "\nALTER TABLE u ALTER COLUMN c SET NOT NULL;") ==
        V{lint::not_null_without_default});
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT c_nn CHECK (c IS NOT NULL OR d > 0) NOT VALID;\n" +
                  validate + "\n" + set) == V{lint::not_null_without_default});
}

TEST_CASE("renaming_column and renaming_table: the running application still uses the old name") {
  CHECK(fired("- alter_column: {table: t, name: c, new_name: d}") == V{lint::renaming_column});
  CHECK(fired("- rename_table: {name: t, new_name: u}") == V{lint::renaming_table});
  // a table this revision creates has no application using it yet
  CHECK(fired("- create_table: {name: t, columns: [{name: c, type: TEXT}]}\n"
              "- rename_table: {name: t, new_name: u}\n"
              "- alter_column: {table: u, name: c, new_name: d}")
            .empty());
}

TEST_CASE("constraint_without_not_valid: a foreign key or check that scans while it locks") {
  const std::string fk = "- create_foreign_key: {name: fk, table: t, columns: [u_id], "
                         "referred_table: u, referred_columns: [id]";
  CHECK(fired(fk + "}") == V{lint::constraint_without_not_valid});
  CHECK(fired(fk + ", online: true}").empty());
  CHECK(fired("- create_check_constraint: {name: ck, table: t, expression: n > 0}") ==
        V{lint::constraint_without_not_valid});
  CHECK(fired("- create_check_constraint: {name: ck, table: t, expression: n > 0, online: true}")
            .empty());
  CHECK(fired("- create_table: {name: t, columns: [{name: u_id, type: BIGINT}]}\n" + fk + "}")
            .empty());
}

TEST_CASE("prefer_text, prefer_timestamptz: types that serve worse than text and timestamptz") {
  CHECK(fired("- create_table: {name: t, columns: [{name: a, type: VARCHAR(10)}, {name: b, "
              "type: CHAR(3)}, {name: c, type: TIMESTAMP}, {name: d, type: timestamp(3) without "
              "time zone}]}") == V{lint::prefer_text, lint::prefer_text, lint::prefer_timestamptz,
                                   lint::prefer_timestamptz});
  CHECK(fired("- add_column: {table: t, column: {name: a, type: character varying, nullable: "
              "true}}") == V{lint::prefer_text});
  CHECK(fired("- create_table: {name: t, columns: [{name: a, type: TEXT}, {name: b, type: "
              "TIMESTAMPTZ}, {name: c, type: timestamp with time zone}, {name: d, type: "
              "'\"char\"'}]}")
            .empty());
}

TEST_CASE("prefer_bigint, prefer_identity: integer keys that run out, sequences of their own") {
  CHECK(fired("- create_table: {name: t, columns: [{name: id, type: INTEGER}], primary_key: "
              "{name: pk, columns: [id]}}") == V{lint::prefer_bigint});
  CHECK(fired("- create_table: {name: t, columns: [{name: id, type: INTEGER, autoincrement: "
              "true}], primary_key: {name: pk, columns: [id]}}") ==
        V{lint::prefer_identity, lint::prefer_bigint});
  CHECK(fired("- create_table: {name: t, columns: [{name: id, type: BIGINT, server_default: "
              "\"nextval('t_id_seq')\"}]}") == V{lint::prefer_identity});
  CHECK(fired("- create_table: {name: t, columns: [{name: u_id, type: SMALLINT}], "
              "foreign_keys: [{name: fk, columns: [u_id], referred_table: u, referred_columns: "
              "[id]}]}") == V{lint::prefer_bigint});
  // bigint identity keys, and integers in a key of several columns, are fine
  CHECK(fired("- create_table: {name: t, columns: [{name: id, type: BIGINT, identity: always}, "
              "{name: doc, type: BIGINT}, {name: version, type: INTEGER}], primary_key: "
              "{name: pk, columns: [doc, version]}}")
            .empty());
}

TEST_CASE("prefer_bigint: an integer column the revision makes, then a key of") {
  const std::string fk = "\n- create_foreign_key: {name: fk, table: t, columns: [u_id], "
                         "referred_table: u, referred_columns: [id], online: true}";
  CHECK(fired("- add_column: {table: t, column: {name: u_id, type: INTEGER, nullable: true}}" +
              fk) == V{lint::prefer_bigint});
  CHECK(fired("- create_table: {name: t, columns: [{name: u_id, type: SMALLINT}]}" + fk) ==
        V{lint::prefer_bigint});
  CHECK(fired("- add_column: {table: t, column: {name: id, type: INTEGER, nullable: true}}\n"
              "- create_primary_key: {name: pk, table: t, columns: [id]}") ==
        V{lint::prefer_bigint, lint::index_without_concurrently});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN u_id int REFERENCES u (id);") ==
        V{lint::prefer_bigint, lint::constraint_without_not_valid});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN u_id int;\nALTER TABLE t ADD CONSTRAINT fk FOREIGN "
                  "KEY (u_id) REFERENCES u (id) NOT VALID;") == V{lint::prefer_bigint});
  // bigint, an integer that is no key, a key of several columns, a key of a column made before
  CHECK(fired("- add_column: {table: t, column: {name: u_id, type: BIGINT, nullable: true}}" + fk)
            .empty());
  CHECK(fired("- add_column: {table: t, column: {name: u_id, type: INTEGER, nullable: true}}")
            .empty());
  CHECK(fired("- add_column: {table: t, column: {name: u_id, type: INTEGER, nullable: true}}\n"
              "- create_foreign_key: {name: fk, table: t, columns: [u_id, v], referred_table: u, "
              "referred_columns: [id, v], online: true}")
            .empty());
  CHECK(fired(fk.substr(1)).empty());
}

TEST_CASE("prefer_jsonb: json columns") {
  CHECK(fired("- create_table: {name: t, columns: [{name: a, type: JSON}, {name: b, type: "
              "'json[]'}]}") == V{lint::prefer_jsonb, lint::prefer_jsonb});
  CHECK(fired("- add_column: {table: t, column: {name: doc, type: json, nullable: true}}") ==
        V{lint::prefer_jsonb});
  CHECK(fired("- alter_column: {table: t, name: doc, type: JSON, existing_type: text}") ==
        V{lint::prefer_jsonb, lint::table_rewrite});
  CHECK(fired_sql("CREATE TABLE t (id bigint, doc json);") == V{lint::prefer_jsonb});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN doc json;") == V{lint::prefer_jsonb});
  CHECK(fired_sql("ALTER TABLE t ALTER COLUMN doc TYPE json;") ==
        V{lint::prefer_jsonb, lint::table_rewrite});
  // jsonb, and a json value that is not a column
  CHECK(fired("- create_table: {name: t, columns: [{name: a, type: JSONB}, {name: b, type: "
              "'jsonb[]'}]}")
            .empty());
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN doc jsonb;\nUPDATE t SET doc = '{}'::json::jsonb;")
            .empty());
}

TEST_CASE("missing_lock_timeout: a strong lock on an existing table, with no lock_timeout") {
  const std::string add = "- add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}";
  const auto unset = findings(add, {});
  REQUIRE(unset.size() == 1);
  CHECK(unset[0].rule == lint::missing_lock_timeout);
  CHECK(unset[0].reason.find("SET LOCAL lock_timeout") != std::string::npos);
  // said once a revision
  CHECK(findings(add + "\n" + add, {}).size() == 1);
  // quiet: the configuration's online_ddl sets it, as does a revision with an online op
  CHECK(findings(add, {"postgresql", true}).empty());
  CHECK(findings(add + "\n- create_index: {name: ix, table: t, columns: [c], concurrently: "
                       "true}",
                 {})
            .empty());
  // or the revision's own SQL, before the lock
  CHECK(findings("- execute: SET LOCAL lock_timeout = '2s'\n" + add, {}).empty());
  CHECK(findings("- execute: SELECT set_config('lock_timeout', '2s', true)\n" + add, {}).empty());
  CHECK(findings(add + "\n- execute: SET LOCAL lock_timeout = '2s'", {}).size() == 1);
  // a table this revision creates is locked by nobody else
  CHECK(findings("- create_table: {name: t, columns: [{name: id, type: BIGINT}]}\n" + add, {})
            .empty());
  // a comment takes a lock that lets reads and writes go on: as an op, or as SQL
  CHECK(findings("- alter_column: {table: t, name: c, comment: what c is}", {}).empty());
  CHECK(findings("- execute: COMMENT ON COLUMN t.c IS 'what c is'", {}).empty());
  CHECK(findings("- execute: COMMENT ON TABLE t IS 'what t is'", {}).empty());
}

TEST_CASE("raw SQL: an execute op's statements are judged by the same rules") {
  CHECK(fired_sql("CREATE INDEX ix ON t (c);") == V{lint::index_without_concurrently});
  CHECK(fired_sql("CREATE INDEX CONCURRENTLY ix ON t (c);") ==
        V{lint::concurrently_in_transaction}); // but not in a transaction: below
  CHECK(fired_sql("DROP INDEX ix;") == V{lint::index_without_concurrently});
  CHECK(fired_sql("DROP INDEX CONCURRENTLY ix;") == V{lint::concurrently_in_transaction});
  CHECK(fired_sql("CREATE INDEX ix ON t (c);\nDROP INDEX ix;") ==
        V{lint::index_without_concurrently}); // the drop: an index this revision made
  CHECK(fired_sql("CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c text);\n"
                  "CREATE INDEX ix ON t (c);")
            .empty());
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id);") ==
        V{lint::constraint_without_not_valid});
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT "
                  "VALID;\nALTER TABLE t VALIDATE CONSTRAINT fk;")
            .empty());
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT ck CHECK (n > 0);") ==
        V{lint::constraint_without_not_valid});
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT uq UNIQUE (c);") ==
        V{lint::index_without_concurrently});
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX uq_idx;").empty());
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN c text NOT NULL;") ==
        V{lint::not_null_without_default});
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN c text NOT NULL DEFAULT '';").empty());
  CHECK(fired_sql("ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();") ==
        V{lint::table_rewrite});
  CHECK(fired_sql("ALTER TABLE t ALTER COLUMN c TYPE bigint;") == V{lint::table_rewrite});
  CHECK(fired_sql("ALTER TABLE t ALTER COLUMN c SET NOT NULL;") ==
        V{lint::not_null_without_default});
  CHECK(fired_sql("ALTER TABLE t RENAME COLUMN c TO d;") == V{lint::renaming_column});
  CHECK(fired_sql("ALTER TABLE t RENAME TO u;") == V{lint::renaming_table});
  CHECK(fired_sql("ALTER TABLE t DROP COLUMN c;") == V{lint::destructive});
  CHECK(fired_sql("DROP TABLE t;") == V{lint::destructive});
  CHECK(fired_sql("DROP SCHEMA s CASCADE;") == V{lint::destructive});
  CHECK(fired_sql("DROP SCHEMA s;").empty()); // fails unless empty: nothing is lost
  CHECK(fired_sql("DROP DATABASE d;") == V{lint::drop_database});
  CHECK(fired_sql("BEGIN;\nUPDATE t SET c = 1;\nCOMMIT;") ==
        V{lint::transaction_nesting, lint::transaction_nesting});
  CHECK(fired_sql("SAVEPOINT s;\nUPDATE t SET c = 1;\nRELEASE SAVEPOINT s;").empty());
  CHECK(fired_sql("CREATE TABLE t (id serial PRIMARY KEY, name varchar(20), at timestamp);") ==
        V{lint::prefer_identity, lint::prefer_bigint, lint::prefer_text, lint::prefer_timestamptz});
  CHECK(fired_sql("CREATE TABLE t (id int, u_id int REFERENCES u (id), PRIMARY KEY (id));") ==
        V{lint::prefer_bigint, lint::prefer_bigint});
  CHECK(fired_sql("UPDATE t SET c = lower(c) WHERE c <> lower(c);").empty());
}

TEST_CASE("concurrently_in_transaction: CONCURRENTLY in an execute, which runs in the revision's "
          "transaction") {
  CHECK(fired_sql("REINDEX INDEX CONCURRENTLY ix;") == V{lint::concurrently_in_transaction});
  CHECK(fired_sql("REINDEX (CONCURRENTLY) TABLE t;") == V{lint::concurrently_in_transaction});
  CHECK(fired_sql("ALTER TABLE t DETACH PARTITION t_2020 CONCURRENTLY;") ==
        V{lint::concurrently_in_transaction});
  // on a table the revision creates too: it is the transaction that fails it
  CHECK(fired_sql("CREATE TABLE t (c text);\nCREATE INDEX CONCURRENTLY ix ON t (c);") ==
        V{lint::concurrently_in_transaction});
  const auto f = findings("- execute: CREATE INDEX CONCURRENTLY ix ON t (c)", {"postgresql", true});
  REQUIRE(f.size() == 1);
  CHECK(f[0].reason.find("create_index") != std::string::npos);
  // the ops, which schemagen runs outside the transaction; what may run inside one
  CHECK(fired("- create_index: {name: ix, table: t, columns: [c], concurrently: true}\n"
              "- drop_index: {name: iy, table: t, concurrently: true}")
            .empty());
  CHECK(fired_sql("REINDEX (CONCURRENTLY false) INDEX ix;\nREFRESH MATERIALIZED VIEW "
                  "CONCURRENTLY v;")
            .empty());
}

TEST_CASE("truncate_cascade: TRUNCATE ... CASCADE empties the tables referring to it") {
  CHECK(fired_sql("TRUNCATE a CASCADE;") == V{lint::truncate_cascade});
  CHECK(fired_sql("TRUNCATE TABLE a, b RESTART IDENTITY CASCADE;") == V{lint::truncate_cascade});
  CHECK(fired_sql("TRUNCATE a, b;\nTRUNCATE c RESTRICT;").empty());
}

TEST_CASE("domain_constraint: a domain's constraint is checked on all its columns under lock") {
  CHECK(fired_sql("CREATE DOMAIN positive AS bigint CHECK (VALUE > 0);") ==
        V{lint::domain_constraint});
  CHECK(fired_sql("CREATE DOMAIN name_text AS text NOT NULL;") == V{lint::domain_constraint});
  CHECK(fired_sql("ALTER DOMAIN positive ADD CONSTRAINT small CHECK (VALUE < 100) NOT VALID;") ==
        V{lint::domain_constraint});
  CHECK(fired_sql("ALTER DOMAIN positive VALIDATE CONSTRAINT small;") ==
        V{lint::domain_constraint});
  CHECK(fired_sql("ALTER DOMAIN name_text SET NOT NULL;") == V{lint::domain_constraint});
  const auto f = findings("- execute: CREATE DOMAIN positive AS bigint CHECK (VALUE > 0)",
                          {"postgresql", true});
  REQUIRE(f.size() == 1);
  CHECK(f[0].reason.find("changing it later") != std::string::npos);
  CHECK(f[0].reason.find("create_check_constraint") != std::string::npos);
  // a domain without constraints, loosened, or a constraint dropped; the table's own check
  CHECK(fired_sql("CREATE DOMAIN label AS text DEFAULT '';\nALTER DOMAIN label DROP NOT NULL;\n"
                  "ALTER DOMAIN positive DROP CONSTRAINT small;")
            .empty());
  CHECK(fired_sql("ALTER TABLE t ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID;\n"
                  "ALTER TABLE t VALIDATE CONSTRAINT n_positive;")
            .empty());
}

TEST_CASE("raw SQL: what PostgreSQL's parser rejects, what the finding names, other dialects") {
  CHECK(fired_sql("CREATE INDEX ON t (c;") == V{lint::unparsed_sql});
  // the statements before the error are still judged
  CHECK(fired_sql("DROP TABLE t;\nCREATE INDEX ON t (c;") ==
        V{lint::destructive, lint::unparsed_sql});
  const auto f = findings("- execute:\n    postgresql: |\n      CREATE   INDEX ix\n        ON "
                          "t (c);\n",
                          {"postgresql", true});
  REQUIRE(f.size() == 1);
  CHECK(f[0].op == "execute: CREATE INDEX ix ON t (c)");
  CHECK(f[0].loc.str() == "rev.yaml:1:3");
  const auto long_sql = findings("- execute: CREATE INDEX ix ON t (a_long_column_name, "
                                 "another_long_column_name, yet_another_long_column_name)",
                                 {"postgresql", true});
  REQUIRE(long_sql.size() == 1);
  CHECK(long_sql[0].op.ends_with("..."));
  CHECK(long_sql[0].op.size() == std::string("execute: ").size() + 72);
  // SQL for SQLite alone is not PostgreSQL's to read; on SQLite, none is read
  CHECK(fired("- execute: {sqlite: CREATE INDEX ix ON t (c;}").empty());
  CHECK(findings("- execute: DROP TABLE t", {"sqlite", false}).empty());
  // the dialect's own SQL over the one for every dialect
  CHECK(fired("- execute: {sql: DROP TABLE t, postgresql: DROP TABLE t CASCADE}") ==
        V{lint::destructive, lint::destructive});
}

TEST_CASE("every rule has a name acknowledge accepts, and the README and REFERENCE.md list it") {
  const auto readme = read_file(SCHEMAGEN_SOURCE_DIR "/README.md");
  const auto reference = read_file(SCHEMAGEN_SOURCE_DIR "/tools/schemagen/REFERENCE.md");
  const auto check = reference.substr(reference.find("### `check`"));
  for (const auto& rule : lint::rules()) {
    INFO(rule);
    CHECK(readme.find("| `" + rule + "` |") != std::string::npos);
    CHECK(check.substr(0, check.find("\n### ")).find("`" + rule + "`") != std::string::npos);
  }
}
