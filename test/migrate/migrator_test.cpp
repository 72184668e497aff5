// The Migrator on real SQLite files: the same runs as the command line, and the startup guard.
// Each test works in a scratch directory of its own.

#include "schemagen/migrate.hpp"

#include <algorithm>
#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <sstream>

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
