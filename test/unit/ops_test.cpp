// lib/ops: reverse(), the revision-file YAML of every op, and in-memory replay.

#include "schemagen/ops/apply.hpp"
#include "schemagen/ops/yaml.hpp"

#include "objects.hpp"

#include <algorithm>
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

/// Every op, with every field each can carry set somewhere (a table's indexes excepted: they are
/// ops of their own), for the revision-file YAML test.
std::vector<Op> every_field() {
  auto ops = every_op();
  model::Column full = col("c", "TEXT", true);
  full.server_default = "'x: y'";
  full.comment = "A \"quoted\" note";
  model::Column counter = col("n", "BIGINT");
  counter.identity = model::Identity::by_default;
  model::Column serial = col("s", "INTEGER");
  serial.autoincrement = true;
  model::Table t = users();
  t.name = "audit";
  t.columns.push_back(full);
  t.foreign_keys = {
      {"audit_org_id_fkey", {"org_id"}, "other", "orgs", {"id"}, "SET NULL", "CASCADE", {}}};
  t.checks = {{"ck_audit", "length(email) > 3", {}}};
  ops.push_back(CreateTable{t});
  ops.push_back(AddColumn{"public", "t", counter});
  ops.push_back(AddColumn{"public", "t", serial});
  AlterColumn alter;
  alter.table = "t";
  alter.name = "n";
  alter.type = "INTEGER";
  alter.using_ = "n::INTEGER";
  alter.nullable = true;
  alter.server_default = std::optional<std::string>();
  alter.comment = std::optional<std::string>();
  alter.identity = model::Identity::none;
  alter.new_name = "m";
  alter.existing_type = "bigint";
  alter.existing_nullable = false;
  alter.existing_server_default = std::optional<std::string>("0");
  alter.existing_comment = std::optional<std::string>("old");
  alter.existing_identity = model::Identity::by_default;
  ops.push_back(alter);
  ops.push_back(
      CreateIndex{"public", "t", {"ix_t_m", {"m"}, false, std::nullopt, "brin", {}}, true});
  ops.push_back(CreateForeignKey{
      "public", "t", {"t_m_fkey", {"m"}, "public", "u", {"id"}, "", "SET DEFAULT", {}}});
  ops.push_back(CreatePrimaryKey{"public", "t", {"t_pkey", {"m", "s"}}});
  ops.push_back(Execute{{{"postgresql", "SELECT 1"}, {"sqlite", "SELECT 2"}}});
  ops.push_back(Execute{{{"", "UPDATE t SET a = 'x: y' -- c"}}});
  auto replayed = std::make_shared<std::vector<LocatedOp>>();
  replayed->push_back({AddColumn{"public", "t", col("v", "TEXT", true)}, {}});
  ops.push_back(Execute{{{"", "ALTER TABLE t ADD v text"}}, replayed});
  ops.push_back(
      Execute{{{"", "CREATE VIEW v AS SELECT 1"}}, std::make_shared<std::vector<LocatedOp>>()});
  ops.push_back(BulkInsert{"auth",
                           "users",
                           {{{"id", {Literal::Kind::number, "1"}},
                             {"email", {Literal::Kind::string, "007"}},
                             {"active", {Literal::Kind::boolean, "true"}},
                             {"role", {Literal::Kind::null, ""}}},
                            {{"id", {Literal::Kind::number, "-2.5e3"}},
                             {"email", {Literal::Kind::string, "a \"b\" \\ c"}}}}});
  ops.push_back(AddEnumValue{"auth", "role", "owner", "admin", std::nullopt});
  ops.push_back(AddEnumValue{"public", "mood", "meh", std::nullopt, "ok"});
  ops.push_back(AddEnumValue{"public", "mood", "last", std::nullopt, std::nullopt});
  ops.push_back(DropConstraint{"auth", "users", "ck", ConstraintType::check,
                               model::CheckConstraint{"ck", "a > 0", {}}});
  ops.push_back(DropConstraint{"auth", "users", "users_pkey", ConstraintType::primary_key,
                               model::PrimaryKey{"users_pkey", {"id"}}});
  ops.push_back(DropConstraint{"auth", "users", "uq", ConstraintType::unique,
                               model::UniqueConstraint{"uq", {"a", "b"}, {}}});
  ops.push_back(DropConstraint{
      "auth", "users", "fk", ConstraintType::foreign_key,
      model::ForeignKey{"fk", {"org_id"}, "public", "orgs", {"id"}, "RESTRICT", "", {}}});
  ops.push_back(DropConstraint{"public", "t", "whatever", std::nullopt, std::nullopt});
  ops.push_back(DropIndex{"auth", "users", "ix",
                          model::Index{"ix", {"a"}, false, std::nullopt, "gin", {}}, true});
  ops.push_back(DropIndex{"public", "", "ix_plain", std::nullopt, false});
  ops.push_back(DropColumn{"auth", "users", "c", full});
  ops.push_back(DropColumn{"public", "t", "gone", std::nullopt});
  ops.push_back(SetTableComment{"public", "t", std::nullopt, std::optional<std::string>()});
  ops.push_back(DropTable{"auth", "audit", t});
  ops.push_back(DropTable{"public", "plain", std::nullopt});
  ops.push_back(DropEnum{"auth", "role", std::vector<std::string>{"a", "b"}});
  ops.push_back(DropEnum{"public", "mood", std::nullopt});
  ops.push_back(DropSchema{"auth"});
  return ops;
}

