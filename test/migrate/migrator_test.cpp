// The Migrator on real SQLite files: the same runs as the command line, and the startup guard.
// Each test works in a scratch directory of its own.

#include "schemagen/migrate.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <sqlite3.h>
#include <sstream>
#include <sys/wait.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

/// A revision file's text: `id` after `down` (none: "").
std::string revision_text(const std::string& id, const std::string& down,
                          const std::string& upgrade, const std::string& downgrade) {
  return "revision: " + id + "\ndown_revision: " + (down.empty() ? "null" : down) +
         "\nmessage: step " + id + "\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n" + upgrade +
         "\ndowngrade:\n" + downgrade + "\n";
}

/// Revision files, by name and text, each after the one before.
struct Files {
  std::vector<std::pair<std::string, std::string>> files; // name, text

  void add(const std::string& id, const std::string& upgrade, const std::string& downgrade) {
    const std::string down = files.empty() ? "" : files.back().first.substr(0, 12);
    files.emplace_back(id + "_step.yaml", revision_text(id, down, upgrade, downgrade));
  }
  void add_table(const std::string& id) {
    add(id,
        "  - create_table:\n      name: t_" + id +
            "\n      columns:\n        - {name: id, type: INTEGER, nullable: false}\n"
            "      primary_key: {name: pk_" +
            id + ", columns: [id]}",
        "  - drop_table: {name: t_" + id + "}");
  }
  Chain chain() const {
    std::vector<std::pair<std::string, std::string_view>> named;
    for (const auto& [name, text] : files) named.emplace_back(name, text);
    return Chain::from_texts(named);
  }
  void write(const fs::path& dir) const {
    fs::create_directories(dir);
    for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
  }
};

const std::string r1 = "a00000000001", r2 = "a00000000002", r3 = "a00000000003";

Files three() {
  Files f;
  f.add_table(r1);
  f.add_table(r2);
  f.add_table(r3);
  return f;
}

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(SCHEMAGEN_TEST_SCRATCH) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Migrator migrator(const fs::path& dir, Chain chain) {
  Migrator::Options o;
  o.base = dir; // the URL's relative path starts here
  return Migrator("sqlite:///app.db", std::move(chain), o);
}

using Ids = std::vector<std::string>;

} // namespace

TEST_CASE("a fresh file is upgraded to head, and a second upgrade does nothing") {
  const auto dir = scratch("fresh");
  auto m = migrator(dir, three().chain());
  CHECK(m.current().empty());
  CHECK(m.pending() == Ids{r1, r2, r3});
  std::vector<Step> steps;
  m.on_progress([&](const Step& s) { steps.push_back(s); });
  m.upgrade();
  REQUIRE(steps.size() == 3);
  CHECK(steps[0].revision == r1);
  CHECK(steps[2].revision == r3);
  CHECK(steps[2].message == "step " + r3);
  CHECK(steps[2].upgrade);
  CHECK(steps[2].elapsed.count() >= 0);
  CHECK(m.current() == Ids{r3});
  CHECK(m.pending().empty());

  steps.clear();
  const auto before = bytes(dir / "app.db");
  m.upgrade("head");
  CHECK(steps.empty());
  CHECK(bytes(dir / "app.db") == before);
}

TEST_CASE("downgrade -1 undoes the last revision") {
  const auto dir = scratch("downgrade");
  auto m = migrator(dir, three().chain());
  m.upgrade();
  std::vector<Step> steps;
  m.on_progress([&](const Step& s) { steps.push_back(s); });
  m.downgrade("-1");
  REQUIRE(steps.size() == 1);
  CHECK(steps[0].revision == r3);
  CHECK_FALSE(steps[0].upgrade);
  CHECK(m.current() == Ids{r2});
  CHECK(m.pending() == Ids{r3});
  m.downgrade("base");
  CHECK(m.current().empty());
}

TEST_CASE("a chain from texts is the chain from its directory") {
  const auto dir = scratch("texts");
  const auto files = three();
  files.write(dir / "revisions");
  const auto from_dir = Chain::from_directories({dir / "revisions"});
  CHECK(from_dir.ids() == files.chain().ids());
  migrator(dir, from_dir).upgrade();
  auto m = migrator(dir, files.chain()); // same checksums: compatible, nothing to do
  CHECK_NOTHROW(m.check_compatible());
  CHECK(m.pending().empty());
}

