#!/usr/bin/env bash
# Edge cases of SQLite rebuilds: names that need quoting (spaces, quotes, keywords, non-ASCII)
# through autogenerate, rebuilds, downgrade and --sql, index elements on such columns included;
# what a rebuild would silently lose (a DEFERRABLE foreign key, ON CONFLICT clauses), refused;
# a foreign key added over rows that break it and a unique index over duplicates, failing with
# the file unchanged; transaction_per_migration keeping the revisions before a failing one.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }

prelude='#include <schemagen/annotations.hpp>
#include <cstdint>
#include <optional>
#include <string>'

# the file's schema, in an order a rebuild does not change
schema() { sqlite3 "$1" "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name"; }

# ---- names that need quoting, through autogenerate, a rebuild, downgrade and --sql ---------
mkdir -p "$WORK/names/revisions" && cd "$WORK/names"
printf 'url: sqlite:///app.db\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
odd='"it'"'"'s ""odd"" tablé"'
cat > m.hpp <<EOF
$prelude
struct SG_TABLE("order") Order { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(name = "from") std::string from_; SG_COLUMN(name = "Group") int g; };
struct SG_TABLE("it's \"odd\" tablé") Odd {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(name = "ord's \"ref\"", foreign_key = "order.id") std::int64_t ref;
  SG_COLUMN(name = "Größe", index) std::string size;
  SG_COLUMN(name = "Group By", index) int gb;
  SG_COLUMN(name = "select") std::optional<std::string> sel;
};
EOF
run 0 "$SG" revision --autogenerate -m one
run 0 "$SG" upgrade head
sqlite3 -bail app.db "INSERT INTO \"order\" VALUES (1, 'a', 1), (2, 'b', 2); INSERT INTO $odd VALUES (1, 2, 'x', 1, 'y'), (2, 1, 'z', 2, NULL)" ||
  fail "names: rows"
