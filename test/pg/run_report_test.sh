#!/usr/bin/env bash
# What upgrade and heads say about the database: a failed run names the revisions it rolled back
# after reporting them done; heads --format json reads is_current from the database.
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

# heads --format json: is_current from the database when one is configured and answers
run 0 "$SG" -c per.yaml --url "$url" heads --format json
contains "$out" '"revision": "cccc"' "the head"
contains "$out" '"is_current": false' "the database is not at cccc"
url=$(new_db run_report_branches)
printf 'script_location: chain\nmodels: {sources: [m.hpp]}\ndatabase: {url: "%s"}\n' "$url" > two.yaml
mkdir -p branch
cp chain/aaaa.yaml branch/
revision branch bbbb aaaa 'create_table: {name: t2, columns: [{name: x, type: INTEGER}]}'
revision branch dddd aaaa 'create_table: {name: t4, columns: [{name: x, type: INTEGER}]}'
sed -i 's/^script_location: chain$/script_location: branch/' two.yaml
run 0 "$SG" -c two.yaml upgrade bbbb
run 0 "$SG" -c two.yaml heads --format json
# entry REVISION IS_CURRENT: $out's JSON entry of REVISION says so
entry() {
  grep -q "\"revision\": \"$1\".*\"is_current\": $2}" <<<"$out" || fail "$1: is_current $2 expected in [$out]"
}
entry bbbb true # the database is at head bbbb (its URL from the configuration)
entry dddd false
run 0 "$SG" -c two.yaml history --format json
entry bbbb true
entry aaaa false
# no URL: not known, and not guessed
run 0 "$SG" -c one.yaml heads --format json
contains "$out" '"is_current": null' "no database configured"
lacks "$out" '"is_current": false' "no database configured"
# unreachable: not known, said on stderr, never with the password
run 0 "$SG" -c one.yaml --url "postgresql://u:s3cret@127.0.0.1:1/none" heads --format json
contains "$out" '"is_current": null' "an unreachable database"
contains "$err" "warning: is_current is null: the database was not read" "why is_current is null"
lacks "$err" "s3cret" "the password"
finish
