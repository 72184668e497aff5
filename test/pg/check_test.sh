#!/usr/bin/env bash
# schemagen check, online and offline; the chain's head schema replayed in memory equals the
# schema the database has after upgrade head; --strict; --format json.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"

# offline: clean right after autogenerate, drift after a model edit, naming table and column
mkdir off && cd off
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
mkdir revisions
printf '#include <schemagen/annotations.hpp>\n#include <string>\nstruct SG_TABLE("accounts") A { SG_COLUMN(primary_key) long long id; std::string name; };\n' > m.hpp
run 0 "$SG" revision --autogenerate -m accounts
run 0 "$SG" check
contains "$out" "No new upgrade operations detected (compared with the schema the revision chain builds)." "offline check right after autogenerate"
sed -i 's/std::string name; };/std::string name; std::string email; };/' m.hpp
run 1 "$SG" check
contains "$out" "The models differ from the schema the revision chain builds" "offline drift"
contains "$out" "add_column accounts.email" "the table and the column"
run 1 "$SG" check --format json
contains "$out" '"drift": true, "offline": true, "operations": ["add_column accounts.email"]' "check as json"

# --strict: a risky revision fails until it acknowledges the rule
run 0 "$SG" revision --autogenerate -m email --rev-id bbbbbbbbbbbb
contains "$err" "[not_null_without_default]" "autogenerate warns about a NOT NULL column without a default"
run 0 "$SG" check
run 1 "$SG" check --strict
contains "$err" "revision bbbbbbbbbbbb: add_column accounts.email [not_null_without_default]" "--strict names the op and the rule"
sed -i 's/^upgrade:/acknowledge: [not_null_without_default, missing_lock_timeout]\nupgrade:/' revisions/bbbbbbbbbbbb_email.yaml
run 0 "$SG" check --strict

# raw SQL replay cannot follow is said plainly; replay: [] (or ops) accounts for it
cat > revisions/cccccccccccc_raw.yaml <<'YAML'
revision: cccccccccccc
down_revision: bbbbbbbbbbbb
message: raw
upgrade:
  - execute: "CREATE VIEW v AS SELECT 1"
  - execute: "UPDATE accounts SET email = '' WHERE email IS NULL"
downgrade:
  - execute: "DROP VIEW v"
YAML
run 0 "$SG" check
contains "$err" "cccccccccccc_raw.yaml:5:5: warning: revision cccccccccccc: execute \"CREATE VIEW v AS SELECT 1\" may change the schema" "an unaccounted execute"
lacks "$err" "UPDATE accounts" "data-only SQL is no schema change"
sed -i 's|  - execute: "CREATE VIEW v AS SELECT 1"|  - execute: {sql: "CREATE VIEW v AS SELECT 1", replay: []}|' revisions/cccccccccccc_raw.yaml
run 0 "$SG" check
lacks "$err" "may change the schema" "replay: [] accounts for it"
cd "$WORK"

# differences no op can express still fail the check: an enum that lost a value
mkdir enums && cd enums
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
mkdir revisions
printf '#include <schemagen/annotations.hpp>\nenum class SG_ENUM("mood") Mood { sad, meh, ok };\nstruct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; Mood m; };\n' > m.hpp
run 0 "$SG" revision --autogenerate -m moods
sed -i 's/sad, meh, ok/sad, ok/' m.hpp
run 1 "$SG" check
contains "$err" "warning: enum mood: values were removed or reordered" "the warning"
contains "$out" "in ways no operation can express" "check fails on it"
run 0 "$SG" revision --autogenerate -m nothing
contains "$out" "No changes schemagen can write" "autogenerate writes nothing, and says why"
cd "$WORK"

