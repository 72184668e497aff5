#!/usr/bin/env bash
# What upgrade says about the database: a failed run names the revisions it rolled back after
# reporting them done.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# revision DIR ID DOWN OP: a revision of one upgrade op
revision() {
  printf 'revision: %s\ndown_revision: %s\nupgrade:\n  - %s\ndowngrade: []\n' "$2" "$3" "$4" \
    > "$1/$2.yaml"
}
mkdir -p chain
revision chain aaaa null 'create_table: {name: t1, columns: [{name: x, type: INTEGER}]}'
revision chain bbbb aaaa 'create_table: {name: t2, columns: [{name: x, type: INTEGER}]}'
revision chain cccc bbbb 'execute: "SELECT 1/0"'
printf 'script_location: chain\nmodels: {sources: [m.hpp]}\n' > one.yaml
printf 'script_location: chain\nmodels: {sources: [m.hpp]}\ntransaction_per_migration: true\n' > per.yaml

# one transaction: aaaa and bbbb were reported done, then undone with cccc's failure
url=$(new_db run_report_one)
run 2 "$SG" -c one.yaml --url "$url" upgrade head
contains "$err" "Running upgrade aaaa -> bbbb, " "bbbb ran"
contains "$err" " ... failed" "the failing revision's line is ended"
contains "$err" "division by zero" "the server's message"
contains "$err" "rolled back with the failure: the upgrade of aaaa, bbbb (reported done above); the database is at base" "the rolled-back revisions are named"
[ "$(q "$url" "SELECT to_regclass('t1') IS NULL")" = t ] || fail "aaaa was rolled back"
run 2 "$SG" -c one.yaml --url "$url" -q upgrade head
contains "$err" "rolled back with the failure: the upgrade of aaaa, bbbb" "-q: the rolled-back revisions are named too"

# one transaction per revision: what was reported done stays, and nothing says otherwise
url=$(new_db run_report_per)
run 2 "$SG" -c per.yaml --url "$url" upgrade head
contains "$err" "division by zero" "the server's message"
lacks "$err" "rolled back with the failure" "transaction_per_migration keeps aaaa and bbbb"
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = bbbb ] || fail "per revision: at bbbb"
finish
