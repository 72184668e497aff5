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
contains "$err" "schemagen.yaml:3:3: error: unknown key 'agrs' in models; did you mean 'args'?" "unknown key"
printf 'models:\n  sources: [m.hpp\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:3:1: error: malformed YAML" "malformed YAML"
printf 'models: {sources: [m.hpp]}\ntransaction_per_migration: sometimes\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:2:28: error: transaction_per_migration must be true or false" "bad value"

# out-of-range numbers, duplicate keys and near-miss keys are errors at their line
for timeout in 9223372036854775807 2147484 -1; do
  printf 'models: {sources: [m.hpp]}\nlock_timeout: %s\n' "$timeout" > schemagen.yaml
  run 1 "$SG" scan
  contains "$err" "schemagen.yaml:2:15: error: lock_timeout must be a number of seconds from 0 to 2147483" "lock_timeout: $timeout"
done
printf 'models: {sources: [m.hpp]}\nlock_timeout: 2147483\n' > schemagen.yaml
run 0 "$SG" scan --no-cache
printf 'models: {sources: [m.hpp]}\ncompare_type: false\nversion_table: v\ncompare_type: true\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:4:1: error: duplicate key 'compare_type' in the configuration (first at line 2)" "a duplicate key"
printf 'models:\n  sources: [m.hpp]\n  args: [-DX]\n  args: [-DY]\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:4:3: error: duplicate key 'args' in models (first at line 3)" "a duplicate nested key"
printf 'models: {sources: [m.hpp]}\nversion_tabel: v\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:2:1: error: unknown key 'version_tabel' in the configuration; did you mean 'version_table'?" "did you mean"

# a configured URL whose variable is unset is an error wherever a database is needed, naming the
# variable; the chain is compared with only on --offline or when no URL is configured, and said so
mkdir -p secret/revisions && cp m.hpp secret/ && cd secret
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\ndatabase:\n  url: ${SG_TEST_DATABASE_URL}\n' > schemagen.yaml
"$SG" -q revision --autogenerate --offline -m first --rev-id aaaaaaaaaaaa > /dev/null || fail "a revision without a database"
for cmd in check diff "revision --autogenerate -m x" "upgrade head" current inspect; do
  # shellcheck disable=SC2086
  run 1 "$SG" $cmd
  contains "$err" "schemagen.yaml:4:8: error: the database URL needs \$SG_TEST_DATABASE_URL, which is not set" "$cmd with the URL's variable unset"
  lacks "$out" "No new upgrade operations detected" "$cmd with the URL's variable unset"
done
run 0 "$SG" check --offline
contains "$out" "(compared with the schema the revision chain builds)" "check --offline says what it compared with"
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\ndatabase:\n  url: postgresql://u@h/${SG_TEST_DB}${SG_TEST_SCHEMA}\n' > schemagen.yaml
run 1 "$SG" upgrade head
contains "$err" "needs \$SG_TEST_DB, \$SG_TEST_SCHEMA, which are not set" "every unset variable is named"
for url in '' '""' '~'; do
  printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\nurl: %s\n' "$url" > schemagen.yaml
  run 1 "$SG" check
  contains "$err" "schemagen.yaml:3:" "an empty url: [$url], at its line"
  contains "$err" "the database URL is empty" "an empty url: [$url]"
  lacks "$err" "unterminated" "an empty url: [$url]"
done
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\nurl: ${SG_TEST_DATABASE_URL:-}\n' > schemagen.yaml
run 0 "$SG" check
contains "$out" "(compared with the schema the revision chain builds)" "a URL defaulted to empty names none: offline"
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
run 0 "$SG" check
contains "$out" "(compared with the schema the revision chain builds)" "no URL configured: offline, and said so"
cd "$WORK"

run 1 "$SG" scan --bogus-flag
contains "$err" "bogus-flag" "bad arguments are exit 1"
finish
