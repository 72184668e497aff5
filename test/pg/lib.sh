# Helpers for tests against the throwaway PostgreSQL cluster (test/pg/start.sh). Sourced after
# test/cli/lib.sh; $4 is the fixture's state directory.
PG_STATE=$4
# shellcheck disable=SC1091
source "$PG_STATE/env" || { echo "the postgres fixture did not start"; exit 1; }
export PGPASSWORD=$SCHEMAGEN_TEST_PG_PASSWORD
PGBIN=$SCHEMAGEN_TEST_PG_BIN
base_url="postgresql://postgres:$SCHEMAGEN_TEST_PG_PASSWORD@127.0.0.1:$SCHEMAGEN_TEST_PG_PORT"

# new_db NAME: a fresh, empty database; prints its URL.
new_db() {
  "$PGBIN/psql" -q -v ON_ERROR_STOP=1 "$base_url/postgres" -c "DROP DATABASE IF EXISTS \"$1\"" -c "CREATE DATABASE \"$1\"" >/dev/null
  echo "$base_url/$1"
}
# q URL SQL: one value.
q() { "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 "$1" -c "$2"; }
# schema URL: the schema as pg_dump sees it, without the version tables and noise: what a step
# must leave behind exactly.
schema() {
  "$PGBIN/pg_dump" -s --no-owner --no-privileges --exclude-table='public.schemagen_version*' "$1" |
    grep -v -e '^--' -e '^SET ' -e '^SELECT pg_catalog' -e '^$' -e '^\\restrict' -e '^\\unrestrict'
}
