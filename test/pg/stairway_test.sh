#!/usr/bin/env bash
# schemagen test, the stairway test, on PostgreSQL: good chains pass (the shared chains, a branched
# one, the example application's two databases); a revision whose downgrade forgets a column, an
# execute that adds a column without saying so in replay:, and a failing statement are caught and
# named; the scratch database is dropped however the run ends (or kept with --keep), the
# configured database is left as it was, and no password is printed.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# no_scratch WHEN: no scratch database is left on the server
no_scratch() {
  checked
  local left
  left=$(q "$base_url/postgres" "SELECT string_agg(datname, ', ') FROM pg_database WHERE datname LIKE 'schemagen_test_%'")
  [ -z "$left" ] || fail "$1: scratch databases left: $left"
}
# rev FILE ID DOWN UPGRADE DOWNGRADE: a hand-written revision file
rev() {
  printf 'revision: %s\ndown_revision: %s\nmessage: %s\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$2" "$3" "$2" "$4" "$5" > "revisions/$1.yaml"
}

# the configured database is only asked to make and drop the scratch one: its tables stay as they are
configured=$(new_db stairway_configured)
sql "$configured" "CREATE TABLE mine (id int PRIMARY KEY); INSERT INTO mine VALUES (1)"
configured_before=$(schema "$configured")
export SCHEMAGEN_DATABASE_URL=$configured

