#include "schemagen/sqlite/sqlite.hpp"

#include <doctest/doctest.h>

using namespace schemagen;

TEST_CASE("a sqlite: URL names a file relative to the configuration, or absolute") {
  CHECK(sqlite::url_path("sqlite:///app.db", "/etc/app") == "/etc/app/app.db");
  CHECK(sqlite::url_path("sqlite:///data/app.db", "/etc/app") == "/etc/app/data/app.db");
  CHECK(sqlite::url_path("sqlite:////var/lib/app.db", "/etc/app") == "/var/lib/app.db");
  // what could not be migrated: a database that ends with the command, a read-only one
  CHECK_THROWS_AS(sqlite::url_path("sqlite:///:memory:", "/etc/app"), UserError);
  CHECK_THROWS_AS(sqlite::url_path("sqlite:///app.db?mode=ro", "/etc/app"), UserError);
  CHECK_THROWS_AS(sqlite::url_path("sqlite://host/app.db", "/"), UserError);
  CHECK_THROWS_AS(sqlite::url_path("sqlite:///", "/"), UserError);
}

TEST_CASE("a refused statement names its SQL and SQLite's message") {
  sqlite::Connection c(":memory:");
  c.exec("CREATE TABLE t (a INTEGER)");
  try {
    c.exec("INSERT INTO t VALUES (1); INSERT INTO nope VALUES (2)");
    FAIL("no error");
  } catch (const dialect::QueryError& e) {
    CHECK(e.sql().find("nope") != std::string::npos);
    CHECK(e.sql().find("INTO t") == std::string::npos);
    CHECK(e.server_message() == "no such table: nope");
  }
  CHECK(c.query("SELECT count(*) FROM t").at(0).at(0) == "1");
  CHECK(c.query("SELECT ?1 || ?2, ?3", {"a", "b", std::nullopt}).at(0) ==
        dialect::Rows::value_type{"ab", std::nullopt});
}
