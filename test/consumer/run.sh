#!/usr/bin/env bash
# find_package(schemagen) from an installed prefix: cmake --install, then a consumer project
# whose build step keeps its models' metadata current. Touch a model header, rebuild: the
# metadata changes; rebuild again: the scan does not run. The scan takes the include directories
# and definitions of the TARGET it is given. Also: the installed binary, moved to another prefix,
# still finds Clang's builtin headers and its annotations header, and never the build tree's.
# And schemagen::migrate: a program with its revision chain compiled in (schemagen_add_revisions)
# migrates a SQLite file; its link has no Clang, LLVM or CLI11; a malformed revision fails the
# build at its file:line; an added one is picked up by the next build.
set -uo pipefail
build=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
export SCHEMAGEN_CACHE_DIR="$work/cache"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# embedded_chain GENERATOR PROJECT BUILD LOGDIR: the compiled-in chain's checks.
embedded_chain() {
  local generator=$1 proj=$2 out=$3 logs=$4 db=$4/app.db link
  "$out/migrate_app" "$db" >"$logs/app1.out" 2>&1 || { cat "$logs/app1.out"; fail "$generator: migrate_app"; }
  [ "$(cat "$logs/app1.out")" = c0ffee000002 ] || fail "$generator: current() after the upgrade: $(cat "$logs/app1.out")"
  [ "$(sqlite3 "$db" "SELECT name FROM pragma_table_info('notes') ORDER BY cid" | tr '\n' ' ')" = "id title body " ] ||
    fail "$generator: the file's notes table is not what the two revisions make"

  # what the program is linked with: the migrate archive, and nothing of Clang, LLVM or CLI11
  if [ "$generator" = Ninja ]; then
    link=$(ninja -C "$out" -t commands migrate_app | tail -n 1)
  else
    link=$(cat "$out/CMakeFiles/migrate_app.dir/link.txt")
  fi
  case "$link" in *libschemagen_migrate.a*) ;; *) fail "$generator: no libschemagen_migrate.a in the link: $link" ;; esac
  if grep -Eio 'clang|llvm|cli11' <<<"$link $(ldd "$out/migrate_app")" >"$logs/leak"; then
    fail "$generator: the link brings in $(sort -u "$logs/leak" | tr '\n' ' ')"
  fi

  # an unchanged chain regenerates nothing, so nothing recompiles
  local source="$out/app_revisions/app_revisions.cpp" before
  before=$(stat -c %y "$source")
  touch "$proj/revisions/0001_create_notes.yaml"
  cmake --build "$out" >"$logs/embed1.log" 2>&1 || { cat "$logs/embed1.log"; fail "$generator: rebuild after a touch"; }
  [ "$before" = "$(stat -c %y "$source")" ] || fail "$generator: a touched revision rewrote the generated source"
  grep -q "Building CXX object.*app_revisions" "$logs/embed1.log" && fail "$generator: a touched revision recompiled the chain"

  # a malformed revision fails the build at its file and line
  printf 'revision: c0ffee000003\ndown_revision: c0ffee000002\nupgrade:\n  - create_table:\n      name: tags\n      colums: []\ndowngrade: []\n' \
    >"$proj/revisions/0003_tags.yaml"
  if cmake --build "$out" >"$logs/embed2.log" 2>&1; then
    fail "$generator: a malformed revision built"
  fi
  grep -qF "$proj/revisions/0003_tags.yaml:6:7: error: unknown key 'colums'" "$logs/embed2.log" ||
    { cat "$logs/embed2.log"; fail "$generator: the build error does not name the revision's file:line"; }

  # fixed: the next build compiles it in, and the program applies it
  printf 'revision: c0ffee000003\ndown_revision: c0ffee000002\nmessage: tags\nupgrade:\n  - create_table:\n      name: tags\n      columns:\n        - {name: id, type: INTEGER, nullable: false}\ndowngrade:\n  - drop_table: {name: tags}\n' \
    >"$proj/revisions/0003_tags.yaml"
  cmake --build "$out" >"$logs/embed3.log" 2>&1 || { cat "$logs/embed3.log"; fail "$generator: rebuild after the fix"; }
  "$out/migrate_app" "$db" >"$logs/app2.out" 2>&1 || { cat "$logs/app2.out"; fail "$generator: migrate_app after the fix"; }
  [ "$(cat "$logs/app2.out")" = c0ffee000003 ] || fail "$generator: the added revision was not applied: $(cat "$logs/app2.out")"
  [ "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 'tags'")" = 1 ] ||
    fail "$generator: the added revision's table is not in the file"
}

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

  embedded_chain "$generator" "$proj" "$out" "$work/$tag"
done

# The figures the README quotes: what an application links for schemagen::migrate, and how long
# that link takes (the link command alone, median of 3, Ninja's tree).
out="$work/Ninja/build"
if [ -x "$out/migrate_app" ]; then
  link=$(ninja -C "$out" -t commands migrate_app | tail -n 1)
  times=()
  for _ in 1 2 3; do
    start=$(date +%s%N)
    (cd "$out" && eval "$link") || fail "relinking migrate_app"
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  mkdir -p "$work/stripped"
  for a in "$work/prefix/lib/schemagen/"*.a; do strip -g -o "$work/stripped/${a##*/}" "$a"; done
  strip -o "$work/migrate_app.stripped" "$out/migrate_app"
  echo "schemagen::migrate: $(ls "$work/prefix/lib/schemagen/"*.a | wc -l) archives," \
    "$(du -cb "$work/prefix/lib/schemagen/"*.a | tail -n 1 | cut -f 1) bytes" \
    "($(du -cb "$work/stripped/"*.a | tail -n 1 | cut -f 1) without debug information)"
  echo "migrate_app: $(stat -c %s "$out/migrate_app") bytes, $(stat -c %s "$work/migrate_app.stripped") stripped;" \
    "link ${median} ms (of ${times[*]})"
  echo "migrate_app's own shared libraries:" \
    "$(readelf -d "$out/migrate_app" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
fi

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
