#!/usr/bin/env bash
# Several databases from one configuration (init -t multidb, -n NAME), and the upgrade hooks.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

run 0 "$SG" init . -t multidb
export PRIMARY_DATABASE_URL=$(new_db multi_primary)
export ANALYTICS_DATABASE_URL=$(new_db multi_analytics)
run 1 "$SG" heads
contains "$err" "several databases are configured (primary, analytics): pick one with -n NAME" "no -n"
run 0 "$SG" -n primary revision -m "primary table" --rev-id bbbbbbbbbbb1
run 0 "$SG" -n analytics revision -m "analytics table" --rev-id ccccccccccc1
[ -f revisions/primary/bbbbbbbbbbb1_primary_table.yaml ] || fail "-n primary writes into revisions/primary"
[ -f revisions/analytics/ccccccccccc1_analytics_table.yaml ] || fail "-n analytics writes into revisions/analytics"
sed -i 's/^upgrade: \[\]$/upgrade:\n  - create_table: {name: p_things, columns: [{name: id, type: INTEGER}]}/; s/^downgrade: \[\]$/downgrade:\n  - drop_table: {name: p_things}/' revisions/primary/*.yaml
sed -i 's/^upgrade: \[\]$/upgrade:\n  - create_table: {name: a_events, columns: [{name: id, type: INTEGER}]}/; s/^downgrade: \[\]$/downgrade:\n  - drop_table: {name: a_events}/' revisions/analytics/*.yaml
run 0 "$SG" -n primary upgrade head
run 0 "$SG" -n analytics upgrade head
[ "$(q "$PRIMARY_DATABASE_URL" "SELECT to_regclass('public.p_things') IS NOT NULL AND to_regclass('public.a_events') IS NULL")" = t ] || fail "primary got its own table only"
[ "$(q "$ANALYTICS_DATABASE_URL" "SELECT to_regclass('public.a_events') IS NOT NULL AND to_regclass('public.p_things') IS NULL")" = t ] || fail "analytics got its own table only"
run 0 "$SG" -n analytics current
contains "$out" "ccccccccccc1 (head)" "-n analytics current"
run 1 "$SG" -n nope heads
contains "$err" "no database named 'nope' (databases: primary, analytics)" "-n with an unknown name"

# hooks: pre_upgrade and post_upgrade run around the run; a failing pre_upgrade stops it
mkdir h && cd h
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\nhooks:\n  pre_upgrade: ["echo pre >> hooks.log"]\n  post_upgrade: ["echo post >> hooks.log"]\n' > schemagen.yaml
mkdir revisions
printf 'revision: ddddddddddd1\ndown_revision: null\nupgrade:\n  - create_table: {name: hooked, columns: [{name: id, type: INTEGER}]}\ndowngrade:\n  - drop_table: {name: hooked}\n' > revisions/d1.yaml
export SCHEMAGEN_DATABASE_URL=$(new_db hooks)
run 0 "$SG" upgrade head
[ "$(cat hooks.log | tr '\n' ' ')" = "pre post " ] || fail "hooks ran: [$(cat hooks.log)]"
run 0 "$SG" downgrade base
sed -i 's/echo pre >> hooks.log/exit 4/' schemagen.yaml
run 1 "$SG" upgrade head
contains "$err" "pre_upgrade hook \`exit 4\` failed (exit 4); stopped" "a failing pre_upgrade hook"
[ "$(q "$SCHEMAGEN_DATABASE_URL" "SELECT to_regclass('public.hooked') IS NULL")" = t ] || fail "a failing pre_upgrade hook ran the upgrade anyway"
# a failing hook is shown as written: no secret a ${VAR} held, no password written in it
export SG_HOOK_URL="postgresql://app:HookSecret1@db.internal/app"
cat > schemagen.yaml <<'YAML'
script_location: revisions
models: {sources: [m.hpp]}
hooks:
  post_upgrade:
    - 'test "${SG_HOOK_URL}" = "$SG_HOOK_URL" && true postgresql://app:Literal2pw@db/app PGPASSWORD=Env3pass && exit 6'
YAML
run 1 "$SG" upgrade head
contains "$err" 'post_upgrade hook `test "${SG_HOOK_URL}" = "$SG_HOOK_URL" && true postgresql://app:***@db/app PGPASSWORD=*** && exit 6` failed (exit 6)' "the hook as written, passwords masked"
for secret in HookSecret1 Literal2pw Env3pass; do lacks "$out$err" "$secret" "a failing hook's message"; done
finish
