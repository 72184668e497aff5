// The scanner on in-memory headers (a real Clang parse, no files): the annotation
// rules of tools/schemagen/REFERENCE.md one by one.

#include "example.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/scan/scan.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace schemagen;
using namespace schemagen::model;

namespace {

const std::string prelude = R"cpp(#include <schemagen/annotations.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
)cpp";
constexpr unsigned prelude_lines = 6;

using Files = std::vector<std::pair<std::string, std::string>>;

/// Scans `code` (after the prelude), with `files` beside it; line numbers in diagnostics are made
/// relative to `code`.
scan::Result scan(const std::string& code, const NamingConvention& naming = {},
                  const Files& files = {}) {
  return scan::scan_code(prelude + code, {}, naming, "models.hpp", files);
}

Metadata ok(const std::string& code, const NamingConvention& naming = {}, const Files& files = {}) {
  auto r = scan(code, naming, files);
  INFO(r.diagnostics.str());
  REQUIRE(r.ok());
  return *r.metadata;
}

/// Every error as "line:col: message", lines counted from the start of `code`.
std::vector<std::string> errors(const std::string& code, const Files& files = {}) {
  auto r = scan(code, {}, files);
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics.items())
    if (d.severity == Severity::error)
      out.push_back(fmt::format("{}:{}: {}", d.loc.line - prelude_lines, d.loc.column, d.message));
  CHECK(r.yaml.empty()); // nothing to write when anything is wrong
  return out;
}

bool has(const std::vector<std::string>& errs, const std::string& needle) {
  for (const auto& e : errs)
    if (e.find(needle) != std::string::npos) return true;
  return false;
}

const Column& column(const Metadata& m, const std::string& table, const std::string& name) {
  for (const auto& t : m.tables)
    if (t.name == table)
      if (auto c = t.find_column(name)) return *c;
  FAIL("no column " << table << "." << name);
  throw;
}

const Table& table(const Metadata& m, const std::string& name) {
  for (const auto& t : m.tables)
    if (t.name == name) return t;
  FAIL("no table " << name);
  throw;
}

} // namespace

TEST_CASE("the C++ to PostgreSQL type mapping") {
  auto m = ok(R"cpp(
enum class SG_ENUM("mood", schema = "app") Mood { happy, sad };
struct SG_TABLE("t") T {
  bool b; short s; std::int16_t i16; int i; std::int32_t i32; long long ll; std::int64_t i64;
  float f; double d; std::string str;
  SG_COLUMN(length = 40) std::string vc;
  std::vector<std::byte> bytes; std::vector<std::uint8_t> bytes2;
  std::chrono::system_clock::time_point ts; std::chrono::sys_days day;
  std::vector<std::int32_t> ints; std::vector<std::string> texts;
  Mood mood; std::vector<Mood> moods;
  std::optional<std::int64_t> maybe;
  SG_COLUMN(type = "NUMERIC", precision = 10, scale = 2) double money;
  SG_COLUMN(precision = 8) double p;
  SG_COLUMN(precision = 3) std::chrono::system_clock::time_point ts3;
  SG_COLUMN(type = "BIGINT") std::uint64_t big;
};)cpp");
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"b", "BOOLEAN"},
      {"s", "SMALLINT"},
      {"i16", "SMALLINT"},
      {"i", "INTEGER"},
      {"i32", "INTEGER"},
      {"ll", "BIGINT"},
      {"i64", "BIGINT"},
      {"f", "REAL"},
      {"d", "DOUBLE PRECISION"},
      {"str", "TEXT"},
      {"vc", "VARCHAR(40)"},
      {"bytes", "BYTEA"},
      {"bytes2", "BYTEA"},
      {"ts", "TIMESTAMP WITH TIME ZONE"},
      {"day", "DATE"},
      {"ints", "INTEGER[]"},
      {"texts", "TEXT[]"},
      {"mood", "app.mood"},
      {"moods", "app.mood[]"},
      {"maybe", "BIGINT"},
      {"money", "NUMERIC(10,2)"},
      {"p", "NUMERIC(8)"},
      {"ts3", "TIMESTAMP(3) WITH TIME ZONE"},
      {"big", "BIGINT"}};
  for (const auto& [name, type] : expected) {
    CAPTURE(name);
    CHECK(column(m, "t", name).type == type);
  }
  CHECK(column(m, "t", "maybe").nullable);
  CHECK_FALSE(column(m, "t", "i").nullable);
  REQUIRE(m.enums.size() == 1);
  CHECK(m.enums[0].schema == "app");
  CHECK(m.enums[0].values == std::vector<std::string>{"happy", "sad"});
}

