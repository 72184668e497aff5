#!/usr/bin/env bash
# Secrets against a real server: no part of a password in any output, however malformed the URL
# (libpq's messages included); check says what it compared with; the lock holder is named.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# lacks_password OUTPUT PASSWORD WHAT: no 4-character piece of PASSWORD in OUTPUT
lacks_password() {
  local i
  checks=$((checks + 1))
  for ((i = 0; i + 4 <= ${#2}; i++)); do
    case "$1" in *"${2:i:4}"*) fail "$3: [${2:i:4}] of the password shows in [$1]"; return ;; esac
  done
}

mkdir -p p/revisions && cd p
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; };\n' > m.hpp
hostport="127.0.0.1:$SCHEMAGEN_TEST_PG_PORT"

# a password holding an unencoded '@', '/' or '?': refused by the server, never shown
for password in 'QSEC@RET5' 'ab/cdSECRET' 'x@y/zSECRET@w' 'ab?cd@EFGH'; do
  for cmd in current check "upgrade head" "revision --autogenerate -m x"; do
    # shellcheck disable=SC2086
    run 2 "$SG" --url "postgresql://postgres:$password@$hostport/postgres" $cmd
    lacks_password "$out$err" "$password" "$cmd with the password $password"
    contains "$err" "postgres:***@$hostport" "$cmd: the URL is shown, its password masked"
  done
done
# a URL malformed beyond its password (no "//", or no scheme at all): libpq quotes it back whole
for url in "postgresql:/postgres:MalfSECRET7@$hostport/postgres" "postgres:MalfSECRET7@$hostport/postgres"; do
  run 2 "$SG" --url "$url" current
  lacks_password "$out$err" "MalfSECRET7" "a malformed URL ($url)"
done
# read as the user meant it: the unencoded characters reach libpq encoded, and it signs in
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$base_url/postgres" -c "DROP ROLE IF EXISTS sg_odd" -c "CREATE ROLE sg_odd LOGIN PASSWORD 'QS/EC@RET5'" >/dev/null
odd_db=$(new_db secrets_odd)
run 0 "$SG" --url "postgresql://sg_odd:QS/EC@RET5@$hostport/${odd_db##*/}" current -v
contains "$out" "sg_odd:***@$hostport" "an odd password signs in, and is not shown"
lacks_password "$out$err" "QS/EC@RET5" "current with an odd password"
# the keyword form and a password in the query
run 2 "$SG" --url "host=127.0.0.1 port=$SCHEMAGEN_TEST_PG_PORT user=postgres password='kw SECRET9'" current
lacks_password "$out$err" "kw SECRET9" "the keyword form"
run 2 "$SG" --url "postgresql://postgres@$hostport/postgres?password=QuerySECRET8" current
lacks_password "$out$err" "QuerySECRET8" "a password in the query"

# check says what it compared with
export SCHEMAGEN_DATABASE_URL=$(new_db secrets_check)
run 0 "$SG" revision --autogenerate -m t
run 0 "$SG" upgrade head
run 0 "$SG" check
contains "$out" "No new upgrade operations detected (compared with the database)." "online check"
run 0 "$SG" check --offline
contains "$out" "No new upgrade operations detected (compared with the schema the revision chain builds)." "offline check"

# the lock holder is named: every connection is application_name schemagen
cat > revisions/zzzzzzzzzzzz_slow.yaml <<YAML
revision: zzzzzzzzzzzz
down_revision: $(ls revisions | grep -v zzzz | cut -d_ -f1)
upgrade:
  - execute: "SELECT pg_sleep(3)"
downgrade: []
YAML
"$SG" -q upgrade head 2>/dev/null &
slow=$!
for _ in $(seq 50); do
  [ "$(q "$base_url/postgres" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(3)%' AND application_name = 'schemagen'")" = 1 ] && break
  sleep 0.1
done
printf 'lock_timeout: 0\n' >> schemagen.yaml
run 2 "$SG" upgrade head
contains "$err" "(schemagen)); gave up after 0 s" "the lock holder's application name"
wait "$slow" || fail "the slow upgrade failed"
finish
