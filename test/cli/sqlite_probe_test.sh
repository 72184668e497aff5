#!/usr/bin/env bash
# What a demanding user tried on SQLite files and once lost, or saw done silently: a type change
# of text that is not a number, a rebuild under views and triggers (online and through --sql), a
# rebuild of a table with what the models cannot say (WITHOUT ROWID, AUTOINCREMENT, a generated
# column, a collation, STRICT), --sql for a table the chain did not make, and a file that is not
# a SQLite database.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }

# project NAME BEFORE_SQL UPGRADE_OPS DOWNGRADE_OPS: a directory with app.db made by BEFORE_SQL
# and one revision r1 (the file adopted: the chain did not make its tables)
project() {
  mkdir -p "$WORK/$1/revisions" && cd "$WORK/$1"
  printf 'url: sqlite:///app.db\n' > schemagen.yaml
  printf 'revision: r1\ndown_revision: null\nmessage: %s\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$1" "$3" "$4" > revisions/r1_one.yaml
  sqlite3 -bail app.db "$2" || fail "$1: the before SQL failed"
}

# ---- a type change keeps what does not convert (CAST would make 'x' 0 and '12abc' 12) -----
make_t="CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, '12'), (2, 'x'), (3, '12abc'), (4, NULL), (5, '1.5')"
project cast "$make_t" \
  "  - alter_column: {table: t, name: v, type: INTEGER, existing_type: TEXT}" \
  "  - alter_column: {table: t, name: v, type: TEXT, existing_type: INTEGER}"
run 0 "$SG" upgrade head
checked
[ "$(sqlite3 app.db "SELECT group_concat(quote(v), ',') FROM (SELECT v FROM t ORDER BY id)")" = "12,'x','12abc',NULL,1.5" ] ||
  fail "text to INTEGER changed values: $(sqlite3 app.db "SELECT group_concat(quote(v), ',') FROM t")"
run 0 "$SG" downgrade base
checked
[ "$(sqlite3 app.db "SELECT group_concat(quote(v), ',') FROM (SELECT v FROM t ORDER BY id)")" = "'12','x','12abc',NULL,'1.5'" ] ||
  fail "INTEGER back to TEXT changed values: $(sqlite3 app.db "SELECT group_concat(quote(v), ',') FROM t")"

