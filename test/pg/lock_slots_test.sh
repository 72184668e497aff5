#!/usr/bin/env bash
# A chain whose one transaction would overflow the server's lock table (max_locks_per_transaction):
# on a server of its own with a small lock table, upgrade head commits after each revision, says
# so, and reaches the head where one transaction would fail with "out of shared memory"; a
# revision that alone does not fit is refused before anything runs, naming the setting and the
# value it needs. On the shared server (the default settings) the same chain runs in one
# transaction, saying nothing.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

small="$WORK/small"
SCHEMAGEN_TEST_PG_OPTIONS="-c max_locks_per_transaction=10 -c max_connections=10 -c max_worker_processes=0 -c max_wal_senders=0 -c autovacuum_max_workers=1" \
  "$SRC/test/pg/start.sh" "$small" >/dev/null || { fail "the small server did not start"; finish; }
trap '"$SRC/test/pg/stop.sh" "$small" >/dev/null 2>&1' EXIT
small_url=$(. "$small/env" && echo "$SCHEMAGEN_TEST_PG_URL")
small_psql=$(. "$small/env" && echo "$SCHEMAGEN_TEST_PG_BIN/psql")
small_q() { PGPASSWORD=$(. "$small/env" && echo "$SCHEMAGEN_TEST_PG_PASSWORD") "$small_psql" -X -At "$small_url" -c "$1"; }
[ "$(small_q "SHOW max_locks_per_transaction")" = 10 ] || fail "the small server's setting"

# 300 revisions, each a table with a key and an index: about 1,500 relations, where the small
# server's lock table has 120 slots (10 x 12 processes) and a little spare shared memory
mkdir -p "$WORK/chain/revisions" && cd "$WORK/chain"
printf 'script_location: revisions\n' > schemagen.yaml
down=null
for i in $(seq 1 300); do
  id=$(printf 'c0c0c0c0%04d' "$i")
  printf 'revision: %s\ndown_revision: %s\nupgrade:\n  - create_table: {name: t%d, columns: [{name: id, type: BIGINT, nullable: false}, {name: v, type: TEXT, nullable: true}], primary_key: {name: t%d_pkey, columns: [id]}}\n  - create_index: {name: ix_t%d_v, table: t%d, columns: [v]}\ndowngrade:\n  - drop_index: {name: ix_t%d_v, table: t%d}\n  - drop_table: {name: t%d}\n' \
    "$id" "$down" "$i" "$i" "$i" "$i" "$i" "$i" "$i" > "revisions/$id.yaml"
  down=$id
done
head_id=$down

# what one transaction does on the small server: PostgreSQL's own failure, which the split avoids
"$SG" upgrade head --sql > "$WORK/one.sql"
if PGPASSWORD=$(. "$small/env" && echo "$SCHEMAGEN_TEST_PG_PASSWORD") "$small_psql" -X -q -v ON_ERROR_STOP=1 "$small_url" -f "$WORK/one.sql" >/dev/null 2>"$WORK/one.err"; then
  fail "the whole chain fitted in one transaction on the small server: the test proves nothing"
fi
contains "$(cat "$WORK/one.err")" "max_locks_per_transaction" "one transaction runs out of lock slots"
checked

SCHEMAGEN_DATABASE_URL=$small_url run 0 "$SG" upgrade head
contains "$err" "warning: the run locks about" "the split is said"
contains "$err" "each revision commits on its own" "and what it does"
[ "$(small_q "SELECT version_num FROM schemagen_version")" = "$head_id" ] || fail "the small server is not at head"
[ "$(small_q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'")" = 300 ] || fail "not every table was made"
SCHEMAGEN_DATABASE_URL=$small_url run 0 "$SG" downgrade base
contains "$err" "each revision commits on its own" "the downgrade splits too"
[ "$(small_q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'")" = 0 ] || fail "downgrade base left tables"

# the shared server's default lock table holds the chain: one transaction, nothing said
shared=$(new_db lock_slots)
SCHEMAGEN_DATABASE_URL=$shared run 0 "$SG" upgrade head
lacks "$err" "warning: the run locks" "nothing said where the chain fits"

# one revision that alone overflows: refused before anything runs, naming what to set
big=b1b1b1b1b1b1
{
  printf 'revision: %s\ndown_revision: %s\nupgrade:\n' "$big" "$head_id"
  for i in $(seq 1 40); do printf '  - create_table: {name: b%d, columns: [{name: id, type: BIGINT, nullable: false}], primary_key: {name: b%d_pkey, columns: [id]}}\n' "$i" "$i"; done
  printf 'downgrade:\n'
  for i in $(seq 40 -1 1); do printf '  - drop_table: {name: b%d}\n' "$i"; done
} > "revisions/$big.yaml"
SCHEMAGEN_DATABASE_URL=$small_url run 1 "$SG" upgrade head
contains "$err" "revisions/$big.yaml: error: revision $big (upgrade) locks about" "the revision is named"
contains "$err" "max_locks_per_transaction = " "the setting to raise is named"
contains "$err" "nothing ran" "nothing ran"
[ -z "$(small_q "SELECT version_num FROM schemagen_version")" ] || fail "the refused run changed the version table"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "no password printed"

finish
