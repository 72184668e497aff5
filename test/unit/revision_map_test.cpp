// lib/revision's RevisionMap, built from plain records (no files, no database).

#include "schemagen/revision/map.hpp"

#include <algorithm>
#include <doctest/doctest.h>

using namespace schemagen;
using namespace schemagen::revision;

namespace {
Record rec(std::string id, std::vector<std::string> down = {}, std::vector<std::string> labels = {},
           std::vector<std::string> deps = {}) {
  SourceLoc loc{id + ".yaml", 1, 0};
  return Record{std::move(id), std::move(down), std::move(deps), std::move(labels), std::move(loc)};
}
using V = std::vector<std::string>;
} // namespace

TEST_CASE("heads, bases, branch points and merges") {
  RevisionMap m({rec("aaaa1"), rec("bbbb2", {"aaaa1"}), rec("cccc3", {"aaaa1"}, {"side"}),
                 rec("dddd4", {"bbbb2", "cccc3"})});
  CHECK(m.heads() == V{"dddd4"});
  CHECK(m.bases() == V{"aaaa1"});
  CHECK(m.branch_points() == V{"aaaa1"});
  CHECK(m.is_merge_point("dddd4"));
  CHECK(m.resolve("head") == V{"dddd4"});
  CHECK(m.resolve("bbbb") == V{"bbbb2"});
  CHECK(m.resolve("side") == V{"cccc3"});
  CHECK(m.resolve("base").empty());
  const auto all = m.upgrade_path("head", {});
  REQUIRE(all.size() == 4);
  CHECK(all.front() == "aaaa1");
  CHECK(all.back() == "dddd4");
  CHECK(m.upgrade_path("cccc3", {"aaaa1"}) == V{"cccc3"});
  CHECK(m.downgrade_path("aaaa1", {"dddd4"}) == V{"dddd4", "bbbb2", "cccc3"});
  CHECK(m.downgrade_path("-1", {"bbbb2"}) == V{"bbbb2"});
  CHECK_THROWS_WITH_AS(m.downgrade_path("-1", {"dddd4"}), doctest::Contains("ambiguous walk"),
                       RevisionError);
  CHECK_THROWS_AS(m.upgrade_path("+2", {}), RevisionError); // the second step branches
}

TEST_CASE("the graph's mistakes name the revision and its file") {
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa"), rec("aaaa")}),
                       doctest::Contains("aaaa.yaml:1: error: revision aaaa is declared twice"),
                       RevisionError);
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa", {"zzzz"})}),
                       doctest::Contains("down_revision 'zzzz' of revision aaaa names no revision"),
                       RevisionError);
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa", {}, {}, {"nope"})}),
                       doctest::Contains("depends_on 'nope'"), RevisionError);
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa", {"cccc"}), rec("bbbb", {"aaaa"}),
                                    rec("cccc", {"bbbb"}), rec("dddd")}),
                       doctest::Contains("the revisions form a cycle: aaaa, bbbb, cccc"),
                       RevisionError);
  // only the cycle's members, in upgrade order from the one loaded first; not what descends
  // from the cycle (eeee) or leads from one cycle to another (dddd)
  CHECK_THROWS_WITH_AS(
      RevisionMap({rec("cccc", {"aaaa"}), rec("eeee", {"bbbb"}), rec("aaaa", {"bbbb"}),
                   rec("bbbb", {"cccc"}), rec("dddd", {"aaaa"}), rec("ffff", {"dddd", "gggg"}),
                   rec("gggg", {"ffff"})}),
      "cccc.yaml:1: error: the revisions form a cycle: cccc, bbbb, aaaa (each "
      "revises or depends on the one before it, the first on the last)",
      RevisionError);
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa"), rec("bbbb", {"aaaa"}, {}, {"cccc"}),
                                    rec("cccc", {"bbbb"}), rec("dddd", {"cccc"})}),
                       doctest::Contains("cycle: bbbb, cccc (each"), RevisionError);
  CHECK_THROWS_WITH_AS(RevisionMap({rec("aaaa", {}, {"x"}), rec("bbbb", {}, {"x"})}),
                       doctest::Contains("branch label 'x'"), RevisionError);
  RevisionMap two({rec("aaaa"), rec("bbbb")});
  CHECK_THROWS_WITH_AS(two.resolve("head"),
                       doctest::Contains("multiple heads are present for 'head': aaaa, bbbb"),
                       RevisionError);
  auto both = two.upgrade_path("heads", {});
  std::sort(both.begin(), both.end());
  CHECK(both == V{"aaaa", "bbbb"});
}

TEST_CASE("the version table's heads follow Alembic's rules") {
  RevisionMap m({rec("aaaa"), rec("bbbb", {"aaaa"}), rec("cccc", {"aaaa"}),
                 rec("dddd", {"bbbb", "cccc"}), rec("eeee"), rec("ffff", {"eeee"}, {}, {"bbbb"})});
  CHECK(m.heads_after({}, {"aaaa", "bbbb", "cccc"}, {}) == V{"bbbb", "cccc"});
  CHECK(m.heads_after({"bbbb", "cccc"}, {"dddd"}, {}) == V{"dddd"});
  CHECK(m.heads_after({"dddd"}, {}, {"dddd"}) == V{"bbbb", "cccc"});
  // depends_on does not consume a head: bbbb stays a row beside ffff
  CHECK(m.heads_after({"bbbb"}, {"eeee", "ffff"}, {}) == V{"bbbb", "ffff"});
  CHECK(m.applied_set({"ffff"}) == V{"aaaa", "bbbb", "eeee", "ffff"});
}

