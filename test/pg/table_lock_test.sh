#!/usr/bin/env bash
# lock: table — the run's lock as a row of <version_table>_lock, for engines whose advisory locks
# lock nothing (CockroachDB, YugabyteDB before 2.25), forced here on PostgreSQL. The advisory
# lock's concurrency checks (migrate_test.sh) pass with it: concurrent upgrades run each revision
# once; a run that waits too long says who holds the lock. And: the heartbeat renews a long run's
# row, which no other run takes while it lives; a killed run's row is taken over once it expired;
# the row is released at the end, after a failure too.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# revision FILE ID DOWN SQL: a revision executing SQL (its downgrade does nothing)
revision() {
  printf 'revision: %s\ndown_revision: %s\nmessage: %s\nupgrade:\n  - execute: "%s"\ndowngrade: []\n' \
    "$2" "$3" "$2" "$4" >"$1"
}
mkdir chain
revision chain/r1.yaml 111111111111 null "CREATE TABLE t1 (id int)"
revision chain/r2.yaml 222222222222 111111111111 "CREATE TABLE t2 (id int)"
# as long as the table `sleepy` says (none: at once): the run the tests keep busy
revision chain/r3.yaml 333333333333 222222222222 \
  "SELECT pg_sleep(coalesce((SELECT max(seconds) FROM sleepy), 0))"
revision chain/r4.yaml 444444444444 333333333333 "CREATE TABLE t4 (id int)"
printf '#include <schemagen/annotations.hpp>\n' >m.hpp
config() { # config LOCK_TIMEOUT [LOCK]: the lock table by default, expiring 2 s after a renewal
  printf 'script_location: chain\nmodels: {sources: [m.hpp]}\nlock: %s\nlock_expiry: 2\nlock_timeout: %s\n' \
    "${2:-table}" "$1" >schemagen.yaml
}
config 120
lock_table=public.schemagen_version_lock
# new database with the table that slows r3 down, holding SECONDS
slow_db() { # slow_db NAME SECONDS
  local url
  url=$(new_db "$1")
  sql "$url" "CREATE TABLE sleepy (seconds int); INSERT INTO sleepy VALUES ($2)"
  echo "$url"
}
# wait_for URL SQL: until the query says t (or 60 s, a timeout, not what is asserted)
wait_for() {
  for _ in $(seq 1 600); do
    [ "$(q "$1" "$2")" = t ] && return 0
    sleep 0.1
  done
  return 1
}

# ---- six concurrent upgrades: all succeed, each revision runs once --------------------------------
cdb=$(slow_db lock_concurrent 0)
concurrent_upgrades "$cdb" 4
[ "$(q "$cdb" "SELECT version_num FROM schemagen_version")" = 444444444444 ] || fail "concurrent: version"
[ "$(q "$cdb" "SELECT count(*) FROM $lock_table")" = 0 ] || fail "concurrent: the lock row released"
[ "$(q "$cdb" "SELECT count(*) FROM schemagen_version_log")" = 4 ] || fail "concurrent: the log"

# ---- a long run: renewed, waited for, never taken over ---------------------------------------------
ldb=$(slow_db lock_live 8) # four expiries long
SCHEMAGEN_DATABASE_URL=$ldb "$SG" upgrade head >long.out 2>long.err &
long_pid=$!
{ wait_for "$ldb" "SELECT to_regclass('$lock_table') IS NOT NULL" &&
  wait_for "$ldb" "SELECT EXISTS (SELECT 1 FROM $lock_table)"; } || fail "the long run never took the lock"
owner=$(q "$ldb" "SELECT owner FROM $lock_table")
first_expiry=$(q "$ldb" "SELECT expires FROM $lock_table")
contains "$(q "$ldb" "SELECT host || ' ' || pid FROM $lock_table")" "$(hostname) " "the row names the host"
# a run told to wait little gives up, naming the holder
config 1
SCHEMAGEN_DATABASE_URL=$ldb run 2 "$SG" upgrade head
contains "$err" "another migration holds the lock on this version table (lock table $lock_table: run $owner on host $(hostname)" \
  "the lock timeout names the run holding the lock"
