#!/usr/bin/env bash
# schemagen test on SQLite: the chain runs on a temporary file, never on the configured one, and
# the file is removed however the run ends (or kept with --keep); a good chain passes, a
# downgrade that forgets a column and an execute that adds one without replay: are caught and
# named. Then check --linear: a branched chain fails naming each branch, a linear one passes.
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

# ---- check --linear -------------------------------------------------------------------------------
mkdir -p "$WORK/linear/revisions" && cd "$WORK/linear"
printf 'script_location: revisions\ndialect: sqlite\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
printf '#include <schemagen/annotations.hpp>\n#include <optional>\n#include <string>\nstruct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; std::optional<std::string> l, r; };\n' > m.hpp
rev 1_base b0b0b0b0b0b0 null \
  '  - create_table: {name: t, columns: [{name: id, type: INTEGER, nullable: false}], primary_key: {name: t_pkey, columns: [id]}}' \
  '  - drop_table: {name: t}'
rev 2_left 11e111e111e1 b0b0b0b0b0b0 '  - add_column: {table: t, column: {name: l, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: l}'
rev 3_right 21a121a121a1 b0b0b0b0b0b0 '  []' '  []'
rev 4_right 22a222a222a2 21a121a121a1 '  - add_column: {table: t, column: {name: r, type: TEXT, nullable: true}}' \
  '  - drop_column: {table: t, name: r}'
run 0 "$SG" check
run 1 "$SG" check --linear
contains "$err" "error: the chain has 2 heads, and --linear allows one:" "the heads are counted"
contains "$err" "  from b0b0b0b0b0b0: 11e111e111e1 (head)" "the left branch, from its branch point"
contains "$err" "  from b0b0b0b0b0b0: 21a121a121a1 -> 22a222a222a2 (head)" "the right branch, each revision"
contains "$out" "No new upgrade operations detected" "the check itself still runs"
run 1 "$SG" check --linear --format json
contains "$out" '"drift": false' "json on stdout stays one document"
contains "$err" "--linear allows one" "the branches on stderr"
rev 5_merge 3e3e3e3e3e3e '[11e111e111e1, 22a222a222a2]' '  []' '  []'
run 0 "$SG" check --linear
lacks "$err" "heads" "merged: one head"
cd "$WORK"

finish
