// The Migrator on the throwaway PostgreSQL server: a fresh database each test, upgraded by URL
// and on the application's own PGconn*, a C++ step, and a failure that leaves nothing behind.

#include "pg_env.hpp"
#include "schemagen/migrate.hpp"

#include <doctest/doctest.h>
#include <libpq-fe.h>

using namespace schemagen;

namespace {

using Ids = std::vector<std::string>;

const std::string r1 = "b00000000001", r2 = "b00000000002";

std::string revision_text(const std::string& id, const std::string& down,
                          const std::string& upgrade, const std::string& downgrade) {
  return "revision: " + id + "\ndown_revision: " + (down.empty() ? "null" : down) +
         "\nmessage: step " + id + "\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n" + upgrade +
         "\ndowngrade:\n" + downgrade + "\n";
}

/// r1 creates accounts with two rows; r2 runs `r2_upgrade` (a call, or SQL) and drops nothing.
Chain chain(const std::string& r2_upgrade) {
  static std::vector<std::string> texts; // from_texts keeps views: the texts outlive the chain
  texts.push_back(revision_text(
      r1, "",
      "  - create_table:\n      name: accounts\n      columns:\n"
      "        - {name: id, type: bigint, nullable: false}\n"
      "        - {name: email, type: text, nullable: true}\n"
      "      primary_key: {name: pk_accounts, columns: [id]}\n"
      "  - bulk_insert: {table: accounts, rows: [{id: 1, email: A@X.ORG}, {id: 2, email: B@X.ORG}]}",
      "  - drop_table: {name: accounts}"));
  texts.push_back(revision_text(r2, r1, r2_upgrade, "  - execute: SELECT 1"));
  return Chain::from_texts({{r1 + "_a.yaml", texts[texts.size() - 2]},
                            {r2 + "_b.yaml", texts.back()}});
}

/// A connection to the server's `postgres` database, for setting up and reading back.
struct Admin {
  std::string url = schemagen::testing::read_env(SCHEMAGEN_TEST_PG_ENV).at("SCHEMAGEN_TEST_PG_URL");
  PGconn* conn = PQconnectdb(url.c_str());
  ~Admin() { PQfinish(conn); }
  std::string value(const std::string& sql) {
    PGresult* r = PQexec(conn, sql.c_str());
    std::string out = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0
                          ? PQgetvalue(r, 0, 0)
                          : "(" + std::string(PQresultErrorMessage(r)) + ")";
    PQclear(r);
    return out;
  }
  /// A new empty database; its URL.
  std::string fresh(const std::string& name) {
    value("DROP DATABASE IF EXISTS " + name);
    value("CREATE DATABASE " + name);
    return url.substr(0, url.rfind('/') + 1) + name;
  }
};

std::string value(const std::string& url, const std::string& sql) {
  Admin a;
  PQfinish(a.conn);
  a.conn = PQconnectdb(url.c_str());
  return a.value(sql);
}

} // namespace

TEST_CASE("a fresh PostgreSQL database is upgraded with a C++ step; a second upgrade does nothing") {
  Admin admin;
  const auto url = admin.fresh("migrator_step");
  Migrator m(url, chain("  - call: lowercase_emails"));
  int calls = 0;
  m.register_step("lowercase_emails", [&](Connection& c) {
    ++calls;
    CHECK(c.dialect() == "postgresql");
    CHECK(c.postgres() != nullptr);
    CHECK(c.sqlite() == nullptr);
    // inside the revision's transaction: the table r1 made is there, uncommitted
    CHECK(PQtransactionStatus(c.postgres()) == PQTRANS_INTRANS);
    c.query("UPDATE accounts SET email = lower(email) WHERE id > $1", {"0"});
  });
  std::vector<Step> steps;
  m.on_progress([&](const Step& s) { steps.push_back(s); });
  CHECK(m.pending() == Ids{r1, r2});
  m.upgrade("head");
  CHECK(calls == 1);
  CHECK(steps.size() == 2);
  CHECK(value(url, "SELECT string_agg(email, ',' ORDER BY id) FROM accounts") == "a@x.org,b@x.org");
  CHECK(m.current() == Ids{r2});
  m.upgrade("head");
  CHECK(calls == 1);
  CHECK(steps.size() == 2);
}