/// What the writer must write for every_field(), spelled out by hand: a field the writer drops
/// (or the reader loses on the way back) shows here.
const char* const every_field_yaml = R"yaml(
  - create_schema: auth
  - create_enum:
      name: role
      schema: auth
      values: [admin, member]
  - create_table:
      name: orgs
      schema: auth
      columns:
        - {name: id, type: BIGINT, nullable: false}
      primary_key: {name: orgs_pkey, columns: [id]}
  - create_table:
      name: users
      schema: auth
      comment: People
      columns:
        - {name: id, type: BIGINT, nullable: false, identity: always}
        - {name: email, type: TEXT, nullable: true}
        - {name: org_id, type: BIGINT, nullable: false}
      primary_key: {name: users_pkey, columns: [id]}
      unique:
        - {name: users_email_key, columns: [email]}
  - add_column:
      table: users
      schema: auth
      column: {name: role, type: auth.role, nullable: true}
  - alter_column:
      table: users
      schema: auth
      name: email
      type: VARCHAR(200)
      nullable: false
      server_default: "''"
      comment: Where mail goes
      existing_type: TEXT
      existing_nullable: true
      existing_server_default: null
      existing_comment: null
  - create_index:
      name: ix_users_email
      table: users
      schema: auth
      columns: [email, lower(email)]
      unique: true
      where: email <> ''
  - create_foreign_key:
      name: users_org_id_fkey
      table: users
      schema: auth
      columns: [org_id]
      referred_table: orgs
      referred_columns: [id]
      on_delete: CASCADE
  - create_check_constraint:
      name: ck_users_email
      table: users
      schema: auth
      expression: email <> 'x'
  - create_unique_constraint:
      name: uq_users_org_email
      table: users
      schema: auth
      columns: [org_id, email]
  - set_table_comment:
      table: users
      schema: auth
      comment: Everyone
      existing_comment: People
  - rename_table:
      name: orgs
      schema: auth
      new_name: organisations
  - create_table:
      name: audit
      schema: auth
      comment: People
      columns:
        - {name: id, type: BIGINT, nullable: false, identity: always}
        - {name: email, type: TEXT, nullable: true}
        - {name: org_id, type: BIGINT, nullable: false}
        - {name: c, type: TEXT, nullable: true, server_default: "'x: y'", comment: "A \"quoted\" note"}
      primary_key: {name: users_pkey, columns: [id]}
      unique:
        - {name: users_email_key, columns: [email]}
      foreign_keys:
        - {name: audit_org_id_fkey, columns: [org_id], referred_schema: other, referred_table: orgs, referred_columns: [id], on_delete: SET NULL, on_update: CASCADE}
      checks:
        - {name: ck_audit, expression: length(email) > 3}
  - add_column:
      table: t
      column: {name: "n", type: BIGINT, nullable: false, identity: by default}
  - add_column:
      table: t
      column: {name: s, type: INTEGER, nullable: false, autoincrement: true}
  - alter_column:
      table: t
      name: "n"
      type: INTEGER
      using: n::INTEGER
      nullable: true
      server_default: null
      comment: null
      identity: null
      new_name: m
      existing_type: bigint
      existing_nullable: false
      existing_server_default: "0"
      existing_comment: old
      existing_identity: by default
  - create_index:
      name: ix_t_m
      table: t
      columns: [m]
      using: brin
      concurrently: true
  - create_foreign_key:
      name: t_m_fkey
      table: t
      columns: [m]
      referred_table: u
      referred_columns: [id]
      on_update: SET DEFAULT
  - create_primary_key:
      name: t_pkey
      table: t
      columns: [m, s]
  - execute:
      postgresql: SELECT 1
      sqlite: SELECT 2
  - execute: "UPDATE t SET a = 'x: y' -- c"
  - execute:
      sql: ALTER TABLE t ADD v text
      replay: )yaml" /* the writer leaves a space here, and the checksums of applied revisions
                        depend on its output */
                                     R"yaml(
      - add_column:
          table: t
          column: {name: v, type: TEXT, nullable: true}
  - execute:
      sql: CREATE VIEW v AS SELECT 1
      replay: []
  - bulk_insert:
      table: users
      schema: auth
      rows:
        - {id: 1, email: "007", active: true, role: null}
        - {id: -2.5e3, email: "a \"b\" \\ c"}
  - add_enum_value:
      name: role
      schema: auth
      value: owner
      before: admin
  - add_enum_value:
      name: mood
      value: meh
      after: ok
  - add_enum_value:
      name: mood
      value: last
  - drop_constraint:
      name: ck
      table: users
      schema: auth
      type: check
      existing: {name: ck, expression: a > 0}
  - drop_constraint:
      name: users_pkey
      table: users
      schema: auth
      type: primary_key
      existing: {name: users_pkey, columns: [id]}
  - drop_constraint:
      name: uq
      table: users
      schema: auth
      type: unique
      existing: {name: uq, columns: [a, b]}
  - drop_constraint:
      name: fk
      table: users
      schema: auth
      type: foreign_key
      existing: {name: fk, columns: [org_id], referred_schema: public, referred_table: orgs, referred_columns: [id], on_delete: RESTRICT}
  - drop_constraint:
      name: whatever
      table: t
  - drop_index:
      name: ix
      table: users
      schema: auth
      concurrently: true
      existing: {name: ix, columns: [a], using: gin}
  - drop_index:
      name: ix_plain
  - drop_column:
      table: users
      schema: auth
      name: c
      existing: {name: c, type: TEXT, nullable: true, server_default: "'x: y'", comment: "A \"quoted\" note"}
  - drop_column:
      table: t
      name: gone
  - set_table_comment:
      table: t
      comment: null
      existing_comment: null
  - drop_table:
      name: audit
      schema: auth
      existing:
        name: audit
        schema: auth
        comment: People
        columns:
          - {name: id, type: BIGINT, nullable: false, identity: always}
          - {name: email, type: TEXT, nullable: true}
          - {name: org_id, type: BIGINT, nullable: false}
          - {name: c, type: TEXT, nullable: true, server_default: "'x: y'", comment: "A \"quoted\" note"}
        primary_key: {name: users_pkey, columns: [id]}
        unique:
          - {name: users_email_key, columns: [email]}
        foreign_keys:
          - {name: audit_org_id_fkey, columns: [org_id], referred_schema: other, referred_table: orgs, referred_columns: [id], on_delete: SET NULL, on_update: CASCADE}
        checks:
          - {name: ck_audit, expression: length(email) > 3}
  - drop_table:
      name: plain
  - drop_enum:
      name: role
      schema: auth
      existing_values: [a, b]
  - drop_enum:
      name: mood
  - drop_schema: auth)yaml";

} // namespace