TEST_CASE("a doc comment survives ';', '{' and '}' in the annotations' strings") {
  auto m = ok(R"cpp(
/// Tagged things.
struct SG_TABLE("tagged") SG_CHECK("ck", expr = "tags <> '{}' AND note <> ';'") T {
  SG_COLUMN(primary_key) std::int64_t id;
  /// Never empty.
  SG_COLUMN(server_default = "'{}'") std::vector<std::string> tags;
  SG_COLUMN(server_default = "'#@;'") std::string note;
};
/// Not a doc of the struct below: a statement stands between.
static_assert(true, "{}");
struct SG_TABLE("after_assert") A { SG_COLUMN(primary_key) std::int64_t id; };)cpp");
  CHECK(table(m, "tagged").comment == "Tagged things.");
  CHECK(column(m, "tagged", "tags").comment == "Never empty.");
  CHECK_FALSE(column(m, "tagged", "note").comment.has_value()); // the comment is tags'
  CHECK_FALSE(table(m, "after_assert").comment.has_value());
}

TEST_CASE("column options, doc comments and default names") {
  auto m = ok(R"cpp(
/// Parents.
struct SG_TABLE("parents", schema = "s", renamed_from = "old_parents") P {
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
};
/** Children. */
struct SG_TABLE("kids", comment = "explicit wins") K {
  SG_COLUMN(primary_key, autoincrement) std::int32_t id;
  /// Who the parent is.
  SG_COLUMN(foreign_key = "s.parents.id", on_delete = "set null", on_update = "CASCADE", index)
  std::optional<std::int64_t> parent_id;
  SG_COLUMN(name = "nick", unique, renamed_from = "nickname", comment = "shown") std::string n;
  SG_COLUMN(unique, index) std::string email;
  SG_COLUMN(server_default = "now()", nullable = true) std::chrono::system_clock::time_point seen;
  SG_COLUMN(identity = "by default") std::int64_t seq;
  SG_IGNORE int not_a_column;
  std::string ignored_too SG_IGNORE;
};)cpp");
  const auto& parents = table(m, "parents");
  CHECK(parents.schema == "s");
  CHECK(parents.comment == "Parents.");
  CHECK(parents.renamed_from == "old_parents");
  CHECK(parents.columns[0].identity == Identity::always);
  CHECK(parents.primary_key->name == "parents_pkey");

  const auto& kids = table(m, "kids");
  CHECK(kids.comment == "explicit wins");
  CHECK(kids.columns.size() == 6);
  CHECK(kids.find_column("not_a_column") == nullptr);
  CHECK(kids.columns[0].autoincrement);
  const auto& parent_id = column(m, "kids", "parent_id");
  CHECK(parent_id.comment == "Who the parent is.");
  CHECK(parent_id.nullable);
  REQUIRE(kids.foreign_keys.size() == 1);
  const auto& fk = kids.foreign_keys[0];
  CHECK(fk.name == "kids_parent_id_fkey");
  CHECK(fk.referred_schema == "s");
  CHECK(fk.referred_table == "parents");
  CHECK(fk.on_delete == "SET NULL");
  CHECK(fk.on_update == "CASCADE");
  const auto& nick = column(m, "kids", "nick");
  CHECK(nick.renamed_from == "nickname");
  CHECK(nick.comment == "shown");
  REQUIRE(kids.unique_constraints.size() == 1);
  CHECK(kids.unique_constraints[0].name == "kids_nick_key");
  REQUIRE(kids.indexes.size() == 2); // unique + index is one unique index
  CHECK(kids.indexes[0].name == "ix_kids_email");
  CHECK(kids.indexes[0].unique);
  CHECK(kids.indexes[1].name == "ix_kids_parent_id");
  CHECK(column(m, "kids", "seen").server_default == "now()");
  CHECK(column(m, "kids", "seen").nullable);
  CHECK(column(m, "kids", "seq").identity == Identity::by_default);
}

