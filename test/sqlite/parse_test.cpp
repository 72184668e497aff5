#include "internal.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
using sqlite::canonical_default;
using sqlite::canonical_expression;
using sqlite::canonical_type;
using sqlite::parse_create_index;
using sqlite::parse_create_table;
using Strings = std::vector<std::string>;

TEST_CASE("a type is spelled one way") {
  CHECK(canonical_type("varchar ( 20 )") == "VARCHAR(20)");
  CHECK(canonical_type("NUMERIC(10, 2)") == "NUMERIC(10,2)");
  CHECK(canonical_type("  double   precision ") == "DOUBLE PRECISION");
  CHECK(canonical_type("int") == "INTEGER");
  CHECK(canonical_type("INT4") == "INTEGER");
  CHECK(canonical_type("int8") == "BIGINT");
  CHECK(canonical_type("int2") == "SMALLINT");
  CHECK(canonical_type("bool") == "BOOLEAN");
  CHECK(canonical_type("float8") == "DOUBLE PRECISION");
  CHECK(canonical_type("double") == "DOUBLE PRECISION");
  CHECK(canonical_type("float4") == "REAL");
  CHECK(canonical_type("character  varying (20)") == "VARCHAR(20)");
  CHECK(canonical_type("timestamptz") == "TIMESTAMP WITH TIME ZONE");
  CHECK(canonical_type("unsigned big int") == "UNSIGNED BIG INT");
  CHECK(canonical_type("integer") == "INTEGER");
  CHECK(canonical_type("") == "");
}

TEST_CASE("an expression is spelled one way") {
  CHECK(canonical_expression("CURRENT_TIMESTAMP") == "CURRENT_TIMESTAMP");
  CHECK(canonical_expression("(current_timestamp)") == "CURRENT_TIMESTAMP");
  CHECK(canonical_expression("((1))") == "1");
  CHECK(canonical_expression("'abc'") == "'abc'");
  CHECK(canonical_expression("'it''s  (x)'") == "'it''s  (x)'");
  CHECK(canonical_expression("x IN ('a','b')") == canonical_expression("x in ( 'a', 'b' )"));
  CHECK(canonical_expression("x in ( 'a', 'b' )") == "x IN ('a', 'b')");
  // only parentheses around the whole go
  CHECK(canonical_expression("(a) + (b)") == "(a) + (b)");
  CHECK(canonical_expression("lower( email )") == "LOWER(email)");
  CHECK(canonical_expression("\"email\" is not null") == "email IS NOT NULL");
  CHECK(canonical_expression("`Email` > 0") == "Email > 0");
  CHECK(canonical_expression("[first name] > 0") == "\"first name\" > 0");
  // a keyword as a name keeps its quotes, and gets them where SQLite took it bare
  CHECK(canonical_expression("\"from\" > 0") == "\"from\" > 0");
  CHECK(canonical_expression("key > 0") == canonical_expression("\"key\" > 0"));
  CHECK(canonical_expression("-1") == "-1");
  CHECK(canonical_expression("( - 1 )") == "-1");
  CHECK(canonical_expression("a-1") == "a - 1");
  CHECK(canonical_expression("a == 1 AND b != 2") == "a = 1 AND b <> 2");
  CHECK(canonical_expression("cast ( a as  text )") == "CAST(a AS TEXT)");
  CHECK(canonical_expression("a collate nocase = 'x'") == "a COLLATE NOCASE = 'x'");
  CHECK(canonical_expression("a /* why */ > -- really\n 0") == "a > 0");
  CHECK(canonical_expression("t.a > 0") == "t.a > 0");
  CHECK(canonical_expression("length(name)>=1 and (a or b)") == "LENGTH(name) >= 1 AND (a OR b)");
  CHECK(canonical_expression("x'ab'") == "X'ab'");
  CHECK(canonical_expression("case when a then 1 else -2 end") == "CASE WHEN a THEN 1 ELSE -2 END");
}

