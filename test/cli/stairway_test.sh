#!/usr/bin/env bash
# schemagen test on SQLite: the chain runs on a temporary file, never on the configured one, and
# the file is removed however the run ends (or kept with --keep); a good chain passes, a
# downgrade that forgets a column and an execute that adds one without replay: are caught and
# named.
source "$(dirname "$0")/lib.sh"

export TMPDIR=$WORK/tmp # where the scratch file goes
mkdir -p "$TMPDIR"
# no_scratch WHEN: no scratch file is left
no_scratch() {
  checked
  [ -z "$(ls -A "$TMPDIR")" ] || fail "$1: left in the temporary directory: $(ls -A "$TMPDIR")"
}
# rev FILE ID DOWN UPGRADE DOWNGRADE: a hand-written revision file
rev() {
  printf 'revision: %s\ndown_revision: %s\nmessage: %s\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$2" "$3" "$2" "$4" "$5" > "revisions/$1.yaml"
}

mkdir -p "$WORK/p/revisions" && cd "$WORK/p"
printf 'url: sqlite:///app.db\n' > schemagen.yaml
rev r1_t aaaaaaaaaaa1 null '  - create_table:
      name: t
      columns:
        - {name: id, type: INTEGER, nullable: false}
        - {name: name, type: TEXT, nullable: false, server_default: "'"''"'"}
      primary_key: {name: t_pkey, columns: [id]}
  - create_index: {name: ix_t_name, table: t, columns: [name]}' \
  '  - drop_index: {name: ix_t_name, table: t}
  - drop_table: {name: t}'
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}
  - add_column: {table: t, column: {name: d, type: INTEGER, nullable: true}}
  - create_check_constraint: {name: ck_t_d, table: t, expression: "d > 0"}' \
  '  - drop_constraint: {name: ck_t_d, table: t, type: check}
  - drop_column: {table: t, name: d}
  - drop_column: {table: t, name: c}'
run 0 "$SG" test
contains "$out" "All 2 revisions did what their ops say, upgraded, downgraded and upgraded again." "a good chain passes"
contains "$err" "aaaaaaaaaaa1 up ok, down ok, up ok" "progress of the first"
contains "$err" "aaaaaaaaaaa2 up ok, down ok, up ok" "progress of the second"
[ ! -e app.db ] || fail "the configured file was made"
checked
no_scratch "after a pass"
run 0 "$SG" -q test
[ -z "$out$err" ] || fail "-q: nothing said of a pass, got [$out$err]"
checked

# the downgrade forgets a column: a rebuild keeps it
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}
  - add_column: {table: t, column: {name: d, type: INTEGER, nullable: true}}' \
  '  - drop_column: {table: t, name: d}'
run 1 "$SG" test
contains "$out" "The downgrade of revision aaaaaaaaaaa2 (revisions/r2_cols.yaml) left the database differing from the schema before it (aaaaaaaaaaa1)" "the forgetful downgrade is named"
contains "$out" "  drop_column t.c" "and the column it forgot"
contains "$err" "aaaaaaaaaaa2 up ok, down FAILED" "the progress line stops there"
no_scratch "after a caught downgrade"

# an execute whose SQL adds a column, with no replay:
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}
  - execute: "ALTER TABLE t ADD COLUMN extra INTEGER"' \
  '  - drop_column: {table: t, name: extra}
  - drop_column: {table: t, name: c}'
run 1 "$SG" test
contains "$out" "The upgrade of revision aaaaaaaaaaa2 (revisions/r2_cols.yaml) left the database differing from what its ops say" "the upgrade doing more than its ops say"
contains "$out" "  drop_column t.extra" "the column its SQL added"
contains "$out" "revisions/r2_cols.yaml:6:5: warning: revision aaaaaaaaaaa2: execute \"ALTER TABLE t ADD COLUMN extra INTEGER\" may change the schema" "the execute, at its line"
no_scratch "after a caught execute"

# --keep: the file stays, named
run 1 "$SG" test --keep
contains "$err" "The scratch database is kept: sqlite:///$TMPDIR/schemagen_test_" "the kept file's URL"
kept=$(printf '%s\n' "$err" | sed -n 's|^The scratch database is kept: sqlite:///||p')
[ -f "$kept" ] || fail "the kept file [$kept] is not there"
checked
rm -f "$kept"
no_scratch "after --keep"

# a database kind named by `dialect:` alone needs no URL: the scratch file is all it uses
rev r2_cols aaaaaaaaaaa2 aaaaaaaaaaa1 '  - add_column: {table: t, column: {name: c, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: c}'
printf 'dialect: sqlite\n' > schemagen.yaml
run 0 "$SG" test
contains "$out" "All 2 revisions did what their ops say" "no URL needed"
no_scratch "without a URL"
cd "$WORK"

finish