TEST_CASE("table-level annotations, a mixin base, several attributes on one struct") {
  auto m = ok(R"cpp(
struct Stamps { SG_COLUMN(server_default = "now()") std::chrono::system_clock::time_point created_at; };
struct SG_TABLE("v") V { SG_COLUMN(primary_key) std::int64_t d; SG_COLUMN(primary_key) int n; };
struct SG_TABLE("c")
  SG_INDEX("ix_c_a", columns = "a, lower(b)", unique, where = "a > 0", using = "GIN")
  SG_UNIQUE("uq_c_ab", columns = "a, b")
  SG_CHECK("ck_c_a", expr = "a >= 0")
  SG_FOREIGN_KEY("fk_c_v", columns = "d, n", references = "v(d, n)", on_delete = "CASCADE")
  C : Stamps {
  int a; std::string b; std::int64_t d; int n;
};)cpp");
  const auto& v = table(m, "v");
  CHECK(v.primary_key->columns == std::vector<std::string>{"d", "n"});
  const auto& c = table(m, "c");
  CHECK(c.columns.front().name == "created_at"); // base members first
  REQUIRE(c.indexes.size() == 1);
  CHECK(c.indexes[0].columns == std::vector<std::string>{"a", "lower(b)"});
  CHECK(c.indexes[0].unique);
  CHECK(c.indexes[0].where == "a > 0");
  CHECK(c.indexes[0].method == "gin");
  CHECK(c.unique_constraints.at(0).columns == std::vector<std::string>{"a", "b"});
  CHECK(c.checks.at(0).expression == "a >= 0");
  const auto& fk = c.foreign_keys.at(0);
  CHECK(fk.referred_columns == std::vector<std::string>{"d", "n"});
  CHECK(fk.on_delete == "CASCADE");
  CHECK(fk.on_update.empty());
}

TEST_CASE("a naming convention names what the models leave unnamed") {
  auto m = ok(R"cpp(
struct SG_TABLE("p") P { SG_COLUMN(primary_key) int id; };
struct SG_TABLE("q") Q {
  SG_COLUMN(primary_key) int id;
  SG_COLUMN(unique, foreign_key = "p.id") int p_id;
  SG_COLUMN(index) int x;
};)cpp",
              {{"pk", "pk_{table}"},
               {"uq", "uq_{table}_{column_0}"},
               {"fk", "fk_{table}_{column_0}_{referred_table}"},
               {"ix", "ix_{table}_{column_0_N}"}});
  const auto& q = table(m, "q");
  CHECK(q.primary_key->name == "pk_q");
  CHECK(q.unique_constraints.at(0).name == "uq_q_p_id");
  CHECK(q.foreign_keys.at(0).name == "fk_q_p_id_p");
  CHECK(q.indexes.at(0).name == "ix_q_x");
}

TEST_CASE("SQLAlchemy's naming convention gives the names Alembic users know") {
  auto m = ok(R"cpp(
struct SG_TABLE("p") P { SG_COLUMN(primary_key) int id; };
struct SG_TABLE("q") SG_CHECK("positive", expr = "x > 0") SG_INDEX(columns = "p_id, x") Q {
  SG_COLUMN(primary_key) int id;
  SG_COLUMN(unique, foreign_key = "p.id") int p_id;
  SG_COLUMN(index) int x;
};)cpp",
              {{"ix", "ix_%(column_0_label)s"},
               {"uq", "uq_%(table_name)s_%(column_0_name)s"},
               {"ck", "ck_%(table_name)s_%(constraint_name)s"},
               {"fk", "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s_%(referred_"
                      "column_0_name)s"},
               {"pk", "pk_%(table_name)s"}});
  CHECK(table(m, "p").primary_key->name == "pk_p");
  const auto& q = table(m, "q");
  CHECK(q.primary_key->name == "pk_q");
  CHECK(q.unique_constraints.at(0).name == "uq_q_p_id");
  CHECK(q.foreign_keys.at(0).name == "fk_q_p_id_p_id");
  CHECK(q.checks.at(0).name == "ck_q_positive");
  std::vector<std::string> indexes;
  for (const auto& ix : q.indexes) indexes.push_back(ix.name);
  std::sort(indexes.begin(), indexes.end());
  CHECK(indexes == std::vector<std::string>{"ix_q_p_id", "ix_q_x"});
}

