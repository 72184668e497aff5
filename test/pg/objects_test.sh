#!/usr/bin/env bash
# Views and schema objects through `schemagen` against the real server: a chain that creates one
# of every kind, replaces or changes each, and drops each (test/pg/chains/objects), upgraded and
# downgraded a step at a time, the database checked after each step; `inspect` shows what
# reflection reads of them.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"
mkdir -p p && cd p
printf 'script_location: %s\nmodels: {sources: [m.hpp]}\nlock_timeout: 5\ninclude_schemas: [public, auth]\n' \
  "$SRC/test/pg/chains/objects" > schemagen.yaml
export SCHEMAGEN_DATABASE_URL=$(new_db objects)
url=$SCHEMAGEN_DATABASE_URL

declare -a dumps
dumps[0]=$(schema "$url")
for i in 1 2 3; do
  run 0 "$SG" upgrade +1
  dumps[$i]=$(schema "$url")
done
d=${dumps[1]}
contains "$d" "CREATE EXTENSION IF NOT EXISTS pgcrypto" "o1: the extension"
contains "$d" "CREATE SEQUENCE public.order_no" "o1: the sequence"
contains "$d" "START WITH 1000" "o1: its start"
contains "$d" "CREATE FUNCTION public.touch() RETURNS trigger" "o1: the function"
contains "$d" "CREATE PROCEDURE auth.deactivate(IN who integer)" "o1: the procedure"
contains "$d" "CREATE VIEW auth.active_users AS" "o1: the view"
contains "$d" "CREATE MATERIALIZED VIEW auth.user_count AS" "o1: the materialized view"
contains "$d" "CREATE INDEX user_count_n ON auth.user_count USING btree (n)" "o1: its index"
contains "$d" "CREATE TRIGGER users_touch BEFORE UPDATE ON auth.users" "o1: the trigger"
contains "$d" "CREATE POLICY own ON auth.users FOR SELECT USING (active)" "o1: the policy"
d=${dumps[2]}
contains "$d" "INCREMENT BY 5" "o2: the sequence altered"
contains "$d" "clock_timestamp()" "o2: the function replaced"
contains "$d" "SET active = NULL" "o2: the procedure replaced"
contains "$d" "users.updated_at" "o2: the view's new column"
contains "$d" "FILTER (WHERE users.active)" "o2: the materialized view made again"
contains "$d" "CREATE INDEX user_count_n ON auth.user_count" "o2: with its index"
contains "$d" "BEFORE INSERT OR UPDATE ON auth.users" "o2: the trigger replaced"
contains "$d" "USING ((active AND (email <> ''::text)))" "o2: the policy made again"
d=${dumps[3]}
for gone in "EXTENSION" "SEQUENCE public.order_no" "FUNCTION public.touch" "PROCEDURE" "VIEW" \
            "TRIGGER" "POLICY"; do
  case "$d" in *"CREATE $gone"*) fail "o3: $gone is still there";; esac
done
contains "$d" "CREATE TABLE auth.users" "o3: the table stays"

# and down, a step at a time, back to exactly where each step was
for i in 3 2 1; do
  run 0 "$SG" downgrade -1
  [ "$(schema "$url")" = "${dumps[$((i - 1))]}" ] || { fail "downgrade from step $i did not restore the schema";
    diff <(echo "${dumps[$((i - 1))]}") <(schema "$url") | head -20; }
  [ "$i" = 2 ] && [ "$(q "$url" "SELECT increment_by FROM pg_sequences WHERE sequencename = 'order_no'")" != 1 ] &&
    fail "the sequence's increment was not altered back"
done

# reflection, as `inspect` prints it
run 0 "$SG" upgrade 0b1001
run 0 "$SG" inspect
contains "$out" "views:
  - name: active_users
    schema: auth
    sql: |-
      SELECT users.id,
          users.email
         FROM auth.users
        WHERE users.active" "inspect: the view as the server spells it"
contains "$out" "materialized: true" "inspect: the materialized view"
contains "$out" "indexes:
      - {name: user_count_n, columns: [\"n\"]}" "inspect: its index"
contains "$out" "  - kind: extension
    name: pgcrypto
    sql: CREATE EXTENSION pgcrypto" "inspect: the extension"
contains "$out" "  - kind: procedure
    name: deactivate
    schema: auth
    target: (integer)" "inspect: the procedure's identity arguments"
contains "$out" "  - kind: trigger
    name: users_touch
    schema: auth
    target: auth.users" "inspect: the trigger on its table"
contains "$out" "sql: CREATE POLICY own ON auth.users AS PERMISSIVE FOR SELECT TO PUBLIC USING (active)" "inspect: the policy"
contains "$out" "sql: CREATE SEQUENCE public.order_no AS bigint INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1 NO CYCLE" "inspect: the sequence, every option"
case "$out" in *"name: users_id_seq"*|*"name: digest"*) fail "inspect shows what a column or extension owns";; esac

# offline: the same steps as a script, run by psql, leave what the online run leaves
ids=(0b1001000001 0b1002000002 0b1003000003)
for step in 1 2 3; do
  offline=$(new_db "objects_sql_$step")
  run 0 "$SG" upgrade "base:${ids[$((step - 1))]}" --sql
  printf '%s\n' "$out" > "step$step.sql"
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$offline" -f "step$step.sql" >/dev/null 2>"psql$step.err" ||
    fail "psql refused the --sql script of step $step: $(cat "psql$step.err")"
  [ "$(schema "$offline")" = "${dumps[$step]}" ] || { fail "--sql through psql differs from online at step $step";
    diff <(echo "${dumps[$step]}") <(schema "$offline") | head -20; }
done
finish
