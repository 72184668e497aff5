#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzzing tree (cmake -DSCHEMAGEN_FUZZ=ON), each for SECONDS:
#   test/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]      (targets: revision config annotation objects)
# Inputs that found something new are kept in BUILD_DIR/test/fuzz/corpus/<target>, so a later
# run goes on from there; a finding is saved as BUILD_DIR/test/fuzz/findings/<target>-crash-*,
# and replayed by passing that file to the target alone. Exits 1 when any target found one.
set -euo pipefail
build=$(cd "$1" && pwd)/test/fuzz
seconds=$2
shift 2
targets=("$@")
((${#targets[@]})) || targets=(revision config annotation objects)
here=$(cd "$(dirname "$0")" && pwd)

failed=()
for target in "${targets[@]}"; do
  dict=$here/yaml.dict
  [ "$target" = annotation ] && dict=$here/annotation.dict
  [ "$target" = objects ] && dict=$here/sql.dict
  mkdir -p "$build/corpus/$target" "$build/findings"
  log=$build/findings/$target.log
  if "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -dict="$dict" -artifact_prefix="$build/findings/$target-" \
      "$build/corpus/$target" "$build/seeds/$target" >"$log" 2>&1; then
    echo "fuzz $target: $(grep -m1 '^Done' "$log"), corpus $(ls "$build/corpus/$target" | wc -l)"
  else
    echo "fuzz $target: FINDING (log: $log)"
    grep -Ev "^(#[0-9]|INFO:)" "$log" | head -80
    failed+=("$target")
  fi
done
((${#failed[@]} == 0)) || { echo "fuzz: findings in ${failed[*]}"; exit 1; }
