#!/usr/bin/env bash
# The example application's startup program (tools/example_app): its revision chains compiled in,
# it migrates a fresh PostgreSQL database and a fresh SQLite file; run again it does nothing;
# eight copies started at once apply each revision once; its C++ step expires stale renders; an
# older build (the cache chain without its last revision) refuses the upgraded databases and says
# why; a revision that fails leaves each database as it was; and `schemagen` and the program take
# turns on the same databases.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"
bin=$(cd "$(dirname "$SG")/../example_app" && pwd)
APP=$bin/example_app
OLD=$bin/example_app_previous
[ -x "$APP" ] && [ -x "$OLD" ] || { fail "the example program is not built ($APP, $OLD)"; finish; }

main_head=$("$SG" -q -c "$SRC/schema/schemagen.yaml" -n main heads | awk '{print $1}')
cache_head=$("$SG" -q -c "$SRC/schema/schemagen.yaml" -n cache heads | awk '{print $1}')
[ -n "$main_head" ] && [ -n "$cache_head" ] || fail "the example chains' heads: [$main_head] [$cache_head]"
cache_chain=$(ls "$SRC"/revisions/file_cache/*.yaml | wc -l)
main_chain=$(ls "$SRC"/revisions/*.yaml | wc -l)

# ---- a fresh database and file: migrated; again: nothing --------------------------------------
url=$(new_db example_app_fresh)
mkdir fresh
run 0 "$APP" --database-url "$url" --cache-dir "$WORK/fresh"
contains "$out" "main: at $main_head" "main at its head"
contains "$out" "cache: at $cache_head" "cache at its head"
[ "$(grep -c "example_app: main: applied" <<<"$err")" = "$main_chain" ] || fail "every main revision reported once: $err"
[ "$(grep -c "example_app: cache: applied" <<<"$err")" = "$cache_chain" ] || fail "every cache revision reported once: $err"
checked
[ "$(q "$url" "SELECT version_num FROM schemagen_version")" = "$main_head" ] || fail "main's version table"
[ "$(sqlite3 fresh/file_cache.db "SELECT version_num FROM schemagen_version_cache")" = "$cache_head" ] || fail "cache's version table"
[ "$(q "$url" "SELECT count(*) FROM auth.orgs")" = 1 ] || fail "the seed revision ran once"
checked
# the schema objects it declares are there and work: the updated_at trigger, the views
sql "$url" "INSERT INTO public.projects (org_id, name, updated_at) SELECT id, 'p', '2000-01-01' FROM auth.orgs;
  UPDATE public.projects SET name = 'q'"
[ "$(q "$url" "SELECT updated_at > '2001-01-01' FROM public.projects")" = t ] || fail "the updated_at trigger"
[ "$(q "$url" "SELECT count(*) FROM auth.active_users")" = 1 ] || fail "the active_users view"
sql "$url" "REFRESH MATERIALIZED VIEW CONCURRENTLY public.project_activity"
[ "$(q "$url" "SELECT documents FROM public.project_activity")" = 0 ] || fail "the materialized view"
[ "$(q "$url" "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.projects'::regclass")" = t ] || fail "row-level security"
checked
before=$(sha256sum fresh/file_cache.db)
run 0 "$APP" --database-url "$url" --cache-dir "$WORK/fresh"
[ -z "$(grep "applied" <<<"$err")" ] || fail "the second start applied something: $err"
[ "$before" = "$(sha256sum fresh/file_cache.db)" ] || fail "the second start changed the cache file"
checked
run 0 "$APP" --database-url "$url" --cache-dir "$WORK/fresh" --check
contains "$out" "main: 0 revision(s) to apply" "--check at head"

# the command line and the program take turns: the CLI sees the program's work as its own
( cd "$SRC/schema" && DATABASE_URL=$url FILE_CACHE_DIR=$WORK/fresh run 0 "$SG" current )
contains "$(cd "$SRC/schema" && DATABASE_URL=$url FILE_CACHE_DIR=$WORK/fresh "$SG" current 2>&1)" "$cache_head (head)" "schemagen current after the program"

# ---- eight copies at once: each revision applied once ------------------------------------------
url=$(new_db example_app_eight)
mkdir eight
pids=()
for i in 1 2 3 4 5 6 7 8; do
  "$APP" --database-url "$url" --cache-dir "$WORK/eight" >"eight/$i.out" 2>"eight/$i.err" &
  pids+=($!)
done
codes=""
for pid in "${pids[@]}"; do wait "$pid"; codes+="$? "; done
[ "$codes" = "0 0 0 0 0 0 0 0 " ] || { fail "eight copies: exit codes $codes"; cat eight/*.err >&2; }
checked
[ "$(cat eight/*.err | grep -c "main: applied")" = "$main_chain" ] || fail "eight copies applied main's revisions $(cat eight/*.err | grep -c "main: applied") times, expected $main_chain"
[ "$(cat eight/*.err | grep -c "cache: applied")" = "$cache_chain" ] || fail "eight copies applied the cache's revisions more than once"
[ "$(q "$url" "SELECT count(*) FROM auth.orgs")" = 1 ] || fail "eight copies: the seed ran more than once"
[ "$(q "$url" "SELECT count(*) FROM schemagen_version_log")" = "$main_chain" ] || fail "eight copies: the log"
checked
for i in 1 2 3 4 5 6 7 8; do grep -q "cache: at $cache_head" "eight/$i.out" || fail "copy $i did not report the cache at head"; done

# ---- the C++ step: stale renders expire, current and pinned ones stay ---------------------------
mkdir step
run 0 "$OLD" --cache-dir "$WORK/step" # the older build: the chain before the step's revision
sqlite3 step/file_cache.db "INSERT INTO blobs (sha256, content, size_bytes) VALUES ('b1', x'00', 1);
  INSERT INTO cached_files (document_id, version, format, blob_sha256, render_options, pinned) VALUES
    (1, 1, 'pdf', 'b1', '{\"renderer\": \"renderer-2\"}', 0),
    (2, 1, 'pdf', 'b1', '{\"renderer\": \"renderer-3\"}', 0),
    (3, 1, 'pdf', 'b1', '{}', 1),
    (4, 1, 'html', 'b1', '{}', 0)"
run 0 "$APP" --cache-dir "$WORK/step"
contains "$err" "cache: applied $cache_head (expire renders of the old renderer)" "the step's revision ran"
[ "$(sqlite3 step/file_cache.db "SELECT group_concat(document_id) FROM (SELECT document_id FROM cached_files WHERE expires_at IS NOT NULL ORDER BY document_id)")" = "1,4" ] ||
  fail "the step expired [$(sqlite3 step/file_cache.db "SELECT group_concat(document_id) FROM cached_files WHERE expires_at IS NOT NULL")], expected 1,4"
checked
# the command line cannot run it, and says who can
mkdir cli && run 0 "$OLD" --cache-dir "$WORK/cli"
( cd "$SRC/schema" && FILE_CACHE_DIR=$WORK/cli run 1 "$SG" -n cache upgrade head )
contains "$(cd "$SRC/schema" && FILE_CACHE_DIR=$WORK/cli "$SG" -n cache upgrade head 2>&1)" "calls the C++ step 'expire_renders_of_old_renderer', which only the application that registers it" "the CLI refuses the step"

# ---- an older build meets the upgraded databases: it refuses to start, before anything runs ----
url=$(new_db example_app_older)
mkdir older
run 0 "$APP" --database-url "$url" --cache-dir "$WORK/older"
before=$(sha256sum older/file_cache.db)
run 1 "$OLD" --database-url "$url" --cache-dir "$WORK/older"
contains "$err" "cannot start" "the older build refuses"
contains "$err" "the database is at revision $cache_head, which this program's revision chain does not have" "and names the revision"
[ "$before" = "$(sha256sum older/file_cache.db)" ] || fail "the refusing build changed the file"
checked
run 1 "$OLD" --database-url "$url" --cache-dir "$WORK/older" --check
contains "$err" "$cache_head" "--check refuses too"

# ---- a revision that fails leaves each database as it was ---------------------------------------
# a table already there where the first revision creates its own: that revision fails
url=$(new_db example_app_fails)
sql "$url" "CREATE SCHEMA auth; CREATE TABLE auth.orgs (id int)"
mkdir fails
sqlite3 fails/file_cache.db "CREATE TABLE blobs (x int)"
main_before=$(schema "$url")
cache_before=$(sha256sum fails/file_cache.db)
run 2 "$APP" --database-url "$url" --cache-dir "$WORK/fails"
contains "$err" "cannot start" "a failed revision stops the start"
contains "$err" "already exists" "with the server's message"
contains "$err" ".yaml:" "at the revision file's line"
[ "$main_before" = "$(schema "$url")" ] || fail "the failed start changed the PostgreSQL database"
[ "$(q "$url" "SELECT to_regclass('public.schemagen_version') IS NULL")" = t ] || fail "a version table was left behind"
checked
sql "$url" "DROP SCHEMA auth CASCADE"
run 2 "$APP" --database-url "$url" --cache-dir "$WORK/fails"
contains "$err" "table \"blobs\" already exists" "the cache's failure names SQLite's message"
[ "$cache_before" = "$(sha256sum fails/file_cache.db)" ] || fail "the failed start changed the cache file"
checked

finish