TEST_CASE("a default is spelled as SQLite reads a DEFAULT") {
  CHECK(canonical_default("'x'") == "'x'");
  CHECK(canonical_default("(0)") == "0");
  CHECK(canonical_default("-1") == "-1");
  // a name alone is a string, however it is quoted
  CHECK(canonical_default("\"x\"") == "'x'");
  CHECK(canonical_default("\"it\"\"s\"") == "'it\"s'");
  CHECK(canonical_default("[x]") == "'x'");
  CHECK(canonical_default("`x`") == "'x'");
  CHECK(canonical_default("word") == "'word'");
  CHECK(canonical_default("it''s") != "'it''s'"); // not a name: kept as written
  // what SQLite keeps as a value, not a string
  CHECK(canonical_default("true") == "TRUE");
  CHECK(canonical_default("current_timestamp") == "CURRENT_TIMESTAMP");
  // NULL is no default
  CHECK(canonical_default("NULL") == std::nullopt);
  CHECK(canonical_default("(null)") == std::nullopt);
}

TEST_CASE("a double-quoted word that names no column is a string") {
  const auto t = parse_create_table(
      "CREATE TABLE t (id INTEGER, s TEXT CHECK (\"s\" IN (\"a\", \"b\") AND \"Later\" > 0), "
      "later INTEGER, CONSTRAINT ck CHECK (\"rowid\" > 0 AND lower(\"s\") <> \"x\"))");
  REQUIRE(t.checks.size() == 2);
  CHECK(t.checks[0].expression == "s IN ('a', 'b') AND Later > 0");
  CHECK(t.checks[1].expression == "rowid > 0 AND LOWER(s) <> 'x'");
  CHECK(t.columns == Strings{"id", "s", "later"});
  // only double quotes: `x` and [x] are names, whatever they name
  CHECK(parse_create_table("CREATE TABLE t (s TEXT, CHECK (s <> [x] AND s <> `y`))")
            .checks[0]
            .expression == "s <> x AND s <> y");
  const Strings columns{"s"};
  const auto ix = parse_create_index(
      "CREATE INDEX ix ON t (lower(\"s\"), \"s\" || \"z\") WHERE \"s\" <> \"a\"", &columns);
  CHECK(ix.elements == Strings{"LOWER(s)", "s || 'z'"});
  CHECK(ix.where == "s <> 'a'");
  // without the columns, nothing is taken for a string
  CHECK(parse_create_index("CREATE INDEX ix ON t (s) WHERE s <> \"a\"").where == "s <> a");
}

TEST_CASE("CREATE TABLE: column constraints, named and unnamed") {
  const auto t = parse_create_table(R"(CREATE TABLE t (
      id integer CONSTRAINT t_pk PRIMARY KEY DESC ON CONFLICT ABORT AUTOINCREMENT,
      email varchar ( 20 ) NOT NULL UNIQUE COLLATE nocase,
      code TEXT CONSTRAINT code_u UNIQUE CONSTRAINT code_ck CHECK (length(code) = 3),
      n INT NULL DEFAULT -1 CHECK ( n > 0 ),
      at DEFAULT CURRENT_TIMESTAMP,
      parent INTEGER CONSTRAINT t_parent REFERENCES "p" ("id") ON DELETE SET NULL
          ON UPDATE NO ACTION MATCH SIMPLE NOT DEFERRABLE INITIALLY IMMEDIATE NOT NULL,
      other REFERENCES p,
      total GENERATED ALWAYS AS (n * 2) STORED,
      half AS (n / 2)
  ))");
  REQUIRE(t.primary_key);
  CHECK(t.primary_key->name == "t_pk");
  CHECK(t.primary_key->columns == Strings{"id"});
  CHECK(t.autoincrement);
  CHECK_FALSE(t.without_rowid);
  REQUIRE(t.uniques.size() == 2);
  CHECK(t.uniques[0].name == "");
  CHECK(t.uniques[0].columns == Strings{"email"});
  CHECK(t.uniques[1].name == "code_u");
  REQUIRE(t.checks.size() == 2);
  CHECK(t.checks[0].name == "code_ck");
  CHECK(t.checks[0].expression == "LENGTH(code) = 3");
  CHECK(t.checks[1].name == "");
  CHECK(t.checks[1].expression == "n > 0");
  REQUIRE(t.foreign_keys.size() == 2);
  CHECK(t.foreign_keys[0].name == "t_parent");
  CHECK(t.foreign_keys[0].columns == Strings{"parent"});
  CHECK(t.foreign_keys[0].referred_table == "p");
  CHECK(t.foreign_keys[0].referred_columns == Strings{"id"});
  CHECK(t.foreign_keys[1].name == "");
  CHECK(t.foreign_keys[1].referred_columns.empty());
  REQUIRE(t.collations.size() == 1);
  CHECK(t.collations[0] == std::pair<std::string, std::string>{"email", "nocase"});
}

