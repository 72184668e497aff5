// pg::engine_of: the engine a server's version() names, and the lock and transactions it needs.
// The strings are the engines' own (their documentation's examples); no such server runs here.

#include "schemagen/pg/pg.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
using dialect::LockKind;

TEST_CASE("PostgreSQL and Citus keep the advisory lock and one transaction of DDL") {
  const auto pg = pg::engine_of(
      "PostgreSQL 16.2 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit", false);
  CHECK(pg.name == "PostgreSQL");
  CHECK(pg.lock == LockKind::advisory);
  CHECK_FALSE(pg.ddl_alone);
  const auto citus = pg::engine_of(
      "PostgreSQL 16.2 on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit", true);
  CHECK(citus.name == "Citus");
  CHECK(citus.lock == LockKind::advisory);
  CHECK_FALSE(citus.ddl_alone);
}

TEST_CASE("CockroachDB takes a lock table and runs its DDL one statement at a time") {
  const auto crdb = pg::engine_of("CockroachDB CCL v23.2.4 (x86_64-pc-linux-gnu, built "
                                  "2024/04/08 20:15:17, go1.21.8 X:nocoverageredesign)",
                                  false);
  CHECK(crdb.name == "CockroachDB");
  CHECK(crdb.lock == LockKind::table);
  CHECK(crdb.ddl_alone);
}

TEST_CASE("YugabyteDB takes a lock table before 2.25 (and in the 2024 stable series)") {
  auto yb = [](const char* version) {
    return pg::engine_of(std::string("PostgreSQL 11.2-YB-") + version +
                             "-b0 on x86_64-pc-linux-gnu, compiled "
                             "by clang version 16.0.6, 64-bit",
                         false);
  };
  CHECK(yb("2.18.0.0").name == "YugabyteDB");
  CHECK(yb("2.18.0.0").lock == LockKind::table);
  CHECK(yb("2.20.11.0").lock == LockKind::table);
  CHECK(yb("2024.2.2.1").lock == LockKind::table);
  CHECK(yb("2.25.0.0").lock == LockKind::advisory);
  CHECK(yb("2025.1.0.0").lock == LockKind::advisory);
  CHECK(yb("2.25.0.0").ddl_alone);
}