TEST_CASE("every annotation mistake is reported at its place, all in one run") {
  const auto errs = errors(R"cpp(
struct SG_TABLE("a") A {
  SG_COLUMN(lenght = 10) std::string s;
  SG_COLUMN(length = "10") std::string t;
  unsigned int u;
  char16_t c;
  SG_COLUMN(foreign_key = "nowhere.id") int f;
  SG_COLUMN(foreign_key = "a.nope") int g;
  SG_COLUMN(identity = "sometimes", primary_key) std::int64_t id;
  SG_COLUMN(on_delete = "EXPLODE", foreign_key = "a.id") std::int64_t h;
};
struct SG_TABLE("a") Again { int x; };
)cpp");
  CHECK(has(errs, "3:13: unknown option 'lenght' in SG_COLUMN; did you mean 'length'?"));
  CHECK(has(errs, "4:22: option 'length' takes an integer"));
  CHECK(has(errs, "5:16: 'u' is unsigned"));
  CHECK(has(errs, "6:12: 'c' has type char16_t, which has no PostgreSQL mapping"));
  CHECK(has(errs, "7:27: foreign key references table 'nowhere'"));
  CHECK(has(errs, "8:27: foreign key references column 'nope'"));
  CHECK(has(errs, "9:24: identity must be \"always\" or \"by default\""));
  CHECK(
      has(errs, "10:25: on_delete must be CASCADE, RESTRICT, SET NULL, SET DEFAULT or NO ACTION"));
  CHECK(has(errs, "12:8: table name 'a' is used twice in schema 'public'"));
  CHECK(errs.size() == 9);
}

TEST_CASE("a syntax error in one annotation hides no other annotation's mistake") {
  const auto errs = errors(R"cpp(
struct SG_TABLE("a") A {
  SG_COLUMN(length = 10 20) std::string s;
  SG_COLUMN(lenght = 10) std::string t;
};
struct SG_TABLE(= "b") B { int x; };
struct SG_TABLE("c") C { SG_COLUMN(length = "10") std::string u; };
)cpp");
  CHECK(has(errs, "3:25: expected ',' between options, found '2'"));
  CHECK(has(errs, "4:13: unknown option 'lenght' in SG_COLUMN; did you mean 'length'?"));
  CHECK(has(errs, "6:17: expected an option name, found '='"));
  CHECK(has(errs, "7:45: option 'length' takes an integer"));
  CHECK(errs.size() == 4); // nothing that follows from a syntax error ("SG_TABLE needs a name")
}

