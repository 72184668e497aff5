#!/usr/bin/env bash
# history --graph as a user runs it, on a chain written by hand: a branch point, a merge, a second
# root whose revision depends_on the first branch, branch labels and a message DOT and Mermaid must
# escape. Every format is parsed (test/cli/pictures.py) and must show every revision and edge; with
# no URL nothing is marked; with a SQLite database at a revision, that revision is marked current;
# -r draws a range; options that need --graph are refused without it.
source "$(dirname "$0")/lib.sh"
command -v dot >/dev/null || { fail "Graphviz's dot is not installed (.ci/install-deps)"; finish; }
PICTURES="/usr/bin/python3 $SRC/test/cli/pictures.py"
facts() { $PICTURES "$1" "$2" 2>"$WORK/.pictures.err" || fail "$2 is not valid $1: $(cat "$WORK/.pictures.err")"; }
graph_of() { facts "$1" "$2" | grep -E '^(node|edge|dashed) '; }

# id : down_revisions : depends_on : labels : message
chain=(
  "a1:::core:the first tables"
  "b2:a1:::users"
  "c3:b2::feature:a branch"
  "d4:b2:::the other branch, <b>bold</b> & \"quoted\""
  "e5:c3 d4:::merge the branches"
  "f6:e5:::after the merge"
  "g7:::ext:a second root"
  "h8:g7:d4::needs the other branch"
)
mkdir -p revisions
n=10
for entry in "${chain[@]}"; do
  IFS=: read -r id downs deps labels message <<<"$entry"
  list() { local out=""; for x in $1; do out="$out${out:+, }$x"; done; echo "[$out]"; }
  down=$( [ -z "$downs" ] && echo null || list "$downs")
  printf 'revision: %s\ndown_revision: %s\ndepends_on: %s\nbranch_labels: %s\nmessage: %s\nupgrade: []\ndowngrade: []\n' \
    "$id" "$down" "$(list "$deps")" "$(list "$labels")" "'${message//\'/\'\'}'" > "revisions/f${n}_$id.yaml"
  n=$((n + 1))
done
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
expected='dashed d4 h8
edge a1 b2
edge b2 c3
edge b2 d4
edge c3 e5
edge d4 e5
edge e5 f6
edge g7 h8
node a1
node b2
node c3
node d4
node e5
node f6
node g7
node h8'

# no URL: DOT on stdout, nothing marked, nothing asked
run 0 "$SG" history --graph
printf '%s' "$out" > stdout.dot
contains "$out" "digraph history {" "no -o prints DOT"
[ -z "$err" ] || fail "history --graph with no URL said [$err]"
checked
for format in dot svg mmd; do
  run 0 "$SG" history --graph -o "pictures/history.$format"
  [ "$(graph_of $format pictures/history.$format)" = "$expected" ] ||
    fail "history.$format shows: $(graph_of $format pictures/history.$format)"
  checked
  lacks "$(facts $format pictures/history.$format)" "current" "no URL: nothing marked in .$format"
done
[ "$(cat pictures/history.dot)" = "$(cat stdout.dot)" ] || fail "-o history.dot is not stdout's DOT"
checked
run 0 "$SG" history --graph -o pictures/history.png
facts png pictures/history.png >/dev/null
contains "$(file pictures/history.png)" "PNG image data" "file(1) agrees that it is a PNG"

svg=$(facts svg pictures/history.svg)
contains "$svg" "text a1 (core)" "a branch label"
contains "$svg" "text c3 (feature)" "a branch's own label"
contains "$svg" "text d4 the other branch, <b>bold</b> & \"quoted\"" "a message escaped reads back as written"
contains "$svg" "text e5 merge" "a merge says so"
contains "$svg" "text f6 head" "a head says so"
contains "$svg" "text h8 head" "every head"
lacks "$svg" "text b2 head" "a revision with children is no head"
lacks "$svg" "text e5 (" "the labels a revision inherits are not repeated"
mmd=$(facts mmd pictures/history.mmd)
contains "$mmd" "class f6 head" "Mermaid: a head's class"
contains "$mmd" "text d4 the other branch, <b>bold</b> & \"quoted\"" "Mermaid: the message escaped reads back"
contains "$(head -1 pictures/history.mmd)" "flowchart BT" "Mermaid: a flowchart, oldest at the bottom"
run 0 "$SG" history --graph --format mmd
[ "$out" = "$(cat pictures/history.mmd)" ] || fail "--format mmd on stdout is not history.mmd"
checked

# a range: only its revisions, and the edges between them
run 0 "$SG" history --graph -r b2:e5 -o pictures/range.svg
[ "$(graph_of svg pictures/range.svg)" = 'edge b2 c3
edge b2 d4
edge c3 e5
edge d4 e5
node b2
node c3
node d4
node e5' ] || fail "-r b2:e5 shows: $(graph_of svg pictures/range.svg)"
checked

# a SQLite database at d4 (and g7): those two are marked current, in every format
printf 'url: sqlite:///app.db\nscript_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
run 0 "$SG" upgrade d4
run 0 "$SG" upgrade g7
run 0 "$SG" history --graph -o pictures/current.svg
[ -z "$err" ] || fail "history --graph at a revision said [$err]"
checked
svg=$(facts svg pictures/current.svg)
contains "$svg" "text d4 current" "the database's revision is marked"
contains "$svg" "text g7 current" "each of the database's heads"
[ "$(grep -c ' current$' <<<"$svg")" = 2 ] || fail "marked current: $(grep ' current$' <<<"$svg")"
checked
run 0 "$SG" history --graph --format mmd -o pictures/current.txt
mmd=$(facts mmd pictures/current.txt)
contains "$mmd" "class d4 current" "Mermaid: the current class"
contains "$mmd" "class g7 current" "Mermaid: on each head of the database"
contains "$mmd" "text d4 current" "Mermaid: and said in the box"
run 0 "$SG" history --graph -i
contains "$out" "current" "-i with --graph marks as well"

# a database that does not answer: a warning, the picture drawn unmarked
run 0 "$SG" --url "sqlite:///$WORK/no/such/dir/app.db" history --graph -o pictures/unmarked.svg
contains "$err" "warning: the current revision is not marked: the database was not read" "the warning"
lacks "$(facts svg pictures/unmarked.svg)" "current" "nothing marked"

# what needs --graph is refused without it; a text format is refused with it
run 1 "$SG" history -o pictures/x.svg
contains "$err" "add --graph" "-o without --graph"
run 1 "$SG" history --format svg
contains "$err" "add --graph" "a picture format without --graph"
run 1 "$SG" history --graph --format json
contains "$err" "dot, mmd, svg or png" "--graph with --format json"
run 1 "$SG" history --graph -o pictures/x.jpg
contains "$err" "the extension names the format" "an unknown extension"
[ ! -e pictures/x.svg ] && [ ! -e pictures/x.jpg ] || fail "a refused run wrote a picture"
checked
run 0 "$SG" history --format json # the text forms are as they were
contains "$out" '"revision": "f6"' "history --format json"

finish
