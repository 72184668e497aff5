// The run on a real SQLite file: the foreign-key check before COMMIT and the lock across the
// transactions of one run.

#include "session.hpp"

#include <doctest/doctest.h>
#include <filesystem>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

fs::path fresh(const std::string& name) {
  const fs::path dir = fs::path(SCHEMAGEN_TEST_SCRATCH) / "session";
  fs::create_directories(dir);
  const auto file = dir / (name + ".db");
  fs::remove(file);
  return file;
}

} // namespace

TEST_CASE("a commit refuses the references the run broke, not those broken before it") {
  const auto file = fresh("references");
  {
    sqlite::Connection c(file);
    c.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
           "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent (id));"
           "INSERT INTO child VALUES (1, 42)"); // foreign keys are off: an orphan already
  }
  sqlite::Session s(file);
  {
    auto lock = s.lock({.timeout = std::chrono::seconds(5)});
    s.execute("INSERT INTO parent VALUES (7)");
    CHECK_NOTHROW(s.commit()); // the old orphan is not this run's doing
  }
  {
    auto lock = s.lock({.timeout = std::chrono::seconds(5)});
    s.execute("INSERT INTO child VALUES (2, 43)");
    try {
      s.commit();
      FAIL("a broken reference was committed");
    } catch (const dialect::QueryError& e) {
      CHECK(e.server_message().find("child row 2 refers to a missing row of parent") !=
            std::string::npos);
      CHECK(e.server_message().find("row 1 ") == std::string::npos);
    }
  }
  sqlite::Connection c(file);
  CHECK(c.query("SELECT count(*) FROM child").at(0).at(0) == "1");
  CHECK(c.query("SELECT count(*) FROM parent").at(0).at(0) == "1");
}

TEST_CASE("another connection's commit between two transactions of one run stops it") {
  const auto file = fresh("between");
  {
    sqlite::Connection c(file);
    c.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)");
  }
  sqlite::Session s(file);
  auto lock = s.lock({.timeout = std::chrono::seconds(5)});
  s.execute("INSERT INTO t VALUES (1)");
  s.commit();
  s.begin(); // nobody came between: the run goes on
  s.execute("INSERT INTO t VALUES (2)");
  s.commit();
  {
    sqlite::Connection other(file);
    other.exec("INSERT INTO t VALUES (3)");
  }
  CHECK_THROWS_AS(s.begin(), DatabaseError);
  sqlite::Connection c(file);
  CHECK(c.query("SELECT group_concat(id) FROM t").at(0).at(0) == "1,2,3");
}

TEST_CASE("lock: table is refused on SQLite, which has its own write lock") {
  sqlite::Session s(fresh("table_lock"));
  CHECK_THROWS_WITH_AS(s.lock({.kind = dialect::LockKind::table}),
                       doctest::Contains("lock: table is for PostgreSQL-compatible engines"),
                       UserError);
}
