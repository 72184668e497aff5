#!/usr/bin/env bash
# embed-revisions: the chain as C++, checked as every command checks it. A malformed revision or
# a broken graph fails at its file:line:col and writes nothing; an unchanged chain rewrites
# nothing; the source holds any bytes and compiles.
source "$(dirname "$0")/lib.sh"

revision() { # revision FILE ID DOWN: a revision creating table t_ID
  printf 'revision: %s\ndown_revision: %s\nmessage: step %s\nupgrade:\n  - create_table:\n      name: t_%s\n      columns:\n        - {name: id, type: INTEGER, nullable: false}\ndowngrade:\n  - drop_table: {name: t_%s}\n' \
    "$2" "$3" "$2" "$2" "$2" >"$1"
}
embed() { # embed DIR...: into out/, with a depfile
  run "$expect" "$SG" embed-revisions --name app_revisions --cpp out/app.cpp --header out/app.hpp \
    --depfile out/app.d "$@"
}
mtimes() { stat -c %y out/app.cpp out/app.hpp; }

mkdir revisions more
revision revisions/0001_a.yaml a1 null
revision revisions/0002_b.yaml b2 a1
# the bytes a raw string literal or the source character set would trip on
printf '# )" )sg_embed" \\ caf\xc3\xa9 \xff\r\nrevision: c3\r\ndown_revision: b2\r\nupgrade: []\r\ndowngrade: []\r\n' \
  >more/0001_c.yaml

expect=0 embed revisions more
contains "$(cat out/app.hpp)" "schemagen::Chain app_revisions();" "the header declares NAME()"
contains "$(cat out/app.hpp)" "#include <schemagen/migrate.hpp>" "the header includes the API"
contains "$(cat out/app.cpp)" $'{.file = "revisions/0001_a.yaml"sv,\n     .text = revision_0,' "files go by dir/file"
contains "$(cat out/app.cpp)" $'{.file = "more/0001_c.yaml"sv,\n     .text = revision_2,' "each directory's own name"
contains "$(cat out/app.cpp)" '"# )\" )sg_embed\" \\ caf\303\251 \377\r\n"' "bytes escaped exactly"
contains "$(cat out/app.d)" "$WORK/more/0001_c.yaml" "the depfile names the files"
contains "$(cat out/app.d)" "out/app.cpp:" "the depfile's target is the source"
checked
g++ -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I out \
  -I "$SRC/lib/migrate/include" -I "$SRC/lib/support/include" out/app.cpp 2>compile.err ||
  fail "the generated source does not compile: $(cat compile.err)"

# unchanged chain: nothing rewritten, so nothing recompiles
before=$(mtimes)
sleep 0.05
touch revisions/0001_a.yaml
expect=0 embed revisions more
checked
[ "$before" = "$(mtimes)" ] || fail "an unchanged chain rewrote its outputs"
# a changed revision: the source changes, the header (only NAME in it) does not
revision revisions/0003_d.yaml d4 c3
expect=0 embed revisions more
contains "$(cat out/app.cpp)" "revisions/0003_d.yaml" "a new revision is embedded"
checked
[ "$(stat -c %y out/app.hpp)" = "$(echo "$before" | sed -n 2p)" ] || fail "the header was rewritten"
good=$(cat out/app.cpp)

# a malformed revision: its file:line:col, exit 1, and no output written or replaced
mkdir bad
revision bad/0001_a.yaml a1 null
printf 'revision: b2\ndown_revision: a1\nupgrade:\n  - create_table:\n      name: t\n      colums: []\ndowngrade: []\n' \
  >bad/0002_b.yaml
expect=1 embed bad
contains "$err" "bad/0002_b.yaml:6:7: error: " "a malformed revision is reported at its line and column"
contains "$err" "colums" "the message names the bad field"
run 1 "$SG" embed-revisions --name fresh --cpp new/x.cpp --header new/x.hpp bad
checked
[ ! -e new ] || fail "a failed run wrote $(ls new)"
contains "$(cat out/app.cpp)" "revisions/0003_d.yaml" "a failed run keeps the last good output"
checked
[ "$good" = "$(cat out/app.cpp)" ] || fail "a failed run changed the last good output"

# the graph: a down_revision naming nothing, at its line; an id given twice
mkdir orphan
revision orphan/0001_a.yaml a1 null
revision orphan/0002_b.yaml b2 nope
expect=1 embed orphan
contains "$err" "orphan/0002_b.yaml:2:16: error: down_revision 'nope' of revision b2 names no revision" \
  "an unknown down_revision is named at its line"
expect=1 embed revisions orphan
contains "$err" "revision a1 is declared twice" "a duplicate id across directories"

# NAME must be a C++ function name; a missing directory is an error too
for name in 1abc app-revisions class __x main; do
  run 1 "$SG" embed-revisions --name "$name" --cpp n/x.cpp --header n/x.hpp revisions
  contains "$err" "--name '$name'" "the bad name $name"
done
checked
[ ! -e n ] || fail "a bad --name wrote something"
run 1 "$SG" embed-revisions --name ok --cpp n/x.cpp --header n/x.hpp missing
contains "$err" "missing: error: the revision directory does not exist" "a missing directory"

# no schemagen.yaml is read: a broken one beside it does not matter
printf 'nonsense: [\n' >schemagen.yaml
expect=0 embed revisions more

finish
