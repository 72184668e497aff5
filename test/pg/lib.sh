# Helpers for tests against the throwaway PostgreSQL cluster (test/pg/start.sh). Sourced after
# test/cli/lib.sh; $4 is the fixture's state directory. Every helper fails the test when the
# server refuses what it was asked (a failing pg_dump or psql never reads as an empty answer).
PG_STATE=$4
# shellcheck disable=SC1091
source "$PG_STATE/env" || { echo "the postgres fixture did not start"; exit 1; }
export PGPASSWORD=$SCHEMAGEN_TEST_PG_PASSWORD
PGBIN=$SCHEMAGEN_TEST_PG_BIN
base_url="postgresql://postgres:$SCHEMAGEN_TEST_PG_PASSWORD@127.0.0.1:$SCHEMAGEN_TEST_PG_PORT"

# sql URL SQL: runs SQL (several statements allowed), stopping at the first error.
sql() {
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$1" -c "$2" >/dev/null 2>"$WORK/.psql.err" ||
    { fail "psql on database ${1##*/} refused [$2]: $(cat "$WORK/.psql.err")"; return 1; }
}
# new_db NAME: a fresh, empty database; prints its URL.
new_db() {
  sql "$base_url/postgres" "DROP DATABASE IF EXISTS \"$1\"" &&
    sql "$base_url/postgres" "CREATE DATABASE \"$1\""
  echo "$base_url/$1"
}
# q URL SQL: one value.
q() {
  "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 "$1" -c "$2" 2>"$WORK/.psql.err" ||
    { fail "psql on database ${1##*/} refused [$2]: $(cat "$WORK/.psql.err")"; return 1; }
}
# schema URL: the schema as pg_dump sees it, without the version tables and noise: what a step
# must leave behind exactly. A failed dump fails the test and prints a line no other dump equals.
schema() {
  local dump
  if ! dump=$("$PGBIN/pg_dump" -s --no-owner --no-privileges --exclude-table='public.schemagen_version*' \
    "$1" 2>"$WORK/.pg_dump.err"); then
    fail "pg_dump of database ${1##*/} failed: $(cat "$WORK/.pg_dump.err")"
    echo "(pg_dump of ${1##*/} failed: $RANDOM$RANDOM)"
    return 1
  fi
  printf '%s\n' "$dump" |
    { grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog' -e '^$' -e '^\\restrict' -e '^\\unrestrict' || true; }
}

# concurrent_upgrades URL REVISIONS: six `upgrade head` at once in the current directory's project;
# all must succeed, and the REVISIONS revisions each run once across them.
concurrent_upgrades() {
  local pids=() n runs
  for n in 1 2 3 4 5 6; do
    SCHEMAGEN_DATABASE_URL=$1 "$SG" upgrade head >"conc$n.out" 2>"conc$n.err" &
    pids+=($!)
  done
  for n in 0 1 2 3 4 5; do
    wait "${pids[$n]}" || fail "concurrent upgrade $((n + 1)) failed: $(cat "conc$((n + 1)).err")"
  done
  checked
  runs=$(cat conc*.err | grep -c "Running upgrade")
  [ "$runs" = "$2" ] || fail "each revision should run once across six concurrent upgrades, ran $runs times"
}