// ---- squashes: a revision standing for a run of others (schemagen squash) ----------------------

#include "schemagen/revision/file.hpp"

namespace {
/// A revision file's text: id, parent ("null" for none), and what it replaces.
Revision file(const std::string& id, const std::string& down, const std::string& replaces = "") {
  std::string text = "revision: " + id + "\ndown_revision: " + down + "\n";
  if (!replaces.empty()) text += "replaces: [" + replaces + "]\n";
  text += "upgrade:\n  - create_schema: s_" + id + "\ndowngrade:\n  - drop_schema: s_" + id + "\n";
  return parse_revision(id + ".yaml", text);
}
} // namespace

TEST_CASE("a squash stands in the graph for the revisions it replaces") {
  // a1 -> b2 -> c3 -> d4, squashed b2..c3 into s9; e5 was begun on c3 before the squash landed
  const std::vector<Revision> chain = {file("aaaa1", "null"), file("bbbb2", "aaaa1"),
                                       file("cccc3", "bbbb2"), file("s9s9s9", "aaaa1", "bbbb2, cccc3"),
                                       file("eeee5", "cccc3")};
  const auto m = build_map(chain);
  CHECK(m.size() == 3);
  CHECK_FALSE(m.contains("bbbb2"));
  CHECK(m.heads() == V{"eeee5"});
  CHECK(m.record("eeee5").down_revisions == V{"s9s9s9"}); // goes on from the squash
  CHECK(m.upgrade_path("head", {}) == V{"aaaa1", "s9s9s9", "eeee5"});
  CHECK(replaced_by(chain) == std::map<std::string, std::string>{{"bbbb2", "s9s9s9"},
                                                                  {"cccc3", "s9s9s9"}});

  // a database inside the squash runs on the chain with it undone: the replaced revisions, then
  // the squash as a step without ops from the last of them
  Expanded parts;
  const auto x = build_expanded_map(chain, {"s9s9s9"}, parts);
  CHECK(x.upgrade_path("head", {"bbbb2"}) == V{"cccc3", "s9s9s9", "eeee5"});
  CHECK(x.downgrade_path("bbbb2", {"eeee5"}) == V{"eeee5", "s9s9s9", "cccc3"});
  REQUIRE(parts.alias.size() == 1);
  CHECK(parts.alias[0].id == "s9s9s9");
  CHECK(parts.alias[0].upgrade.empty());
  CHECK(parts.alias[0].down_revisions == V{"cccc3"});
  CHECK(parts.missing.empty());

  // the replaced files deleted: the first stays a stub that says so, the graph stays whole
  const std::vector<Revision> pruned = {chain[0], chain[3], chain[4]};
  CHECK(build_map(pruned).heads() == V{"eeee5"});
  const auto y = build_expanded_map(pruned, {"s9s9s9"}, parts);
  CHECK(y.upgrade_path("head", {"cccc3"}) == V{"s9s9s9", "eeee5"});
  CHECK(parts.missing == std::map<std::string, std::string>{{"bbbb2", "s9s9s9"},
                                                            {"cccc3", "s9s9s9"}});
}

TEST_CASE("what a squash cannot stand for is an error naming it") {
  const auto a = file("aaaa1", "null"), b = file("bbbb2", "aaaa1"), c = file("cccc3", "bbbb2");
  // a revision going on from the middle of the squash
  CHECK_THROWS_WITH_AS(build_map({a, b, c, file("s9s9s9", "aaaa1", "bbbb2, cccc3"),
                                  file("eeee5", "bbbb2")}),
                       doctest::Contains("revision eeee5 goes on from bbbb2, which squash s9s9s9 "
                                         "replaces part-way"),
                       RevisionError);
  // replaces: not a line of descent from where the squash starts
  CHECK_THROWS_WITH_AS(build_map({a, b, c, file("s9s9s9", "aaaa1", "cccc3, bbbb2")}),
                       doctest::Contains("is not where squash s9s9s9 says it is"),
                       RevisionError);
  // claimed twice, and nested
  CHECK_THROWS_WITH_AS(build_map({a, b, c, file("s8s8s8", "aaaa1", "bbbb2, cccc3"),
                                  file("s9s9s9", "aaaa1", "bbbb2, cccc3")}),
                       doctest::Contains("revision bbbb2 is replaced by both squash s8s8s8 and "
                                         "squash s9s9s9"),
                       RevisionError);
  CHECK_THROWS_WITH_AS(build_map({a, b, c, file("s8s8s8", "aaaa1", "bbbb2, cccc3"),
                                  file("s9s9s9", "null", "aaaa1, s8s8s8")}),
                       doctest::Contains("squashes do not nest"), RevisionError);
  CHECK_THROWS_WITH_AS(file("s9s9s9", "aaaa1", "s9s9s9"),
                       doctest::Contains("revision s9s9s9 replaces itself"), UserError);
}
