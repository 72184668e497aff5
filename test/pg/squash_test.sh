#!/usr/bin/env bash
# schemagen squash on PostgreSQL: the middle of the example application's chain (four revisions,
# with seed rows among them) squashed into one; a fresh database and a database at each replaced
# revision reach the head schema the original chain builds, with the same rows; downgrades go
# back, to base or into the squash; --sql through psql does what the online run does; the
# stairway test passes the squashed chain; a database inside a squash whose files are gone is
# told which to restore; and a range the squash cannot carry is refused with nothing written.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# the example application's chain, squashed in a copy of it
cp -r "$SRC/schema" "$SRC/revisions" "$SRC/templates" "$WORK/"
cd "$WORK/schema"
replaced=(77d203172d2d 5eed0a1b2c3d d8309f5beffa d5747c61c8c0)
run 0 "$SG" -n main squash f84d2401c3b2:d5747c61c8c0 -m "the middle, squashed" --rev-id 5a5a5a5a5a5a
contains "$err" "Squashed 4 revisions (77d203172d2d..d5747c61c8c0) into 5a5a5a5a5a5a" "squash says what it did"
squash_file=$(ls "$WORK"/revisions/5a5a5a5a5a5a_*.yaml)
contains "$(cat "$squash_file")" "replaces: [77d203172d2d, 5eed0a1b2c3d, d8309f5beffa, d5747c61c8c0]" "the replaced ids are recorded"
contains "$(cat "$squash_file")" "down_revision: f84d2401c3b2" "the squash starts where the range did"
# the seed rows are kept, in their place: after the tables they fill, before what comes after
contains "$(cat "$squash_file")" "  - bulk_insert:" "the seed's bulk_insert is kept"
contains "$(cat "$squash_file")" "INSERT INTO auth.users" "the seed's execute is kept"
for r in "${replaced[@]}"; do [ -e "$(ls "$WORK"/revisions/${r}_*.yaml)" ] || fail "the file of $r stays"; done
checked

run 0 "$SG" -n main history
contains "$out" "f84d2401c3b2 -> 5a5a5a5a5a5a (squash of 77d203172d2d..d5747c61c8c0), the middle, squashed" "history shows the squash"
contains "$out" "5a5a5a5a5a5a -> 65206096dfab" "the revision after the range goes on from the squash"
for r in "${replaced[@]}"; do lacks "$out" "-> $r," "the replaced $r is not in history"; done
run 0 "$SG" -n main heads
contains "$out" "90c7e5be4f95 (head)" "still one head"
run 0 "$SG" -n main check --offline
run 0 "$SG" -n main show 5a5a5a5a5a5a
contains "$out" "Replaces: 77d203172d2d, 5eed0a1b2c3d, d8309f5beffa, d5747c61c8c0" "show names what it replaces"

# rows: what the seed put there, in a form two databases compare by
rows() { q "$1" "SELECT string_agg(slug, ',') FROM auth.orgs"; q "$1" "SELECT string_agg(username || ':' || role, ',') FROM auth.users"; }
versions() { q "$1" "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM schemagen_version"; }

# the original chain's head, and the original chain at each replaced revision
orig=$(new_db squash_orig)
( cd "$SRC/schema" && DATABASE_URL=$orig run 0 "$SG" -q -n main upgrade head )
head_schema=$(schema "$orig")
head_rows=$(rows "$orig")
[ -n "$head_rows" ] || fail "the seed rows are there"

# a fresh database runs the squash
fresh=$(new_db squash_fresh)
DATABASE_URL=$fresh run 0 "$SG" -n main upgrade head
contains "$err" "Running upgrade f84d2401c3b2 -> 5a5a5a5a5a5a, the middle, squashed" "a fresh database runs the squash"
contains "$err" "Running upgrade 5a5a5a5a5a5a -> 65206096dfab" "and goes on from it"
for r in "${replaced[@]}"; do lacks "$err" "-> $r," "a fresh database does not run $r"; done
[ "$(schema "$fresh")" = "$head_schema" ] || fail "a fresh database through the squash: the head schema differs"
[ "$(rows "$fresh")" = "$head_rows" ] || fail "a fresh database through the squash: the seed rows differ"
[ "$(versions "$fresh")" = 90c7e5be4f95 ] || fail "a fresh database: the version table holds $(versions "$fresh")"