TEST_CASE("a malformed revision text is a UserError at its name and line") {
  std::string text = "revision: a00000000001\ndown_revision: null\nupgrade:\n  - no_such_op: {}\n";
  try {
    Chain::from_texts({{"a00000000001_bad.yaml", text}});
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("a00000000001_bad.yaml:") != std::string::npos);
  }
}

TEST_CASE("an older chain meeting an upgraded file refuses before anything runs") {
  const auto dir = scratch("older");
  migrator(dir, three().chain()).upgrade();
  const auto before = bytes(dir / "app.db");

  Files older;
  older.add_table(r1);
  older.add_table(r2);
  auto m = migrator(dir, older.chain());
  for (auto call : {+[](Migrator& older_m) { older_m.check_compatible(); },
                    +[](Migrator& older_m) { older_m.upgrade(); },
                    +[](Migrator& older_m) { older_m.downgrade("-1"); }}) {
    try {
      call(m);
      FAIL("no error");
    } catch (const IncompatibleDatabase& e) {
      CHECK(e.revision() == r3);
      CHECK(std::string(e.what()).find(r3) != std::string::npos);
    }
  }
  CHECK(bytes(dir / "app.db") == before);
}

TEST_CASE("an applied revision whose ops changed is refused") {
  const auto dir = scratch("changed");
  migrator(dir, three().chain()).upgrade(r2);
  Files changed;
  changed.add_table(r1);
  changed.add(r2, "  - execute: SELECT 1", "  - execute: SELECT 2");
  changed.add_table(r3);
  auto m = migrator(dir, changed.chain());
  CHECK_THROWS_AS(m.check_compatible(), IncompatibleDatabase);
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const IncompatibleDatabase& e) {
    CHECK(e.revision() == r2);
  }
  CHECK(migrator(dir, three().chain()).current() == Ids{r2});
}

TEST_CASE("a failing revision leaves the file as it was") {
  const auto dir = scratch("failing");
  migrator(dir, three().chain()).upgrade(r1);
  const auto before = bytes(dir / "app.db");
  Files failing;
  failing.add_table(r1);
  failing.add_table(r2);
  failing.add(r3, "  - execute: INSERT INTO nowhere VALUES (1)", "  - execute: SELECT 1");
  auto m = migrator(dir, failing.chain());
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::database_error);
    CHECK(std::string(e.what()).find("nowhere") != std::string::npos);
    // r2 ran in the same transaction and went with it
    CHECK(std::string(e.what()).find("rolled back with the failure") != std::string::npos);
  }
  CHECK(bytes(dir / "app.db") == before);
  CHECK(m.current() == Ids{r1});
}

TEST_CASE("a revision with an op SQLite cannot run is a UserError naming it, and nothing stays") {
  const auto dir = scratch("unsupported");
  Files refused;
  refused.add_table(r1); // runs, and is rolled back with the refusal
  refused.add(r2,
              "  - create_table:\n      name: t\n      schema: other\n      columns:\n"
              "        - {name: id, type: INTEGER}",
              "  - drop_table: {name: t, schema: other}");
  auto m = migrator(dir, refused.chain());
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const UserError& e) { // not a bare Error: a refusal of the revision's, not the database's
    CHECK(e.code() == ExitCode::user_error);
    CHECK(std::string(e.what()).find(r2 + "_step.yaml:") != std::string::npos);
    CHECK(std::string(e.what()).find("cannot run on SQLite") != std::string::npos);
    CHECK(std::string(e.what()).find("rolled back with the failure") != std::string::npos);
  }
  CHECK(m.current().empty());
}

