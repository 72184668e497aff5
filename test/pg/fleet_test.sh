#!/usr/bin/env bash
# A fleet: one chain over many databases (a list of URLs, a file of them, a query on a control
# database) or over a schema per tenant of one database, -j at a time. Every member reaches the
# target and its version table says so; a failing member does not stop the others (unless
# --fail-fast), is named in the table with the server's message after it, and sets the exit
# code; a second run goes on from where each member stands; current and check report each
# member; no password is printed.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

mkdir -p "$WORK/app/revisions" && cd "$WORK/app"
cat > m.hpp <<'CPP'
#include <schemagen/annotations.hpp>
#include <optional>
#include <string>
struct SG_TABLE("accounts") Account { SG_COLUMN(primary_key) long long id; std::string name; };
struct SG_TABLE("notes") Note {
  SG_COLUMN(primary_key) long long id;
  SG_COLUMN(foreign_key = "accounts.id") long long account_id;
  std::optional<std::string> body;
};
CPP
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
run 0 "$SG" revision --autogenerate -m accounts --rev-id a1a1a1a1a1a1
# unqualified SQL: in a tenant's schema it must land in that schema
cat > revisions/b2b2b2b2b2b2_seed.yaml <<'YAML'
revision: b2b2b2b2b2b2
down_revision: a1a1a1a1a1a1
message: seed
upgrade:
  - execute: "INSERT INTO accounts (id, name) VALUES (1, 'first')"
downgrade:
  - execute: "DELETE FROM accounts WHERE id = 1"
YAML
base_config=$(cat schemagen.yaml)
# configure LINE...: the project's configuration with these lines added
configure() { { echo "$base_config"; printf '%s\n' "$@"; } > schemagen.yaml; }

versions() { q "$1" "SELECT string_agg(version_num, ',') FROM ${2:-public}.schemagen_version"; }

# ---- a list of URLs, three at a time -------------------------------------------------------------
urls=()
for i in 1 2 3 4 5; do urls+=("$(new_db "fleet_$i")"); done
# one member already part of the way: the run goes on from where it stands
SCHEMAGEN_DATABASE_URL=${urls[1]} run 0 "$SG" -q upgrade a1a1a1a1a1a1
configure "fleet:" "  jobs: 3" "  urls:" "${urls[@]/#/    - }"
run 0 "$SG" upgrade head
contains "$out" "5 databases: 5 ok, 0 failed" "every member upgraded"
contains "$out" "3 at a time" "fleet.jobs"
contains "$out" "database" "the table's header"
contains "$out" "base" "a member that was at base"
contains "$out" "a1a1a1a1a1a1  b2b2b2b2b2b2" "the member that was part of the way goes on from there"
contains "$out" "ok, 2 revisions" "a member from base ran two revisions"
contains "$err" "[5/5]" "a progress line per member"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "no password printed"
for u in "${urls[@]}"; do
  [ "$(versions "$u")" = b2b2b2b2b2b2 ] || fail "${u##*/}: at $(versions "$u")"
  [ "$(q "$u" "SELECT name FROM accounts")" = first ] || fail "${u##*/}: the seed row"
done
run 0 "$SG" current
contains "$out" "at head" "current: each member at head"
[ "$(grep -c 'at head' <<<"$out")" = 5 ] || fail "current: five members at head in [$out]"
run 0 "$SG" -j 2 check
[ "$(grep -c 'matches the models' <<<"$out")" = 5 ] || fail "check: five members match in [$out]"
contains "$out" "2 at a time" "-j overrides fleet.jobs"
# drift in one member: check fails, naming it
sql "${urls[2]}" "ALTER TABLE notes ADD COLUMN extra int"
run 1 "$SG" check
contains "$out" "differs from the models: 1 change" "check names the member that drifted"
sql "${urls[2]}" "ALTER TABLE notes DROP COLUMN extra"
# nothing left to do: a second run goes on from where each stands
run 0 "$SG" upgrade head
[ "$(grep -c '  ok$' <<<"$out")" = 5 ] || fail "a second run: each member ok with nothing to run, in [$out]"

