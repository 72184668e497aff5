// lib/ops: reverse(), the revision-file YAML of every op, and in-memory replay.

#include "schemagen/ops/apply.hpp"
#include "schemagen/ops/yaml.hpp"

#include <doctest/doctest.h>

using namespace schemagen;
using namespace schemagen::ops;

namespace {

model::Column col(std::string name, std::string type, bool nullable = false) {
  model::Column c;
  c.name = std::move(name);
  c.type = std::move(type);
  c.nullable = nullable;
  return c;
}

model::Table users() {
  model::Table t;
  t.schema = "auth";
  t.name = "users";
  t.comment = "People";
  t.columns = {col("id", "BIGINT"), col("email", "TEXT", true), col("org_id", "BIGINT")};
  t.columns[0].identity = model::Identity::always;
  t.primary_key = model::PrimaryKey{"users_pkey", {"id"}};
  t.unique_constraints = {{"users_email_key", {"email"}, {}}};
  return t;
}

/// One op of every kind, each reversible except where noted, applicable in order from empty.
std::vector<Op> every_op() {
  model::Table orgs;
  orgs.schema = "auth";
  orgs.name = "orgs";
  orgs.columns = {col("id", "BIGINT")};
  orgs.primary_key = model::PrimaryKey{"orgs_pkey", {"id"}};
  AlterColumn alter;
  alter.schema = "auth";
  alter.table = "users";
  alter.name = "email";
  alter.type = "VARCHAR(200)";
  alter.existing_type = "TEXT";
  alter.nullable = false;
  alter.existing_nullable = true;
  alter.server_default = std::optional<std::string>("''");
  alter.existing_server_default = std::optional<std::string>();
  alter.comment = std::optional<std::string>("Where mail goes");
  alter.existing_comment = std::optional<std::string>();
  model::Index ix{"ix_users_email", {"email", "lower(email)"}, true, "email <> ''", "btree", {}};
  return {
      CreateSchema{"auth"},
      CreateEnum{model::Enum{"auth", "role", {"admin", "member"}, {}}},
      CreateTable{orgs},
      CreateTable{users()},
      AddColumn{"auth", "users", col("role", "auth.role", true)},
      alter,
      CreateIndex{"auth", "users", ix, false},
      CreateForeignKey{
          "auth",
          "users",
          {"users_org_id_fkey", {"org_id"}, "auth", "orgs", {"id"}, "CASCADE", "", {}}},
      CreateCheckConstraint{"auth", "users", {"ck_users_email", "email <> 'x'", {}}},
      CreateUniqueConstraint{"auth", "users", {"uq_users_org_email", {"org_id", "email"}, {}}},
      SetTableComment{"auth", "users", "Everyone", std::optional<std::string>("People")},
      RenameTable{"auth", "orgs", "organisations"},
  };
}

std::string text(const std::vector<Op>& ops) { return write_ops(ops); }

std::vector<Op> read(const std::string& yaml_list) {
  const yaml::Reader r("ops.yaml");
  std::vector<Op> out;
  for (auto& lo : read_ops(r, r.parse(yaml_list), "upgrade")) out.push_back(lo.op);
  return out;
}

} // namespace

TEST_CASE("every op survives the round trip through revision-file YAML") {
  auto ops = every_op();
  ops.push_back(Execute{{{"postgresql", "SELECT 1"}, {"sqlite", "SELECT 2"}}});
  ops.push_back(Execute{{{"", "UPDATE t SET a = 'x: y' -- c"}}});
  ops.push_back(BulkInsert{"auth",
                           "users",
                           {{{"id", {Literal::Kind::number, "1"}},
                             {"email", {Literal::Kind::string, "007"}},
                             {"role", {Literal::Kind::null, ""}}}}});
  ops.push_back(AddEnumValue{"auth", "role", "owner", "admin", std::nullopt});
  ops.push_back(DropConstraint{"auth", "users", "ck", ConstraintType::check,
                               model::CheckConstraint{"ck", "a > 0", {}}});
  ops.push_back(DropIndex{"auth", "users", "ix",
                          model::Index{"ix", {"a"}, false, std::nullopt, "gin", {}}, true});
  ops.push_back(DropColumn{"auth", "users", "c", col("c", "TEXT")});
  ops.push_back(DropTable{"auth", "users", users()});
  ops.push_back(DropEnum{"auth", "role", std::vector<std::string>{"a", "b"}});
  ops.push_back(DropSchema{"auth"});
  const std::string first = "\n" + text(ops).substr(1);
  const auto back = read(first);
  REQUIRE(back.size() == ops.size());
  CHECK(text(back) == text(ops));
  // a string that looks like a number stays a string in bulk_insert
  const auto& bulk = std::get<BulkInsert>(back[back.size() - 8]);
  CHECK(bulk.rows[0][1].second == Literal{Literal::Kind::string, "007"});
  CHECK(bulk.rows[0][0].second == Literal{Literal::Kind::number, "1"});
}

