#!/usr/bin/env bash
# Where a comparison starts and where a run resumes: autogenerate on a new branch compares with
# the schema its own parents build (offline and online, and diff/check --head); check on a
# database behind the chain says to upgrade first; a revision with a concurrent index that fails
# part-way leaves the version table where its durable effects are, and a rerun finishes it,
# rebuilding an index a failed build left INVALID.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

prelude='#include <schemagen/annotations.hpp>
#include <cstdint>
#include <optional>
#include <string>'

# rev FILE ID DOWN UPGRADE DOWNGRADE: a hand-written revision file
rev() {
  printf 'revision: %s\ndown_revision: %s\nmessage: %s\ncreate_date: 2026-11-23T10:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$2" "$3" "$2" "$4" "$5" > "revisions/$1.yaml"
}

# ---- a new branch compares with its parents' schema ---------------------------------------------
mkdir -p "$WORK/branch/revisions" && cd "$WORK/branch"
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
rev 1_base b0b0b0b0b0b0 null '  - create_table: {name: t, columns: [{name: id, type: BIGINT, nullable: false}, {name: a, type: TEXT, nullable: true}]}' \
  '  - drop_table: {name: t}'
rev 2_left 11e111e111e1 b0b0b0b0b0b0 '  - add_column: {table: t, column: {name: l, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: l}'
rev 3_right 21a121a121a1 b0b0b0b0b0b0 '  - add_column: {table: t, column: {name: r, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: r}'
# the models of a checkout of the right branch: its column and a new one, not the left's
printf '%s\nstruct SG_TABLE("t") T { std::int64_t id; std::optional<std::string> a, r, n; };\n' "$prelude" > m.hpp
upgrade_part() { printf '%s' "${1%%downgrade:*}"; }

run 0 "$SG" diff --offline --head 21a121a121a1
contains "$(upgrade_part "$out")" "name: \"n\"" "diff --head: the new column"
lacks "$(upgrade_part "$out")" "drop_column" "diff --head: nothing of the other branch dropped"
run 0 "$SG" diff --offline
contains "$(upgrade_part "$out")" "drop_column" "diff over every head: the left branch's column is in that schema"
run 1 "$SG" check --offline --head 11e111e111e1
contains "$out" "add_column t.r" "check --head left: the right branch's column is missing from it"