# a database at each replaced revision goes on through the revisions after it, then past the squash
for i in "${!replaced[@]}"; do
  r=${replaced[$i]}
  db=$(new_db "squash_at_$r")
  ( cd "$SRC/schema" && DATABASE_URL=$db run 0 "$SG" -q -n main upgrade "$r" )
  DATABASE_URL=$db run 0 "$SG" -n main current
  if [ "$i" = 3 ]; then
    contains "$out" "(squashed into 5a5a5a5a5a5a, which builds the same schema" "current at the last replaced revision"
  else
    contains "$out" "(inside squash 5a5a5a5a5a5a: the next upgrade runs the revisions it replaced" "current at $r"
  fi
  DATABASE_URL=$db run 0 "$SG" -n main upgrade head
  for later in "${replaced[@]:$((i + 1))}"; do
    contains "$err" "-> $later," "at $r: the replaced $later runs"
  done
  contains "$err" "Running upgrade d5747c61c8c0 -> 5a5a5a5a5a5a" "at $r: the database becomes the squash's"
  lacks "$err" "Running upgrade f84d2401c3b2 -> 5a5a5a5a5a5a" "at $r: the squash's ops do not run"
  [ "$(schema "$db")" = "$head_schema" ] || fail "at $r: the head schema differs"
  [ "$(rows "$db")" = "$head_rows" ] || fail "at $r: the rows differ"
  [ "$(versions "$db")" = 90c7e5be4f95 ] || fail "at $r: the version table holds $(versions "$db")"
  DATABASE_URL=$db run 0 "$SG" -n main current
  contains "$out" "90c7e5be4f95 (head)" "at $r: current after the upgrade"
done

# down: into the squash (through the replaced revisions), then to base
at_seed=$(new_db squash_at_seed)
( cd "$SRC/schema" && DATABASE_URL=$at_seed run 0 "$SG" -q -n main upgrade 5eed0a1b2c3d )
DATABASE_URL=$fresh run 0 "$SG" -n main downgrade 5eed0a1b2c3d
contains "$err" "Running downgrade 5a5a5a5a5a5a -> d5747c61c8c0" "downgrading into a squash leaves it for the last revision it replaced"
contains "$err" "Running downgrade d8309f5beffa -> 5eed0a1b2c3d" "then undoes the replaced revisions"
[ "$(schema "$fresh")" = "$(schema "$at_seed")" ] || fail "downgraded into the squash: the schema differs from the original chain's there"
[ "$(versions "$fresh")" = 5eed0a1b2c3d ] || fail "downgraded into the squash: the version table holds $(versions "$fresh")"
DATABASE_URL=$fresh run 0 "$SG" -n main upgrade head
[ "$(schema "$fresh")" = "$head_schema" ] || fail "up again from inside the squash: the head schema differs"
DATABASE_URL=$fresh run 0 "$SG" -n main downgrade base
contains "$err" "Running downgrade 5a5a5a5a5a5a -> f84d2401c3b2" "downgrade base undoes the squash itself"
[ "$(q "$fresh" "SELECT count(*) FROM pg_tables WHERE schemaname IN ('auth', 'public', 'file_cache') AND tablename NOT LIKE 'schemagen_version%'")" = 0 ] ||
  fail "downgrade base left tables"

# offline: from a replaced revision, through psql, as online
via_sql=$(new_db squash_sql)
( cd "$SRC/schema" && DATABASE_URL=$via_sql run 0 "$SG" -q -n main upgrade 5eed0a1b2c3d )
run 0 "$SG" -n main upgrade 5eed0a1b2c3d:head --sql
contains "$out" "UPDATE public.schemagen_version SET version_num='5a5a5a5a5a5a' WHERE version_num = 'd5747c61c8c0'" "the script moves the version row onto the squash"
printf '%s\n' "$out" > "$WORK/up.sql"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$via_sql" -f "$WORK/up.sql" >/dev/null 2>"$WORK/psql.err" || fail "psql refused the script: $(cat "$WORK/psql.err")"
[ "$(schema "$via_sql")" = "$head_schema" ] || fail "--sql from a replaced revision: the head schema differs"
[ "$(versions "$via_sql")" = 90c7e5be4f95 ] || fail "--sql: the version table holds $(versions "$via_sql")"

