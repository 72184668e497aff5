// The YAML reader (libyaml under yaml::Node) and writer (yaml::quote), on what revision files,
// metadata and configuration hold.
#include "schemagen/support/yaml.hpp"

#include <doctest/doctest.h>
#include <string>

using schemagen::UserError;
using schemagen::yaml::Node;
using schemagen::yaml::ParseError;
using schemagen::yaml::Reader;

TEST_CASE("yaml: maps, sequences, scalars and where each starts") {
  const auto doc = Node::parse("a: 1\nb:\n  - x\n  - {c: 'q', d: \"r\"}\n");
  REQUIRE(doc.IsMap());
  CHECK(doc.size() == 2);
  CHECK(doc["a"].Scalar() == "1");
  CHECK(doc["a"].Mark().line == 0);
  CHECK(doc["a"].Mark().column == 3);
  const auto b = doc["b"];
  REQUIRE(b.IsSequence());
  CHECK(b.size() == 2);
  CHECK(b[0].Scalar() == "x");
  CHECK(b[1]["c"].Scalar() == "q");
  CHECK(b[1]["d"].Mark().line == 3);
  CHECK_FALSE(b[2]);
  CHECK_FALSE(doc["missing"]);
  CHECK_FALSE(doc["missing"]["deeper"]); // an undefined node's entries are undefined too
  std::string keys;
  for (const auto& kv : doc) keys += kv.first.Scalar();
  CHECK(keys == "ab");
  std::string items;
  for (const auto& item : b) items += item.IsScalar() ? item.Scalar() : "{}";
  CHECK(items == "x{}");
}

TEST_CASE("yaml: null is a plain ~, null or nothing, never a quoted one") {
  const auto doc = Node::parse("a: ~\nb: null\nc:\nd: 'null'\ne: \"\"\nf: NULL\n");
  CHECK(doc["a"].IsNull());
  CHECK(doc["b"].IsNull());
  CHECK(doc["c"].IsNull());
  CHECK(doc["f"].IsNull());
  CHECK(doc["d"].IsScalar());
  CHECK(doc["d"].Scalar() == "null");
  CHECK(doc["e"].IsScalar());
  CHECK(doc["e"].Scalar().empty());
  CHECK(doc["d"].Tag() == "!"); // quoted, as yaml-cpp tagged it
  CHECK(Node::parse("").IsNull());
}

TEST_CASE("yaml: booleans and integers read as yaml-cpp read them") {
  const auto doc = Node::parse("[true, False, YES, on, n, tRue, 12, -3, 0x1f, 010, 1.5, ' 4', 99999999999999999999]");
  bool b = false;
  CHECK((doc[0].decode(b) && b));
  CHECK((doc[1].decode(b) && !b));
  CHECK((doc[2].decode(b) && b));
  CHECK((doc[3].decode(b) && b));
  CHECK((doc[4].decode(b) && !b));
  CHECK_FALSE(doc[5].decode(b)); // mixed case
  long long i = 0;
  CHECK((doc[6].decode(i) && i == 12));
  CHECK((doc[7].decode(i) && i == -3));
  CHECK((doc[8].decode(i) && i == 31));
  CHECK((doc[9].decode(i) && i == 8));
  CHECK_FALSE(doc[10].decode(i));
  CHECK_FALSE(doc[11].decode(i)); // a leading blank
  CHECK_FALSE(doc[12].decode(i)); // out of range
  CHECK_FALSE(doc.decode(i));     // not a scalar
}

TEST_CASE("yaml: aliases share their anchor's node; an unknown one is an error at it") {
  const auto doc = Node::parse("a: &x {k: v}\nb: *x\n");
  CHECK(doc["b"]["k"].Scalar() == "v");
  CHECK(doc["a"].same(doc["b"]));
  try {
    Node::parse("a: 1\nb: *nowhere\n");
    FAIL("an unknown alias was accepted");
  } catch (const ParseError& e) {
    CHECK(e.mark.line == 1);
    CHECK(e.message.find("anchor") != std::string::npos);
  }
}

TEST_CASE("yaml: a malformed document is an error at its line and column") {
  const Reader r("f.yaml");
  try {
    r.parse("a: 1\nb: [1, 2\nc: 3\n");
    FAIL("malformed YAML was accepted");
  } catch (const UserError& e) {
    const std::string what = e.what();
    CHECK(what.find("f.yaml:") == 0);
    CHECK(what.find("malformed YAML") != std::string::npos);
  }
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += '[';
  CHECK_THROWS_AS(Node::parse(deep), ParseError);
}

TEST_CASE("yaml: bytes that are not UTF-8 read as U+FFFD, as yaml-cpp read them") {
  const auto doc = Node::parse("# caf\xe9\na: \"x\xffy\"\nb: ok\n");
  CHECK(doc["a"].Scalar() == "x\xEF\xBF\xBDy");
  CHECK(doc["b"].Scalar() == "ok");
  CHECK(doc["b"].Mark().line == 2);
}

TEST_CASE("yaml: quote() writes what reads back the same, line separators and controls too") {
  for (const std::string s :
       {"plain", "", "null", "a: b", "x\ny", "tab\there", "\x01\x7f", "nel\xC2\x85", "c1\xC2\x9F",
        "ls\xE2\x80\xA8ps\xE2\x80\xA9", "bom\xEF\xBB\xBF", "nonchar\xEF\xBF\xBE", "caf\xC3\xA9",
        "emoji \xF0\x9F\x90\x98", "'quoted'", "\"dq\"", " lead", "trail ", "- dash", "#hash"}) {
    const auto written = schemagen::yaml::quote(s);
    const auto doc = Node::parse("k: " + written + "\nl: [" + written + "]\n");
    INFO("written: " << written);
    CHECK(doc["k"].IsScalar());
    CHECK(doc["k"].Scalar() == s);
    CHECK(doc["l"][0].Scalar() == s);
  }
  CHECK(schemagen::yaml::holds_escaped("a\xE2\x80\xA8"));
  CHECK_FALSE(schemagen::yaml::holds_escaped("caf\xC3\xA9"));
}

TEST_CASE("yaml: a clone can be changed without changing the document") {
  const auto doc = Node::parse("a: {name: x, gone: 1}\n");
  auto copy = doc["a"].clone();
  copy.set("name", "y");
  copy.set("added", "null");
  copy.remove("gone");
  CHECK(copy["name"].Scalar() == "y");
  CHECK(copy["added"].IsScalar()); // set() writes a string, whatever it reads like
  CHECK_FALSE(copy["gone"]);
  CHECK(doc["a"]["name"].Scalar() == "x");
  CHECK(doc["a"]["gone"].Scalar() == "1");
  auto other = Node::parse("[1, 2]\n");
  copy.set("list", other);
  CHECK(copy["list"].size() == 2);
}