TEST_CASE("every op and every field survives the round trip through revision-file YAML") {
  const auto ops = every_field();
  // written: exactly what a reviewer reads, every field present
  CHECK(text(ops) == every_field_yaml);
  // read back: the same ops, every field kept (the writer is pinned above, so a field the reader
  // loses shows as a difference here)
  const auto back = read(std::string(every_field_yaml).substr(1));
  REQUIRE(back.size() == ops.size());
  CHECK(text(back) == every_field_yaml);
  // values the text cannot show: a string that looks like a number stays a string
  const auto bulk = std::find_if(back.begin(), back.end(),
                                 [](const Op& o) { return std::holds_alternative<BulkInsert>(o); });
  REQUIRE(bulk != back.end());
  const auto& rows = std::get<BulkInsert>(*bulk).rows;
  CHECK(rows[0][0].second == Literal{Literal::Kind::number, "1"});
  CHECK(rows[0][1].second == Literal{Literal::Kind::string, "007"});
  CHECK(rows[0][2].second == Literal{Literal::Kind::boolean, "true"});
  CHECK(rows[0][3].second == Literal{Literal::Kind::null, ""});
  CHECK(rows[1][1].second == Literal{Literal::Kind::string, "a \"b\" \\ c"});
  const auto alter = std::find_if(back.begin(), back.end(), [](const Op& o) {
    return std::holds_alternative<AlterColumn>(o) && std::get<AlterColumn>(o).name == "n";
  });
  REQUIRE(alter != back.end());
  const auto& a = std::get<AlterColumn>(*alter);
  CHECK(a.identity == model::Identity::none); // "identity: null" removes it
  CHECK(a.server_default == Change<std::string>(std::optional<std::string>()));
  CHECK(a.existing_server_default == Change<std::string>(std::optional<std::string>("0")));
}

