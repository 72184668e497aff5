#!/usr/bin/env bash
# Views and schema objects the way a user works: declared in objects files and SG_VIEW structs,
# every change written by `revision --autogenerate` against the real server. One of every kind is
# created (o1), each changed (o2: an exact ALTER SEQUENCE, a return type that forces a drop), a
# column type changes under a view with a grant and an INSTEAD OF trigger, next to a new view with
# its trigger and a SQL function reading it (o3), and every declaration removed, the last of each
# kind too (o4); `check` says synced after each step, each downgrade restores the schema exactly,
# the `--sql` scripts run by psql step by step leave the same schema, and the same objects spelled
# otherwise generate nothing.
here=$(cd "$(dirname "$0")" && pwd) # the helpers move to the scratch directory
source "$here/../cli/lib.sh"
source "$here/lib.sh"
mkdir -p oa/db oa/revisions && cd oa
export SCHEMAGEN_DATABASE_URL=$(new_db objects_autogen)
url=$SCHEMAGEN_DATABASE_URL
sql "$url" "DO \$\$ BEGIN CREATE ROLE oat_reader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
ext=pgcrypto
ls /usr/share/postgresql/*/extension/pgcrypto.control >/dev/null 2>&1 || ext=citext
printf 'models: {sources: [m.hpp]}\nobjects: [db/*.sql]\n' > schemagen.yaml

models() { # A_TYPE VIEW_STRUCTS...
  { printf '#include <schemagen/annotations.hpp>\n#include <chrono>\n#include <cstdint>\n#include <optional>\n#include <string>\n'
    printf 'struct SG_TABLE("t") T {\n  SG_COLUMN(primary_key) std::int64_t id;\n  %s a;\n' "$1"
    printf '  std::optional<std::string> note;\n  std::optional<std::chrono::system_clock::time_point> updated_at;\n};\n'
    shift
    printf '%s\n' "$@"; } > m.hpp
}
synced() { # STEP: `check` finds nothing to do
  run 0 "$SG" check
  contains "$out" "No new upgrade operations detected (compared with the database)." "$1: check after the upgrade"
}
declare -A dumps
dumps[base]=$(schema "$url")
# A step: autogenerate writes revision ID (with the Detected lines in $detected), `expect` the
# lines, `up` upgrades, checks and snapshots. A revision not written or not run breaks the chain
# that everything after builds on: the test stops there.
autogen() { # ID MESSAGE
  run 0 "$SG" revision --autogenerate -m "$2" --rev-id "$1" ||
    { fail "$1: autogenerate failed: $(grep -m1 error: <<<"$err")"; finish; }
  detected=$err
  checked
  ls revisions/"$1"_*.yaml >/dev/null 2>&1 || { fail "$1: autogenerate wrote no revision: [$detected]"; finish; }
}
expect() { # STEP LINE...: each line is one of the Detected lines
  local s=$1 line
  shift
  for line in "$@"; do contains "$detected" "Detected $line"$'\n' "$s: autogenerate proposes [$line]"; done
}
up() { # ID
  run 0 "$SG" upgrade head || { fail "$1: the upgrade failed: $(grep -m1 -A1 error: <<<"$err")"; finish; }
  synced "$1"
  dumps[$1]=$(schema "$url")
}
one() { # DESCRIPTION EXPECTED SQL
  checked
  local got
  got=$(q "$url" "$3")
  [ "$got" = "$2" ] || fail "$1: [$3] gave [$got], expected [$2]"
}

# ---- o1: one of every kind --------------------------------------------------------------------
V='struct SG_VIEW("v", sql = "SELECT id, a FROM t") V { std::int64_t id; std::int32_t a; };'
MV='struct SG_VIEW("mv", sql = "SELECT count(*) AS n FROM t", materialized) SG_INDEX("mv_n", columns = "n") MV { std::int64_t n; };'
models std::int32_t "$V" "$MV"
printf 'CREATE EXTENSION %s;\n' "$ext" > db/ext.sql
printf 'CREATE SEQUENCE s INCREMENT 5 START 1000;\n' > db/seq.sql
cat > db/functions.sql <<'SQL'
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION answer() RETURNS integer LANGUAGE sql AS 'SELECT 42';
CREATE FUNCTION note_of(i bigint) RETURNS text LANGUAGE sql AS 'SELECT note FROM t WHERE id = i';
CREATE PROCEDURE clear_note(i bigint) LANGUAGE sql AS 'UPDATE t SET note = NULL WHERE id = i';
SQL
cat > db/rules.sql <<'SQL'
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY mine ON t FOR SELECT USING (note IS NOT NULL);
GRANT SELECT ON t TO oat_reader;
GRANT SELECT ON v TO oat_reader;
SQL
autogen o1 "one of each"
expect o1 "create_extension $ext" "create_sequence public.s" "create_function public.touch()" \
  "create_function public.answer()" "create_function public.note_of(bigint)" "create_procedure public.clear_note(bigint)" \
  "create_trigger t_touch on public.t" "create_policy mine on public.t" "grant SELECT ON TABLE public.t TO oat_reader" \
  "grant SELECT ON TABLE public.v TO oat_reader" "create_view v" "create_view mv"
up o1
one "o1: the sequence" "5 1000" "SELECT increment_by || ' ' || start_value FROM pg_sequences WHERE sequencename = 's'"

# ---- the same declarations spelled otherwise generate nothing ---------------------------------
cp -r db db.o1
printf 'create extension "%s" ;\n' "$ext" > db/ext.sql
printf 'CREATE SEQUENCE public.S\n  INCREMENT BY 5\n  START WITH 1000;\n' > db/seq.sql
cat > db/functions.sql <<'SQL'
-- the same, written otherwise
create or replace function public.touch() returns trigger language plpgsql as $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE FUNCTION Answer() RETURNS int4 AS $$SELECT 42$$ LANGUAGE SQL;
create function NOTE_OF(I int8) returns TEXT language sql
  as $$SELECT note FROM t WHERE id = i$$;
CREATE OR REPLACE PROCEDURE public.clear_note(i INT8) AS $body$UPDATE t SET note = NULL WHERE id = i$body$ LANGUAGE SQL;
SQL
cat > db/rules.sql <<'SQL'
create trigger T_TOUCH before update on public.t for each row execute procedure public.touch();
CREATE POLICY mine ON public.t AS PERMISSIVE FOR SELECT TO PUBLIC USING ((note IS NOT NULL));
GRANT SELECT ON TABLE public.t, v TO oat_reader;
SQL
models int 'struct SG_VIEW("v", sql = "select T.ID, t.a -- both\n  from public.t") V { std::int64_t id; int a; };' "$MV"
run 0 "$SG" revision --autogenerate -m respelled --rev-id same
contains "$out$err" "No changes in schema detected." "the same objects spelled otherwise"
checked
! ls revisions/same_* >/dev/null 2>&1 || { fail "a revision was written for the respelling"; rm -f revisions/same_*; }
rm -rf db && mv db.o1 db

# ---- o2: each one changed ---------------------------------------------------------------------
V='struct SG_VIEW("v", sql = "SELECT id, a, note FROM t") V { std::int64_t id; std::int32_t a; std::optional<std::string> note; };'
MV='struct SG_VIEW("mv", sql = "SELECT count(*) AS n, count(note) AS notes FROM t", materialized) SG_INDEX("mv_n", columns = "n") MV { std::int64_t n; std::int64_t notes; };'
models std::int32_t "$V" "$MV"
printf 'CREATE SEQUENCE s START 1000;\n' > db/seq.sql
cat > db/functions.sql <<'SQL'
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
CREATE FUNCTION answer() RETURNS bigint LANGUAGE sql AS 'SELECT 42::bigint';
CREATE FUNCTION note_of(i bigint) RETURNS text LANGUAGE sql AS $$SELECT coalesce(note, '') FROM t WHERE id = i$$;
CREATE PROCEDURE clear_note(i bigint) LANGUAGE sql AS $$UPDATE t SET note = 'cleared' WHERE id = i$$;
CREATE FUNCTION v_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id, a, note) VALUES (NEW.id, NEW.a, NEW.note); RETURN NEW; END $$;
SQL
cat > db/rules.sql <<'SQL'
CREATE TRIGGER t_touch BEFORE INSERT OR UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER v_ins INSTEAD OF INSERT ON v FOR EACH ROW EXECUTE FUNCTION v_insert();
CREATE POLICY mine ON t FOR SELECT USING (note IS NOT NULL AND id > 0);
CREATE POLICY positive ON t FOR UPDATE USING (a >= 0);
GRANT SELECT, UPDATE ON t TO oat_reader;
GRANT SELECT, INSERT ON v TO oat_reader;
SQL
autogen o2 "each changed"
expect o2 "alter_sequence public.s" "replace_function public.touch()" "drop_function public.answer()" \
  "create_function public.answer()" "replace_function public.note_of(bigint)" "replace_procedure public.clear_note(bigint)" \
  "replace_trigger t_touch on public.t" "create_trigger v_ins on public.v" "replace_policy mine on public.t" \
  "create_policy positive on public.t" \
  "revoke SELECT ON TABLE public.t TO oat_reader" "grant SELECT, UPDATE ON TABLE public.t TO oat_reader" \
  "replace_view v" "drop_view mv" "create_view mv"
up o2
one "o2: ALTER SEQUENCE resets the increment the declaration no longer names" 1 \
  "SELECT increment_by FROM pg_sequences WHERE sequencename = 's'"
one "o2: answer() returns bigint" bigint "SELECT format_type(prorettype, NULL) FROM pg_proc WHERE proname = 'answer'"
sql "$url" "INSERT INTO v VALUES (1, 5, 'x'); CALL clear_note(1)" # through v's INSTEAD OF trigger
one "o2: the trigger, the procedure and the function work" "5 cleared" "SELECT a || ' ' || note_of(1) FROM v"

# ---- o3: a column type change under v and a policy; a new view w, its trigger, a function reading it
V='struct SG_VIEW("v", sql = "SELECT id, a, note FROM t") V { std::int64_t id; std::int64_t a; std::optional<std::string> note; };'
W='struct SG_VIEW("w", sql = "SELECT id, note FROM t WHERE note IS NOT NULL") W { std::int64_t id; std::optional<std::string> note; };'
models std::int64_t "$V" "$W" "$MV"
cat >> db/functions.sql <<'SQL'
CREATE FUNCTION w_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO t (id, a, note) VALUES (NEW.id, 0, NEW.note); RETURN NEW; END $$;
CREATE FUNCTION noted() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM w';
SQL
printf 'CREATE TRIGGER w_ins INSTEAD OF INSERT ON w FOR EACH ROW EXECUTE FUNCTION w_insert();\n' >> db/rules.sql
autogen o3 "wide a, w"
expect o3 "drop_view v" "alter_column t.a" "create_view v" "create_view w" "create_trigger w_ins on public.w" \
  "create_function public.noted()" "drop_policy positive on public.t" "create_policy positive on public.t"
up o3
one "o3: v's grant survives its recreation" t "SELECT has_table_privilege('oat_reader', 'v', 'INSERT')"
one "o3: v's INSTEAD OF trigger survives its recreation" 1 \
  "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'v'::regclass AND tgname = 'v_ins'"
one "o3: the policy on the retyped column is back" "(a >= 0)" "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'positive'"
sql "$url" "INSERT INTO w VALUES (2, 'y')" # through w's INSTEAD OF trigger
one "o3: w's trigger and the function reading w" 2 "SELECT noted()"

# ---- o4: every declaration removed, the last of each kind too ---------------------------------
models std::int64_t
for f in db/*.sql; do : > "$f"; done # an empty file declares nothing (a pattern matching no file is an error)
autogen o4 "nothing left"
expect o4 "drop_extension $ext" "drop_sequence public.s" "drop_function public.touch()" "drop_function public.noted()" \
  "drop_procedure public.clear_note(bigint)" "drop_trigger t_touch on public.t" "drop_trigger v_ins on public.v" \
  "drop_policy mine on public.t" "revoke SELECT, UPDATE ON TABLE public.t TO oat_reader" \
  "revoke SELECT, INSERT ON TABLE public.v TO oat_reader" "drop_view v" "drop_view w" "drop_view mv"
up o4
one "o4: no function or procedure left" 0 "SELECT count(*) FROM pg_proc WHERE pronamespace = 'public'::regnamespace"
one "o4: no trigger left" 0 "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
one "o4: no policy left" 0 "SELECT count(*) FROM pg_policy"
one "o4: no view left" 0 "SELECT count(*) FROM pg_views WHERE schemaname = 'public'"
one "o4: no materialized view left" 0 "SELECT count(*) FROM pg_matviews"
one "o4: no sequence left" 0 "SELECT count(*) FROM pg_class WHERE relkind = 'S'"
one "o4: no extension left" 0 "SELECT count(*) FROM pg_extension WHERE extname = '$ext'"
one "o4: no grant left" f "SELECT has_table_privilege('oat_reader', 't', 'SELECT')"

# ---- down a step at a time, back to exactly where each step was; and up again -----------------
for to in o3 o2 o1 base; do
  run 0 "$SG" downgrade -1 || { fail "the downgrade to $to failed: $(grep -m1 -A1 error: <<<"$err")"; break; }
  [ "$(schema "$url")" = "${dumps[$to]}" ] || { fail "the downgrade to $to did not restore its schema"
    diff <(echo "${dumps[$to]}") <(schema "$url") | head -20; }
  case $to in # grants are not in the dump
    o3) one "downgraded to o3: v's grant" t "SELECT has_table_privilege('oat_reader', 'v', 'INSERT')" ;;
    o1) one "downgraded to o1: v's grant, and t's without UPDATE" "true false" \
          "SELECT has_table_privilege('oat_reader', 'v', 'SELECT') || ' ' || has_table_privilege('oat_reader', 't', 'UPDATE')" ;;
  esac
done
run 0 "$SG" upgrade head
synced "upgrade head again"

# ---- offline: the --sql scripts, run by psql step by step, leave what the online run left ------
url2=$(new_db objects_autogen_sql)
from=base
for to in o1 o2 o3 o4; do
  run 0 "$SG" upgrade "$from:$to" --sql || break
  printf '%s\n' "$out" | PGOPTIONS='-c client_min_messages=warning' \
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$url2" -f - >/dev/null 2>psql.err ||
    { fail "psql refused the --sql script $from:$to: $(cat psql.err)"; break; }
  [ "$(schema "$url2")" = "${dumps[$to]}" ] || { fail "--sql $from:$to through psql differs from the online $to"
    diff <(echo "${dumps[$to]}") <(schema "$url2") | head -20; }
  checked
  from=$to
done
finish