TEST_CASE("on the application's own PGconn*: upgraded, still open, and refused inside a transaction") {
  Admin admin;
  const auto url = admin.fresh("migrator_handle");
  PGconn* app = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(app) == CONNECTION_OK);
  Migrator m(app, chain("  - execute: UPDATE accounts SET email = NULL WHERE id = 2"));
  m.upgrade();
  CHECK(m.current() == Ids{r2});
  CHECK(PQstatus(app) == CONNECTION_OK);
  CHECK(PQtransactionStatus(app) == PQTRANS_IDLE);
  CHECK(value(url, "SELECT count(*) FROM accounts WHERE email IS NULL") == "1");
  // the session lock was given back (this database's: the server runs other tests beside this one)
  CHECK(value(url, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
                   "(SELECT oid FROM pg_database WHERE datname = current_database())") == "0");

  PQclear(PQexec(app, "BEGIN"));
  CHECK_THROWS_WITH_AS(m.downgrade("-1"), doctest::Contains("inside a transaction"), UserError);
  PQclear(PQexec(app, "ROLLBACK"));
  m.downgrade("-1");
  CHECK(m.current() == Ids{r1});
  PQfinish(app);
}

TEST_CASE("a failing revision on PostgreSQL leaves the database as it was") {
  Admin admin;
  const auto url = admin.fresh("migrator_fails");
  Migrator m(url, chain("  - execute: ALTER TABLE accounts ADD COLUMN n int NOT NULL CHECK (n > 0)"));
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::database_error);
    CHECK(std::string(e.what()).find(r2 + "_b.yaml:") != std::string::npos);
    CHECK(std::string(e.what()).find("ALTER TABLE accounts ADD COLUMN n") != std::string::npos);
    CHECK(std::string(e.what()).find("contains null values") != std::string::npos); // the server's
  }
  // one transaction: r1 went with r2
  CHECK(m.current().empty());
  CHECK(value(url, "SELECT to_regclass('accounts') IS NULL") == "t");
}

TEST_CASE("lock = table on the application's PGconn*: a live row holds the run off, an expired "
          "one is taken over, and the row is released after a failure too") {
  Admin admin;
  const auto url = admin.fresh("migrator_table_lock");
  PGconn* app = PQconnectdb(url.c_str());
  REQUIRE(PQstatus(app) == CONNECTION_OK);
  Migrator::Options options;
  options.lock = Migrator::Options::Lock::table;
  options.lock_timeout = std::chrono::seconds(0);
  // the lock's own connection is opened like the application's (PQconninfo), password included
  Migrator m(app, chain("  - execute: UPDATE accounts SET email = NULL WHERE id = 2"), options);
  m.upgrade(r1);
  CHECK(value(url, "SELECT count(*) FROM schemagen_version_lock") == "0"); // released

  // another run's live row
  value(url, "INSERT INTO schemagen_version_lock VALUES (1, 'other', 'elsewhere', 7, now(), "
             "now() + interval '1 hour') RETURNING 1");
  CHECK_THROWS_WITH_AS(m.upgrade(), doctest::Contains("run other on host elsewhere, pid 7"),
                       DatabaseError);
  CHECK(m.current() == Ids{r1});
  // its run died: once the row expired, the next run takes it over
  value(url, "UPDATE schemagen_version_lock SET expires = now() - interval '1 second' RETURNING 1");
  std::vector<std::string> warnings;
  m.on_warning([&](const std::string& w) { warnings.push_back(w); });
  m.upgrade();
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("took over the lock (lock table public.schemagen_version_lock) from run "
                         "other on host elsewhere, pid 7, which expired at") != std::string::npos);
  CHECK(m.current() == Ids{r2});
  CHECK(value(url, "SELECT count(*) FROM schemagen_version_lock") == "0");

  Migrator failing(url, chain("  - execute: SELECT no_such_function()"), options);
  m.downgrade(r1);
  CHECK_THROWS_WITH_AS(failing.upgrade(), doctest::Contains("no_such_function"), Error);
  CHECK(value(url, "SELECT count(*) FROM schemagen_version_lock") == "0");
  PQfinish(app);
}