# ---- good chains pass ----------------------------------------------------------------------------
for chain in every_op objects; do
  mkdir -p "$WORK/$chain" && cd "$WORK/$chain"
  printf 'script_location: %s\n' "$SRC/test/pg/chains/$chain" > schemagen.yaml
  run 0 "$SG" test
  contains "$out" "did what their ops say, upgraded, downgraded and upgraded again" "$chain passes"
  for f in "$SRC/test/pg/chains/$chain"/*.yaml; do
    id=$(awk '/^revision:/ {print $2}' "$f")
    contains "$err" "$id up ok, down ok, up ok" "$chain: the progress line of $id"
  done
  lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "$chain: no password printed"
  no_scratch "after $chain passed"
done
[ "$(schema "$configured")" = "$configured_before" ] || fail "the configured database's schema changed"
[ "$(q "$configured" "SELECT count(*) FROM mine")" = 1 ] || fail "the configured database's rows changed"
checked

# a branched chain with a merge: each revision steps on its own, the other branch left alone
mkdir -p "$WORK/branched/revisions" && cd "$WORK/branched"
printf 'script_location: revisions\n' > schemagen.yaml
rev 1_base b0b0b0b0b0b0 null \
  '  - create_table: {name: t, columns: [{name: id, type: BIGINT, nullable: false}], primary_key: {name: t_pkey, columns: [id]}}' \
  '  - drop_table: {name: t}'
rev 2_left 11e111e111e1 b0b0b0b0b0b0 '  - add_column: {table: t, column: {name: l, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: l}'
rev 3_right 21a121a121a1 b0b0b0b0b0b0 '  - create_index: {name: ix_t_id, table: t, columns: [id]}' \
  '  - drop_index: {name: ix_t_id, table: t}'
rev 4_merge 3e3e3e3e3e3e '[11e111e111e1, 21a121a121a1]' '  []' '  []'
run 0 "$SG" test
for id in b0b0b0b0b0b0 11e111e111e1 21a121a121a1 3e3e3e3e3e3e; do
  contains "$err" "$id up ok, down ok, up ok" "branched: $id"
done
no_scratch "after the branched chain"

# the example application's chains: its PostgreSQL database and its SQLite file cache
unset SCHEMAGEN_DATABASE_URL # each of its databases has its own URL
cd "$SRC/schema"
DATABASE_URL=$configured run 0 "$SG" -n main test
contains "$out" "All 8 revisions did what their ops say" "the example's main chain passes"
FILE_CACHE_DIR=$WORK run 0 "$SG" -n cache test
contains "$out" "did what their ops say" "the example's cache chain passes"
contains "$err" "the C++ step 'expire_renders_of_old_renderer' was not run" "a C++ step is said to be skipped"
[ ! -e "$WORK/file_cache.db" ] || fail "the configured SQLite file was made"
checked
DATABASE_URL=$configured FILE_CACHE_DIR=$WORK run 0 "$SG" test
contains "$out" "[main]" "without -n: every database"
contains "$out" "[cache]" "without -n: every database"
no_scratch "after the example application"
export SCHEMAGEN_DATABASE_URL=$configured
cd "$WORK"

# ---- a revision that does not do what its ops say is caught and named ---------------------------
mkdir -p "$WORK/bad/revisions" && cd "$WORK/bad"
printf 'script_location: revisions\n' > schemagen.yaml
rev r1_t aaaaaaaaaaa1 null \
  '  - create_table: {name: t, columns: [{name: id, type: BIGINT, nullable: false}], primary_key: {name: t_pkey, columns: [id]}}' \
  '  - drop_table: {name: t}'
# the downgrade forgets one of the two columns
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}
  - add_column: {table: t, column: {name: d, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: d}'
run 1 "$SG" test
contains "$out" "The downgrade of revision aaaaaaaaaaa2 (revisions/r2_cols.yaml) left the database differing from the schema before it (aaaaaaaaaaa1)" "the forgetful downgrade is named"
contains "$out" "  drop_column t.c" "and what it forgot"
lacks "$out" "t.d" "the column it did drop is not named"
contains "$err" "aaaaaaaaaaa1 up ok, down ok, up ok" "the revision before passed"
contains "$err" "aaaaaaaaaaa2 up ok, down FAILED" "the progress line stops at the downgrade"
lacks "$out" "All " "no verdict of success"
no_scratch "after a caught downgrade"

# DDL in an execute that the parse follows is replayed as what it does: no replay: needed
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: c}'
rev r3_sql aaaaaaaaaaa3 aaaaaaaaaaa2 '  - execute: "ALTER TABLE t ADD COLUMN extra integer"' \
  '  - execute: "ALTER TABLE t DROP COLUMN extra"'
run 0 "$SG" test
contains "$err" "aaaaaaaaaaa3 up ok, down ok, up ok" "SQL the parse follows passes without replay:"

# the parse follows more than tables: an enum, views (one materialized, with an index), functions,
# a trigger, a policy, a sequence, an extension, grants and comments, made by SQL and dropped by
# SQL, none with replay:; the database each step leaves is the schema replay builds
sql "$configured" "DROP ROLE IF EXISTS stairs_reader; CREATE ROLE stairs_reader"
cat > revisions/r4_objects.yaml <<'YAML'
revision: aaaaaaaaaaa4
down_revision: aaaaaaaaaaa3
message: objects by SQL
upgrade:
  - execute: |
      CREATE TYPE mood AS ENUM ('sad', 'ok');
      ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok';
      ALTER TABLE t ADD COLUMN m mood;
      COMMENT ON TABLE t IS 'the t';
      COMMENT ON COLUMN t.c IS 'a c';
      CREATE VIEW ok_t AS SELECT id, c FROM t WHERE m = 'ok';
      CREATE OR REPLACE VIEW ok_t AS SELECT id, c, m FROM t WHERE m = 'ok';
      CREATE MATERIALIZED VIEW t_totals AS SELECT m, count(*) AS n FROM t GROUP BY m WITH NO DATA;
      CREATE UNIQUE INDEX t_totals_m ON t_totals (m);
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE OR REPLACE FUNCTION t_count(mood) RETURNS bigint LANGUAGE sql STABLE
        AS $$ SELECT count(*) FROM t WHERE m = $1 $$;
      CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE POLICY t_ok ON t USING (m = 'ok');
      CREATE SEQUENCE t_no START 100;
      ALTER SEQUENCE t_no INCREMENT BY 5 RESTART WITH 120;
      CREATE EXTENSION IF NOT EXISTS pgcrypto;
      GRANT SELECT, UPDATE ON t TO PUBLIC;
      REVOKE UPDATE ON t FROM PUBLIC;
      GRANT SELECT ON ok_t TO stairs_reader WITH GRANT OPTION;
      GRANT SELECT, INSERT ON ok_t TO stairs_reader;
      REVOKE EXECUTE ON FUNCTION t_count FROM PUBLIC;
downgrade:
  - execute: |
      DROP EXTENSION IF EXISTS pgcrypto;
      DROP SEQUENCE t_no;
      DROP POLICY t_ok ON t;
      DROP TRIGGER t_touch ON t;
      DROP FUNCTION t_count;
      DROP FUNCTION touch();
      DROP MATERIALIZED VIEW t_totals;
      DROP VIEW ok_t;
      REVOKE ALL ON t FROM PUBLIC;
      COMMENT ON COLUMN t.c IS NULL;
      COMMENT ON TABLE t IS NULL;
      ALTER TABLE t DROP COLUMN m;
      DROP TYPE mood;
YAML
run 0 "$SG" test
contains "$err" "aaaaaaaaaaa4 up ok, down ok, up ok" "enums, views, routines, triggers, policies, sequences, extensions, grants and comments by SQL pass without replay:"
lacks "$out$err" "replay cannot follow" "nothing asks for replay:"
rm revisions/r4_objects.yaml
sql "$configured" "DROP ROLE stairs_reader"

# an execute whose SQL adds a column where the parse cannot see it (dynamic SQL), with no
# replay: saying so
rev r3_sql aaaaaaaaaaa3 aaaaaaaaaaa2 '  - execute: "DO $$ BEGIN EXECUTE '"'ALTER TABLE t ADD COLUMN extra integer'"'; END $$"
  - execute: "UPDATE t SET c = '"'x'"'"' \
  '  - execute: "ALTER TABLE t DROP COLUMN extra"'
run 1 "$SG" test
contains "$out" "The upgrade of revision aaaaaaaaaaa3 (revisions/r3_sql.yaml) left the database differing from what its ops say" "the upgrade doing more than its ops say is named"
contains "$out" "  drop_column t.extra" "the column its SQL added"
contains "$out" "revisions/r3_sql.yaml:5:5: warning: revision aaaaaaaaaaa3: execute \"DO \$\$ BEGIN EXECUTE" "the execute, at its line"
contains "$out" "may change the schema in ways replay cannot follow" "and why"
lacks "$out" "UPDATE t" "data-only SQL is not blamed"
contains "$err" "aaaaaaaaaaa3 up FAILED" "the progress line"
no_scratch "after a caught execute"

# said in replay:, the same SQL passes
rev r3_sql aaaaaaaaaaa3 aaaaaaaaaaa2 '  - execute: {sql: "ALTER TABLE t ADD COLUMN extra integer", replay: [{add_column: {table: t, column: {name: extra, type: integer, nullable: true}}}]}
  - execute: "UPDATE t SET c = '"'x'"'"' \
  '  - execute: "ALTER TABLE t DROP COLUMN extra"'
run 0 "$SG" test
contains "$err" "aaaaaaaaaaa3 up ok, down ok, up ok" "an execute with its replay passes"

# a statement the server refuses: exit 2, naming the revision, the op, the SQL and the server
rev r3_sql aaaaaaaaaaa3 aaaaaaaaaaa2 '  - add_column: {table: t, column: {name: extra, type: integer, nullable: true}}' \
  '  - drop_column: {table: t, name: nonexistent}'
run 2 "$SG" test
contains "$err" "aaaaaaaaaaa3 up ok, down FAILED" "the progress line"
contains "$err" "revisions/r3_sql.yaml:7:5: error: revision aaaaaaaaaaa3 (downgrade), drop_column t.nonexistent failed" "the revision and the op"
contains "$err" "ALTER TABLE public.t DROP COLUMN nonexistent" "the SQL"
contains "$err" 'column "nonexistent" of relation "t" does not exist' "the server's message"
no_scratch "after a failing statement"

# --keep: left for inspection, its URL printed without the password
rev r3_sql aaaaaaaaaaa3 aaaaaaaaaaa2 '  - add_column: {table: t, column: {name: extra, type: integer, nullable: true}}' \
  '  - drop_column: {table: t, name: extra}'
run 0 "$SG" test --keep
contains "$err" "The scratch database is kept: postgresql://postgres:***@127.0.0.1:$SCHEMAGEN_TEST_PG_PORT/schemagen_test_" "the kept database's URL"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "no password printed"
kept=$(printf '%s\n' "$err" | sed -n 's|.*/\(schemagen_test_[0-9a-f]*\)$|\1|p')
[ "$(q "$base_url/$kept" "SELECT version_num FROM schemagen_version")" = aaaaaaaaaaa3 ] || fail "the kept database is at the head"
checked
sql "$base_url/postgres" "DROP DATABASE $kept"

# a URL in libpq's key=value form names the scratch database the same way
kv="host=127.0.0.1 port=$SCHEMAGEN_TEST_PG_PORT user=postgres password=$SCHEMAGEN_TEST_PG_PASSWORD dbname=stairway_configured"
run 0 "$SG" --url "$kv" test
contains "$err" "aaaaaaaaaaa3 up ok, down ok, up ok" "key=value URL"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "key=value URL: no password printed"
no_scratch "after a key=value URL"

# a role that may not make databases is told what the test needs
sql "$configured" "DROP ROLE IF EXISTS stairs_nocreate; CREATE ROLE stairs_nocreate LOGIN PASSWORD 'nocreate-secret'"
run 2 "$SG" --url "postgresql://stairs_nocreate:nocreate-secret@127.0.0.1:$SCHEMAGEN_TEST_PG_PORT/stairway_configured" test
contains "$err" "cannot make the scratch database" "the refusal"
contains "$err" "CREATEDB" "what the role needs"
lacks "$err" "nocreate-secret" "no password printed"
sql "$configured" "DROP ROLE stairs_nocreate"
no_scratch "at the end"
[ "$(schema "$configured")" = "$configured_before" ] || fail "the configured database's schema changed"
checked

finish
