#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the tests: initdb into a temporary directory (as the
# postgres user when run as root), a free port on 127.0.0.1, password authentication over TCP.
# Writes STATE_DIR/env for the tests to source; test/pg/stop.sh stops it and removes everything.
# $SCHEMAGEN_TEST_PG_OPTIONS adds server settings ("-c max_locks_per_transaction=10").
set -euo pipefail
state=${1:?usage: start.sh STATE_DIR}
"$(dirname "$0")/stop.sh" "$state" 2>/dev/null || true
mkdir -p "$state"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "start.sh: no PostgreSQL server installed (run .ci/install-deps)" >&2; exit 1; }
root=$(mktemp -d /tmp/schemagen-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$root"
  as_owner=(runuser -u postgres --)
fi
password="sg-test-$RANDOM$RANDOM"
printf '%s\n' "$password" > "$root/pwfile"
chmod 600 "$root/pwfile"
[ -z "${as_owner[*]}" ] || chown postgres: "$root/pwfile"
"${as_owner[@]}" "$bin/initdb" -D "$root/data" -U postgres --pwfile="$root/pwfile" \
  --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >"$root/initdb.log" 2>&1 ||
  { cat "$root/initdb.log" >&2; exit 1; }
for attempt in $(seq 1 20); do
  port=$((20000 + (RANDOM * 7 + attempt) % 40000))
  if "${as_owner[@]}" "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 30 start \
      -o "-p $port -k $root -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50 ${SCHEMAGEN_TEST_PG_OPTIONS:-}" >/dev/null 2>&1; then
    cat > "$state/env" <<EOT
export SCHEMAGEN_TEST_PG_BIN='$bin'
export SCHEMAGEN_TEST_PG_ROOT='$root'
export SCHEMAGEN_TEST_PG_PORT='$port'
export SCHEMAGEN_TEST_PG_PASSWORD='$password'
export SCHEMAGEN_TEST_PG_URL='postgresql://postgres:$password@127.0.0.1:$port/postgres'
EOT
    echo "$root" > "$state/root"
    echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $root)"
    exit 0
  fi
  grep -q "already in use\|could not bind" "$root/server.log" 2>/dev/null || { cat "$root/server.log" >&2; exit 1; }
done
echo "start.sh: no free port found" >&2
exit 1
