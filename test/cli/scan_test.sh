#!/usr/bin/env bash
# `schemagen scan`: output, errors (file:line:col, all in one run, exit 1, nothing written),
# the content-hash cache and the depfile.
source "$(dirname "$0")/lib.sh"

# The example application scans cleanly, each of its databases, from its directory or with -c.
run 0 "$SG" -c "$SRC/schema/schemagen.yaml" -n cache scan -o cache.yaml
contains "$(cat cache.yaml)" "name: cached_files" "the example's file cache table"
run 0 "$SG" -c "$SRC/schema/schemagen.yaml" -n main scan -o meta.yaml
contains "$(cat meta.yaml)" "type: auth.user_role" "an SG_ENUM column"
lacks "$(cat meta.yaml)" "name: cached_files" "the file cache is not the main database's"
run 1 "$SG" -c "$SRC/schema/schemagen.yaml" scan
contains "$err" "pick one with -n NAME" "scan of a configuration with two databases"
(cd "$SRC/schema" && "$SG" -n main scan --no-cache) > stdout.yaml || fail "scan from the example's directory failed"
checked
cmp -s stdout.yaml meta.yaml || fail "scan to stdout differs from scan -o"

# -o to a pipe writes through it instead of replacing it. The reader gives up after a while, so
# that a scan that never opens the FIFO fails the test instead of hanging it; and the scan runs
# under a timeout too, in case it opens the FIFO with no reader left.
mkfifo pipe
timeout 60 cat pipe > piped.yaml &
reader=$!
run 0 timeout 90 "$SG" -c "$SRC/schema/schemagen.yaml" -n main scan -o pipe
wait "$reader" || fail "nothing was written through the FIFO (the reader gave up)"
checked
[ -p pipe ] || fail "scan -o replaced a FIFO with a file"
checked
cmp -s piped.yaml meta.yaml || fail "scan -o FIFO wrote something else"

# A project of our own.
mkdir -p proj/include && cd proj
cat > schemagen.yaml <<'YAML'
models:
  sources: [models.hpp]
  args: [-Iinclude]
YAML
cat > include/common.hpp <<'HPP'
#pragma once
#include <cstdint>
#include <string>
HPP
cat > models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include "common.hpp"
struct SG_TABLE("things") Thing {
  SG_COLUMN(primary_key) std::int64_t id;
  std::string name;
};
HPP
run 0 "$SG" -v scan -o out/meta.yaml --depfile out/meta.d
contains "$err" "scanned 1 header in" "verbose timing"
lacks "$err" "from the cache" "first scan parses"
contains "$(cat out/meta.d)" "$PWD/include/common.hpp" "the depfile names included headers"
contains "$(cat out/meta.d)" "$PWD/schemagen.yaml" "the depfile names the configuration"
contains "$(head -1 out/meta.d)" "out/meta.yaml:" "the depfile's target"

# Unchanged: answered from the cache, same output. Touched: still the cache (content hash).
cp out/meta.yaml first.yaml
run 0 "$SG" -v scan -o out/meta.yaml
contains "$err" "from the cache" "second scan"
checked
cmp -s first.yaml out/meta.yaml || fail "cached output differs"
touch models.hpp include/common.hpp
run 0 "$SG" -v scan -o out/meta.yaml
contains "$err" "from the cache" "touched but unchanged headers"
# A changed included header invalidates the entry.
echo 'struct SG_TABLE("more") More { int id; };' >> include/common.hpp
run 0 "$SG" -v scan -o out/meta.yaml
lacks "$err" "from the cache" "an included header changed"
contains "$(cat out/meta.yaml)" "name: more" "the new table"

# A view's SQL file beside the header is a dependency as the headers are: in the depfile and in
# the cache's entry, so that a changed query rescans and an unchanged one does not.
mkdir -p views
printf 'SELECT id, name\n  FROM things;\n' > views/names.sql
cat >> models.hpp <<'HPP'
struct SG_VIEW("thing_names", file = "views/names.sql") ThingName {
  std::int64_t id;
  std::string name;
};
HPP
run 0 "$SG" -v scan -o out/meta.yaml --depfile out/meta.d
lacks "$err" "from the cache" "a changed header with a view"
contains "$(cat out/meta.yaml)" "FROM things" "the view's query, from its file"
contains "$(cat out/meta.d)" "$PWD/views/names.sql" "the depfile names the view's SQL file"
rm out/meta.d
run 0 "$SG" -v scan -o out/meta.yaml --depfile out/meta.d
contains "$err" "from the cache" "nothing changed"
contains "$(cat out/meta.d)" "$PWD/views/names.sql" "a depfile from the cache names the SQL file too"
touch views/names.sql
run 0 "$SG" -v scan -o out/meta.yaml
contains "$err" "from the cache" "a touched but unchanged SQL file"
printf 'SELECT id, upper(name) AS name\n  FROM things;\n' > views/names.sql
run 0 "$SG" -v scan -o out/meta.yaml
lacks "$err" "from the cache" "a changed SQL file"
contains "$(cat out/meta.yaml)" "upper(name)" "the changed query"
run 0 "$SG" -v scan -o out/meta.yaml
contains "$err" "from the cache" "the changed SQL file, scanned once"
rm views/names.sql
run 1 "$SG" scan -o out/meta.yaml
contains "$err" "models.hpp:7:38: error: cannot read views/names.sql: No such file or directory" "a missing SQL file"

# Every mistake reported at once, exit 1, the old output kept and no temporary left behind.
cp out/meta.yaml before.yaml
cat > models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include "common.hpp"
struct SG_TABLE("things") Thing {
  SG_COLUMN(primary_key, lenght = 3) std::int64_t id;
  SG_COLUMN(foreign_key = "nowhere.id") std::int64_t other;
  unsigned counter;
};
HPP
run 1 "$SG" scan -o out/meta.yaml
contains "$err" "models.hpp:4:26: error: unknown option 'lenght' in SG_COLUMN; did you mean 'length'?" "unknown option"
contains "$err" "models.hpp:5:27: error: foreign key references table 'nowhere'" "unknown table"
contains "$err" "models.hpp:6:12: error: 'counter' is unsigned" "unsigned"
contains "$err" "error: 3 errors in the models; nothing written" "summary"
cmp -s before.yaml out/meta.yaml || fail "a failed scan changed the output"
[ -z "$(ls out | grep -v '^meta\.')" ] || fail "temporary files left: $(ls out)"

# A header that does not compile.
printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("x") X { int a };\n' > models.hpp
run 1 "$SG" scan -o out/meta.yaml
contains "$err" "models.hpp:2:31: error: expected ';' at end of declaration list" "compile error"
cmp -s before.yaml out/meta.yaml || fail "a failed scan changed the output"

# A missing header.
printf 'models:\n  sources: [missing.hpp]\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "missing.hpp: error: model header not found" "missing header"

# SCHEMAGEN_SCAN_JOBS must be a count; 1 keeps the headers one translation unit.
for bad in 0 two 2x -1; do
  SCHEMAGEN_SCAN_JOBS=$bad run 1 "$SG" scan
  contains "$err" "error: SCHEMAGEN_SCAN_JOBS is '$bad': it must be a whole number from 1" "jobs $bad"
done
finish
