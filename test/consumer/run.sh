#!/usr/bin/env bash
# find_package(schemagen) from an installed prefix: cmake --install, then a consumer project
# whose build step keeps its models' metadata current. Touch a model header, rebuild: the
# metadata changes; rebuild again: the scan does not run. The scan takes the include directories
# and definitions of the TARGET it is given. Also: the installed binary, moved to another prefix,
# still finds Clang's builtin headers and its annotations header, and never the build tree's.
set -uo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
export SCHEMAGEN_CACHE_DIR="$work/cache"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cmake --install "$build" --prefix "$work/prefix" >/dev/null || { echo "install failed"; exit 1; }

for generator in Ninja "Unix Makefiles"; do
  tag=${generator// /_}
  proj="$work/$tag/project"
  out="$work/$tag/build"
  mkdir -p "$work/$tag"
  cp -r "$here/project" "$proj"
  cmake -S "$proj" -B "$out" -G "$generator" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/$tag/configure.log" 2>&1 ||
    { cat "$work/$tag/configure.log"; fail "$generator: configure"; continue; }
  cmake --build "$out" >"$work/$tag/build1.log" 2>&1 || { cat "$work/$tag/build1.log"; fail "$generator: first build"; continue; }
  grep -q "name: widgets" "$out/metadata.yaml" || fail "$generator: metadata after the first build"
  grep -q "name: widgets" "$out/app-metadata.yaml" || fail "$generator: metadata of TARGET app"
  "$out/app" || fail "$generator: the models do not compile as plain C++"

  # a model header changes: the step runs and the metadata follows
  sed -i 's|std::string name;|std::string name;\n  std::optional<std::string> colour;|; s|#include "shared.hpp"|#include "shared.hpp"\n#include <optional>|' "$proj/models.hpp"
  cmake --build "$out" >"$work/$tag/build2.log" 2>&1 || { cat "$work/$tag/build2.log"; fail "$generator: rebuild"; }
  grep -q "scanning the models" "$work/$tag/build2.log" || fail "$generator: the scan did not run after a header changed"
  grep -q "name: colour" "$out/metadata.yaml" || fail "$generator: the metadata did not change"

  # nothing changed: the scan does not run
  before=$(stat -c %Y.%s "$out/metadata.yaml")
  cmake --build "$out" >"$work/$tag/build3.log" 2>&1
  grep -q "scanning the models" "$work/$tag/build3.log" && fail "$generator: the scan ran with nothing changed"
  [ "$before" = "$(stat -c %Y.%s "$out/metadata.yaml")" ] || fail "$generator: metadata rewritten with nothing changed"

  # a header the models include changes: the step runs again
  printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("gadgets") Gadget { int id; };\n' >> "$proj/include/shared.hpp"
  cmake --build "$out" >"$work/$tag/build4.log" 2>&1 || { cat "$work/$tag/build4.log"; fail "$generator: rebuild after include change"; }
  grep -q "name: gadgets" "$out/metadata.yaml" || fail "$generator: an included header's change was missed"
done

# Relocated: the installed tree moved elsewhere (out of the build tree, where a binary may fall
# back on the build's paths) still scans, with <stddef.h> from Clang's headers.
away=$(mktemp -d /tmp/schemagen-installed.XXXXXX)
trap 'rm -rf "$away"' EXIT
mv "$work/prefix" "$away/moved"
printf '#include <stddef.h>\n#include <schemagen/annotations.hpp>\nstruct SG_TABLE("moved") M { int id; };\n' > "$work/m.hpp"
printf 'models:\n  sources: [m.hpp]\n' > "$work/schemagen.yaml"
(cd "$work" && "$away/moved/bin/schemagen" scan --no-cache >moved.yaml 2>moved.err) || { cat "$work/moved.err"; fail "relocated binary"; }
grep -q "name: moved" "$work/moved.yaml" || fail "relocated scan output"

# An installed copy looks only where it was installed, never in the build tree that made it: with
# its Clang headers gone it says so and where it looked (exit 1), instead of quietly taking the
# build machine's.
mv "$away/moved/lib/schemagen/clang" "$work/clang.away"
(cd "$work" && "$away/moved/bin/schemagen" scan --no-cache >/dev/null 2>broken.err)
rc=$?
[ "$rc" = 1 ] || fail "an installed copy without its Clang headers exited $rc, not 1"
grep -qF "no include/stddef.h in $away/moved/lib/schemagen/clang" "$work/broken.err" ||
  { cat "$work/broken.err"; fail "the error names where the headers should be"; }
mv "$work/clang.away" "$away/moved/lib/schemagen/clang"

if [ "$failures" -ne 0 ]; then echo "$failures failures"; exit 1; fi
echo "consumer: all checks passed"