TEST_CASE("duplicate and misplaced names and annotations") {
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") SG_CHECK("same", expr = "x > 0") SG_CHECK("same", expr = "x < 9") T { int x; };
)cpp"),
            "2:55: constraint name 'same' is used twice in table 't'"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") SG_INDEX("t_pkey", columns = "x") T { SG_COLUMN(primary_key) int x; };
)cpp"),
            "index name 't_pkey' is used twice in schema 'public'"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") T { int x; SG_COLUMN(name = "x") int y; };
)cpp"),
            "2:33: column 'x' is declared twice in table 't'"));
  CHECK(has(errors(R"cpp(
struct NotATable { SG_COLUMN(unique) int x; };
)cpp"),
            "2:20: SG_COLUMN on a member of 'NotATable', which has no SG_TABLE"));
  CHECK(has(errors(R"cpp(
SG_COLUMN(unique) int global_variable;
)cpp"),
            "2:1: SG_COLUMN does not go here"));
  CHECK(has(errors(R"cpp(
enum class Color { red };
struct SG_TABLE("t") T { Color c; };
)cpp"),
            "'c' has enum type Color, which has no SG_ENUM"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("p") P { int id; };
struct SG_TABLE("c") C { SG_COLUMN(foreign_key = "p.id") int p_id; };
)cpp"),
            "foreign key references p(id), which is neither the primary key nor unique"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE() SG_CHECK(expr = "1 = 1") T { int x; };
)cpp"),
            "SG_TABLE needs a name"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") SG_CHECK(expr = "x > 0") T { int x; };
)cpp"),
            "SG_CHECK needs a name"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") T { SG_COLUMN(primary_key) std::optional<int> x; };
)cpp"),
            "primary key column 'x' cannot be nullable"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") T { SG_COLUMN(length = 5) int x; };
)cpp"),
            "length applies to std::string"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("t") T { SG_COLUMN(autoincrement) std::string x; };
)cpp"),
            "autoincrement needs an integer column"));
  CHECK(has(errors(R"cpp(
struct SG_TABLE("this_table_name_is_far_too_long_for_postgresql_which_stops_at_63_bytes") T { int x; };
)cpp"),
            "PostgreSQL truncates names to 63"));
}

const View& view(const Metadata& m, const std::string& name) {
  for (const auto& v : m.views)
    if (v.name == name) return v;
  FAIL("no view " << name);
  throw;
}

TEST_CASE("a view's columns are its members, mapped as a table's") {
  const std::string code = R"cpp(
enum class SG_ENUM("mood") Mood { happy, sad };
struct SG_TABLE("users", schema = "auth") User { SG_COLUMN(primary_key) std::int64_t id; };
/// Users who may sign in.
struct SG_VIEW("active_users", schema = "auth",
               sql = "  SELECT id, username, email, mood, 1 AS n FROM auth.users WHERE NOT disabled ;; \n")
    ActiveUser {
  std::int64_t id;
  SG_COLUMN(length = 100) std::string username;
  std::optional<std::string> email;
  /// How they feel.
  Mood mood;
  SG_COLUMN(name = "n", type = "INTEGER") long long count;
  SG_IGNORE std::string scratch;
};)cpp";
  const auto m = ok(code);
  const auto& v = view(m, "active_users");
  CHECK(v.schema == "auth");
  CHECK_FALSE(v.materialized);
  CHECK(v.sql == "SELECT id, username, email, mood, 1 AS n FROM auth.users WHERE NOT disabled");
  CHECK(v.comment == "Users who may sign in.");
  CHECK(v.indexes.empty());
  CHECK(v.origin.loc.line == prelude_lines + 5);
  const std::vector<std::tuple<std::string, std::string, bool, unsigned>> expected = {
      {"id", "BIGINT", false, 8},
      {"username", "VARCHAR(100)", false, 9},
      {"email", "TEXT", true, 10},
      {"mood", "mood", false, 12},
      {"n", "INTEGER", false, 13}};
  REQUIRE(v.columns.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, type, nullable, line] = expected[i];
    CAPTURE(name);
    CHECK(v.columns[i].name == name);
    CHECK(v.columns[i].type == type);
    CHECK(v.columns[i].nullable == nullable);
    CHECK(v.columns[i].origin.loc.line == prelude_lines + line); // where a mismatch is reported
    CHECK(v.columns[i].origin.loc.file.ends_with("models.hpp"));
  }
  CHECK(v.columns[3].comment == "How they feel.");
  CHECK(m.schemas == std::vector<std::string>{"auth", "public"});
}