TEST_CASE("schemagen upgrade and a Migrator take turns on one file") {
  const auto dir = scratch("cli");
  const auto files = three();
  files.write(dir / "revisions");
  std::ofstream(dir / "schemagen.yaml") << "url: sqlite:///app.db\n";
  auto cli = [&](const std::string& args) {
    const auto line =
        "cd '" + dir.string() + "' && '" SCHEMAGEN_BINARY "' " + args + " 2>/dev/null";
    return std::system(line.c_str());
  };
  REQUIRE(cli("upgrade " + r1) == 0);
  auto m = migrator(dir, Chain::from_directories({dir / "revisions"}));
  CHECK(m.current() == Ids{r1});
  CHECK(m.pending() == Ids{r2, r3});
  m.upgrade(r2);
  REQUIRE(cli("upgrade head") == 0);
  CHECK(m.current() == Ids{r3});
  REQUIRE(cli("downgrade -1") == 0);
  CHECK(m.pending() == Ids{r3});
  m.upgrade();
  CHECK(cli("current | grep -q " + r3) == 0);
}

// ---- C++ steps (`call:`) and the application's own handle ----------------------------------

namespace {

/// r1 makes users with three rows whose locale is unset; r2 calls `backfill_locale`, and its
/// downgrade calls `clear_locale`.
Files with_step(const std::string& upgrade_call = "backfill_locale") {
  Files f;
  f.add(r1,
        "  - create_table:\n      name: users\n      columns:\n"
        "        - {name: id, type: INTEGER, nullable: false}\n"
        "        - {name: locale, type: TEXT, nullable: true}\n"
        "      primary_key: {name: pk_users, columns: [id]}\n"
        "  - bulk_insert: {table: users, rows: [{id: 1}, {id: 2}, {id: 3}]}",
        "  - drop_table: {name: users}");
  f.add(r2, "  - call: " + upgrade_call, "  - call: clear_locale");
  return f;
}

/// The rows of `sql` on the file, through SQLite's own API, one "a|b" string per row.
std::vector<std::string> rows(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::vector<std::string> out;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* to, int n, char** values, char**) {
        std::string row;
        for (int i = 0; i < n; ++i) row += (i ? "|" : "") + std::string(values[i] ? values[i] : "NULL");
        static_cast<std::vector<std::string>*>(to)->push_back(row);
        return 0;
      },
      &out, nullptr);
  sqlite3_close(db);
  return out;
}

void register_locale_steps(Migrator& m, std::vector<std::string>& dialects) {
  m.register_step("backfill_locale", [&dialects](Connection& c) {
    dialects.emplace_back(c.dialect());
    CHECK(c.sqlite() != nullptr);
    CHECK(c.postgres() == nullptr);
    for (const auto& row : c.query("SELECT id FROM users WHERE locale IS NULL ORDER BY id"))
      c.query("UPDATE users SET locale = ?1 WHERE id = ?2",
              {"en-" + row.at(0).value_or("?"), row.at(0)});
  });
  m.register_step("clear_locale", [](Connection& c) { c.execute("UPDATE users SET locale = NULL"); });
}

} // namespace

TEST_CASE("a registered C++ step backfills rows in its revision, and its downgrade's step runs") {
  const auto dir = scratch("step");
  auto m = migrator(dir, with_step().chain());
  std::vector<std::string> dialects;
  register_locale_steps(m, dialects);
  m.upgrade();
  CHECK(dialects == std::vector<std::string>{"sqlite"});
  CHECK(rows(dir / "app.db", "SELECT id, locale FROM users ORDER BY id") ==
        std::vector<std::string>{"1|en-1", "2|en-2", "3|en-3"});
  m.downgrade("-1");
  CHECK(rows(dir / "app.db", "SELECT count(*) FROM users WHERE locale IS NULL") ==
        std::vector<std::string>{"3"});
  CHECK(m.current() == Ids{r1});
}

