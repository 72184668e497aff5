# Helpers for the command-line tests: each test script runs the real binary in a scratch
# directory and checks exit codes, output and files. Sourced; $1 binary, $2 source dir, $3 scratch.
#
# Every check and every failure is recorded in a file under the scratch directory, not in a shell
# variable: a check made in a subshell — `( cd dir && run ... )`, a pipeline, `$(...)` — still
# counts, and still fails the script. A script that stops before `finish` fails too.
set -uo pipefail
SG=$1
SRC=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
cd "$WORK"
export SCHEMAGEN_CACHE_DIR="$WORK/.cache"
unset SCHEMAGEN_CONFIG SCHEMAGEN_DATABASE_URL DATABASE_URL
: >"$WORK/.failures"
: >"$WORK/.checks"
checks=0 # kept for scripts that still count with checks=$((checks + 1)); finish adds it in
trap '[ -n "${finished:-}" ] || { echo "FAIL: the test script stopped before finish (exit $?)" >&2; exit 1; }' EXIT

# fail MESSAGE: one failed check, shown on stderr (so that it shows from inside $(...) too).
fail() {
  local message="$*"
  echo "FAIL: $message" >&2
  printf '%s\n' "${message//$'\n'/\\n}" >>"$WORK/.failures" # one line per failure
}
# checked: counts one check that the script decided by itself ([ ... ] || fail ...).
checked() { echo >>"$WORK/.checks"; }

# run EXPECTED_EXIT CMD...: runs CMD, keeps its stdout in $out and stderr in $err.
run() {
  local expected=$1
  shift
  checked
  out=$("$@" 2>"$WORK/.stderr")
  code=$?
  err=$(cat "$WORK/.stderr")
  if [ "$code" != "$expected" ]; then
    fail "$* exited $code, expected $expected"
    printf '  stdout: %s\n  stderr: %s\n' "$out" "$err" >&2
    return 1
  fi
}

# contains TEXT NEEDLE DESCRIPTION
contains() {
  checked
  case "$1" in *"$2"*) ;; *) fail "$3: expected to find [$2] in [$1]"; return 1 ;; esac
}
lacks() {
  checked
  case "$1" in *"$2"*) fail "$3: did not expect [$2] in [$1]"; return 1 ;; *) ;; esac
}

finish() {
  finished=1
  local failures total
  failures=$(wc -l <"$WORK/.failures")
  total=$(($(wc -l <"$WORK/.checks") + checks))
  [ "$total" -ge "$failures" ] || total=$failures
  if [ "$failures" -ne 0 ]; then
    echo "$failures of $total checks failed:"
    sed 's/^/  /' "$WORK/.failures"
    exit 1
  fi
  if [ "$total" -eq 0 ]; then
    echo "no checks ran"
    exit 1
  fi
  echo "$total checks passed"
}
