// Golden tests for the comparator and renderer, no database: test/golden/<case>/ holds the models
// and the database schema as metadata YAML, and expected.yaml the ops autogenerate must write.
// Each case's ops are also replayed in memory on the database schema: after the upgrade a second
// comparison finds nothing to do, and the downgrade then gives the database schema back exactly.
// A case with a file `online_ddl` (holding the batch size) is compared in online mode, and its
// expected.sql holds the PostgreSQL its ops compile to, statement by statement, those run outside
// a transaction marked. SCHEMAGEN_UPDATE_GOLDEN=1 rewrites the expectations on purpose.

#include "schemagen/compare/compare.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/pg/ddl.hpp"
#include "schemagen/support/files.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <filesystem>
#include <regex>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

/// An identifier as SQL spells it, unquoted: "x" → x, "a""b" → a"b.
std::string unquote(std::string s) {
  if (s.size() < 2 || s.front() != '"') return s;
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    out += s[i];
    if (s[i] == '"') ++i;
  }
  return out;
}

/// "schema.name" or "name" → (schema, name).
std::pair<std::string, std::string> split_qualified(const std::string& q) {
  static const std::regex re(R"re(^(?:("(?:[^"]|"")*"|[^".]+)\.)?("(?:[^"]|"")*"|[^".]+)$)re");
  std::smatch m;
  REQUIRE_MESSAGE(std::regex_match(q, m, re), "not a qualified name: " << q);
  return {m[1].matched ? unquote(m[1]) : "public", unquote(m[2])};
}

/// An enum's name as a column's type spells it in the golden schemas.
std::string type_name(const std::string& schema, const std::string& name) {
  return schema == "public" ? name : schema + "." + name;
}

/// Replays one op as PostgreSQL would. The ops replay themselves; of raw SQL, only the three
/// statements compare::downgrade_of() writes to rebuild an enum without a value are understood
/// (anything else fails the test, so that a new kind of statement cannot pass unreplayed).
void replay(const ops::Op& op, model::Metadata& m) {
  const auto* e = std::get_if<ops::Execute>(&op);
  if (!e) {
    ops::apply(op, m);
    return;
  }
  REQUIRE(e->sql.count(""));
  const auto& sql = e->sql.at("");
  static const std::regex rename(R"(^ALTER TYPE (\S+) RENAME TO (\S+)$)"),
      retype(R"(^ALTER TABLE (\S+) ALTER COLUMN (\S+) TYPE (\S+?)((?:\[\])*) USING .*$)"),
      drop(R"(^DROP TYPE (\S+)$)");
  auto find_enum = [&](const std::string& q) {
    const auto [schema, name] = split_qualified(q);
    const auto it = std::find_if(m.enums.begin(), m.enums.end(), [&](const model::Enum& x) {
      return x.schema == schema && x.name == name;
    });
    REQUIRE_MESSAGE(it != m.enums.end(), "no enum " << q << " for: " << sql);
    return it;
  };
  std::smatch match;
  if (std::regex_match(sql, match, rename)) {
    auto it = find_enum(match[1]);
    const auto from = type_name(it->schema, it->name);
    it->name = unquote(match[2]);
    const auto to = type_name(it->schema, it->name);
    for (auto& t : m.tables) // the columns of that type follow it, as in PostgreSQL
      for (auto& c : t.columns)
        if (c.type == from || c.type.starts_with(from + "["))
          c.type = to + c.type.substr(from.size());
  } else if (std::regex_match(sql, match, retype)) {
    const auto [schema, table] = split_qualified(match[1]);
    const auto column = unquote(match[2]);
    const auto [type_schema, type] = split_qualified(match[3]);
    auto t = std::find_if(m.tables.begin(), m.tables.end(), [&](const model::Table& x) {
      return x.schema == schema && x.name == table;
    });
    REQUIRE_MESSAGE(t != m.tables.end(), "no table for: " << sql);
    auto c = std::find_if(t->columns.begin(), t->columns.end(),
                          [&](const model::Column& x) { return x.name == column; });
    REQUIRE_MESSAGE(c != t->columns.end(), "no column for: " << sql);
    c->type = type_name(type_schema, type) + match[4].str();
  } else if (std::regex_match(sql, match, drop)) {
    const auto it = find_enum(match[1]);
    for (const auto& t : m.tables)
      for (const auto& c : t.columns)
        REQUIRE_MESSAGE(c.type.rfind(type_name(it->schema, it->name), 0) != 0,
                        "DROP TYPE of a type column " << c.name << " still uses: " << sql);
    m.enums.erase(it);
  } else {
    FAIL("execute that the golden replay does not understand: " << sql);
  }
}

/// The PostgreSQL `ops` compile to, a statement per paragraph, what runs on its own outside the
/// revision's transaction marked so.
std::string compiled(const std::vector<ops::Op>& ops) {
  std::string out;
  for (const auto& op : ops)
    for (const auto& st : pg::compile(op))
      out += (st.transactional ? "" : "-- outside the transaction\n") + st.sql + ";\n\n";
  return out;
}

/// The schema as compare sees it: canonical spelling, canonical order.
std::string canonical(const model::Metadata& m) {
  return model::to_yaml(compare::canonical_text(m));
}

} // namespace

TEST_CASE("golden: models + database schema → the revision autogenerate writes") {
  const fs::path root = SCHEMAGEN_SOURCE_DIR "/test/golden";
  const bool update = std::getenv("SCHEMAGEN_UPDATE_GOLDEN") != nullptr;
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const auto dir = entry.path();
    CAPTURE(dir.filename().string());
    const auto models =
        model::from_yaml(read_file(dir / "models.yaml"), (dir / "models.yaml").string());
    const auto database =
        model::from_yaml(read_file(dir / "database.yaml"), (dir / "database.yaml").string());
    compare::Options options;
    options.needs_using = compare::textual_needs_using;
    const bool online = fs::exists(dir / "online_ddl");
    if (online) options.online_batch_size = std::stol(read_file(dir / "online_ddl"));
    const auto result = compare::compare(models, compare::canonical_text(models),
                                         compare::canonical_text(database), options);
    std::string text = "upgrade:" + ops::write_ops(result.upgrade) +
                       "\ndowngrade:" + ops::write_ops(result.downgrade) + "\n";
    for (const auto& w : result.warnings) text += "# warning: " + w + "\n";
    if (update) write_file_atomic(dir / "expected.yaml", text);
    REQUIRE(fs::exists(dir / "expected.yaml"));
    CHECK(text == read_file(dir / "expected.yaml"));
    if (online) {
      const auto sql = "-- upgrade\n\n" + compiled(result.upgrade) + "-- downgrade\n\n" +
                       compiled(result.downgrade);
      if (update) write_file_atomic(dir / "expected.sql", sql);
      REQUIRE(fs::exists(dir / "expected.sql"));
      CHECK(sql == read_file(dir / "expected.sql"));
    }
    // the downgrade really is the inverse: replaying up then down gives the database back
    model::Metadata replayed = database;
    for (const auto& op : result.upgrade) {
      CAPTURE(ops::describe(op));
      replay(op, replayed);
    }
    // after the upgrade, comparing again finds nothing left to do
    const auto again = compare::compare(models, compare::canonical_text(models),
                                        compare::canonical_text(replayed), options);
    CHECK(ops::write_ops(again.upgrade) == " []");
    for (const auto& op : result.downgrade) {
      CAPTURE(ops::describe(op));
      replay(op, replayed);
    }
    CHECK(canonical(replayed) == canonical(database));
    ++cases;
  }
  CHECK(cases >= 6);
}

TEST_CASE("online mode refuses a type change that rewrites the table, at the model's column") {
  const auto database = model::from_yaml(R"(tables:
  - name: orders
    schema: public
    columns:
      - {name: id, type: bigint, nullable: false}
      - {name: amount, type: integer, nullable: true}
)",
                                         "database.yaml");
  const auto models = model::from_yaml(R"(tables:
  - name: orders
    schema: public
    columns:
      - {name: id, type: BIGINT, nullable: false}
      - {name: amount, type: BIGINT, nullable: true}
)",
                                       "models.yaml");
  compare::Options options;
  options.needs_using = compare::textual_needs_using;
  // the plain form changes it
  CHECK(compare::compare(models, compare::canonical_text(models), compare::canonical_text(database),
                         options)
            .upgrade.size() == 1);
  options.online_batch_size = 1000;
  try {
    compare::compare(models, compare::canonical_text(models), compare::canonical_text(database),
                     options);
    FAIL("online mode wrote a type change that rewrites the table");
  } catch (const DiagnosticsError& e) {
    const std::string message = e.what();
    CHECK(message.find("models.yaml:6:") != std::string::npos);
    CHECK(message.find("public.orders.amount from integer to bigint rewrites the table") !=
          std::string::npos);
    CHECK(message.find("Expand and contract") != std::string::npos);
  }
}

TEST_CASE("online mode refuses an identity or serial column added to a table with rows") {
  const auto database = model::from_yaml(R"(tables:
  - name: orders
    schema: public
    columns:
      - {name: id, type: bigint, nullable: false}
)",
                                         "database.yaml");
  for (const char* how : {"identity: always", "autoincrement: true"}) {
    CAPTURE(how);
    const auto models = model::from_yaml(fmt::format(R"(tables:
  - name: orders
    schema: public
    columns:
      - {{name: id, type: BIGINT, nullable: false}}
      - {{name: seq, type: BIGINT, nullable: false, {}}}
  - name: fresh
    schema: public
    columns:
      - {{name: id, type: BIGINT, nullable: false, {}}}
)",
                                                     how, how),
                                         "models.yaml");
    compare::Options options;
    options.online_batch_size = 1000;
    try {
      compare::compare(models, compare::canonical_text(models),
                       compare::canonical_text(database), options);
      FAIL("online mode added a column that fills every row under the table's lock");
    } catch (const DiagnosticsError& e) {
      const std::string message = e.what();
      CHECK(message.find("models.yaml:6:") != std::string::npos);
      CHECK(message.find("public.orders.seq") != std::string::npos);
      CHECK(message.find("fresh") == std::string::npos); // a new table has no rows to fill
    }
    options.online_batch_size.reset(); // the plain form adds it
    CHECK(compare::compare(models, compare::canonical_text(models),
                           compare::canonical_text(database), options)
              .upgrade.size() == 2);
  }
}