TEST_CASE("CREATE TABLE: table constraints, named and unnamed, and table options") {
  const auto t = parse_create_table(R"(create temp table if not exists "main"."odd ""name""" (
      "from" TEXT, [a b] INT, `c` INT, 'd' INT,
      CONSTRAINT "the key" PRIMARY KEY ("from" COLLATE nocase ASC, [a b]),
      UNIQUE (c, d) ON CONFLICT REPLACE
      CONSTRAINT u2 UNIQUE (d),
      CHECK (c > 0), CONSTRAINT "c""k" CHECK ((d < 10)),
      FOREIGN KEY ([a b], c) REFERENCES other (x, y) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      CONSTRAINT f2 FOREIGN KEY (d) REFERENCES other
  ) WITHOUT ROWID, STRICT)");
  REQUIRE(t.primary_key);
  CHECK(t.primary_key->name == "the key");
  CHECK(t.primary_key->columns == Strings{"from", "a b"});
  CHECK_FALSE(t.autoincrement);
  CHECK(t.without_rowid);
  REQUIRE(t.uniques.size() == 2);
  CHECK(t.uniques[0].name == "");
  CHECK(t.uniques[0].columns == Strings{"c", "d"});
  CHECK(t.uniques[1].name == "u2");
  REQUIRE(t.checks.size() == 2);
  CHECK(t.checks[0].name == "");
  CHECK(t.checks[0].expression == "c > 0");
  CHECK(t.checks[1].name == "c\"k");
  CHECK(t.checks[1].expression == "d < 10");
  REQUIRE(t.foreign_keys.size() == 2);
  CHECK(t.foreign_keys[0].columns == Strings{"a b", "c"});
  CHECK(t.foreign_keys[0].referred_columns == Strings{"x", "y"});
  CHECK(t.foreign_keys[1].name == "f2");
  CHECK(t.foreign_keys[1].columns == Strings{"d"});
}

TEST_CASE("CREATE TABLE: text SQLite wrote itself, and text it cannot be") {
  // ALTER TABLE ... RENAME rewrites the name, CREATE TABLE ... AS writes the columns
  CHECK(parse_create_table("CREATE TABLE \"new name\" (a INT, b)").checks.empty());
  CHECK(parse_create_table("CREATE TABLE t(a INT,b TEXT)").uniques.empty());
  CHECK_THROWS_WITH_AS(parse_create_table("CREATE TABLE broken (a INT,"),
                       doctest::Contains("table broken"), UserError);
  CHECK_THROWS_WITH_AS(parse_create_table("CREATE TABLE t2 (a INT CHECK a > 0)"),
                       doctest::Contains("table t2"), UserError);
  CHECK_THROWS_AS(parse_create_table("CREATE VIEW v AS SELECT 1"), UserError);
}

TEST_CASE("CREATE INDEX: columns by name, expressions canonical, the predicate canonical") {
  auto ix = parse_create_index(
      "CREATE UNIQUE INDEX IF NOT EXISTS main.\"i x\" ON t (\"email\", lower( email ) , "
      "(name), created_at DESC, code COLLATE nocase ASC) where deleted_at is null");
  CHECK(ix.elements ==
        Strings{"email", "LOWER(email)", "name", "created_at DESC", "code COLLATE NOCASE"});
  CHECK(ix.where == "deleted_at IS NULL");
  ix = parse_create_index("CREATE INDEX i ON \"my table\" ([first name])");
  CHECK(ix.elements == Strings{"first name"});
  CHECK_FALSE(ix.where);
  CHECK_THROWS_WITH_AS(parse_create_index("CREATE INDEX bad ON t ()"),
                       doctest::Contains("index bad"), UserError);
}