# a member that cannot be reached: the others go on; the exit code says it
bad="${base_url}/fleet_missing"
configure "fleet:" "  urls:" "    - $bad" "${urls[@]/#/    - }"
run 2 "$SG" -j 3 downgrade base
contains "$out" "6 databases: 5 ok, 1 failed" "the failure does not stop the others"
contains "$out" "FAILED: " "the failed member's row"
contains "$err" 'database "fleet_missing" does not exist' "the server's message, after the table"
lacks "$out$err" "$SCHEMAGEN_TEST_PG_PASSWORD" "no password printed on failure"
for u in "${urls[@]}"; do [ -z "$(versions "$u")" ] || fail "${u##*/}: not at base"; done
run 2 "$SG" -j 1 --fail-fast upgrade head
contains "$out" "6 databases: 0 ok, 1 failed, 5 skipped" "--fail-fast stops the rest"
contains "$out" "skipped (--fail-fast)" "the skipped members are said"
for u in "${urls[@]}"; do [ -z "$(versions "$u")" ] || fail "${u##*/}: ran after --fail-fast stopped"; done

# ---- a file of URLs, and a query on a control database -------------------------------------------
{ echo "# the tenants"; echo; for u in "${urls[@]:0:3}"; do echo "  $u"; done; } > fleet.txt
configure "fleet: {file: fleet.txt, jobs: 2}"
run 0 "$SG" upgrade head
contains "$out" "3 databases: 3 ok, 0 failed" "a file of URLs, comments and blank lines skipped"
control=$(new_db fleet_control)
sql "$control" "CREATE TABLE tenants (url text); INSERT INTO tenants VALUES ('${urls[3]}'), ('${urls[4]}')"
configure "url: $control" "fleet: {query: 'SELECT url FROM tenants ORDER BY url'}"
run 0 "$SG" upgrade head
contains "$out" "2 databases: 2 ok, 0 failed" "a fleet read by a query on the control database"
[ "$(versions "${urls[4]}")" = b2b2b2b2b2b2 ] || fail "the query's member was not upgraded"
[ -z "$(q "$control" "SELECT to_regclass('public.schemagen_version')")" ] || fail "the control database itself was migrated"
# --url names one database: the fleet is not served
run 0 "$SG" --url "${urls[0]}" current
lacks "$out" "databases:" "--url: one database, no fleet table"

# ---- a schema per tenant ------------------------------------------------------------------------
tenants=$(new_db fleet_tenants)
sql "$tenants" "CREATE TABLE public.tenant_list (name text); INSERT INTO public.tenant_list VALUES ('acme'), ('globex'), ('initech')"
configure "url: $tenants" "fleet: {query: 'SELECT name FROM tenant_list ORDER BY name', schemas: true, jobs: 3}"
run 0 "$SG" upgrade head
contains "$out" "3 databases: 3 ok, 0 failed" "every tenant schema upgraded"
for t in acme globex initech; do
  contains "$out" "$t" "the table names tenant $t"
  [ "$(versions "$tenants" "$t")" = b2b2b2b2b2b2 ] || fail "tenant $t: at $(versions "$tenants" "$t")"
  [ "$(q "$tenants" "SELECT name FROM $t.accounts")" = first ] || fail "tenant $t: the unqualified seed landed elsewhere"
  [ "$(q "$tenants" "SELECT confrelid::regclass FROM pg_constraint WHERE conrelid = '$t.notes'::regclass AND contype = 'f'")" = "$t.accounts" ] ||
    fail "tenant $t: the foreign key points outside the tenant"
done
[ "$(q "$tenants" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")" = 1 ] || fail "the chain's tables landed in public"
run 0 "$SG" check
[ "$(grep -c 'matches the models' <<<"$out")" = 3 ] || fail "check: each tenant matches the models, in [$out]"
sql "$tenants" "ALTER TABLE globex.accounts ADD COLUMN extra int"
run 1 "$SG" check
contains "$(grep globex <<<"$out")" "differs from the models: 1 change" "check names the tenant that drifted"
run 0 "$SG" downgrade a1a1a1a1a1a1
for t in acme globex initech; do
  [ "$(versions "$tenants" "$t")" = a1a1a1a1a1a1 ] || fail "tenant $t: downgrade"
  [ "$(q "$tenants" "SELECT count(*) FROM $t.accounts")" = 0 ] || fail "tenant $t: the seed row stayed"
done

finish