# the stairway test steps through the squash
scratch_home=$(new_db squash_stairway)
DATABASE_URL=$scratch_home run 0 "$SG" -n main test
contains "$err" "5a5a5a5a5a5a up ok, down ok, up ok" "the stairway test passes the squash"

# the replaced files deleted once every database is past the squash: a database at the last one
# still goes on; one further inside is told which file to restore
last=$(new_db squash_last)
inner=$(new_db squash_inner)
( cd "$SRC/schema" && DATABASE_URL=$last run 0 "$SG" -q -n main upgrade d5747c61c8c0 )
( cd "$SRC/schema" && DATABASE_URL=$inner run 0 "$SG" -q -n main upgrade 5eed0a1b2c3d )
mkdir -p "$WORK/kept" && for r in "${replaced[@]}"; do mv "$WORK"/revisions/${r}_*.yaml "$WORK/kept/"; done
run 0 "$SG" -n main history
contains "$out" "(squash of 77d203172d2d..d5747c61c8c0)" "history without the replaced files"
DATABASE_URL=$last run 0 "$SG" -n main upgrade head
[ "$(schema "$last")" = "$head_schema" ] || fail "at the last replaced revision, its file gone: the head schema differs"
DATABASE_URL=$inner run 1 "$SG" -n main upgrade head
contains "$err" "the database is at 5eed0a1b2c3d, inside squash 5a5a5a5a5a5a; going on from there needs revision d8309f5beffa, which the squash replaced and whose file is gone" "a database further inside is told what to restore"
[ "$(versions "$inner")" = 5eed0a1b2c3d ] || fail "the refused run changed the version table"
mv "$WORK"/kept/*.yaml "$WORK/revisions/"

# ---- what a squash cannot carry is refused, and nothing is written ------------------------------
files_before=$(ls "$WORK/revisions")
run 1 "$SG" -n main squash f84d2401c3b2:77d203172d2d
contains "$err" "revision 77d203172d2d is squashed into 5a5a5a5a5a5a already" "a replaced revision is said to be"
run 1 "$SG" -n main squash 65206096dfab:90c7e5be4f95
contains "$err" "holds 1 revision: a squash replaces two or more" "one revision is not squashed"
run 1 "$SG" -n main squash 65206096dfab:f84d2401c3b2
contains "$err" "is not an ancestor of" "a range backwards is refused"
run 1 "$SG" -n main squash cde338bb0943:65206096dfab
contains "$err" "is a squash already: squashes do not nest" "a squash inside the range is refused"
[ "$(ls "$WORK/revisions")" = "$files_before" ] || fail "a refused squash wrote a file"

# an execute whose effect on the schema only running it tells
mkdir -p "$WORK/dyn/revisions" && cd "$WORK/dyn"
printf 'script_location: revisions\n' > schemagen.yaml
printf 'revision: aaaaaaaaaaa1\ndown_revision: null\nupgrade:\n  - create_table: {name: t, columns: [{name: id, type: BIGINT, nullable: false}]}\ndowngrade:\n  - drop_table: {name: t}\n' > revisions/1.yaml
printf 'revision: aaaaaaaaaaa2\ndown_revision: aaaaaaaaaaa1\nupgrade:\n  - execute: "DO $$ BEGIN EXECUTE '"'"'ALTER TABLE t ADD COLUMN c int'"'"'; END $$"\ndowngrade:\n  - execute: "ALTER TABLE t DROP COLUMN c"\n' > revisions/2.yaml
printf 'revision: aaaaaaaaaaa3\ndown_revision: aaaaaaaaaaa2\nupgrade:\n  - create_index: {name: ix_t_id, table: t, columns: [id]}\ndowngrade:\n  - drop_index: {name: ix_t_id, table: t}\n' > revisions/3.yaml
run 1 "$SG" squash base:aaaaaaaaaaa3
contains "$err" "revisions/2.yaml:4:5: error: revision aaaaaaaaaaa2: execute" "the execute is named at its line"
contains "$err" "a squash cannot know the schema after it" "and why"
[ "$(ls revisions | wc -l)" = 3 ] || fail "the refused squash wrote a file"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "no password printed"

finish
