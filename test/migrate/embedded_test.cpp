// A chain compiled in by schemagen_add_revisions (test/migrate/revisions/), as an application's
// would be: the same revisions, in the same order, with the same bytes as the files it was made
// from, and it migrates a database with no file of them read.

#include "schemagen/migrate.hpp"
#include "test_revisions.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = fs::path(SCHEMAGEN_SOURCE_DIR) / "test/migrate/revisions";

/// Options whose sqlite:///app.db is a new file in a scratch directory of its own.
Migrator::Options in_scratch(const std::string& name) {
  const fs::path dir = fs::path(SCHEMAGEN_TEST_SCRATCH) / "embedded" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  Migrator::Options o;
  o.base = dir;
  return o;
}

/// What upgrade("head") applies on a new SQLite file, as Steps.
std::vector<Step> upgrade_new_file(Chain chain, const std::string& name) {
  Migrator m("sqlite:///app.db", std::move(chain), in_scratch(name));
  std::vector<Step> steps;
  m.on_progress([&](const Step& s) { steps.push_back(s); });
  m.upgrade();
  CHECK(m.current() == std::vector<std::string>{"ace0"});
  return steps;
}

} // namespace

TEST_CASE("the compiled-in chain holds the directory's revisions in file-name order") {
  // the ids do not sort as the files do: the order is the files'
  CHECK(test_revisions().ids() == std::vector<std::string>{"f00d", "beef", "ace0"});
  CHECK(test_revisions().ids() == Chain::from_directories({source_dir}).ids());
}

TEST_CASE("the compiled-in chain's bytes are the files' (quotes, backslashes, )\", UTF-8)") {
  const auto embedded = upgrade_new_file(test_revisions(), "embedded");
  const auto from_files = upgrade_new_file(Chain::from_directories({source_dir}), "files");
  REQUIRE(embedded.size() == 3);
  REQUIRE(from_files.size() == 3);
  CHECK(embedded[2].message == "tab\there, back\\slash, \"quoted\" )\" caf\u00e9 \u00fc");
  for (std::size_t i = 0; i < embedded.size(); ++i) {
    CHECK(embedded[i].revision == from_files[i].revision);
    CHECK(embedded[i].message == from_files[i].message);
  }
}

TEST_CASE("the compiled-in chain is parsed once and shared") {
  // a function-local static: each call hands out the same parsed chain, not a new parse
  CHECK(&test_revisions().impl() == &test_revisions().impl());
}

TEST_CASE("a database migrated by the files' chain passes the compiled-in chain's guard") {
  // the startup guard compares ops checksums: equal bytes, equal checksums
  const auto o = in_scratch("guard");
  Migrator("sqlite:///app.db", Chain::from_directories({source_dir}), o).upgrade();
  Migrator embedded("sqlite:///app.db", test_revisions(), o);
  CHECK_NOTHROW(embedded.check_compatible());
  CHECK(embedded.pending().empty());
}

TEST_CASE("a compiled-in chain parses its files only when a run has something to do") {
  // what the build read of a revision (graph, checksum), and a text that no longer parses: a
  // start that finds the database up to date must not need the text at all
  const auto o = in_scratch("lazy");
  Migrator("sqlite:///app.db", Chain::from_directories({source_dir}), o).upgrade("beef");
  const std::string broken = "revision: [unclosed\n";
  const std::vector<EmbeddedRevision> built = {
      {.file = "revisions/0001.yaml", .text = broken, .id = "f00d", .message = "m",
       .checksum = "b993fad701f24758"},
      {.file = "revisions/0002.yaml", .text = broken, .id = "beef", .down_revisions = "f00d",
       .message = "m", .checksum = "435a3f7ac578cc21"}};
  Migrator m("sqlite:///app.db", Chain::from_embedded(built), o);
  CHECK_NOTHROW(m.check_compatible());
  CHECK(m.current() == std::vector<std::string>{"beef"});
  CHECK(m.pending().empty());
  CHECK_NOTHROW(m.upgrade()); // at head: nothing parsed
  // with something to do, the texts are parsed: here they fail, at the file's name
  CHECK_THROWS_WITH_AS(m.downgrade("-1"), doctest::Contains("revisions/0001.yaml:"), UserError);
}

TEST_CASE("a compiled-in revision whose text does not match what the build read is refused") {
  const auto o = in_scratch("mismatch");
  const std::string text = "revision: f00d\ndown_revision: null\nupgrade:\n  - execute: SELECT 1\n"
                           "downgrade: []\n";
  const std::vector<EmbeddedRevision> built = {
      {.file = "revisions/0001.yaml", .text = text, .id = "f00d", .checksum = "0000000000000000"}};
  Migrator m("sqlite:///app.db", Chain::from_embedded(built), o);
  CHECK_THROWS_WITH_AS(m.upgrade(), doctest::Contains("is not what the build read"), Error);
  CHECK(m.current().empty());
}