contains "$(sqlite3 app.db "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE type = 'index'")" '("Größe")' "names: an index on a non-ASCII column is on the column, not an expression"
contains "$(sqlite3 app.db "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE type = 'index'")" '("Group By")' "names: an index on a column with a space"
run 0 "$SG" revision --autogenerate -m again
contains "$out" "No changes in schema detected." "names: nothing left after the first upgrade"
rm -f revisions/*again*
cp app.db one.db
kept="SELECT group_concat(id || '|' || \"ord's \"\"ref\"\"\" || '|' || \"Größe\" || '|' || \"Group By\", ';') FROM $odd"
data=$(sqlite3 app.db "$kept")
cat > m.hpp <<EOF
$prelude
struct SG_TABLE("order") SG_UNIQUE("uq \"from\" 'x'", columns = "from, Group") Order { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(name = "from") std::string from_; SG_COLUMN(name = "Group") std::int64_t g; };
struct SG_TABLE("it's \"odd\" tablé") SG_INDEX("ix \"weird\" ö", columns = "lower(\"Größe\")", where = "\"Größe\" <> ''") SG_CHECK("ck 'größe'", expr = "length(\"Größe\") < 10") Odd {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(name = "ord's \"ref\"", foreign_key = "order.id", on_delete = "CASCADE") std::int64_t ref;
  SG_COLUMN(name = "Größe", index) std::string size;
  SG_COLUMN(name = "Group By", index) std::int64_t gb;
  SG_COLUMN(name = "Where", renamed_from = "select") std::optional<std::string> sel;
};
EOF
run 0 "$SG" revision --autogenerate -m two
run 0 "$SG" upgrade head
checked
[ "$(sqlite3 app.db "$kept")" = "$data" ] || fail "names: the rebuild changed the rows: $(sqlite3 app.db "$kept")"
checked
[ "$(sqlite3 app.db 'PRAGMA foreign_key_check')" = "" ] || fail "names: foreign_key_check after the rebuild"
run 0 "$SG" revision --autogenerate -m again
contains "$out" "No changes in schema detected." "names: nothing left after the rebuild"
rm -f revisions/*again*
run 0 "$SG" check
run 0 "$SG" -q upgrade --sql base:head
rm -f script.db
sqlite3 -bail script.db <<<"$out" > /dev/null || fail "names: the --sql script failed"
checked
[ "$(schema script.db)" = "$(schema app.db)" ] || fail "names: --sql built another schema"
run 0 "$SG" downgrade -1
checked
[ "$(schema app.db)" = "$(schema one.db)" ] || { fail "names: downgrade did not restore the schema"; diff <(schema one.db) <(schema app.db) >&2; }
checked
[ "$(sqlite3 app.db "$kept")" = "$data" ] || fail "names: the downgrade changed the rows"

# ---- what a rebuild would lose without a word: refused, the file unchanged -----------------
# lost NAME CREATE_SQL WHAT
lost() {
  mkdir -p "$WORK/$1/revisions" && cd "$WORK/$1"
  printf 'url: sqlite:///app.db\n' > schemagen.yaml
  sqlite3 -bail app.db "CREATE TABLE p (id INTEGER PRIMARY KEY); $2; INSERT INTO p VALUES (1); INSERT INTO t (id, p, v) VALUES (1, 1, 'a')" ||
    fail "$1: the before SQL failed"
  printf 'revision: r1\ndown_revision: null\nmessage: m\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "  - alter_column: {table: t, name: v, type: VARCHAR(10), existing_type: TEXT}" \
    "  - alter_column: {table: t, name: v, type: TEXT, existing_type: VARCHAR(10)}" > revisions/r1.yaml
  cp app.db before.db
  run 1 "$SG" upgrade head
  contains "$err" "$3" "$1: what the rebuild would lose"
  checked
  cmp -s before.db app.db || fail "$1: the refused run changed the file"
  cd "$WORK"
}
lost deferrable "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED, v TEXT)" "DEFERRABLE"
lost deferrable_table "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER, v TEXT, CONSTRAINT fk FOREIGN KEY (p) REFERENCES p (id) DEFERRABLE INITIALLY DEFERRED)" "DEFERRABLE"
lost on_conflict "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER, v TEXT UNIQUE ON CONFLICT REPLACE)" "ON CONFLICT"
lost on_conflict_null "CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER NOT NULL ON CONFLICT IGNORE, v TEXT)" "ON CONFLICT"
# NOT DEFERRABLE and DEFERRABLE INITIALLY IMMEDIATE are what a foreign key is anyway: rebuilt
mkdir -p "$WORK/immediate/revisions" && cd "$WORK/immediate"
printf 'url: sqlite:///app.db\n' > schemagen.yaml
sqlite3 -bail app.db "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id) NOT DEFERRABLE, v TEXT); INSERT INTO p VALUES (1); INSERT INTO t VALUES (1, 1, 'a')"
printf 'revision: r1\ndown_revision: null\nmessage: m\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
  "  - alter_column: {table: t, name: v, type: VARCHAR(10), existing_type: TEXT}" \
  "  - alter_column: {table: t, name: v, type: TEXT, existing_type: VARCHAR(10)}" > revisions/r1.yaml
run 0 "$SG" upgrade head

# ---- rows that break what a rebuild adds: the run fails, naming them; the file unchanged ---
# transaction_per_migration: the revisions before the failing one stay applied
mkdir -p "$WORK/per_migration/revisions" && cd "$WORK/per_migration"
printf 'url: sqlite:///app.db\ntransaction_per_migration: true\n' > schemagen.yaml
sqlite3 -bail app.db "CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT); CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER, k TEXT);
INSERT INTO p VALUES (1, 'a'), (2, 'b'); INSERT INTO c VALUES (1, 1, 'a'), (2, 5, 'b'), (3, 7, 'b')"
revision() {
  printf 'revision: %s\ndown_revision: %s\nmessage: m\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$1" "$2" "$3" "$4" > "revisions/$1.yaml"
}
revision r1 null "  - add_column: {table: p, column: {name: w, type: TEXT, nullable: true}}" "  - drop_column: {table: p, name: w}"
revision r2 r1 "  - create_index: {name: ix_k, table: c, columns: [k]}" "  - drop_index: {name: ix_k, table: c}"
revision r3 r2 "  - create_foreign_key: {name: fk_c_p, table: c, columns: [p], referred_table: p, referred_columns: [id]}" \
  "  - drop_constraint: {name: fk_c_p, table: c, type: foreign_key}"
run 2 "$SG" upgrade head
contains "$err" "c row 2 refers to a missing row of p" "per_migration: the rows named"
contains "$err" "c row 3 refers to a missing row of p" "per_migration: the rows named"
checked
[ "$(sqlite3 app.db 'SELECT group_concat(version_num) FROM schemagen_version')" = r2 ] || fail "per_migration: the version table"
checked
[ "$(sqlite3 app.db "SELECT count(*) FROM sqlite_schema WHERE name = 'ix_k'")" = 1 ] || fail "per_migration: r2 was not kept"
cp app.db before.db
revision r3 r2 "  - create_index: {name: ux_k, table: c, columns: [k], unique: true}
  - alter_column: {table: c, name: k, nullable: false, server_default: \"''\", existing_nullable: true}" \
  "  - alter_column: {table: c, name: k, nullable: true, server_default: null, existing_nullable: false}
  - drop_index: {name: ux_k, table: c}"
run 2 "$SG" upgrade head
contains "$err" "UNIQUE constraint failed" "per_migration: duplicates under a unique index"
checked
cmp -s before.db app.db || fail "per_migration: the failed unique index changed the file"
finish