TEST_CASE("reverse() undoes each op, and reversing twice gives the op back") {
  for (const auto& op : every_op()) {
    CAPTURE(describe(op));
    REQUIRE(reversible(op));
    CHECK(text({reverse(reverse(op))}) == text({op}));
  }
  // every field survives too (the text is pinned field by field by the test above)
  int reversed = 0;
  for (const auto& op : every_field()) {
    if (!reversible(op)) continue;
    CAPTURE(describe(op));
    CHECK(text({reverse(reverse(op))}) == text({op}));
    ++reversed;
  }
  CHECK(reversed >= 25);
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

namespace {

/// Views and schema objects of each kind, created, replaced and dropped.
std::vector<Op> schema_object_ops() {
  model::View v;
  v.schema = "auth";
  v.name = "active_users";
  v.sql = "SELECT id, username\nFROM auth.users\nWHERE NOT disabled";
  model::View mv = v;
  mv.name = "user_counts";
  mv.materialized = true;
  mv.sql = "SELECT org_id, count(*) AS n FROM auth.users GROUP BY org_id";
  mv.indexes = {{"ix_user_counts_org", {"org_id"}, true, std::nullopt, "btree", {}}};
  model::View replaced = v;
  replaced.sql = "SELECT id, username, email FROM auth.users WHERE NOT disabled";
  const auto object = testing::db_object;
  using K = model::ObjectKind;
  const auto ext = object(K::extension, "", "citext", "", "CREATE EXTENSION citext");
  const auto fn = object(K::function, "public", "touch", "()",
                         "CREATE FUNCTION touch() RETURNS trigger\nLANGUAGE plpgsql AS $$\n"
                         "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND $$");
  auto fn2 = fn;
  fn2.sql = "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$";
  const auto trg = object(K::trigger, "auth", "users_touch", "auth.users",
                          "CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users FOR EACH ROW "
                          "EXECUTE FUNCTION touch()");
  const auto seq = object(K::sequence, "public", "invoice_no", "", "CREATE SEQUENCE invoice_no START 1000");
  auto seq2 = seq;
  seq2.sql = "CREATE SEQUENCE invoice_no START 1000 INCREMENT 10";
  const auto pol = object(K::policy, "auth", "own_rows", "auth.users",
                          "CREATE POLICY own_rows ON auth.users USING (id = 1)");
  const auto grant = object(K::grant, "", "SELECT ON auth.active_users TO reader", "",
                            "GRANT SELECT ON auth.active_users TO reader");
  return {CreateView{v},          CreateView{mv},          ReplaceView{replaced, v},
          CreateObject{ext},      CreateObject{fn},        ReplaceObject{fn2, fn},
          CreateObject{trg},      CreateObject{seq},       ReplaceObject{seq2, seq},
          CreateObject{pol},      CreateObject{grant},     DropObject{grant},
          DropObject{trg},        DropView{mv}};
}

} // namespace

TEST_CASE("views and schema objects: YAML round trip, op names, reverse and replay") {
  const auto ops = schema_object_ops();
  const auto yaml = text(ops);
  // SQL of several lines as a block, as a reviewer reads it
  CHECK(yaml.find("- create_view:\n      name: active_users\n      schema: auth\n      sql: |-\n"
                  "        SELECT id, username\n        FROM auth.users\n") != std::string::npos);
  CHECK(yaml.find("- replace_view:") != std::string::npos);
  CHECK(yaml.find("- create_extension:\n      name: citext\n      sql: CREATE EXTENSION citext") !=
        std::string::npos);
  CHECK(yaml.find("- replace_function:") != std::string::npos);
  CHECK(yaml.find("- alter_sequence:") != std::string::npos);
  CHECK(yaml.find("- create_trigger:\n      name: users_touch\n      schema: auth\n      target: "
                  "auth.users") != std::string::npos);
  CHECK(yaml.find("- grant:") != std::string::npos);
  CHECK(yaml.find("- revoke:") != std::string::npos);
  CHECK(yaml.find("- drop_view:\n      name: user_counts\n      schema: auth\n      materialized: "
                  "true") != std::string::npos);
  const auto back = read(yaml.substr(1));
  REQUIRE(back.size() == ops.size());
  CHECK(text(back) == yaml);
  CHECK(name(back[5]) == "replace_function");
  CHECK(describe(back[6]) == "create_trigger users_touch on auth.users");
  CHECK(describe(back[4]) == "create_function public.touch()");

  for (const auto& op : ops) {
    CAPTURE(describe(op));
    REQUIRE(reversible(op));
    CHECK(text({reverse(reverse(op))}) == text({op}));
  }
  // a drop that does not say what it dropped cannot be undone
  model::View unknown;
  unknown.name = "v";
  CHECK_FALSE(reversible(DropView{unknown}));

  model::Metadata m;
  std::vector<model::Metadata> states{m};
  for (const auto& op : ops) {
    apply(op, m);
    states.push_back(m);
  }
  CHECK(m.views.size() == 1);
  CHECK(m.find_view("auth", "active_users")->sql.find("email") != std::string::npos);
  CHECK(m.objects.size() == 4); // extension, function, sequence, policy
  const auto down = reverse_all(ops);
  for (std::size_t i = 0; i < down.size(); ++i) {
    apply(down[i], m);
    auto expected = states[states.size() - 2 - i];
    model::canonicalize(expected);
    auto got = m;
    model::canonicalize(got);
    CAPTURE(describe(down[i]));
    CHECK(got == expected);
  }
  CHECK_THROWS_AS(apply(CreateView{std::get<CreateView>(ops[0]).view},
                        states[1]), UserError); // made twice
}

TEST_CASE("a Replay's hashed views and objects do what apply() does, refusals included") {
  const auto ops = schema_object_ops();
  const auto reversed = reverse_all(ops);
  model::Metadata by_apply, by_replay;
  Replay replay(by_replay);
  for (const auto* list : {&ops, &reversed, &ops})
    for (const auto& op : *list) {
      CAPTURE(describe(op));
      apply(op, by_apply);
      replay.apply(op);
      CHECK(by_replay == by_apply);
      // whatever apply() refuses now, the Replay refuses too, and the other way round
      for (const auto& again : ops) {
        if (!std::holds_alternative<CreateView>(again) && !std::holds_alternative<CreateObject>(again))
          continue;
        auto a = by_apply;
        bool apply_refused = false, replay_refused = false;
        try {
          apply(again, a);
        } catch (const UserError&) {
          apply_refused = true;
        }
        auto r = by_replay;
        Replay probe(r);
        try {
          probe.apply(again);
        } catch (const UserError&) {
          replay_refused = true;
        }
        CAPTURE(describe(again));
        CHECK(apply_refused == replay_refused);
      }
    }
}

TEST_CASE("SQL holding a control character is written quoted, since a block scalar cannot hold it") {
  model::View v;
  v.name = "v";
  v.schema = "public";
  v.sql = std::string("SELECT 1\n-- a NUL \0 and a bell \a here\nFROM t", 44);
  REQUIRE(v.sql.find('\0') != std::string::npos);
  const std::vector<Op> ops{CreateView{v}};
  const auto yaml = text(ops);
  CHECK(yaml.find("|-") == std::string::npos);
  CHECK(yaml.find("\\x00") != std::string::npos);
  const auto back = read(yaml.substr(1));
  REQUIRE(back.size() == 1);
  CHECK(std::get<CreateView>(back[0]).view.sql == v.sql);
}
