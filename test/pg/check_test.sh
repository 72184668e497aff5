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
  - execute: "DO $$ BEGIN EXECUTE 'CREATE VIEW v AS SELECT 1'; END $$"
  - execute: "UPDATE accounts SET email = '' WHERE email IS NULL"
  - execute: "CREATE VIEW w AS SELECT 1 AS one"
downgrade:
  - execute: "DROP VIEW w"
  - execute: "DROP VIEW v"
YAML
run 0 "$SG" check
contains "$err" "cccccccccccc_raw.yaml:5:5: warning: revision cccccccccccc: execute \"DO \$\$ BEGIN EXECUTE 'CREATE VIEW v AS SELECT 1'; END \$\$\" may change the schema in ways replay cannot follow (what \`DO \$\$ BEGIN EXECUTE 'CREATE VIEW v AS SELECT 1'; END \$\$\` does, only running it tells); say what it does with replay: [ops]" "an unaccounted execute, asking for replay:"
lacks "$err" "UPDATE accounts" "data-only SQL is no schema change"
lacks "$err" "CREATE VIEW w" "a view the parse follows needs no replay:"
# a view an execute made is not one the revisions made: with none declared, it is left alone
lacks "$out" "drop_view" "an execute's view is not managed"
sed -i "5s|.*|  - execute: {sql: \"DO \$\$ BEGIN EXECUTE 'CREATE VIEW v AS SELECT 1'; END \$\$\", replay: []}|" revisions/cccccccccccc_raw.yaml
run 0 "$SG" check
lacks "$err" "may change the schema" "replay: [] accounts for it"
cd "$WORK"

# DDL the parse follows needs no replay:. An execute making an enum, a table, a view and a
# function (OR REPLACE), then granting, adding an enum value, commenting: the schema the chain
# builds offline is the one the models and objects declare, the view and function compared by
# their parse trees; what differs is still drift
mkdir followed && cd followed
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\nobjects: [objects.sql]\n' > schemagen.yaml
mkdir revisions
cat > m.hpp <<'CPP'
#include <schemagen/annotations.hpp>
#include <string>
enum class SG_ENUM("mood") Mood { sad, meh, ok };
struct SG_TABLE("notes", comment = "what people wrote") Note {
  SG_COLUMN(primary_key) long long id;
  Mood mood;
  std::string body;
};
struct SG_VIEW("happy_notes", sql = "SELECT id, body FROM notes WHERE mood = 'ok'") HappyNote {
  long long id;
  std::string body;
};
CPP
cat > objects.sql <<'SQL'
-- declared as the revision's execute wrote it, but laid out and spelled otherwise
CREATE FUNCTION note_count(m mood) RETURNS bigint
  LANGUAGE sql STABLE
  AS $$ select count(*) from notes where mood = m $$;
GRANT SELECT ON happy_notes TO PUBLIC;
SQL
# sql_revision EXTRA: the revision, with EXTRA (an op's line) at the end of its upgrade
sql_revision() {
  cat > revisions/dddddddddddd_sql.yaml <<YAML
revision: dddddddddddd
down_revision: null
message: sql
upgrade:
  - execute: |
      CREATE TYPE mood AS ENUM ('sad', 'ok');
      CREATE TABLE notes (id bigint PRIMARY KEY, mood mood NOT NULL, body text NOT NULL);
      CREATE VIEW happy_notes AS SELECT id, body FROM notes WHERE mood = 'ok';
      CREATE OR REPLACE FUNCTION note_count(m mood) RETURNS bigint LANGUAGE sql STABLE AS \$\$
        SELECT count(*) FROM notes WHERE mood = m
      \$\$;
      GRANT SELECT, INSERT ON happy_notes TO PUBLIC;
      REVOKE INSERT ON happy_notes FROM PUBLIC;
  - execute: "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'ok'"
  - execute: "COMMENT ON TABLE notes IS 'what people wrote'"
$1
downgrade:
  - execute: "DROP FUNCTION note_count; DROP VIEW happy_notes; DROP TABLE notes; DROP TYPE mood"
YAML
}
sql_revision ""
run 0 "$SG" check --offline
contains "$out" "No new upgrade operations detected (compared with the schema the revision chain builds)." "an execute's enum, table, view, function and grant need no replay:"
lacks "$err" "replay" "nothing asks for replay:"
run 0 "$SG" inspect --offline
contains "$out" "values: [sad, meh, ok]" "the value added before another"
contains "$out" "comment: what people wrote" "the comment"
contains "$out" "name: SELECT ON TABLE public.happy_notes TO PUBLIC" "the grant as the ACL keeps it"
sed -i "s/WHERE mood = 'ok'\") HappyNote/WHERE mood <> 'sad'\") HappyNote/" m.hpp
run 1 "$SG" check --offline
contains "$out" "replace_view happy_notes" "a view declared otherwise is drift"
sed -i "s/WHERE mood <> 'sad'\") HappyNote/WHERE mood = 'ok'\") HappyNote/" m.hpp
sed -i 's/count(\*) from notes/count(*) + 1 from notes/' objects.sql
run 1 "$SG" check --offline
contains "$out" "replace_function public.note_count(mood)" "a function declared otherwise is drift"
sed -i 's/count(\*) + 1 from notes/count(*) from notes/' objects.sql
run 0 "$SG" check --offline
lacks "$err" "replay" "back as declared"
# a DO block still asks for replay:, naming the statement (an UPDATE before it hides nothing)
sql_revision "  - execute: \"UPDATE notes SET body = body; DO \$\$ BEGIN EXECUTE 'CREATE INDEX ON notes (body)'; END \$\$\""
run 0 "$SG" check --offline
contains "$err" "dddddddddddd_sql.yaml:16:5: warning: revision dddddddddddd: execute \"UPDATE notes SET body = body; DO \$\$ BEGIN EXECUTE 'CREATE...\" may change the schema in ways replay cannot follow (what \`DO \$\$ BEGIN EXECUTE 'CREATE INDEX ON notes (body)'; END \$\$\` does, only running it tells)" "a DO block asks for replay:"
contains "$err" "say what it does with replay: [ops] (or replay: [] for nothing)" "what to write"
# a statement the replayed schema does not let apply as its SQL would: named with the reason
sql_revision "  - execute: \"CREATE FUNCTION note_count(m mood) RETURNS bigint LANGUAGE sql AS 'SELECT 1'\""
run 0 "$SG" check --offline
contains "$err" "(\`CREATE FUNCTION note_count(m mood) RETURNS bigint LANGUAG...\`: it makes function public.note_count(mood), which the replayed schema has already)" "what the schema has already"
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
