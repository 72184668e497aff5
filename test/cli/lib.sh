# Helpers for the command-line tests: each test script runs the real binary in a scratch
# directory and checks exit codes, output and files. Sourced; $1 binary, $2 source dir, $3 scratch.
set -uo pipefail
SG=$1
SRC=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
cd "$WORK"
export SCHEMAGEN_CACHE_DIR="$WORK/.cache"
unset SCHEMAGEN_CONFIG SCHEMAGEN_DATABASE_URL DATABASE_URL
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run EXPECTED_EXIT CMD...: runs CMD, keeps its stdout in $out and stderr in $err.
run() {
  local expected=$1
  shift
  checks=$((checks + 1))
  out=$("$@" 2>"$WORK/.stderr")
  code=$?
  err=$(cat "$WORK/.stderr")
  if [ "$code" != "$expected" ]; then
    fail "$* exited $code, expected $expected"
    printf '  stdout: %s\n  stderr: %s\n' "$out" "$err"
  fi
}

# contains TEXT NEEDLE DESCRIPTION
contains() {
  checks=$((checks + 1))
  case "$1" in *"$2"*) ;; *) fail "$3: expected to find [$2] in [$1]" ;; esac
}
lacks() {
  checks=$((checks + 1))
  case "$1" in *"$2"*) fail "$3: did not expect [$2] in [$1]" ;; *) ;; esac
}

finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$failures of $checks checks failed"
    exit 1
  fi
  echo "$checks checks passed"
}