TEST_CASE("a view's query comes from a file beside the header, trimmed") {
  const std::string code = R"cpp(
struct SG_VIEW("totals", file = "views/totals.sql") Total { std::int64_t n; };
struct SG_VIEW("up", file = "../shared/up.sql") Up { std::int64_t n; };
)cpp";
  const auto m =
      ok(code, {},
         {{"views/totals.sql", "\xEF\xBB\xBF\n-- how many\nSELECT count(*) AS n\n  FROM t;\n\n"},
          {"../shared/up.sql", "SELECT 1 AS n -- 'é'\n"}});
  CHECK(view(m, "totals").sql == "-- how many\nSELECT count(*) AS n\n  FROM t");
  CHECK(view(m, "up").sql == "SELECT 1 AS n -- 'é'");
}

TEST_CASE("a materialized view takes SG_INDEX, named as on a table") {
  const std::string code = R"cpp(
struct SG_VIEW("daily", sql = "SELECT day, total FROM sums", materialized, comment = "Per day.")
    SG_INDEX(columns = "day", unique) SG_INDEX("ix_daily_total", columns = "total DESC")
    SG_INDEX(columns = "lower(day::text)") Daily {
  std::chrono::sys_days day;
  double total;
};)cpp";
  const auto m = ok(code);
  const auto& v = view(m, "daily");
  CHECK(v.materialized);
  CHECK(v.comment == "Per day.");
  REQUIRE(v.indexes.size() == 3);
  CHECK(v.indexes[0].name == "ix_daily_day");
  CHECK(v.indexes[0].unique);
  CHECK(v.indexes[0].columns == std::vector<std::string>{"day"});
  CHECK(v.indexes[1].name == "ix_daily_expr");
  CHECK(v.indexes[2].name == "ix_daily_total");
  CHECK(v.indexes[2].columns == std::vector<std::string>{"total DESC"});
  CHECK(v.indexes[0].origin.loc.line == prelude_lines + 3);

  const NamingConvention convention{{"ix", "idx_{table}_{column_0_N}"}};
  const auto named = ok(code, convention);
  CHECK(view(named, "daily").indexes.at(0).name == "idx_daily_day");
}

TEST_CASE("a scanned view reads back from its metadata YAML, origins included") {
  const auto m = ok(R"cpp(
struct SG_VIEW("names", schema = "app", sql = R"(SELECT id, name
  FROM app.people
 WHERE name <> '')", materialized) SG_INDEX(columns = "name") Name {
  std::int64_t id;
  SG_COLUMN(comment = "As given.") std::optional<std::string> name;
};)cpp");
  for (const bool origins : {false, true}) {
    CAPTURE(origins);
    const auto yaml = to_yaml(m, origins);
    const auto back = from_yaml(yaml, "metadata.yaml");
    CHECK(back == m);
    CHECK(to_yaml(back, origins) == yaml); // the columns and origins too, which == leaves out
    REQUIRE(back.views.size() == 1);
    CHECK(back.views[0].columns == m.views[0].columns);
    CHECK(back.views[0].sql == "SELECT id, name\n  FROM app.people\n WHERE name <> ''");
  }
}

