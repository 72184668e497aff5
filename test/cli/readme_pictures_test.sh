#!/usr/bin/env bash
# README.md's pictures of the example application are what the built schemagen draws: each
# ```mermaid block after a line `<!-- picture: schemagen ARGS -->` must be exactly the output of
# `schemagen ARGS` run in schema/, so that the README never shows a stale schema. A block that
# differs fails with the command that redraws it. The diagram must also be valid Mermaid (as
# test/cli/pictures.py reads it) showing every table and foreign key of the DOT erd draws.
source "$(dirname "$0")/lib.sh"
command -v dot >/dev/null || { fail "Graphviz's dot is not installed (.ci/install-deps)"; finish; }
PICTURES="/usr/bin/python3 $SRC/test/cli/pictures.py"
README=$SRC/README.md

# the example's configuration takes its URL from $DATABASE_URL (unset by lib.sh): no database is
# asked, so nothing is marked current, in the README or here
mapfile -t commands < <(sed -n 's/^<!-- picture: schemagen \(.*\) -->$/\1/p' "$README")
[ "${#commands[@]}" -ge 2 ] || fail "README.md has ${#commands[@]} pictures, expected the erd and the history"
checked
i=0
for args in "${commands[@]}"; do
  i=$((i + 1))
  # the block: from the ```mermaid line after the marker up to the closing ```
  awk -v marker="<!-- picture: schemagen $args -->" '
    $0 == marker {found = 1; next}
    found == 1 && /^```mermaid$/ {found = 2; next}
    found == 2 && /^```$/ {exit}
    found == 2 {print}' "$README" > "readme_$i.mmd"
  read -ra argv <<<"$args"
  run 0 bash -c 'cd "$1" && shift && "$@"' _ "$SRC/schema" "$SG" "${argv[@]}" || continue
  printf '%s\n' "$out" > "drawn_$i.mmd"
  if ! cmp -s "readme_$i.mmd" "drawn_$i.mmd"; then
    fail "README.md's picture of \`schemagen $args\` is stale: replace its \`\`\`mermaid block with the output of: (cd schema && schemagen $args)"
    diff "readme_$i.mmd" "drawn_$i.mmd" | head -20 >&2
  fi
  checked
  $PICTURES mmd "readme_$i.mmd" >/dev/null 2>"$WORK/.pictures.err" ||
    fail "README.md's picture of \`schemagen $args\` is not valid Mermaid: $(cat "$WORK/.pictures.err")"
  checked
done

# the diagram shows every table and key of the example's models, as the DOT picture does
(cd "$SRC/schema" && "$SG" -n main erd) > example.dot || fail "erd of the example"
checked
tables_and_keys() { $PICTURES "$1" "$2" | grep -E '^(node|edge) ' | sed -E 's/ \((materialized )?view\)$//'; }
[ "$(tables_and_keys mmd readme_1.mmd)" = "$(tables_and_keys dot example.dot)" ] ||
  fail "README.md's diagram and the DOT differ: $(diff <(tables_and_keys mmd readme_1.mmd) <(tables_and_keys dot example.dot))"
checked
for table in auth.orgs auth.users auth.sessions auth.api_keys public.projects public.documents \
  public.document_versions public.comments; do
  contains "$(tables_and_keys mmd readme_1.mmd)" "node $table" "the README's diagram"
done

finish
