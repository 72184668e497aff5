#!/usr/bin/env bash
# erd --database and history --graph against the real server: the example application's service
# database upgraded to its head, then drawn from the server's catalogs, must show every table,
# every foreign key and every schema the models' picture shows (a table the server alone has too),
# as the server spells them, with the tables each view reads as dashed edges;
# history --graph marks the revision the database is at, and moves the mark with a downgrade.
source "$(dirname "$0")/../cli/lib.sh"
source "$(dirname "$0")/lib.sh"
command -v dot >/dev/null || { fail "Graphviz's dot is not installed (.ci/install-deps)"; finish; }
PICTURES="/usr/bin/python3 $SRC/test/cli/pictures.py"
facts() { $PICTURES "$1" "$2" 2>"$WORK/.pictures.err" || fail "$2 is not valid $1: $(cat "$WORK/.pictures.err")"; }
tables_and_keys() { facts "$1" "$2" | grep -E '^(node|edge|cluster) ' | sed -E 's/ \((materialized )?view\)$//'; }

export DATABASE_URL
DATABASE_URL=$(new_db erd)
sg() { (cd "$SRC/schema" && "$SG" -n main "$@"); }
run 0 sg upgrade head

run 0 sg erd -o "$WORK/models.svg"
run 0 sg erd --database -o "$WORK/live.svg"
[ "$(tables_and_keys svg "$WORK/live.svg")" = "$(tables_and_keys svg "$WORK/models.svg")" ] ||
  fail "the database's picture is not the models': $(diff <(tables_and_keys svg "$WORK/models.svg") <(tables_and_keys svg "$WORK/live.svg"))"
checked
live=$(facts svg "$WORK/live.svg")
for fact in "cluster auth" "cluster public" "node auth.users" "node public.comments" \
  "edge public.comments public.document_versions" "edge auth.sessions auth.users" \
  "text public.documents numeric(5,2)" "dashed auth.active_users auth.users"; do
  contains "$live" "$fact" "the database's picture"
done
lacks "$live" "schemagen_version" "the version table is not drawn"

# what only the server has is drawn from it, and Mermaid shows it too
sql "$DATABASE_URL" "CREATE TABLE public.audit (id bigint PRIMARY KEY, user_id bigint REFERENCES auth.users (id))"
run 0 sg erd --database -o "$WORK/live.mmd"
mmd=$(facts mmd "$WORK/live.mmd")
contains "$mmd" "edge public.audit auth.users" "a table and key only the server has"

# the revision the database is at is marked, and the mark follows a downgrade
head=$("$SG" -q -c "$SRC/schema/schemagen.yaml" -n main heads | awk '{print $1}')
run 0 sg history --graph -o "$WORK/history.svg"
contains "$(facts svg "$WORK/history.svg")" "text $head head, current" "the head is current"
run 0 sg downgrade -1
run 0 sg history --graph --format mmd -o "$WORK/history.mmd"
history=$(facts mmd "$WORK/history.mmd")
lacks "$history" "class $head current" "after downgrade -1, the head is no longer current"
[ "$(grep -c '^class .* current$' <<<"$history")" = 1 ] || fail "current after downgrade -1: $(grep current <<<"$history")"
checked

finish