TEST_CASE("every view mistake is reported at its place, all in one run") {
  const auto errs = errors(R"cpp(
struct SG_VIEW("neither") A { int x; };
struct SG_VIEW("both", sql = "SELECT 1 AS x", file = "b.sql") B { int x; };
struct SG_VIEW("missing", file = "views/missing.sql") C { int x; };
struct SG_VIEW("blank", sql = " ; ") D { int x; };
struct SG_VIEW("blank_file", file = "blank.sql") E { int x; };
struct SG_VIEW("plain", sql = "SELECT 1 AS x") SG_INDEX(columns = "x") F { int x; };
struct SG_VIEW("keys", sql = "SELECT 1 AS x") G {
  SG_COLUMN(primary_key, foreign_key = "t.id", server_default = "1") std::int64_t x;
  SG_COLUMN(identity = "always", autoincrement, unique, index) std::int64_t y;
};
struct SG_VIEW("constrained", sql = "SELECT 1 AS x", materialized) SG_UNIQUE(columns = "x")
    SG_CHECK("c", expr = "x > 0") SG_FOREIGN_KEY(columns = "x", references = "t(id)")
    SG_INDEX(columns = "nope") H { int x; };
struct SG_TABLE("t") T { SG_COLUMN(primary_key) std::int64_t id; };
struct SG_VIEW("t", sql = "SELECT 1 AS x") I { int x; };
struct SG_VIEW("twice", sql = "SELECT 1 AS x") J { int x; };
struct SG_VIEW("twice", sql = "SELECT 2 AS x") K { int x; };
struct SG_VIEW("v", sql = "SELECT 1 AS x") SG_TABLE("v2") L { int x; };
struct SG_VIEW("bytes", file = "latin1.sql") M { int x; };
struct SG_VIEW("v3", sql = "SELECT 1 AS x", materialised) N { int x; };
)cpp",
                           {{"blank.sql", " \n;\n"}, {"latin1.sql", "SELECT 'caf\xE9' AS x"}});
  CHECK(has(errs, "2:8: SG_VIEW needs 'sql' or 'file'"));
  CHECK(has(errs, "3:47: sql and file cannot both be given"));
  CHECK(has(errs, "4:34: cannot read /schemagen-virtual/views/missing.sql: No such file"));
  CHECK(has(errs, "5:31: sql is empty"));
  CHECK(has(errs, "6:37: /schemagen-virtual/blank.sql holds no SQL"));
  CHECK(has(errs, "7:48: SG_INDEX on view 'plain', which is not materialized"));
  for (const auto& [at, key] :
       std::vector<std::pair<std::string, std::string>>{{"9:13", "primary_key"},
                                                        {"9:26", "foreign_key"},
                                                        {"9:48", "server_default"},
                                                        {"10:13", "identity"},
                                                        {"10:34", "autoincrement"},
                                                        {"10:49", "unique"},
                                                        {"10:57", "index"}})
    CHECK(has(errs,
              fmt::format("{}: {} is for a table's column, not a view's: view 'keys'", at, key)));
  CHECK(has(errs, "12:68: SG_UNIQUE does not go on a view"));
  CHECK(has(errs, "13:5: SG_CHECK does not go on a view"));
  CHECK(has(errs, "13:35: SG_FOREIGN_KEY does not go on a view"));
  CHECK(has(errs, "14:24: view 'constrained' has no column 'nope'"));
  CHECK(has(errs, "16:8: view name 't' is used twice in schema 'public'"));
  CHECK(has(errs, "18:8: view name 'twice' is used twice in schema 'public'"));
  CHECK(has(errs, "19:44: SG_TABLE and SG_VIEW cannot both go on one struct"));
  CHECK(has(errs, "20:32: /schemagen-virtual/latin1.sql is not UTF-8 text"));
  CHECK(has(errs, "21:45: unknown option 'materialised' in SG_VIEW; did you mean 'materialized'?"));
  CHECK(errs.size() == 22);
}

TEST_CASE("a header that does not compile is reported with Clang's message, nothing written") {
  const auto errs = errors(R"cpp(
struct SG_TABLE("t") T { int x };
)cpp");
  REQUIRE_FALSE(errs.empty());
  CHECK(has(errs, "2:31: expected ';' at end of declaration list"));
}

TEST_CASE("the scan finds Clang's builtin headers and the annotations header by itself") {
  CHECK_FALSE(scan::clang_resource_dir().empty());
  CHECK_FALSE(scan::annotations_include_dir().empty());
  // stddef.h comes from Clang's builtin headers, found without any -I
  auto m = ok("#include <stddef.h>\nstruct SG_TABLE(\"t\") T { int x; };\n");
  CHECK(m.tables.size() == 1);
}

TEST_CASE("the example application's metadata reads back equal from the YAML scan writes") {
  auto options = schemagen::testing::example_scan_options();
  auto r = scan::scan(options);
  INFO(r.diagnostics.str());
  REQUIRE(r.ok());
  CHECK(r.metadata->tables.size() >= 8);
  CHECK(model::from_yaml(r.yaml, "metadata.yaml") == *r.metadata);
  // and the order the sources are listed in does not matter
  REQUIRE(options.sources.size() == 2);
  std::swap(options.sources[0], options.sources[1]);
  CHECK(scan::scan(options).yaml == r.yaml);
}
