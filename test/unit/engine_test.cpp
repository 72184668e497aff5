// pg::engine_of: the engine a server's version() names, and the lock and transactions it needs.
// The strings are the engines' own (their documentation's examples); no such server runs here.
// And what a run does where DDL stands alone (RunOptions::ddl_alone), as --sql would print it.

#include "schemagen/pg/pg.hpp"
#include "schemagen/revision/file.hpp"
#include "schemagen/runtime/runtime.hpp"

#include <doctest/doctest.h>
#include <sstream>

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

namespace {

/// The script of upgrading base -> r1 -> r2 (two DDL statements each), as --sql prints it.
std::string script(bool ddl_alone) {
  const std::vector<revision::Revision> revisions = {
      revision::parse_revision("r1.yaml", R"(revision: 111111111111
down_revision: null
message: one
upgrade:
  - execute: CREATE TABLE t1 (id int)
  - execute: CREATE TABLE t2 (id int)
downgrade: []
)"),
      revision::parse_revision("r2.yaml", R"(revision: 222222222222
down_revision: 111111111111
message: two
upgrade:
  - execute: ALTER TABLE t1 ADD COLUMN a int
  - execute: ALTER TABLE t2 ADD COLUMN b int
downgrade: []
)")};
  const auto map = revision::build_map(revisions);
  std::map<std::string, const revision::Revision*> by_id;
  for (const auto& r : revisions) by_id[r.id] = &r;
  const runtime::VersionTable vt{"public", "schemagen_version", &pg::dialect()};
  runtime::RunOptions options;
  options.ddl_alone = ddl_alone;
  options.prelude = vt.create_sql();
  std::ostringstream out;
  {
    runtime::OfflineSink sink(out, pg::dialect());
    runtime::migrate(map, by_id, vt, sink, {"111111111111", "222222222222"}, true, {}, options);
  }
  return out.str();
}

/// The DDL statements of `text` (CREATE, ALTER) that run inside a transaction block.
std::vector<std::string> ddl_in_transactions(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  bool open = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "BEGIN;") open = true;
    if (line == "COMMIT;") open = false;
    if (open && (line.starts_with("CREATE") || line.starts_with("ALTER"))) out.push_back(line);
  }
  return out;
}

} // namespace

TEST_CASE("where DDL stands alone, no transaction holds a DDL statement, and the log says how far "
          "each revision got") {
  const auto alone = script(true);
  CHECK(ddl_in_transactions(alone).empty());
  // each statement resumable: the log marks the revision before each of them
  for (const char* mark : {"'upgrade 0'", "'upgrade 1'", "'upgrade 2'"})
    CHECK(alone.find(mark) != std::string::npos);
  CHECK(alone.find("ALTER TABLE t2 ADD COLUMN b int") != std::string::npos);
  // and by default, all of it in one transaction, the version tables' DDL included
  CHECK(ddl_in_transactions(script(false)).size() == 6);
}
