#!/usr/bin/env bash
# Several databases from one configuration (init -t multidb, -n NAME), and the upgrade hooks.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

run 0 "$SG" init . -t multidb
export PRIMARY_DATABASE_URL=$(new_db multi_primary)
export ANALYTICS_DATABASE_URL=$(new_db multi_analytics)
run 1 "$SG" revision -m "which database?"
contains "$err" "several databases are configured (primary, analytics): pick one with -n NAME" "revision without -n"
run 0 "$SG" -n primary revision -m "primary table" --rev-id bbbbbbbbbbb1
run 0 "$SG" -n analytics revision -m "analytics table" --rev-id ccccccccccc1
[ -f revisions/primary/bbbbbbbbbbb1_primary_table.yaml ] || fail "-n primary writes into revisions/primary"
[ -f revisions/analytics/ccccccccccc1_analytics_table.yaml ] || fail "-n analytics writes into revisions/analytics"
sed -i 's/^upgrade: \[\]$/upgrade:\n  - create_table: {name: p_things, columns: [{name: id, type: INTEGER}]}/; s/^downgrade: \[\]$/downgrade:\n  - drop_table: {name: p_things}/' revisions/primary/*.yaml
sed -i 's/^upgrade: \[\]$/upgrade:\n  - create_table: {name: a_events, columns: [{name: id, type: INTEGER}]}/; s/^downgrade: \[\]$/downgrade:\n  - drop_table: {name: a_events}/' revisions/analytics/*.yaml
# without -n, as in Alembic's multidb template: every database in turn, each headed by its name
both_heads=$(printf '[primary]\nbbbbbbbbbbb1 (head)\n\n[analytics]\nccccccccccc1 (head)')
run 0 "$SG" heads
[ "$out" = "$both_heads" ] || fail "heads of every database: [$out]"
run 0 "$SG" upgrade head
[ "$(q "$PRIMARY_DATABASE_URL" "SELECT to_regclass('public.p_things') IS NOT NULL AND to_regclass('public.a_events') IS NULL")" = t ] || fail "primary got its own table only"
[ "$(q "$ANALYTICS_DATABASE_URL" "SELECT to_regclass('public.a_events') IS NOT NULL AND to_regclass('public.p_things') IS NULL")" = t ] || fail "analytics got its own table only"
[ "$(q "$PRIMARY_DATABASE_URL" "SELECT version_num FROM schemagen_version_primary")" = bbbbbbbbbbb1 ] || fail "primary's version table is schemagen_version_primary"
run 0 "$SG" current
[ "$out" = "$both_heads" ] || fail "current of every database: [$out]"
run 0 "$SG" history
contains "$out" "[analytics]
<base> -> ccccccccccc1 (head), analytics table" "history of every database"
run 0 "$SG" current --format json
[ "$(printf '%s' "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["primary"]["heads"], d["analytics"]["heads"])')" = "['bbbbbbbbbbb1'] ['ccccccccccc1']" ] || fail "current --format json of every database: [$out]"
run 0 "$SG" -n analytics current
[ "$out" = "ccccccccccc1 (head)" ] || fail "-n analytics current: [$out]"
# check: primary's models match, analytics' do not; the exit code is the worst, online and offline
printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("p_things") P { int id; };\n' > primary_models.hpp
printf '#include <schemagen/annotations.hpp>\n' > analytics_models.hpp
for offline in "" --offline; do
  run 1 "$SG" check $offline
  contains "$out" "[primary]
No new upgrade operations detected" "check $offline: primary agrees"
  contains "$out" "[analytics]" "check $offline: analytics is named"
  contains "$out" "drop_table a_events" "check $offline: analytics' drift"
done
# an unreachable database: the others are still served; exit 2; no password shown
ANALYTICS_DATABASE_URL="postgresql://u:SECRETPW@127.0.0.1:1/none" run 2 "$SG" current
contains "$out" "[primary]
bbbbbbbbbbb1 (head)" "primary served despite analytics"
lacks "$out$err" SECRETPW "the password"
run 0 "$SG" downgrade base
[ "$(q "$PRIMARY_DATABASE_URL" "SELECT to_regclass('public.p_things') IS NULL")" = t ] || fail "downgrade base of primary"
[ "$(q "$ANALYTICS_DATABASE_URL" "SELECT to_regclass('public.a_events') IS NULL")" = t ] || fail "downgrade base of analytics"

# two names reaching the same database keep their own version tables
ANALYTICS_DATABASE_URL=$PRIMARY_DATABASE_URL run 0 "$SG" upgrade head
ANALYTICS_DATABASE_URL=$PRIMARY_DATABASE_URL run 0 "$SG" current
[ "$out" = "$both_heads" ] || fail "one database, two version tables: [$out]"

# one URL for several databases is refused without -n
run 1 "$SG" --url "$PRIMARY_DATABASE_URL" current
contains "$err" "pick the one it is with -n NAME" "--url without -n, several databases"
# a database an earlier schemagen versioned in the shared schemagen_version is not taken as at base
legacy=$(new_db multi_legacy)
q "$legacy" "CREATE TABLE schemagen_version (version_num varchar(32) PRIMARY KEY); INSERT INTO schemagen_version VALUES ('ccccccccccc1')" >/dev/null
ANALYTICS_DATABASE_URL=$legacy run 1 "$SG" -n analytics upgrade head
contains "$err" "database analytics: its version table is schemagen_version_analytics by default now" "a legacy version table"
[ "$(q "$legacy" "SELECT to_regclass('public.a_events') IS NULL")" = t ] || fail "the legacy database was upgraded from base"
checks=$((checks + 1))

# stamp --purge says what it removed
q "$PRIMARY_DATABASE_URL" "INSERT INTO schemagen_version_primary VALUES ('deadbeef0001')" >/dev/null
run 0 "$SG" -n primary stamp --purge base
contains "$err" "Stamped base (was bbbbbbbbbbb1, deadbeef0001); purged deadbeef0001, which no revision file declares" "stamp --purge"
run 1 "$SG" -n nope heads
contains "$err" "no database named 'nope' (databases: primary, analytics)" "-n with an unknown name"

# with several databases, upgrade hooks are told which one they run for
export PRIMARY_DATABASE_URL=$(new_db multi_hooked_p)
export ANALYTICS_DATABASE_URL=$(new_db multi_hooked_a)
printf 'hooks:\n  post_upgrade: ["echo $SCHEMAGEN_DATABASE_NAME >> names.log"]\n' >> schemagen.yaml
run 0 "$SG" upgrade head
[ "$(cat names.log 2>/dev/null | tr '\n' ' ')" = "primary analytics " ] || fail "post_upgrade hooks named their databases: [$(cat names.log 2>/dev/null)]"
checks=$((checks + 1))

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
