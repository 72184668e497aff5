#!/usr/bin/env bash
# What commands say, without a database: merge's default message, mistakes in down_revision,
# depends_on and cycles reported where they are and no wider, check -q. Every check runs in this
# shell, never in a subshell.
source "$(dirname "$0")/lib.sh"

# project NAME: an empty project in NAME/, with its configuration at NAME/schemagen.yaml
project() {
  mkdir -p "$1/revisions"
  printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > "$1/schemagen.yaml"
}
# revision PROJECT FILE ID DOWN [MORE]: one revision file, MORE lines after down_revision
revision_file() {
  printf 'revision: %s\ndown_revision: %s\n%supgrade: []\ndowngrade: []\n' "$3" "$4" "${5:-}" \
    > "$1/revisions/$2.yaml"
}

# merge without -m derives its message (and so the file's slug) from the revisions it joins
project merging
revision_file merging a aaaa null
revision_file merging b bbbb aaaa
revision_file merging c cccc aaaa
run 0 "$SG" -c merging/schemagen.yaml merge heads --rev-id dddd
f=merging/revisions/dddd_merge_bbbb_cccc.yaml
[ -f "$f" ] || fail "merge without -m: expected $f, found $(ls merging/revisions)"
contains "$(cat "$f" 2>/dev/null)" 'message: "merge bbbb, cccc"' "merge's derived message"
run 0 "$SG" -c merging/schemagen.yaml history
contains "$out" "(mergepoint), merge bbbb, cccc" "history shows the derived message"

# a down_revision or depends_on naming nothing: at its own line, not the file's first
project dangling
revision_file dangling a aaaa null
revision_file dangling b bbbb nope
run 1 "$SG" -c dangling/schemagen.yaml heads
contains "$err" "dangling/revisions/b.yaml:2:16: error: down_revision 'nope' of revision bbbb names no revision" "a dangling down_revision"
revision_file dangling b bbbb aaaa $'message: x\ndepends_on: [aaaa, nothing]\n'
run 1 "$SG" -c dangling/schemagen.yaml heads
contains "$err" "dangling/revisions/b.yaml:4:13: error: depends_on 'nothing' of revision bbbb" "a dangling depends_on"

# a cycle names its members only, not what descends from it
project cycle
revision_file cycle a aaaa bbbb
revision_file cycle b bbbb aaaa
revision_file cycle c cccc bbbb
run 1 "$SG" -c cycle/schemagen.yaml heads
contains "$err" "cycle/revisions/a.yaml:1: error: the revisions form a cycle: aaaa, bbbb (each" "a cycle"
lacks "$err" "cccc" "a revision descending from the cycle"

# check --offline -q: lint findings of the chain (long applied, most of them) are not repeated
project quiet
: > quiet/m.hpp
cat > quiet/revisions/a.yaml <<'YAML'
revision: aaaa
down_revision: null
upgrade:
  - create_table: {name: t, columns: [{name: x, type: INTEGER}]}
downgrade:
  - drop_table: {name: t}
YAML
cat > quiet/revisions/b.yaml <<'YAML'
revision: bbbb
down_revision: aaaa
upgrade:
  - drop_table: {name: t}
downgrade:
  - create_table: {name: t, columns: [{name: x, type: INTEGER}]}
YAML
run 0 "$SG" -c quiet/schemagen.yaml check --offline
contains "$err" "[destructive]" "check --offline lints the chain"
run 0 "$SG" -c quiet/schemagen.yaml check --offline -q
[ -z "$err" ] || fail "check --offline -q printed [$err]"
[ -z "$out" ] || fail "check --offline -q printed [$out]"
run 1 "$SG" -c quiet/schemagen.yaml check --offline -q --strict
contains "$out" "1 risky operation not acknowledged (--strict)" "-q --strict still says why it fails"
finish