TEST_CASE("a step that throws fails its revision, named, and the file stays as it was") {
  const auto dir = scratch("step_throws");
  migrator(dir, with_step().chain()).upgrade(r1);
  const auto before = bytes(dir / "app.db");
  auto m = migrator(dir, with_step().chain());
  m.register_step("backfill_locale", [](Connection& c) {
    c.execute("UPDATE users SET locale = 'xx'"); // undone with the revision
    throw std::runtime_error("no locale service");
  });
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(e.code() == ExitCode::database_error);
    CHECK(what.find(r2 + "_step.yaml:") != std::string::npos);
    CHECK(what.find("call backfill_locale failed") != std::string::npos);
    CHECK(what.find("no locale service") != std::string::npos);
  }
  CHECK(bytes(dir / "app.db") == before);

  // what is not a std::exception still arrives as a schemagen::Error naming the step
  auto odd = migrator(dir, with_step().chain());
  odd.register_step("backfill_locale", [](Connection&) { throw 42; });
  CHECK_THROWS_WITH_AS(odd.upgrade(), doctest::Contains("call backfill_locale failed"), Error);
  CHECK(bytes(dir / "app.db") == before);

  // a statement the step runs that the database refuses names its SQL and SQLite's message
  auto bad = migrator(dir, with_step().chain());
  bad.register_step("backfill_locale",
                    [](Connection& c) { c.execute("UPDATE no_such_table SET x = 1"); });
  try {
    bad.upgrade();
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("UPDATE no_such_table SET x = 1") != std::string::npos);
    CHECK(std::string(e.what()).find("no such table") != std::string::npos);
  }
  CHECK(bytes(dir / "app.db") == before);
}

TEST_CASE("a revision calling a step the program has not registered is refused before anything runs") {
  const auto dir = scratch("step_missing");
  migrator(dir, with_step().chain()).upgrade(r1);
  const auto before = bytes(dir / "app.db");
  auto m = migrator(dir, with_step("backfill_other").chain());
  std::vector<std::string> dialects;
  register_locale_steps(m, dialects);
  try {
    m.upgrade();
    FAIL("no error");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find(r2 + "_step.yaml:") != std::string::npos);
    CHECK(std::string(e.what()).find("calls the C++ step 'backfill_other'") != std::string::npos);
  }
  CHECK(bytes(dir / "app.db") == before);
  CHECK(dialects.empty());
}

TEST_CASE("the command line refuses a revision with a C++ step, and --sql marks where it runs") {
  const auto dir = scratch("step_cli");
  with_step().write(dir / "revisions");
  std::ofstream(dir / "schemagen.yaml") << "url: sqlite:///app.db\n";
  auto cli = [&](const std::string& args) {
    const auto line = "cd '" + dir.string() + "' && '" SCHEMAGEN_BINARY "' " + args;
    return std::system(line.c_str());
  };
  REQUIRE(cli("upgrade " + r1 + " 2>/dev/null") == 0);
  const auto before = bytes(dir / "app.db");
  const int status = cli("upgrade head 2>err.txt");
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  const auto err = bytes(dir / "err.txt");
  CHECK(err.find("calls the C++ step 'backfill_locale'") != std::string::npos);
  CHECK(err.find("Migrator::register_step") != std::string::npos);
  CHECK(bytes(dir / "app.db") == before);

  REQUIRE(cli("upgrade " + r1 + ":head --sql >out.sql 2>/dev/null") == 0);
  CHECK(bytes(dir / "out.sql").find("-- SCHEMAGEN CALL backfill_locale") != std::string::npos);

  // the application's Migrator finishes what the command line could not
  auto m = migrator(dir, Chain::from_directories({dir / "revisions"}));
  std::vector<std::string> dialects;
  register_locale_steps(m, dialects);
  m.upgrade();
  CHECK(cli("current 2>/dev/null | grep -q " + r2) == 0);
}

TEST_CASE("a Migrator works on the application's own sqlite3 handle, which stays open") {
  const auto dir = scratch("handle");
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "app.db").c_str(), &db) == SQLITE_OK);
  {
    Migrator m(db, three().chain());
    m.upgrade();
    CHECK(m.current() == Ids{r3});
  }
  // still the application's: it reads what the run made
  CHECK(sqlite3_exec(db, "SELECT count(*) FROM t_" "a00000000003", nullptr, nullptr, nullptr) ==
        SQLITE_OK);
  CHECK(migrator(dir, three().chain()).current() == Ids{r3});

  REQUIRE(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK);
  Migrator inside(db, three().chain());
  CHECK_THROWS_WITH_AS(inside.downgrade("-1"), doctest::Contains("inside a transaction"),
                       UserError);
  sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(db);

  sqlite3* memory = nullptr;
  REQUIRE(sqlite3_open(":memory:", &memory) == SQLITE_OK);
  CHECK_THROWS_WITH_AS(Migrator(memory, three().chain()).upgrade(),
                       doctest::Contains("in-memory or temporary"), UserError);
  sqlite3_close(memory);
}