# compare_type, compare_server_default and exclude_tables are honoured
mkdir opts && cd opts
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\ncompare_type: false\ncompare_server_default: false\nexclude_tables: ["legacy_*"]\n' > schemagen.yaml
mkdir revisions
printf '#include <schemagen/annotations.hpp>\n#include <string>\nstruct SG_TABLE("t") T { SG_COLUMN(primary_key) int id; SG_COLUMN(server_default = "5") long long n; };\n' > m.hpp
export SCHEMAGEN_DATABASE_URL=$(new_db check_opts)
sql "$SCHEMAGEN_DATABASE_URL" "CREATE TABLE t (id int PRIMARY KEY, n int NOT NULL DEFAULT 7); CREATE TABLE legacy_stuff (x int)"
run 0 "$SG" check
contains "$out" "No new upgrade operations detected (compared with the database)." "types, defaults and excluded tables are not compared"
sed -i 's/compare_type: false/compare_type: true/' schemagen.yaml
run 1 "$SG" check
contains "$out" "alter_column t.n" "compare_type: true sees the type"
lacks "$out" "legacy_stuff" "an excluded table is never dropped"
unset SCHEMAGEN_DATABASE_URL
cd "$WORK"

# the head schema offline equals what upgrade head leaves in the database
without_views() { awk '/^(views|objects):/ {skip = 1; next} /^[a-z]/ {skip = 0} !skip' <<<"$1"; }
same_schema() { # DIR NAME [GLOBAL OPTIONS...]
  cd "$1"
  export SCHEMAGEN_DATABASE_URL=$(new_db "check_$2")
  run 0 "$SG" "${@:3}" upgrade heads
  run 0 "$SG" "${@:3}" inspect --canonical
  local online=$out
  run 0 "$SG" "${@:3}" inspect --offline --canonical
  # views and objects apart: the database spells their statements its own way (pg_get_viewdef,
  # pg_get_functiondef, ...), the chain as declared; `check` compares them through the server
  local offline
  offline=$(without_views "$out")
  online_views=$(sed -n '/^views:/,$p' <<<"$online")
  online=$(without_views "$online")
  checked
  [ "$online" = "$offline" ] || { fail "$2: the replayed head schema differs from the database's"; diff <(echo "$online") <(echo "$offline") | head -20; }
  contains "$online" "name:" "$2: a schema was read"
  unset SCHEMAGEN_DATABASE_URL
  cd "$WORK"
}
mkdir example && cp -r "$SRC/schema" "$SRC/revisions" "$SRC/templates" example/
same_schema example/schema example -n main
contains "$online_views" "name: active_users" "the example's views are read from the database"
contains "$online_views" "materialized: true" "its materialized view too"
contains "$online_views" "name: projects_touch_updated_at" "its triggers"
contains "$online_views" "name: projects_of_current_org" "its policy"
mkdir every && printf 'script_location: %s\nmodels: {sources: [m.hpp]}\ninclude_schemas: [public, shop]\n' "$SRC/test/pg/chains/every_op" > every/schemagen.yaml
same_schema every every_op

# online check: exit 0 at head, 1 when the models differ
# (both of its databases: the PostgreSQL one from $DATABASE_URL, the cache a file beside it)
# (the cache's chain has a C++ step: the example's own program migrates, as in production)
cd example/schema
export DATABASE_URL=$(new_db check_online)
run 0 "$(dirname "$SG")/../example_app/example_app" --cache-dir "$PWD"
[ -e file_cache.db ] || fail "upgrade head did not create the example's cache file"
run 0 "$SG" check
contains "$out" $'[main]\nNo new upgrade operations detected (compared with the database).' "online check at head, main"
contains "$out" $'[cache]\nNo new upgrade operations detected (compared with the database).' "online check at head, cache"
sed -i 's|  std::string display_name;|  std::string display_name;\n  std::optional<std::string> website;|' auth_models.hpp
run 1 "$SG" check
contains "$out" "The models differ from the database" "online drift"
contains "$out" "add_column auth.orgs.website" "online drift names table and column"
sed -i 's|  std::int64_t size_bytes;|  std::optional<std::int64_t> size_bytes;|' file_cache_models.hpp
run 1 "$SG" -n cache check
contains "$out" "alter_column blobs.size_bytes" "online drift in the SQLite cache"
unset DATABASE_URL
finish