# online: the database must be where the new revision starts
url=$(new_db branches)
export SCHEMAGEN_DATABASE_URL=$url
run 0 "$SG" upgrade heads
run 1 "$SG" revision --autogenerate --head 21a121a121a1 -m online_branch
contains "$err" "the database is at 11e111e111e1, 21a121a121a1, but the comparison is with the schema 21a121a121a1 builds" "online --head: the database must be at the parents"
[ "$(ls revisions | wc -l)" = 3 ] || fail "a refused autogenerate wrote a file"
checks=$((checks + 1))
url=$(new_db branches_right)
export SCHEMAGEN_DATABASE_URL=$url
run 0 "$SG" upgrade 21a121a121a1
run 1 "$SG" check --head 21a121a121a1
contains "$out" "add_column t.n" "check --head online: against the database at that revision"
run 1 "$SG" check --head 21a121a121a1 --head b0b0b0b0b0b0 --head 21a121a121a1
contains "$out" "add_column t.n" "check --head: a revision twice, or an ancestor, is the same target"
run 0 "$SG" revision --autogenerate --head 21a121a121a1 -m online_branch
file=$(ls revisions/*online_branch*.yaml)
contains "$(upgrade_part "$(cat "$file")")" "name: \"n\"" "online --head: the new column"
lacks "$(upgrade_part "$(cat "$file")")" "drop_column" "online --head: nothing dropped"
rm "$file"

# offline autogenerate on the right branch: its ops are against the right branch's schema
run 0 "$SG" revision --autogenerate --offline --head 21a121a121a1 -m right_more --rev-id 22a222a222a2
file=$(ls revisions/*right_more*.yaml)
contains "$(cat "$file")" "down_revision: 21a121a121a1" "the new revision's parent"
contains "$(upgrade_part "$(cat "$file")")" "name: \"n\"" "the new column"
lacks "$(upgrade_part "$(cat "$file")")" "drop_column" "no other branch's column dropped"
run 0 "$SG" upgrade heads
run 0 "$SG" check --offline --head 22a222a222a2
contains "$out" "No new upgrade operations detected" "the right branch's head matches its models"

# ---- check on a database behind the chain -------------------------------------------------------
mkdir -p "$WORK/behind/revisions" && cd "$WORK/behind"
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
rev 1_base c0c0c0c0c0c0 null '  - create_table: {name: people, columns: [{name: id, type: BIGINT, nullable: false}]}' '  - drop_table: {name: people}'
rev 2_rename c1c1c1c1c1c1 c0c0c0c0c0c0 '  - rename_table: {name: people, new_name: persons}' '  - rename_table: {name: persons, new_name: people}'
# renamed_from left in the models after the rename's revision
printf '%s\nstruct SG_TABLE("persons", renamed_from = "people") P { std::int64_t id; };\n' "$prelude" > m.hpp
url=$(new_db behind)
export SCHEMAGEN_DATABASE_URL=$url
run 1 "$SG" check
contains "$out" "The database is behind the revision chain: 2 revisions not applied (c0c0c0c0c0c0, c1c1c1c1c1c1): run \`schemagen upgrade heads\` first." "behind at base"
contains "$out" "The models match the schema the revision chain builds." "and no revision is needed"
lacks "$out" "autogenerate" "no advice to autogenerate"
lacks "$err" "renamed_from" "a leftover renamed_from is no error"
run 1 "$SG" diff
contains "$err" "not at the chain's head" "diff, like autogenerate, needs the database at the head"
run 1 "$SG" --url "" check
contains "$err" "--url is empty" "an empty --url is an error, not a wish to work offline"
SCHEMAGEN_DATABASE_URL= run 1 "$SG" check
contains "$err" "\$SCHEMAGEN_DATABASE_URL is empty" "an empty \$SCHEMAGEN_DATABASE_URL too"
run 0 "$SG" upgrade c0c0
run 1 "$SG" check --format json
contains "$out" '"behind": ["c1c1c1c1c1c1"]' "json: what is not applied"
printf '%s\nstruct SG_TABLE("persons") P { std::int64_t id; std::optional<std::int64_t> age; };\n' "$prelude" > m.hpp
run 1 "$SG" check
contains "$out" "1 revision not applied (c1c1c1c1c1c1)" "behind by one"
contains "$out" "1 operation to generate after upgrading" "the models also need a revision, after the upgrade"
run 0 "$SG" upgrade head
run 1 "$SG" check
contains "$out" "The models differ from the database: 1 operation to generate" "at head: the database itself"

# ---- a concurrent index in a revision that fails part-way ---------------------------------------
mkdir -p "$WORK/concurrent/revisions" && cd "$WORK/concurrent"
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\ntransaction_per_migration: false\n' > schemagen.yaml
printf '%s\n' "$prelude" > m.hpp
rev 1_a d0d0d0d0d0d0 null '  - create_table: {name: a, columns: [{name: id, type: INTEGER, nullable: false}]}' '  - drop_table: {name: a}'
rev 2_b d1d1d1d1d1d1 d0d0d0d0d0d0 '  - create_table: {name: b, columns: [{name: k, type: INTEGER, nullable: true}]}
  - bulk_insert: {table: b, rows: [{k: 1}, {k: 1}]}
  - create_index: {name: ix_b_k, table: b, columns: [k], unique: true, concurrently: true}
  - create_table: {name: b2, columns: [{name: id, type: INTEGER, nullable: false}]}' \
  '  - drop_table: {name: b2}
  - drop_index: {name: ix_b_k, concurrently: true}
  - drop_table: {name: b}'
rev 3_c d2d2d2d2d2d2 d1d1d1d1d1d1 '  - create_table: {name: c, columns: [{name: id, type: INTEGER, nullable: false}]}' '  - drop_table: {name: c}'
url=$(new_db concurrent)
export SCHEMAGEN_DATABASE_URL=$url
run 2 "$SG" upgrade head
contains "$err" "could not create unique index" "the concurrent build fails on duplicate rows"
contains "$err" "the upgrade of revision d1d1d1d1d1d1 is partly applied" "the failure says what stays"
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = d1d1d1d1d1d1 ] || fail "the version table must count the revision whose first part was committed"
[ "$(q "$url" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_b_k'::regclass")" = f ] || fail "the failed build left an INVALID index (the case to resume)"
[ "$(q "$url" "SELECT to_regclass('b2') IS NULL AND to_regclass('c') IS NULL")" = t ] || fail "nothing after the failure ran"
checks=$((checks + 3))
run 0 "$SG" current
contains "$err" "the upgrade of revision d1d1d1d1d1d1 was interrupted before statement 3" "current says a revision is unfinished"
run 1 "$SG" check
contains "$err" "the upgrade of revision d1d1d1d1d1d1 is unfinished" "check compares nothing with a half-applied revision"
run 1 "$SG" revision --autogenerate -m nothing
contains "$err" "is unfinished" "autogenerate neither"
# a revision edited since it ran part-way is not resumed
cp revisions/2_b.yaml 2_b.saved
sed -i 's/name: b2, columns/name: b3, columns/' revisions/2_b.yaml
run 1 "$SG" upgrade head
contains "$err" "was changed after a run left it partly applied" "an edited revision is not resumed"
mv 2_b.saved revisions/2_b.yaml
q "$url" "DELETE FROM b WHERE ctid = (SELECT max(ctid) FROM b)" >/dev/null
run 0 "$SG" upgrade head
contains "$err" "Resuming the interrupted upgrade of d1d1d1d1d1d1 at statement 3" "the rerun resumes"
[ "$(q "$url" "SELECT indisvalid FROM pg_index WHERE indexrelid = 'ix_b_k'::regclass")" = t ] || fail "the INVALID index was rebuilt"
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = d2d2d2d2d2d2 ] || fail "the rerun reached head"
[ "$(q "$url" "SELECT count(*) FROM schemagen_version_log WHERE interrupted IS NOT NULL")" = 0 ] || fail "the marker is cleared"
[ "$(q "$url" "SELECT to_regclass('b2') IS NOT NULL AND to_regclass('c') IS NOT NULL")" = t ] || fail "the rest of the revision ran"
checks=$((checks + 4))
run 0 "$SG" current
lacks "$err" "interrupted" "nothing unfinished any more"
# --sql from a database whose log table an earlier version made
run 0 "$SG" downgrade d1d1d1d1d1d1
q "$url" "ALTER TABLE schemagen_version_log DROP COLUMN interrupted" >/dev/null
run 0 "$SG" upgrade --sql d1d1d1d1d1d1:head
printf '%s\n' "$out" | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$url" >/dev/null 2>&1 || fail "offline SQL on an older log table"
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = d2d2d2d2d2d2 ] || fail "offline SQL on an older log table reached head"
checks=$((checks + 1))
# and all the way down and up again, the same way
run 0 "$SG" downgrade base
[ "$(q "$url" "SELECT count(*) FROM pg_class WHERE relname IN ('a', 'b', 'b2', 'c', 'ix_b_k')")" = 0 ] || fail "downgrade base left something"
checks=$((checks + 1))
# killed after the build finished but before the mark moved on: the finished index is taken as done
url=$(new_db concurrent_built)
export SCHEMAGEN_DATABASE_URL=$url
run 2 "$SG" upgrade head
q "$url" "DELETE FROM b WHERE ctid = (SELECT max(ctid) FROM b); DROP INDEX ix_b_k; CREATE UNIQUE INDEX ix_b_k ON b (k)" >/dev/null
run 0 "$SG" upgrade +1
contains "$err" "Resuming the interrupted upgrade of d1d1d1d1d1d1 at statement 3" "the rerun resumes"
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = d1d1d1d1d1d1 ] || fail "a built index stops no rerun, and +1 is the unfinished revision"
checks=$((checks + 1))
# a stamp says where the database is: nothing left to resume
url=$(new_db concurrent_stamped)
export SCHEMAGEN_DATABASE_URL=$url
run 2 "$SG" upgrade head
run 0 "$SG" stamp d1d1d1d1d1d1
run 0 "$SG" current
lacks "$err" "interrupted" "stamp clears the mark"

# the same run as offline SQL through psql: the same failure, the same version table
sql_url=$(new_db concurrent_sql)
run 0 "$SG" upgrade --sql head
printf '%s\n' "$out" | "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$sql_url" >/dev/null 2>&1 && fail "the offline SQL should fail at the index"
[ "$(q "$sql_url" "SELECT version_num FROM schemagen_version")" = d1d1d1d1d1d1 ] || fail "offline: the version table counts the committed revision"
checks=$((checks + 1))

finish
