#!/usr/bin/env bash
# Finding and reading schemagen.yaml: -c, $SCHEMAGEN_CONFIG, upward search, ${VAR}, and errors
# that name the file and the line.
source "$(dirname "$0")/lib.sh"

printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("t") T { int id; };\n' > m.hpp
mkdir -p sub/deeper
run 1 "$SG" scan
contains "$err" "no schemagen.yaml found" "no configuration"

printf 'models:\n  sources: ["${SG_MODELS:-m.hpp}"]\n' > schemagen.yaml
(cd sub/deeper && "$SG" scan --no-cache > ../../found.yaml) || fail "upward search"
contains "$(cat found.yaml)" "name: t" "upward search scanned"
cp m.hpp other.hpp && sed -i 's/"t"/"from_env"/' other.hpp
SG_MODELS=other.hpp run 0 env SG_MODELS=other.hpp "$SG" scan --no-cache
contains "$out" "name: from_env" "\${VAR:-default} expansion"

mkdir -p elsewhere && cp schemagen.yaml elsewhere/ && cp m.hpp elsewhere/ && sed -i 's/"t"/"elsewhere"/' elsewhere/m.hpp
run 0 env SCHEMAGEN_CONFIG="$WORK/elsewhere/schemagen.yaml" "$SG" scan --no-cache
contains "$out" "name: elsewhere" "\$SCHEMAGEN_CONFIG, paths relative to the file"
run 0 "$SG" -c elsewhere/schemagen.yaml scan --no-cache
contains "$out" "name: elsewhere" "-c"
run 1 "$SG" -c nope.yaml scan
contains "$err" "nope.yaml: error: configuration file not found (given by -c/--config)" "-c missing"

printf 'models:\n  sources: [m.hpp]\n  agrs: [-DX]\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:3:3: error: unknown key 'agrs' in models" "unknown key"
printf 'models:\n  sources: [m.hpp\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:3:1: error: malformed YAML" "malformed YAML"
printf 'models: {sources: [m.hpp]}\ntransaction_per_migration: sometimes\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:2:28: error: transaction_per_migration must be true or false" "bad value"

run 1 "$SG" scan --bogus-flag
contains "$err" "bogus-flag" "bad arguments are exit 1"
finish
