// Against the real PostgreSQL that ctest started: every type the scanner wrote for the example
// application, and every server default, is one the server accepts — the mapping is not just
// text that looks right.

#include "example.hpp"
#include "pg_env.hpp"
#include "schemagen/scan/scan.hpp"
#include "schemagen/support/sql.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <fstream>
#include <libpq-fe.h>
#include <map>

using namespace schemagen;

namespace {

struct Connection {
  PGconn* conn;
  explicit Connection(const std::string& url) : conn(PQconnectdb(url.c_str())) {}
  ~Connection() { PQfinish(conn); }
  /// Runs `sql`; the server's message when it fails, "" when it succeeds.
  std::string run(const std::string& sql) {
    PGresult* r = PQexec(conn, sql.c_str());
    std::string error;
    const auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) error = PQresultErrorMessage(r);
    PQclear(r);
    return error;
  }
};

std::string quote_ident(const std::string& s) { return "\"" + s + "\""; }

} // namespace

TEST_CASE("the example application's types and defaults are valid PostgreSQL") {
  const auto env = schemagen::testing::read_env(SCHEMAGEN_TEST_PG_ENV);
  REQUIRE_MESSAGE(env.count("SCHEMAGEN_TEST_PG_URL"), "the postgres fixture did not start");
  Connection db(env.at("SCHEMAGEN_TEST_PG_URL"));
  REQUIRE_MESSAGE(PQstatus(db.conn) == CONNECTION_OK, PQerrorMessage(db.conn));

  auto result = scan::scan(schemagen::testing::example_scan_options());
  INFO(result.diagnostics.str());
  REQUIRE(result.ok());
  const auto& m = *result.metadata;

  REQUIRE(db.run("BEGIN").empty());
  for (const auto& s : m.schemas)
    if (s != "public") CHECK(db.run("CREATE SCHEMA " + quote_ident(s)) == "");
  for (const auto& e : m.enums) {
    std::string values;
    for (const auto& v : e.values) values += (values.empty() ? "'" : ", '") + v + "'";
    CHECK(db.run(fmt::format("CREATE TYPE {}.{} AS ENUM ({})", quote_ident(e.schema),
                             quote_ident(e.name), values)) == "");
  }
  std::size_t checked = 0;
  for (const auto& t : m.tables)
    for (const auto& c : t.columns) {
      CAPTURE(t.name + "." + c.name + " " + c.type);
      CHECK(db.run(fmt::format("SELECT NULL::{}", c.type)) == "");
      if (c.server_default)
        CHECK(db.run(fmt::format("SELECT ({})::{}", *c.server_default, c.type)) == "");
      ++checked;
    }
  CHECK(checked > 40);
  // and a type the server does not know is caught: the check above can fail
  CHECK(db.run("SELECT NULL::NOT_A_TYPE").find("does not exist") != std::string::npos);
  db.run("ROLLBACK");
}

TEST_CASE("quote_ident quotes exactly what the server's quote_ident() quotes") {
  const auto env = schemagen::testing::read_env(SCHEMAGEN_TEST_PG_ENV);
  Connection db(env.at("SCHEMAGEN_TEST_PG_URL"));
  REQUIRE(PQstatus(db.conn) == CONNECTION_OK);
  PGresult* r =
      PQexec(db.conn, "SELECT word, quote_ident(word) FROM pg_get_keywords() "
                      "UNION ALL SELECT w, quote_ident(w) FROM unnest(ARRAY['users', 'Users', "
                      "'order lines', 'a\"b', '_x', 'x$1', '1x', 'émile']) w");
  REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  for (int i = 0; i < PQntuples(r); ++i) {
    CAPTURE(PQgetvalue(r, i, 0));
    CHECK(sql::quote_ident(PQgetvalue(r, i, 0)) == PQgetvalue(r, i, 1));
  }
  CHECK(PQntuples(r) > 400);
  PQclear(r);
}
