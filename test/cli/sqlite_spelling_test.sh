#!/usr/bin/env bash
# One schema spelled many ways in the sqlite3 shell must autogenerate nothing against models that
# say the same; a real change must be found, and round trip on a file the chain did not make.
# Among the spellings: SQLite's double-quoted strings (`DEFAULT "x"`, `CHECK (s IN ("a", "b"))`:
# a double-quoted word that names no column is a string), `DEFAULT NULL` (no default), and a
# foreign key changed between two tables the database was adopted with.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }

prelude='#include <schemagen/annotations.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
using Clock = std::chrono::system_clock;'
q="'" # a single quote, inside the models' single-quoted shell text

# project NAME BEFORE_SQL MODELS: a directory with app.db made by BEFORE_SQL and the models
project() {
  mkdir -p "$WORK/$1/revisions" && cd "$WORK/$1"
  printf 'url: sqlite:///app.db\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
  printf '%s\n%s\n' "$prelude" "$3" > m.hpp
  sqlite3 -bail app.db "$2" || fail "$1: the SQL failed"
}

# nothing NAME BEFORE_SQL MODELS: the same schema spelled another way autogenerates nothing
nothing() {
  project "$@"
  run 0 "$SG" revision --autogenerate -m nothing
  contains "$out" "No changes in schema detected." "$1: $(sed -n '/^upgrade:/,/^downgrade:/p' revisions/*.yaml 2>/dev/null)"
  cd "$WORK"
}