TEST_CASE("reverse() undoes each op, and reversing twice gives the op back") {
  for (const auto& op : every_op()) {
    CAPTURE(describe(op));
    REQUIRE(reversible(op));
    CHECK(text({reverse(reverse(op))}) == text({op}));
  }
}

TEST_CASE("replaying an upgrade and its derived downgrade returns to where it started") {
  model::Metadata m;
  const auto up = every_op();
  std::vector<model::Metadata> states{m};
  for (const auto& op : up) {
    apply(op, m);
    states.push_back(m);
  }
  const auto& u = m.tables[1];
  CHECK(u.find_column("email")->type == "VARCHAR(200)");
  CHECK(m.tables[0].name == "organisations");
  CHECK(u.foreign_keys.at(0).referred_table == "organisations"); // a rename follows into references
  const auto down = reverse_all(up);
  for (std::size_t i = 0; i < down.size(); ++i) {
    apply(down[i], m);
    auto expected = states[states.size() - 2 - i];
    auto got = m;
    model::canonicalize(expected);
    model::canonicalize(got);
    CAPTURE(describe(down[i]));
    CHECK(got == expected);
  }
}

TEST_CASE("an op that cannot be reversed says which and why") {
  CHECK_THROWS_WITH_AS(reverse(Execute{{{"", "DELETE FROM t"}}}),
                       doctest::Contains("execute \"DELETE FROM t\" cannot be reversed"),
                       UserError);
  CHECK_THROWS_WITH_AS(reverse(DropTable{"public", "t", std::nullopt}),
                       doctest::Contains("does not carry the table it drops"), UserError);
  CHECK_THROWS_WITH_AS(reverse(AddEnumValue{"public", "e", "v", std::nullopt, std::nullopt}),
                       doctest::Contains("cannot remove a value from an enum"), UserError);
  AlterColumn a;
  a.table = "t";
  a.name = "c";
  a.type = "TEXT";
  CHECK_THROWS_WITH_AS(reverse(a), doctest::Contains("existing_type"), UserError);
}

TEST_CASE("replay refuses what PostgreSQL would refuse") {
  model::Metadata m;
  CHECK_THROWS_WITH_AS(apply(AddColumn{"public", "nope", col("c", "TEXT")}, m),
                       doctest::Contains("add_column nope.c: no table public.nope"), UserError);
  apply(CreateTable{users()}, m);
  CHECK_THROWS_AS(apply(CreateTable{users()}, m), UserError);
  CHECK(apply(Execute{{{"", "SELECT 1"}}}, m).exact == false);
  apply(DropColumn{"auth", "users", "email", std::nullopt}, m);
  CHECK(m.tables[0].unique_constraints.empty()); // dropped with its column
}

TEST_CASE("describe names a column's new name beside its old one") {
  AlterColumn rename;
  rename.schema = "auth";
  rename.table = "users";
  rename.name = "mail";
  rename.new_name = "email";
  CHECK(describe(rename) == "alter_column auth.users.mail to email");
  CHECK(describe(reverse(rename)) == "alter_column auth.users.email to mail");
  rename.new_name.reset();
  rename.nullable = true;
  CHECK(describe(rename) == "alter_column auth.users.mail");
}
