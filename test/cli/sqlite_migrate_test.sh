#!/usr/bin/env bash
# Every op on a real SQLite file, step by step up to head and back to base: after each step the
# reflected schema must equal the one the chain replays to there (`inspect` beside
# `inspect --offline --canonical --head`), online and through `--sql` piped to the sqlite3 shell.
# Then the rows through every rebuild, the URLs, the commands that need no server, six concurrent
# runs on one file, a failing revision that leaves the file as it was, and a broken reference.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }

mkdir -p "$WORK/p/revisions" && cd "$WORK/p"
printf 'url: sqlite:///data/app.db\n' > schemagen.yaml
mkdir -p data

n=0
prev=""
# rev UPGRADE_OPS DOWNGRADE_OPS: the next revision of the chain, ops as YAML list items
rev() {
  n=$((n + 1))
  local id
  id=$(printf 'a%011d' "$n")
  {
    printf 'revision: %s\ndown_revision: %s\nmessage: step %s\ncreate_date: 2026-11-23T00:00:00Z\n' "$id" "${prev:-null}" "$n"
    printf 'upgrade:\n%s\ndowngrade:\n%s\n' "$1" "$2"
  } > "revisions/${id}_step.yaml"
  prev=$id
}
# unrev: the last revision of the chain taken back out
unrev() {
  rm "revisions/${prev}_step.yaml"
  n=$((n - 1))
  prev=$(printf 'a%011d' "$n")
}
# unchanged WHAT: the file is byte for byte as it was before the last runs
unchanged() {
  checked
  cmp -s before.db data/app.db || fail "$1 changed the file"
}

rev "  - create_table:
      name: parent
      columns:
        - {name: id, type: INTEGER, nullable: false, autoincrement: true}
        - {name: name, type: TEXT, nullable: true}
      primary_key: {name: pk_parent, columns: [id]}" "  - drop_table: {name: parent}"
rev "  - create_table:
      name: child
      columns:
        - {name: id, type: INTEGER, nullable: false}
        - {name: parent_id, type: INTEGER, nullable: false}
        - {name: note, type: VARCHAR(20), nullable: true}
      primary_key: {name: pk_child, columns: [id]}
      foreign_keys:
        - {name: fk_child_parent, columns: [parent_id], referred_table: parent, referred_columns: [id], on_delete: CASCADE}" "  - drop_table: {name: child}"
rev "  - bulk_insert:
      table: parent
      rows:
        - {id: 1, name: one}
        - {id: 2, name: null}
        - {id: 3, name: three}
  - bulk_insert:
      table: child
      rows:
        - {id: 10, parent_id: 1, note: a}
        - {id: 11, parent_id: 1, note: b}
        - {id: 12, parent_id: 2, note: c}" "  - execute: DELETE FROM child
  - execute: DELETE FROM parent"
rev "  - add_column: {table: parent, column: {name: code, type: TEXT, nullable: true}}" \
    "  - drop_column: {table: parent, name: code, existing: {name: code, type: TEXT, nullable: true}}"
rev "  - add_column: {table: parent, column: {name: created, type: DATETIME, nullable: false, server_default: CURRENT_TIMESTAMP}}" \
    "  - drop_column: {table: parent, name: created, existing: {name: created, type: DATETIME, nullable: false, server_default: CURRENT_TIMESTAMP}}"
rev "  - alter_column: {table: parent, name: name, nullable: false, server_default: \"'?'\", existing_nullable: true, existing_server_default: null}" \
    "  - alter_column: {table: parent, name: name, nullable: true, server_default: null, existing_nullable: false, existing_server_default: \"'?'\"}"
rev "  - alter_column: {table: child, name: note, type: TEXT, existing_type: VARCHAR(20)}
  - alter_column: {table: child, name: note, new_name: remark}" \
    "  - alter_column: {table: child, name: remark, new_name: note}
  - alter_column: {table: child, name: note, type: VARCHAR(20), existing_type: TEXT}"
rev "  - create_index: {name: ix_parent_code, table: parent, columns: [code], where: code IS NOT NULL}
  - create_index: {name: ix_child_lower, table: child, columns: [lower(remark)]}" \
    "  - drop_index: {name: ix_child_lower, table: child}
  - drop_index: {name: ix_parent_code, table: parent}"
