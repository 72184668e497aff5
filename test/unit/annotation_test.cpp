// The annotation grammar: values, strings, and errors at the offending character.

#include "annotation.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
using namespace schemagen::scan;

namespace {
std::vector<Option> parse(std::string_view text, DiagnosticList& diags) {
  return parse_options(text, SourceLoc{"m.hpp", 10, 20}, diags);
}
} // namespace

TEST_CASE("options: bare strings, flags, strings, integers, booleans") {
  DiagnosticList diags;
  auto o = parse(R"("users", schema = "auth", primary_key, length = 100, nullable = false, n = -3)",
                 diags);
  REQUIRE_FALSE(diags.has_errors());
  REQUIRE(o.size() == 6);
  CHECK(o[0].key.empty());
  CHECK(o[0].value.text == "users");
  CHECK(o[1].key == "schema");
  CHECK(o[1].value.text == "auth");
  CHECK(o[1].value_loc.column == 38); // 20 + the 18 characters before "auth"
  CHECK(o[2].value.kind == Value::Kind::flag);
  CHECK(o[3].value.integer == 100);
  CHECK(o[4].value.kind == Value::Kind::boolean);
  CHECK_FALSE(o[4].value.boolean);
  CHECK(o[5].value.integer == -3);
}

TEST_CASE("string literals: escapes, raw strings, adjacent literals") {
  DiagnosticList diags;
  auto o = parse(R"test(expr = "a \"b\" \\", where = R"(x = 'y')", c = "ab" "cd")test", diags);
  REQUIRE_FALSE(diags.has_errors());
  CHECK(o[0].value.text == R"(a "b" \)");
  CHECK(o[1].value.text == "x = 'y'");
  CHECK(o[2].value.text == "abcd");
}

TEST_CASE("grammar errors point at the character, across lines") {
  DiagnosticList diags;
  parse("length = abc", diags);
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].str() == "m.hpp:10:29: error: 'abc' is not a value: write a string "
                                  "literal, an integer, true or false");

  DiagnosticList d2;
  parse("a = 1,\n   b \"x\"", d2);
  REQUIRE(d2.items().size() == 1);
  CHECK(d2.items()[0].loc.line == 11);
  CHECK(d2.items()[0].loc.column == 6);

  DiagnosticList d3;
  parse("a = \"unterminated", d3);
  CHECK(d3.items().at(0).message == "unterminated string literal");
  DiagnosticList d4;
  parse("a = 1,", d4);
  CHECK(d4.items().at(0).message == "expected an option after ','");
}

TEST_CASE("macro_arguments finds the text between the outer parentheses") {
  auto a = macro_arguments("SG_CHECK(\"c\", expr = \"f(x) > 0\")");
  REQUIRE(a);
  CHECK(a->first == "\"c\", expr = \"f(x) > 0\"");
  CHECK(a->second == 9);
  CHECK_FALSE(macro_arguments("SG_IGNORE"));
}