# ---- a rebuild recreates the table's triggers online; --sql cannot, so it stops -------------
project triggers "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER);
CREATE TABLE log (msg TEXT);
CREATE TRIGGER tr_t AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); END;
INSERT INTO t VALUES (1, 'a', 1)" \
  "  - alter_column: {table: t, name: n, nullable: false, server_default: \"0\", existing_nullable: true}" \
  "  - alter_column: {table: t, name: n, nullable: true, server_default: null, existing_nullable: false, existing_server_default: \"0\"}"
# the chain did not make t: --sql has no definition to rebuild it from, and says so
run 1 "$SG" upgrade --sql head
contains "$err" "table t" "--sql for a table the chain did not make: the table named"
contains "$err" "online" "--sql for a table the chain did not make: what to do"
# made by the chain, with a trigger added by SQL
rm app.db revisions/r1_one.yaml
cat > revisions/r0_make.yaml <<'EOF'
revision: r0
down_revision: null
message: make
create_date: 2026-11-23T00:00:00Z
upgrade:
  - create_table:
      name: t
      columns:
        - {name: id, type: INTEGER, nullable: false}
        - {name: v, type: TEXT, nullable: true}
        - {name: n, type: INTEGER, nullable: true}
      primary_key: {name: pk_t, columns: [id]}
  - execute: {sqlite: "CREATE TABLE log (msg TEXT)", replay: []}
  - execute: {sqlite: "CREATE TRIGGER tr_t AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); END", replay: []}
downgrade:
  - execute: "DROP TABLE log"
  - drop_table: {name: t}
EOF
printf 'revision: r1\ndown_revision: r0\nmessage: rebuild\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
  "  - alter_column: {table: t, name: n, nullable: false, server_default: \"0\", existing_nullable: true}" \
  "  - alter_column: {table: t, name: n, nullable: true, server_default: null, existing_nullable: false, existing_server_default: \"0\"}" \
  > revisions/r1_one.yaml
run 0 "$SG" upgrade r0
cp app.db before.db
run 0 "$SG" -q upgrade --sql r0:r1
sqlite3 -bail app.db <<<"$out" > /dev/null 2> sh.err && fail "--sql rebuilt a table with a trigger it cannot recreate"
contains "$(cat sh.err)" "table t has triggers" "--sql: why the script stopped"
checked
cmp -s before.db app.db || fail "--sql: the stopped script changed the file"
run 0 "$SG" upgrade head
checked
[ "$(sqlite3 app.db "INSERT INTO t (id, v) VALUES (2, 'b'); SELECT group_concat(msg) FROM log")" = b ] || fail "online: the trigger was not recreated"

# ---- a view or trigger a rebuild breaks (a renamed column under it) stops the run ----------
make_v="CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);
CREATE VIEW v AS SELECT id, a FROM t; INSERT INTO t VALUES (1, 'x', '2')"
up_v="  - alter_column: {table: t, name: b, type: INTEGER, existing_type: TEXT}
  - alter_column: {table: t, name: a, new_name: a2}"
down_v="  - alter_column: {table: t, name: a2, new_name: a}
  - alter_column: {table: t, name: b, type: TEXT, existing_type: INTEGER}"
project view "$make_v" "$up_v" "$down_v"
cp app.db before.db
run 2 "$SG" upgrade head
contains "$err" "view v" "a view the rebuild broke: named"
contains "$err" "no such column: a" "a view the rebuild broke: SQLite's message"
checked
cmp -s before.db app.db || fail "a run that broke a view changed the file"
project trigger "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT);
CREATE TRIGGER tr AFTER UPDATE OF b ON t BEGIN UPDATE t SET a = new.b WHERE id = new.id; END;
INSERT INTO t VALUES (1, 'x', '2')" "$up_v" "$down_v"
cp app.db before.db
run 2 "$SG" upgrade head
contains "$err" "trigger tr on table t" "a trigger the rebuild broke: named"
contains "$err" "no such column: a" "a trigger the rebuild broke: SQLite's message"
checked
cmp -s before.db app.db || fail "a run that broke a trigger changed the file"

# ---- what a rebuild would lose: refused, before anything runs -----------------------------
# refused NAME CREATE_SQL WHAT
refused() {
  project "$1" "$2; INSERT INTO t (k, v) VALUES ('a', NULL)" \
    "  - alter_column: {table: t, name: v, nullable: false, server_default: \"'?'\", existing_nullable: true}" \
    "  - alter_column: {table: t, name: v, nullable: true, server_default: null, existing_nullable: false}"
  cp app.db before.db
  run 1 "$SG" upgrade head
  contains "$err" "$3" "$1: what the rebuild would lose"
  contains "$err" "r1_one.yaml" "$1: the revision's file"
  checked
  cmp -s before.db app.db || fail "$1: the refused run changed the file"
  cd "$WORK"
}
refused without_rowid "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID" "WITHOUT ROWID"
refused strict "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT) STRICT" "STRICT"
# AUTOINCREMENT is what identity says: a table the chain did not make, read from the file, keeps it
project autoincrement "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, k TEXT, v TEXT); INSERT INTO t (k, v) VALUES ('a', NULL)" \
  "  - alter_column: {table: t, name: v, nullable: false, server_default: \"'?'\", existing_nullable: true}" \
  "  - alter_column: {table: t, name: v, nullable: true, server_default: null, existing_nullable: false}"
run 0 "$SG" upgrade head
contains "$(sqlite3 app.db "SELECT sql FROM sqlite_schema WHERE name = 't'")" "AUTOINCREMENT" "a rebuilt AUTOINCREMENT table"
checked
[ "$(sqlite3 app.db "SELECT seq FROM sqlite_sequence WHERE name = 't'")" = 1 ] || fail "the rebuild lost the AUTOINCREMENT counter"
cd "$WORK"
refused generated "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT, g TEXT GENERATED ALWAYS AS (upper(k)))" "generated column g"
refused collation "CREATE TABLE t (k TEXT PRIMARY KEY COLLATE NOCASE, v TEXT)" "COLLATE NOCASE"

# ---- a file that is not a SQLite database: named --------------------------------------------
mkdir -p "$WORK/notdb/revisions" && cd "$WORK/notdb"
echo 'not a database at all, just some text that is long enough' > app.db
printf 'url: sqlite:///app.db\n' > schemagen.yaml
run 2 "$SG" current
contains "$err" "$WORK/notdb/app.db" "a file that is not a database: named"
contains "$err" "not a database" "a file that is not a database: SQLite's message"
finish