rev "  - create_unique_constraint: {table: parent, name: uq_parent_code, columns: [code]}
  - create_check_constraint: {table: child, name: ck_child_remark, expression: length(remark) < 100}" \
    "  - drop_constraint: {table: child, name: ck_child_remark, type: check}
  - drop_constraint: {table: parent, name: uq_parent_code, type: unique}"
rev "  - rename_table: {name: child, new_name: kid}" "  - rename_table: {name: kid, new_name: child}"
rev "  - create_table:
      name: tag
      columns:
        - {name: label, type: TEXT, nullable: false}
        - {name: kid_id, type: INTEGER, nullable: true}
      primary_key: {name: pk_tag, columns: [label]}
  - create_foreign_key: {table: tag, name: fk_tag_kid, columns: [kid_id], referred_table: kid, referred_columns: [id], on_delete: SET NULL}
  - execute: {sqlite: \"INSERT INTO tag VALUES ('x', 10), ('y', 12)\", postgresql: \"SELECT 1\", replay: []}" \
    "  - drop_table: {name: tag}"
rev "  - drop_index: {name: ix_child_lower, table: kid, existing: {name: ix_child_lower, columns: [lower(remark)]}}
  - drop_constraint: {table: kid, name: ck_child_remark, type: check, existing: {name: ck_child_remark, expression: length(remark) < 100}}
  - drop_column: {table: kid, name: remark, existing: {name: remark, type: TEXT, nullable: true}}
  - set_table_comment: {table: kid, comment: children, existing_comment: null}" \
    "  - set_table_comment: {table: kid, comment: null, existing_comment: children}
  - add_column: {table: kid, column: {name: remark, type: TEXT, nullable: true}}
  - create_check_constraint: {table: kid, name: ck_child_remark, expression: length(remark) < 100}
  - create_index: {name: ix_child_lower, table: kid, columns: [lower(remark)]}"
rev "  - add_column: {table: tag, column: {name: kind, type: TEXT, nullable: false, server_default: \"'k'\"}}
  - drop_constraint: {table: tag, name: pk_tag, type: primary_key}
  - create_primary_key: {table: tag, name: pk_tag2, columns: [label, kind]}" \
    "  - drop_constraint: {table: tag, name: pk_tag2, type: primary_key}
  - create_primary_key: {table: tag, name: pk_tag, columns: [label]}
  - drop_column: {table: tag, name: kind}"
steps=$n

# the reflected schema equals the replayed one at every revision
same_as_chain() { # WHERE URL
  local at
  at=$("$SG" -q --url "$2" current 2>&1 | awk '{print $1}')
  local live chain
  live=$("$SG" -q --url "$2" inspect 2>&1)
  chain=$("$SG" -q inspect --offline --canonical --head "${at:-base}" 2>&1)
  checked
  [ "$live" = "$chain" ] || { fail "$1 (at ${at:-base}): the reflected schema is not the replayed one"; diff <(echo "$chain") <(echo "$live") | head -30 >&2; }
}

# the file is not created by what only reads
run 0 "$SG" current
run 0 "$SG" heads
run 0 "$SG" history
[ ! -e data/app.db ] || fail "a command that only reads created the database file"
url="sqlite:///$WORK/p/data/app.db" # absolute: four slashes
checked
[ "${url:0:11}" = "sqlite:////" ] || fail "the test's URL is not absolute: $url"

for ((k = 1; k <= steps; k++)); do
  run 0 "$SG" upgrade +1
  same_as_chain "upgrade step $k" "$url"
done
[ -e data/app.db ] || fail "upgrade did not create the database file"
checked
[ "$(sqlite3 data/app.db 'SELECT count(*) FROM kid')" = 3 ] || fail "children under a rebuilt CASCADE parent were lost: $(sqlite3 data/app.db 'SELECT * FROM kid')"
[ "$(sqlite3 data/app.db "SELECT group_concat(name, ',') FROM (SELECT name FROM parent ORDER BY id)")" = "one,?,three" ] || fail "NOT NULL with a default did not fill the NULL: $(sqlite3 data/app.db 'SELECT * FROM parent')"
[ "$(sqlite3 data/app.db "SELECT group_concat(label || ':' || kid_id) FROM tag")" = "x:10,y:12" ] || fail "rows referring to rebuilt tables changed"
[ "$(sqlite3 data/app.db 'PRAGMA foreign_key_check')" = "" ] || fail "a reference is broken after the upgrade"
[ "$(sqlite3 data/app.db 'PRAGMA integrity_check')" = ok ] || fail "integrity_check after the upgrade"
run 0 "$SG" current
contains "$out" "$prev (head)" "current at head"
for ((k = steps; k >= 1; k--)); do
  run 0 "$SG" downgrade -1
  same_as_chain "downgrade step $k" "$url"
done
run 0 "$SG" current
checked
[ -z "$out" ] || fail "not at base after downgrading every step: $out"

# the same through --sql and the sqlite3 shell, on another file, step by step both ways
ids=($(ls revisions | sed 's/_step.yaml//' | sort))
off="sqlite:///$WORK/p/data/offline.db"
from=base
for id in "${ids[@]}"; do
  "$SG" -q upgrade --sql "$from:$id" > up.sql 2> up.err || fail "upgrade --sql $from:$id: $(cat up.err)"
  sqlite3 -bail data/offline.db < up.sql > /dev/null 2> sh.err || fail "sqlite3 ran upgrade --sql $from:$id: $(cat sh.err)"
  same_as_chain "offline upgrade to $id" "$off"
  from=$id
done
"$SG" -q upgrade --sql base:head > all.sql
contains "$(cat all.sql)" "PRAGMA foreign_keys = OFF" "offline SQL switches foreign keys off before the transaction"
contains "$(cat all.sql)" "INSERT INTO \"_schemagen_tmp_" "offline SQL holds the rebuilds"
[ "$(sqlite3 data/offline.db 'SELECT count(*) FROM kid')" = 3 ] || fail "offline: children lost"
for ((k = ${#ids[@]} - 1; k >= 0; k--)); do
  to=$([ "$k" = 0 ] && echo base || echo "${ids[$((k - 1))]}")
  "$SG" -q downgrade --sql "${ids[$k]}:$to" > down.sql 2> down.err || fail "downgrade --sql: $(cat down.err)"
  sqlite3 -bail data/offline.db < down.sql > /dev/null 2> sh.err || fail "sqlite3 ran downgrade --sql ${ids[$k]}:$to: $(cat sh.err)"
  same_as_chain "offline downgrade to $to" "$off"
done

# ---- a relative URL starts at the configuration's directory, whatever the working directory --
mkdir -p "$WORK/elsewhere" && cd "$WORK/elsewhere"
run 0 "$SG" -c "$WORK/p/schemagen.yaml" upgrade head
[ -e "$WORK/p/data/app.db" ] && [ ! -e "$WORK/elsewhere/data" ] || fail "the relative URL was not taken from the configuration's directory"
run 0 "$SG" -c "$WORK/p/schemagen.yaml" stamp base
run 0 "$SG" -c "$WORK/p/schemagen.yaml" current
checked
[ -z "$out" ] || fail "stamp base: $out"
run 0 "$SG" -c "$WORK/p/schemagen.yaml" stamp head
cd "$WORK/p"
run 2 "$SG" --url "sqlite:///$WORK/no/such/dir/x.db" upgrade head
contains "$err" "does not exist" "a URL in a directory that does not exist"

# ---- six concurrent runs on one file: each revision applied once ---------------------------
rm -f data/app.db
pids=()
for k in 1 2 3 4 5 6; do
  "$SG" upgrade head > "c$k.out" 2> "c$k.err" &
  pids+=($!)
done
codes=""
for pid in "${pids[@]}"; do wait "$pid"; codes="$codes$?"; done
checked
[ "$codes" = 000000 ] || fail "concurrent upgrades: exit codes $codes: $(cat c*.err)"
checked
[ "$(grep -c 'Running upgrade' c*.err | awk -F: '{s += $2} END {print s}')" = "$steps" ] || fail "concurrent upgrades did not apply each revision once: $(cat c*.err)"
[ "$(sqlite3 data/app.db 'SELECT count(*) FROM parent')" = 3 ] || fail "concurrent upgrades: bulk_insert ran more than once"
run 0 "$SG" current
contains "$out" "$prev (head)" "after concurrent upgrades"

# ---- a failing revision leaves the file as it was, byte for byte ---------------------------
cp data/app.db before.db
rev "  - add_column: {table: parent, column: {name: extra, type: TEXT, nullable: false, server_default: \"'e'\"}}
  - alter_column: {table: parent, name: code, type: INTEGER, existing_type: TEXT}
  - execute: {sqlite: \"INSERT INTO nope VALUES (1)\", replay: []}" "  - drop_column: {table: parent, name: extra}"
run 2 "$SG" upgrade head
contains "$err" "revision $prev" "the failing revision named"
contains "$err" "no such table: nope" "SQLite's message"
contains "$err" "INSERT INTO nope" "the SQL"
unchanged "the failed upgrade"
unrev

# ---- NOT NULL over NULLs, with no default to fill them: the table named, not the rebuild's copy --
rev "  - alter_column: {table: parent, name: code, nullable: false, existing_nullable: true}" \
    "  - alter_column: {table: parent, name: code, nullable: true, existing_nullable: false}"
run 2 "$SG" upgrade head
contains "$err" "NOT NULL constraint failed: parent.code (in the rows the table rebuild copies)" "a rebuild's copy refused"
lacks "$err" "constraint failed: _schemagen_tmp_" "the rebuild's scratch name"
unchanged "a refused rebuild"
unrev

# ---- what SQLite cannot do at all: refused at the op, online and offline, with nothing printed --
rev "  - create_enum: {name: mood, values: [sad, ok]}" "  - drop_enum: {name: mood}"
run 1 "$SG" upgrade head
contains "$err" "revisions/${prev}_step.yaml:" "the op's file"
contains "$err" "create_enum" "the op SQLite cannot carry out"
unchanged "a refused op"
run 1 "$SG" upgrade --sql "$(printf 'a%011d' $((n - 1))):head"
checked
[ -z "$out" ] || fail "--sql printed part of a script that failed: $out"
unrev

# ---- a reference broken before the run (SQLite checks none unless asked) does not stop it ----
rev "  - create_index: {name: ix_parent_name, table: parent, columns: [name]}" "  - drop_index: {name: ix_parent_name, table: parent}"
for copy in orphan orphan_offline; do
  cp before.db $copy.db
  sqlite3 $copy.db "INSERT INTO kid (id, parent_id) VALUES (77, 7777)"
done
run 0 "$SG" --url "sqlite:///$WORK/p/orphan.db" upgrade head
"$SG" -q upgrade --sql "$(printf 'a%011d' $((n - 1))):head" | sqlite3 -bail orphan_offline.db > /dev/null 2> sh.err || fail "offline, a reference broken before the run stopped it: $(cat sh.err)"
checked
[ "$(sqlite3 orphan_offline.db "SELECT count(*) FROM sqlite_schema WHERE name = 'ix_parent_name'")" = 1 ] || fail "the offline run did not commit"
unrev

# ---- a broken reference stops the run, with the rows named ---------------------------------
rev "  - execute: {sqlite: \"INSERT INTO kid (id, parent_id) VALUES (99, 4242)\", replay: []}" "  - execute: {sqlite: \"DELETE FROM kid WHERE id = 99\", replay: []}"
run 2 "$SG" upgrade head
contains "$err" "foreign_key_check" "the check that failed"
contains "$err" "kid row 99" "the row that breaks the reference"
unchanged "the run with a broken reference"
# offline, sqlite3 -bail stops before COMMIT
"$SG" -q upgrade --sql "$(printf 'a%011d' $((n - 1))):head" > broken.sql
cp before.db shell.db
sqlite3 -bail shell.db < broken.sql > /dev/null 2> sh.err && fail "sqlite3 -bail committed a broken reference"
contains "$(cat sh.err)" "a foreign key is broken" "the offline check's message"
checked
[ "$(sqlite3 shell.db 'SELECT count(*) FROM kid WHERE id = 99')" = 0 ] || fail "the offline run committed the broken row"
finish
