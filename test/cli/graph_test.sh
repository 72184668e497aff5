#!/usr/bin/env bash
# The revision graph against Alembic itself (Debian's python3-alembic): branches, a merge, a
# second root, depends_on and branch labels; history, heads, upgrade and downgrade orders and
# relative identifiers must come out exactly as Alembic's RevisionMap gives them.
source "$(dirname "$0")/lib.sh"

# id : down_revisions : depends_on : labels, in load order (file names sort this way)
graph=(
  "r08:r06 r07::"
  "r01:::core"
  "r05:r03::feature_b"
  "r03:r02::"
  "r10:r09:r06:"
  "r02:r01::"
  "r12:r10::"
  "r04:r03::feature_a"
  "r07:r05::"
  "r09:::ext"
  "r06:r04::"
  "r11:r08::"
)
mkdir -p revs
n=10
for entry in "${graph[@]}"; do
  IFS=: read -r id downs deps labels <<<"$entry"
  list() { local out=""; for x in $1; do out="$out${out:+, }$x"; done; echo "[$out]"; }
  down=$( [ -z "$downs" ] && echo null || list "$downs")
  printf 'revision: %s\ndown_revision: %s\ndepends_on: %s\nbranch_labels: %s\nmessage: rev %s\nupgrade: []\ndowngrade: []\n' \
    "$id" "$down" "$(list "$deps")" "$(list "$labels")" "$id" > "revs/f${n}_$id.yaml"
  n=$((n + 1))
done
printf 'script_location: revs\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml

alembic() { # alembic EXPR...: what Alembic's RevisionMap says, one id per line
  /usr/bin/python3 - "$@" <<'PY'
import sys
from alembic.script.revision import RevisionMap, Revision
graph = """r08:r06 r07::
r01:::core
r05:r03::feature_b
r03:r02::
r10:r09:r06:
r02:r01::
r12:r10::
r04:r03::feature_a
r07:r05::
r09:::ext
r06:r04::
r11:r08::""".splitlines()
def revs():
    for line in graph:
        id_, downs, deps, labels = line.split(":")
        downs = tuple(downs.split()) or None
        if downs and len(downs) == 1: downs = downs[0]
        yield Revision(id_, downs, dependencies=tuple(deps.split()) or None,
                       branch_labels=tuple(labels.split()) or None)
from alembic.script.base import Script
import alembic.util
_comma = alembic.util.format_as_comma
# Alembic keeps labels in a set, printed in hash order; schemagen sorts them
alembic.util.format_as_comma = lambda v: _comma(sorted(v) if isinstance(v, (set, frozenset)) else v)
class Rev(Revision):
    _db_current_indicator = False
    _head_only = Script._head_only
    _format_down_revision = Script._format_down_revision
    def cmd_format(self, **kw): return Script.cmd_format(self, **kw)
    @property
    def doc(self): return "rev " + self.revision
Revision = Rev
m = RevisionMap(revs)
what = sys.argv[1]
if what == "history":
    out = [r.revision for r in m.iterate_revisions("heads", "base", inclusive=True, assert_relative_length=False)]
elif what == "history_text":
    out = [r.cmd_format(verbose=False, include_branches=True, include_doc=True, include_parents=True)
           for r in m.iterate_revisions("heads", "base", inclusive=True, assert_relative_length=False)]
elif what == "heads_text":
    out = [m.get_revision(h)._head_only(include_branches=True, tree_indicators=False) for h in m.heads]
elif what == "heads":
    out = list(m.heads)
elif what == "upgrade":  # upgrade TARGET FROM...
    current = tuple(sys.argv[3:])
    out = [r.revision for r in reversed(list(m.iterate_revisions(sys.argv[2], current, implicit_base=True)))]
elif what == "downgrade":  # downgrade TARGET FROM...
    current = tuple(sys.argv[3:])
    out = [r.revision for r in m.iterate_revisions(current, sys.argv[2], select_for_downgrade=True)]
print("\n".join(out))
PY
}
ours_history() { "$SG" history | sed -E 's/.*-> ([^ ,]+).*/\1/'; }
ours_history_text() { "$SG" history; }
ours_heads() { "$SG" heads | cut -d' ' -f1; }
ours_heads_text() { "$SG" heads; }
ours_run() { sed -nE 's/^-- Running (upgrade|downgrade) //p'; }
ours_upgrade() { # TARGET [FROM]
  local spec=$1
  [ -n "${2:-}" ] && spec="$2:$1"
  "$SG" upgrade --sql "$spec" | ours_run | sed -E 's/.*-> //'
}
ours_downgrade() { # TARGET FROM
  "$SG" downgrade --sql "$2:$1" | ours_run | sed -E 's/ ->.*//'
}
# agree DESCRIPTION OURS... -- ALEMBIC...: both sides succeed and say the same, line for line.
agree() {
  local desc=$1 o a
  shift
  local -a ours=()
  while [ "$1" != -- ]; do ours+=("$1"); shift; done
  shift
  checked
  o=$("${ours[@]}" 2>"$WORK/.ours.err") || { fail "$desc: schemagen failed: $(cat "$WORK/.ours.err")"; return 1; }
  a=$(alembic "$@" 2>"$WORK/.alembic.err") || { fail "$desc: Alembic failed: $(tail -1 "$WORK/.alembic.err")"; return 1; }
  [ -n "$a" ] || { fail "$desc: Alembic gave nothing to compare with"; return 1; }
  [ "$o" = "$a" ] || { fail "$desc: ours [$(echo $o)] vs Alembic [$(echo $a)]"; return 1; }
}
# both_refuse DESCRIPTION ERROR OURS... -- ALEMBIC...: both sides fail, ours saying ERROR.
both_refuse() {
  local desc=$1 message=$2
  shift 2
  local -a ours=()
  while [ "$1" != -- ]; do ours+=("$1"); shift; done
  shift
  checked
  if "${ours[@]}" >/dev/null 2>"$WORK/.ours.err"; then fail "$desc: schemagen did not refuse"; fi
  contains "$(cat "$WORK/.ours.err")" "$message" "$desc: schemagen's error"
  if alembic "$@" >/dev/null 2>"$WORK/.alembic.err"; then fail "$desc: Alembic did not refuse"; fi
}