# changed NAME BEFORE_SQL MODELS EXPECT...: the change found, upgraded, nothing left, checked,
# and downgraded back to the file's schema
changed() {
  local name=$1
  project "$1" "$2" "$3"
  shift 3
  run 0 "$SG" revision --autogenerate -m change
  for expect in "$@"; do contains "$(cat revisions/*change.yaml 2>/dev/null)" "$expect" "$name: the revision"; done
  run 0 "$SG" upgrade head
  run 0 "$SG" revision --autogenerate -m again
  contains "$out" "No changes in schema detected." "$name: nothing left after the upgrade"
  rm -f revisions/*again*
  run 0 "$SG" check
  run 0 "$SG" downgrade base
  # the revision gone, the file downgraded must show the same change again
  rm -f revisions/*
  run 0 "$SG" revision --autogenerate -m back
  for expect in "$@"; do contains "$(cat revisions/*back.yaml 2>/dev/null)" "$expect" "$name: the change after the downgrade"; done
  cd "$WORK"
}

# ---- spellings of one schema ----------------------------------------------------------------
nothing integers "CREATE TABLE t (id INTEGER PRIMARY KEY, a INT NOT NULL, b integer NOT NULL, c BIGINT NOT NULL, d int8 NOT NULL)" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; std::int64_t a; std::int64_t b; std::int64_t c; std::int64_t d; };'
nothing varchar "CREATE TABLE t (id INTEGER PRIMARY KEY, a varchar(40) NOT NULL, b VARCHAR ( 40 ) NOT NULL, c character varying(40) NOT NULL, e NUMERIC ( 10 , 2 ) NOT NULL)" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; SG_COLUMN(length = 40) std::string a; SG_COLUMN(length = 40) std::string b;
  SG_COLUMN(length = 40) std::string c; SG_COLUMN(precision = 10, scale = 2) double e; };'
nothing defaults "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL DEFAULT 0, b INTEGER NOT NULL DEFAULT (0), c TEXT NOT NULL DEFAULT 'x',
  d TEXT NOT NULL DEFAULT ('x'), e INTEGER NOT NULL DEFAULT -1, f INTEGER NOT NULL DEFAULT (-1), g INTEGER NOT NULL DEFAULT ((1 + 2)),
  k DATETIME NOT NULL DEFAULT (CURRENT_TIMESTAMP))" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id;
  SG_COLUMN(server_default = "0") int a; SG_COLUMN(server_default = "0") int b;
  SG_COLUMN(server_default = "'"$q"'x'"$q"'") std::string c; SG_COLUMN(server_default = "'"$q"'x'"$q"'::text") std::string d;
  SG_COLUMN(server_default = "-1") int e; SG_COLUMN(server_default = "-1") int f; SG_COLUMN(server_default = "1 + 2") int g;
  SG_COLUMN(server_default = "now()") Clock::time_point k; };'
# a double-quoted word SQLite took for a string: a string
nothing double_quoted_default 'CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT "x", b TEXT NOT NULL DEFAULT word)' '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; SG_COLUMN(server_default = "'"$q"'x'"$q"'") std::string a;
  SG_COLUMN(server_default = "'"$q"'word'"$q"'") std::string b; };'
nothing double_quoted_check 'CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL, CONSTRAINT ck CHECK ("s" IN ("a", "b")));
CREATE INDEX ix ON t (s) WHERE s <> "z"' '
struct SG_TABLE("t") SG_CHECK("ck", expr = "s IN ('"$q"'a'"$q"', '"$q"'b'"$q"')") SG_INDEX("ix", columns = "s", where = "s <> '"$q"'z'"$q"'") T {
  SG_COLUMN(primary_key) int id; std::string s; };'
# DEFAULT NULL is no default, either way round
nothing default_null "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT DEFAULT NULL, b TEXT)" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; std::optional<std::string> a; SG_COLUMN(server_default = "NULL") std::optional<std::string> b; };'
nothing references "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE);
CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL REFERENCES p, qid INTEGER NOT NULL, code TEXT NOT NULL CONSTRAINT c_code_fkey REFERENCES p(code) ON DELETE CASCADE,
  FOREIGN KEY (qid) REFERENCES p ON DELETE NO ACTION ON UPDATE CASCADE)" '
struct SG_TABLE("p") P { SG_COLUMN(primary_key) int id; SG_COLUMN(unique) std::string code; };
struct SG_TABLE("c") C { SG_COLUMN(primary_key) int id; SG_COLUMN(foreign_key = "p.id") int pid; SG_COLUMN(foreign_key = "p.id", on_update = "CASCADE") int qid;
  SG_COLUMN(foreign_key = "p.code", on_delete = "CASCADE") std::string code; };'
nothing constraints "CREATE TABLE IF NOT EXISTS t (id BIGINT NOT NULL, a TEXT NOT NULL, b TEXT NOT NULL UNIQUE, c INTEGER NOT NULL, PRIMARY KEY (id), UNIQUE (a), CONSTRAINT uq_ac UNIQUE (a, c))" '
struct SG_TABLE("t") SG_UNIQUE("uq_ac", columns = "a, c") T { SG_COLUMN(primary_key) std::int64_t id; SG_COLUMN(unique) std::string a; SG_COLUMN(unique) std::string b; int c; };'
nothing renamed "CREATE TABLE old (id INTEGER PRIMARY KEY, x TEXT NOT NULL CHECK (x <> ''), CONSTRAINT uq UNIQUE (x));
CREATE TABLE kid (id INTEGER PRIMARY KEY, oid INTEGER NOT NULL REFERENCES old (id));
CREATE INDEX ix ON old (lower(x)) WHERE x <> 'z'; ALTER TABLE old RENAME COLUMN x TO a; ALTER TABLE old RENAME TO new" '
struct SG_TABLE("new") SG_CHECK("new_check", expr = "a <> '"$q$q"'") SG_UNIQUE("uq", columns = "a") SG_INDEX("ix", columns = "lower(a)", where = "a <> '"$q"'z'"$q"'") T {
  SG_COLUMN(primary_key) int id; std::string a; };
struct SG_TABLE("kid") K { SG_COLUMN(primary_key) int id; SG_COLUMN(foreign_key = "new.id") int oid; };'
nothing checks "CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL, n INTEGER NOT NULL,
  CONSTRAINT ck_in CHECK(s in('a','b')), CONSTRAINT ck_like CHECK (s like 'a%'), CONSTRAINT ck_btw CHECK (n between 1 and 10),
  CONSTRAINT ck_fn CHECK (LENGTH( s )>0), CONSTRAINT ck_ne CHECK (n<>5), CONSTRAINT ck_q CHECK (\"n\" > 0))" '
struct SG_TABLE("t") SG_CHECK("ck_in", expr = "s IN ('"$q"'a'"$q"', '"$q"'b'"$q"')") SG_CHECK("ck_like", expr = "s LIKE '"$q"'a%'"$q"'")
  SG_CHECK("ck_btw", expr = "n BETWEEN 1 AND 10") SG_CHECK("ck_fn", expr = "length(s) > 0") SG_CHECK("ck_ne", expr = "n != 5") SG_CHECK("ck_q", expr = "n > 0")
  T { SG_COLUMN(primary_key) int id; std::string s; int n; };'

# ---- a table the database was adopted with, double-quoted strings and all, rebuilt ----------
project rebuild_quoted 'CREATE TABLE t (id INTEGER PRIMARY KEY, s TEXT NOT NULL DEFAULT "a", n INTEGER, CONSTRAINT ck CHECK (s IN ("a", "b")));
INSERT INTO t VALUES (1, "b", 1)' ''
printf 'revision: r1\ndown_revision: null\nmessage: m\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
  "  - alter_column: {table: t, name: n, nullable: false, existing_nullable: true}" \
  "  - alter_column: {table: t, name: n, nullable: true, existing_nullable: false}" > revisions/r1.yaml
run 0 "$SG" upgrade head
checked
[ "$(sqlite3 app.db "INSERT INTO t (id, n) VALUES (2, 2); SELECT group_concat(s) FROM t")" = "b,a" ] || fail "rebuild_quoted: the default after the rebuild"
checked
sqlite3 app.db "INSERT INTO t VALUES (3, 'c', 3)" 2>/dev/null && fail "rebuild_quoted: the check was lost"
run 0 "$SG" downgrade base
cd "$WORK"

# ---- real changes: found, and round trip on the adopted file ---------------------------------
changed default "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL DEFAULT 0, b TEXT NOT NULL DEFAULT 'x')" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; SG_COLUMN(server_default = "-1") int a; SG_COLUMN(server_default = "'"$q"'X'"$q"'") std::string b; };' \
  'server_default: "-1"' "server_default: \"'X'\""
changed check "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, CONSTRAINT ck CHECK (n > 0))" '
struct SG_TABLE("t") SG_CHECK("ck", expr = "n >= 0") T { SG_COLUMN(primary_key) int id; int n; };' "n >= 0"
changed partial_index "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER); CREATE INDEX ix ON t (n) WHERE n > 0" '
struct SG_TABLE("t") SG_INDEX("ix", columns = "n", where = "n > 1") T { SG_COLUMN(primary_key) int id; std::optional<int> n; };' "n > 1"
changed nullable "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL)" '
struct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; std::optional<std::string> a; };' "nullable: true"
# the parent is a table the chain did not make either: read from the file too
changed fk_action "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY, pid INTEGER NOT NULL REFERENCES p (id) ON DELETE CASCADE)" '
struct SG_TABLE("p") P { SG_COLUMN(primary_key) int id; };
struct SG_TABLE("c") C { SG_COLUMN(primary_key) int id; SG_COLUMN(foreign_key = "p.id", on_delete = "RESTRICT") int pid; };' "on_delete: RESTRICT"
changed fk_target "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE); CREATE TABLE c (id INTEGER PRIMARY KEY, pid TEXT NOT NULL REFERENCES p)" '
struct SG_TABLE("p") P { SG_COLUMN(primary_key) int id; SG_COLUMN(unique) std::string code; };
struct SG_TABLE("c") C { SG_COLUMN(primary_key) int id; SG_COLUMN(foreign_key = "p.code") std::string pid; };' "referred_columns: [code]"
finish