contains "$err" "gave up after 1 s" "and how long it waited"
# one told to wait long outlasts the row's first expiry, and waits on: nothing left to do after
config 120
SCHEMAGEN_DATABASE_URL=$ldb "$SG" upgrade head >waiter.out 2>waiter.err &
waiter_pid=$!
# the heartbeat renews the row; the owner is still the long run
wait_for "$ldb" "SELECT expires > '$first_expiry' FROM $lock_table" || fail "the row was never renewed"
[ "$(q "$ldb" "SELECT owner FROM $lock_table")" = "$owner" ] || fail "the renewed row changed hands"
wait $long_pid || fail "the long run failed: $(cat long.err)"
wait $waiter_pid || fail "the waiting run failed: $(cat waiter.err)"
checked
[ "$(grep -c "Running upgrade" long.err)" = 4 ] || fail "the long run ran the chain: $(cat long.err)"
lacks "$(cat waiter.err)" "Running upgrade" "the waiting run found nothing to do (the lock was not stolen)"
[ "$(q "$ldb" "SELECT count(*) FROM $lock_table")" = 0 ] || fail "the long run released its row"

# ---- a killed run's row: still there, taken over once expired -------------------------------------
kdb=$(slow_db lock_killed 600)
SCHEMAGEN_DATABASE_URL=$kdb "$SG" upgrade head >killed.out 2>killed.err &
killed_pid=$!
wait_for "$kdb" "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%')" ||
  fail "the run to kill never reached r3"
dead_owner=$(q "$kdb" "SELECT owner FROM $lock_table")
kill -9 $killed_pid
wait $killed_pid 2>/dev/null
# the machine is gone: so is its backend, still sleeping in r3
sql "$kdb" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query LIKE 'SELECT pg_sleep%'"
sql "$kdb" "UPDATE sleepy SET seconds = 0"
[ "$(q "$kdb" "SELECT owner FROM $lock_table")" = "$dead_owner" ] || fail "the killed run's row is left behind"
SCHEMAGEN_DATABASE_URL=$kdb run 0 "$SG" upgrade head
contains "$err" "warning: took over the lock (lock table $lock_table) from run $dead_owner on host $(hostname), pid" \
  "the next run took the stale lock over, saying whose"
contains "$err" "Running upgrade 222222222222 -> 333333333333" "and ran"
[ "$(q "$kdb" "SELECT version_num FROM schemagen_version")" = 444444444444 ] || fail "taken over: version"
[ "$(q "$kdb" "SELECT count(*) FROM $lock_table")" = 0 ] || fail "taken over: released"

# ---- a failing run releases its row ----------------------------------------------------------------
fdb=$(slow_db lock_failing 0)
sql "$fdb" "CREATE TABLE t4 (id int)" # r4 fails
SCHEMAGEN_DATABASE_URL=$fdb run 2 "$SG" upgrade head
contains "$err" 'relation "t4" already exists' "the failure is the revision's"
[ "$(q "$fdb" "SELECT count(*) FROM $lock_table")" = 0 ] || fail "a failed run released its row"
sql "$fdb" "DROP TABLE t4"
SCHEMAGEN_DATABASE_URL=$fdb run 0 "$SG" upgrade head # at once: nothing holds the lock

# ---- stamp takes it too --------------------------------------------------------------------------
sdb=$(slow_db lock_stamp 0)
sql "$sdb" "CREATE TABLE $lock_table (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, started TIMESTAMPTZ NOT NULL, expires TIMESTAMPTZ NOT NULL); INSERT INTO $lock_table VALUES (1, 'elsewhere', 'otherhost', 42, now(), now() + interval '1 hour')"
config 0
SCHEMAGEN_DATABASE_URL=$sdb run 2 "$SG" stamp head
contains "$err" "run elsewhere on host otherhost, pid 42" "stamp waits for the lock table's holder"
# an explicit lock: advisory is not held up by the row
config 0 advisory
SCHEMAGEN_DATABASE_URL=$sdb run 0 "$SG" stamp head

finish
