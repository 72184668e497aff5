#!/usr/bin/env bash
# Runs on a SQLite file that another process holds or that cannot be written: lock_timeout is
# honoured whatever lock the other holds (a writer in the middle of its commit holds SQLite's
# EXCLUSIVE lock, which stops readers too), and a file or directory the run cannot write is
# refused up front, named, with the file unchanged.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }
py=$(command -v /usr/bin/python3 || command -v python3)

mkdir -p "$WORK/p/revisions" && cd "$WORK/p"
printf 'url: sqlite:///app.db\nlock_timeout: 1\n' > schemagen.yaml
for k in 1 2; do
  printf 'revision: r%s\ndown_revision: %s\nmessage: m%s\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
    "$k" "$([ "$k" = 1 ] && echo null || echo r$((k - 1)))" "$k" \
    "  - create_table: {name: t$k, columns: [{name: id, type: INTEGER, nullable: false}]}" \
    "  - drop_table: {name: t$k}" > "revisions/r$k.yaml"
done
run 0 "$SG" -q upgrade r1
cp app.db before.db

# ---- lock_timeout, whatever lock another connection holds ----------------------------------
# held MODE: another process holds the file in a transaction begun with BEGIN MODE for 8 s
held() {
  rm -f held.ready
  "$py" -c "
import sqlite3, sys, time
c = sqlite3.connect('app.db', isolation_level=None)
c.execute('BEGIN $1')
c.execute('SELECT count(*) FROM sqlite_schema').fetchall()
open('held.ready', 'w').close()
time.sleep(8)
" &
  holder=$!
  for _ in $(seq 50); do [ -e held.ready ] && break; sleep 0.1; done
}
for mode in IMMEDIATE EXCLUSIVE; do
  held "$mode"
  for command in "upgrade head" "downgrade base" "stamp r2"; do
    started=$(date +%s%N)
    run 2 "$SG" $command
    elapsed=$((($(date +%s%N) - started) / 1000000))
    contains "$err" "holds the write lock on $WORK/p/app.db" "$mode, $command: the file named"
    contains "$err" "lock_timeout" "$mode, $command: what to raise"
    checked
    [ "$elapsed" -lt 3000 ] || fail "$mode, $command: lock_timeout 1 waited $elapsed ms"
  done
  kill "$holder" 2>/dev/null
  wait "$holder" 2>/dev/null
  checked
  cmp -s before.db app.db || fail "$mode: a run that could not lock the file changed it"
done

# ---- a file, or a directory, the run cannot write ------------------------------------------
# as root, permissions do not stop the run: run it as another user
as_other=()
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null; then
    as_other=(setpriv --reuid=65534 --regid=65534 --clear-groups env "SCHEMAGEN_CACHE_DIR=$WORK/other-cache")
    # another user may not reach the binary or the scratch directory (a build under /root): skip
    "${as_other[@]}" test -x "$SG" -a -r "$WORK/p/schemagen.yaml" 2>/dev/null || as_other=()
  fi
  [ ${#as_other[@]} != 0 ] || echo "skipped: files a run cannot write (no other user can run $SG here)"
fi
if [ "$(id -u)" != 0 ] || [ ${#as_other[@]} != 0 ]; then
  mkdir -p "$WORK/ro/revisions" && cp -r "$WORK/p/revisions" "$WORK/p/schemagen.yaml" "$WORK/ro/" && cd "$WORK/ro"
  cp "$WORK/p/before.db" app.db
  cp app.db before.db
  chmod 755 "$WORK" "$WORK/ro" && chmod -R a+rX revisions
  # the file read-only
  chmod 444 app.db
  for command in "upgrade head" "downgrade base" "stamp r2"; do
    run 2 "${as_other[@]}" "$SG" $command
    contains "$err" "$WORK/ro/app.db" "read-only file, $command: the file named"
    contains "$err" "read-only" "read-only file, $command: why"
    lacks "$err" "Running" "read-only file, $command: refused before any revision ran"
  done
  run 0 "${as_other[@]}" "$SG" current
  contains "$out" "r1" "read-only file: current reads it"
  checked
  cmp -s before.db app.db || fail "read-only file: changed"
  # the file writable, its directory not: SQLite cannot write its journal beside it
  chmod 666 app.db
  [ "$(id -u)" = 0 ] || chmod 555 "$WORK/ro"
  run 2 "${as_other[@]}" "$SG" upgrade head
  contains "$err" "$WORK/ro" "read-only directory: named"
  contains "$err" "journal" "read-only directory: why"
  checked
  cmp -s before.db app.db || fail "read-only directory: the file changed"
  chmod 755 "$WORK/ro"
  cd "$WORK"
fi

# ---- an op the chain's schema refuses (a table made twice): named at its file and line -----
cd "$WORK/p"
printf 'revision: r3\ndown_revision: r2\nmessage: twice\ncreate_date: 2026-11-23T00:00:00Z\nupgrade:\n%s\ndowngrade:\n%s\n' \
  "  - create_table: {name: t1, columns: [{name: id, type: INTEGER, nullable: false}]}" \
  "  - drop_table: {name: t1}" > revisions/r3.yaml
run 0 "$SG" -q upgrade r2
cp app.db before.db
run 1 "$SG" upgrade head
contains "$err" "revisions/r3.yaml:6:5: error: create_table t1: the table exists already" "a table made twice: where"
checked
cmp -s before.db app.db || fail "a table made twice: the file changed"
run 1 "$SG" upgrade --sql r2:r3
contains "$err" "revisions/r3.yaml:6:5:" "--sql, a table made twice: where"
checked
[ -z "$out" ] || fail "--sql, a table made twice: printed part of a script"

finish
