#!/usr/bin/env bash
# models.compile_commands: the scan takes the flags a project's compile_commands.json gives its
# sources (interpolated for the headers), and reruns when that file changes.
source "$(dirname "$0")/lib.sh"

mkdir -p src third_party/include build
printf '#pragma once\n#define ID_TYPE long long\n' > third_party/include/ids.hpp
cat > src/models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include <ids.hpp>
#ifndef WITH_ORDERS
#error "compile_commands.json was not used"
#endif
struct SG_TABLE("orders") Order { SG_COLUMN(primary_key) ID_TYPE id; };
HPP
printf '#include "models.hpp"\n' > src/main.cpp
cat > build/compile_commands.json <<JSON
[{"directory": "$WORK/build", "file": "$WORK/src/main.cpp",
  "command": "/usr/bin/c++ -I$WORK/third_party/include -DWITH_ORDERS -std=c++20 -o main.o -c $WORK/src/main.cpp"}]
JSON
printf 'models:\n  sources: [src/models.hpp]\n  compile_commands: build\n' > schemagen.yaml
run 0 "$SG" scan -o meta.yaml --depfile meta.d
contains "$(cat meta.yaml)" "{name: id, type: BIGINT" "flags from compile_commands.json"
contains "$(cat meta.d)" "build/compile_commands.json" "the depfile names compile_commands.json"

printf 'models:\n  sources: [src/models.hpp]\n' > schemagen.yaml
run 1 "$SG" scan --no-cache
contains "$err" "src/models.hpp:2:10: error: 'ids.hpp' file not found" "without it the header does not compile"

printf 'models:\n  sources: [src/models.hpp]\n  compile_commands: nowhere\n' > schemagen.yaml
run 1 "$SG" scan --no-cache
contains "$err" "cannot use compile_commands.json" "a missing compilation database"
finish