agree "history order" ours_history -- history
agree "heads" ours_heads -- heads
agree "upgrade heads from base" ours_upgrade heads -- upgrade heads
agree "upgrade a label's head" ours_upgrade feature_b@head -- upgrade feature_b@head
agree "upgrade r12 (depends_on pulls in r06's line)" ours_upgrade r12 -- upgrade r12
agree "upgrade heads from r04" ours_upgrade heads r04 -- upgrade heads r04
agree "upgrade +2 from r05" ours_upgrade +2 r05 -- upgrade +2 r05
agree "upgrade r05+2 from base (through the merge)" ours_upgrade r05+2 -- upgrade r05+2
agree "upgrade r05+2 from r04" ours_upgrade r05+2 r04 -- upgrade r05+2 r04
both_refuse "upgrade r03+2 from base (r03 branches)" "ambiguous walk" ours_upgrade r03+2 -- upgrade r03+2
agree "downgrade base from the heads" ours_downgrade base heads -- downgrade base r11 r12
agree "downgrade base from r11" ours_downgrade base r11 -- downgrade base r11
agree "downgrade r03 from r11" ours_downgrade r03 r11 -- downgrade r03 r11
agree "downgrade -1 from r12" ours_downgrade -1 r12 -- downgrade -1 r12
agree "downgrade feature_a@-1 from r06" ours_downgrade feature_a@-1 r06 -- downgrade feature_a@-1 r06

# the text of history and heads: Alembic's own format, labels, markers and all
agree "history text" ours_history_text -- history_text
agree "heads text" ours_heads_text -- heads_text
run 0 "$SG" history
contains "$out" "r06, r07 -> r08 (core, feature_a, feature_b) (mergepoint), rev r08" "a merge point with its labels"
contains "$out" "r09 (r06) -> r10 (ext), rev r10" "depends_on"
run 0 "$SG" history -r r05:r08
[ "$(echo "$out" | wc -l)" = 3 ] || fail "history -r r05:r08 has r05, r07, r08: [$out]"
run 0 "$SG" branches
contains "$out" "r03 (core) (branchpoint)" "branches"
contains "$out" "    -> r04 (core, feature_a)" "branches: a child"
run 0 "$SG" show r08
contains "$out" "Merges: r06, r07" "show a merge"
run 0 "$SG" heads --format json
contains "$out" '"revision": "r11"' "heads as json"
run 0 "$SG" history --format json
contains "$out" '"down_revisions": ["r06", "r07"]' "history as json"

# identifiers
run 1 "$SG" upgrade --sql head
contains "$err" "multiple heads are present for 'head': r12, r11" "upgrade head with two heads names them"
contains "$err" "schemagen merge heads" "and suggests a merge"
run 1 "$SG" upgrade --sql r1
contains "$err" "no such revision or branch 'r1'; give at least four characters" "a short prefix"
run 1 "$SG" upgrade --sql feature
contains "$err" "several revisions start with 'feature': feature_a, feature_b" "an ambiguous prefix"
run 1 "$SG" upgrade --sql nope
contains "$err" "no such revision or branch 'nope'" "an unknown revision"
run 0 "$SG" upgrade --sql ext@head
contains "$out" "-> r12" "label@head"
finish
