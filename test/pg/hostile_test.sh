#!/usr/bin/env bash
# Names and expressions that must reach the server exactly as written, and nowhere else: hostile
# and case-sensitive names in every annotation option that becomes an identifier, through the
# online check (which must never change the database), autogenerate, upgrade, offline SQL and
# downgrade; one bad default reported at its own member only; a column changed to an enum type the
# same change creates; expression indexes under compare_type: false.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

prelude='#include <schemagen/annotations.hpp>
#include <cstdint>
#include <chrono>
#include <optional>
#include <string>'

# use_db NAME: a fresh database, in $url and as the one schemagen uses.
use_db() {
  url=$(new_db "$1")
  export SCHEMAGEN_DATABASE_URL=$url
}

# project NAME MODELS [CONFIG LINES]: a project in $WORK/NAME with models m.hpp; cd into it.
project() {
  mkdir -p "$WORK/$1/revisions"
  cd "$WORK/$1" || exit 1
  printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n%s' "${3:-}" > schemagen.yaml
  printf '%s\n%s\n' "$prelude" "$2" > m.hpp
}

# ---- hostile names ----------------------------------------------------------------------------
evil_enum='e); COMMIT; DROP TABLE victim; CREATE TABLE zz (q int'
project hostile '
enum class SG_ENUM("e); COMMIT; DROP TABLE victim; CREATE TABLE zz (q int") F { b, c };
enum class SG_ENUM("Status", schema = "Auth") S { on, off };
struct SG_TABLE("Order Items", schema = "Auth")
    SG_INDEX("ix \"q\"; DROP TABLE victim; --", columns = "from")
    SG_INDEX("Ix_Upper", columns = "lower(\"from\")", where = "\"from\" <> '"'"'x'"'"'")
    SG_CHECK("ck'"'"'; DROP TABLE victim; --", expr = "id > 0")
    SG_UNIQUE("uq\"; DROP TABLE victim; --", columns = "from, f") OrderItem {
  SG_COLUMN(primary_key) std::int64_t id;
  F f;
  SG_COLUMN(server_default = "'"'"'on'"'"'") S s;
  std::string from;
  SG_COLUMN(unique, name = "Select") std::string select_;
};
struct SG_TABLE("Parent", schema = "Auth") Parent { SG_COLUMN(primary_key) std::int64_t id; };
struct SG_TABLE("child; DROP TABLE victim", schema = "Auth")
    SG_FOREIGN_KEY("fk\"); DROP TABLE victim; --", columns = "other", references = "Auth.Parent(id)") Child {
  SG_COLUMN(primary_key) std::int64_t id;
  std::int64_t other;
  SG_COLUMN(foreign_key = "Auth.Parent.id", name = "Parent Id") std::int64_t parent;
};' 'exclude_tables: [victim]
version_table: "v\"; DROP TABLE victim; --"
'
use_db hostile
q "$url" "CREATE TABLE victim (id int)" >/dev/null
untouched() { # what nothing may have changed, after $1
  [ "$(q "$url" "SELECT to_regclass('public.victim') IS NOT NULL, to_regclass('public.zz') IS NULL")" = "t|t" ] ||
    fail "$1: the database was changed through a name (victim dropped or zz created)"
  [ "$(q "$url" "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'sg_normalize%'")" = 0 ] ||
    fail "$1: a scratch schema was left behind"
  checks=$((checks + 1))
}
run 1 "$SG" check
contains "$out" "operations to generate" "check online sees the new tables"
untouched "check online"
[ "$(q "$url" "SELECT count(*) FROM pg_namespace WHERE nspname = 'Auth'")" = 0 ] || fail "check online created a schema"
run 0 "$SG" diff
untouched "diff online"
run 0 "$SG" revision --autogenerate -m hostile
untouched "revision --autogenerate"
run 0 "$SG" upgrade head
untouched "upgrade head"
[ "$(q "$url" "SELECT count(*) FROM pg_type WHERE typname = '$evil_enum'")" = 1 ] || fail "the enum type was not created under its exact name"
[ "$(q "$url" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\"Auth\".\"Order Items\"'::regclass AND attname = 's'")" = '"Auth"."Status"' ] ||
  fail "the column's type is not the case-sensitive enum \"Auth\".\"Status\""
[ "$(q "$url" "SELECT count(*) FROM pg_indexes WHERE schemaname = 'Auth' AND indexname IN ('ix \"q\"; DROP TABLE victim; --', 'Ix_Upper')")" = 2 ] ||
  fail "the indexes were not created under their exact names"
[ "$(q "$url" "SELECT count(*) FROM pg_constraint WHERE conname IN ('uq\"; DROP TABLE victim; --', 'fk\"); DROP TABLE victim; --', 'ck''; DROP TABLE victim; --')")" = 3 ] ||
  fail "the constraints were not created under their exact names"
[ "$(q "$url" "SELECT count(*) FROM \"v\"\"; DROP TABLE victim; --\"")" = 1 ] ||
  fail "the version table was not created under its exact name"
checks=$((checks + 2))
checks=$((checks + 3))
run 0 "$SG" check
contains "$out" "No new upgrade operations detected" "after the upgrade, reserved words and quoted names compare equal"
# the same chain as offline SQL, through psql
sql_url=$(new_db hostile_sql)
q "$sql_url" "CREATE TABLE victim (id int)" >/dev/null
run 0 "$SG" upgrade --sql head
printf '%s\n' "$out" | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$sql_url" >/dev/null 2>&1 || fail "the offline SQL does not run"
[ "$(schema "$sql_url")" = "$(schema "$url")" ] || fail "offline SQL built another schema than the online upgrade"
[ "$(q "$sql_url" "SELECT to_regclass('public.victim') IS NOT NULL")" = t ] || fail "the offline SQL dropped victim"
checks=$((checks + 2))
# offline check and autogenerate compare with the chain: nothing to do
run 0 "$SG" check --offline
run 0 "$SG" downgrade base
untouched "downgrade base"
[ "$(q "$url" "SELECT count(*) FROM pg_type WHERE typname IN ('$evil_enum', 'Status')")" = 0 ] || fail "downgrade base left a type"
checks=$((checks + 1))

# ---- one bad default: reported once, at its own member, with the server's words -----------------
project bad_default '
struct SG_TABLE("t") T {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(server_default = "now") std::chrono::system_clock::time_point at;
  SG_COLUMN(server_default = "0") int fine;
  SG_COLUMN(server_default = "1 +") int broken;
  std::string plain;
  SG_COLUMN(server_default = "'"'"'x'"'"'") std::string also_fine;
};
struct SG_TABLE("u") SG_INDEX("ix_u_from", columns = "from") U { SG_COLUMN(primary_key) int id; int from; };'
use_db bad_default
run 1 "$SG" check
contains "$err" "m.hpp:9:3: error: column t.at (TIMESTAMP WITH TIME ZONE DEFAULT now): the server refuses it: ERROR:  cannot use column reference in DEFAULT expression" "the bad default, at its member"
contains "$err" "m.hpp:11:3: error: column t.broken (INTEGER DEFAULT 1 +): the server refuses it: ERROR:  syntax error at or near \")\"" "the other bad default, at its member"
[ "$(grep -c 'refuses it' <<<"$err")" = 2 ] || fail "expected exactly two refusals, got: $err"
checks=$((checks + 1))
lacks "$err" "already exists" "no error caused by another probe"
lacks "$err" "t.fine" "a valid default is not blamed"
lacks "$err" "t.plain" "a column without a default is not blamed"
lacks "$err" "table u" "a table with a reserved-word index column is not blamed"
# fixed, the reserved word alone round-trips
sed -i -e 's/server_default = "now")/server_default = "now()")/' -e 's/server_default = "1 +")/server_default = "1 + 1")/' m.hpp
run 0 "$SG" revision --autogenerate -m fixed
run 0 "$SG" upgrade head
run 0 "$SG" check
contains "$out" "No new upgrade operations detected" "an index on a column named from compares equal"

# every refused part in one run: checks and indexes too, beside refused columns
project bad_all '
struct SG_TABLE("v") SG_CHECK("ck_bad", expr = "nosuch > 0") SG_CHECK("ck_on_weird", expr = "weird IS NOT NULL")
    SG_INDEX("ix_bad", columns = "lower(nosuch2)") SG_INDEX("ix_fine", columns = "n") V {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(server_default = "1 +") int n;
  SG_COLUMN(type = "NOT_A_TYPE") std::string weird;
};'
use_db bad_all
run 1 "$SG" check
contains "$err" "column v.n (INTEGER DEFAULT 1 +): the server refuses it" "the bad default"
contains "$err" "column v.weird (NOT_A_TYPE): the server refuses it" "the bad type"
contains "$err" "check ck_bad on v: the server refuses it: ERROR:  column \"nosuch\" does not exist" "the bad check, in the same run"
contains "$err" "index ix_bad on v: the server refuses it: ERROR:  column \"nosuch2\" does not exist" "the bad index, in the same run"
[ "$(grep -c 'refuses it' <<<"$err")" = 4 ] || fail "expected four refusals (not the check on the refused column, not the index on the column whose default alone is bad), got: $err"
checks=$((checks + 1))

# an enum the server refuses is said once, at the enum, not again at each column of it
project bad_enum '
enum class SG_ENUM("long_labels") L { aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa };
struct SG_TABLE("w") W { SG_COLUMN(primary_key) std::int64_t id; L one; std::optional<L> two; };'
use_db bad_enum
run 1 "$SG" check
contains "$err" "enum type long_labels: the server refuses it" "the refused enum, at its declaration"
[ "$(grep -c 'refuses it' <<<"$err")" = 1 ] || fail "the refused enum is said once, got: $err"
checks=$((checks + 1))

# a schema name the server refuses: at the model, exit 1, not an internal query error
project bad_schema '
struct SG_TABLE("t", schema = "pg_nope") T { SG_COLUMN(primary_key) std::int64_t id; };'
use_db bad_schema
run 1 "$SG" check
contains "$err" "m.hpp:7:8: error: schema pg_nope: the server refuses it: ERROR:  unacceptable schema name \"pg_nope\"" "a refused schema, at its table"

# ---- a column changed to an enum type the same change creates ------------------------------------
project new_enum '
enum class SG_ENUM("audit_action", schema = "shop") Action { created, deleted };
struct SG_TABLE("audit") Audit { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(server_default = "'"'"'created'"'"'") Action action; };' \
  'include_schemas: [public, shop]
'
use_db new_enum
q "$url" "CREATE TABLE audit (id bigint PRIMARY KEY, action text NOT NULL DEFAULT 'created'); INSERT INTO audit VALUES (1, 'deleted')" >/dev/null
run 1 "$SG" check
contains "$out" "create_enum shop.audit_action" "check online: the new enum"
contains "$out" "alter_column audit.action" "check online: the column's new type"
lacks "$err" "does not exist" "the type is known to the comparison"
run 0 "$SG" diff
contains "$out" "using: action::shop.audit_action" "text to an enum needs USING"
run 0 "$SG" revision --autogenerate -m to_enum
run 0 "$SG" upgrade head
[ "$(q "$url" "SELECT action::text FROM audit")" = deleted ] || fail "the row did not survive the type change"
checks=$((checks + 1))
run 0 "$SG" check
contains "$out" "No new upgrade operations detected" "nothing left after the enum change"
run 0 "$SG" downgrade -1
[ "$(q "$url" "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'audit'::regclass AND attname = 'action'")" = text ] || fail "downgrade did not give text back"
checks=$((checks + 1))

# ---- values added to an enum and used in the same change, on names that need quotes -------------
project enum_values '
enum class SG_ENUM("Status", schema = "Auth") S { a, b };
struct SG_TABLE("t", schema = "Auth") T { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(server_default = "'"'"'a'"'"'") S e; };'
use_db enum_values
run 0 "$SG" revision --autogenerate -m first
run 0 "$SG" upgrade head
q "$url" "INSERT INTO \"Auth\".t VALUES (1, 'b')" >/dev/null
sed -i -e 's/S { a, b }/S { z, a, b, c }/' -e 's/S e; };/S e; SG_COLUMN(server_default = "'"'"'z'"'"'") S e2; };/' -e "s/server_default = \"'a'\") S e;/server_default = \"'c'\") S e;/" m.hpp
run 1 "$SG" check
lacks "$err" "refuses it" "new values, used at once, are known to the comparison"
contains "$out" "add_enum_value Auth.Status" "check sees the new values"
run 0 "$SG" revision --autogenerate -m more_values
run 0 "$SG" upgrade head
[ "$(q "$url" "SELECT e::text || e2::text FROM \"Auth\".t")" = bz ] || fail "the new values in use after the upgrade"
checks=$((checks + 1))
run 0 "$SG" check
contains "$out" "No new upgrade operations detected" "nothing left after the new values"
run 0 "$SG" downgrade -1
[ "$(q "$url" "SELECT array_to_string(enum_range(NULL::\"Auth\".\"Status\"), ',')")" = a,b ] || fail "downgrade rebuilt the case-sensitive enum without the new values"
checks=$((checks + 1))

# ---- a quote of the other kind inside a quoted name, in an annotation's column list -------------
project quoted_columns '
struct SG_TABLE("q") SG_INDEX("i1", columns = "\"a'"'"'b\", id") Q { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(name = "a'"'"'b") int ab; };'
run 0 "$SG" scan
contains "$out" "a'b" "the column list keeps a name holding a single quote"
sed -i 's/columns = "\\"a/columns = "(a/' m.hpp
run 1 "$SG" scan
contains "$err" "error:" "an unbalanced column list is an error, not an empty list"

# ---- compare_type: false ignores casts that follow from the ignored type --------------------------
project expr_index '
struct SG_TABLE("people") SG_INDEX("ix_people_name", columns = "lower(name)") Person {
  SG_COLUMN(primary_key) std::int64_t id;
  std::string name;
  SG_COLUMN(server_default = "'"'"'n/a'"'"'") std::string note;
};' 'compare_type: false
'
use_db expr_index
q "$url" "CREATE TABLE people (id bigint PRIMARY KEY, name varchar(64) NOT NULL, note varchar(20) NOT NULL DEFAULT 'n/a');
  CREATE INDEX ix_people_name ON people (lower(name))" >/dev/null
run 0 "$SG" check
contains "$out" "No new upgrade operations detected" "an index over a varchar column the models call TEXT"
lacks "$err" "ix_people_name" "the expression index is not reported"
# a default the database's (ignored) type refuses is normalised with the model's type instead
project default_other_type '
struct SG_TABLE("flags") Flag { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(server_default = "0") int flag; };' 'compare_type: false
'
use_db default_other_type
q "$url" "CREATE TABLE flags (id bigint PRIMARY KEY, flag boolean NOT NULL DEFAULT false)" >/dev/null
run 1 "$SG" check
lacks "$err" "refuses it" "a default valid for the model's type is not refused for the database's"
contains "$out" "alter_column flags.flag" "the default differs, and is reported"
cd "$WORK/expr_index"
use_db expr_index_typed
q "$SCHEMAGEN_DATABASE_URL" "CREATE TABLE people (id bigint PRIMARY KEY, name varchar(64) NOT NULL, note varchar(20) NOT NULL DEFAULT 'n/a');
  CREATE INDEX ix_people_name ON people (lower(name))" >/dev/null
sed -i 's/compare_type: false/compare_type: true/' schemagen.yaml
run 1 "$SG" check
contains "$out" "alter_column people.name" "with compare_type on, the type change is seen"

finish
