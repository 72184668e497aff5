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
