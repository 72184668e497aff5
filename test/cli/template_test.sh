#!/usr/bin/env bash
# The revision template's own fields: -x key=value (repeatable, a global option) and {{env.NAME}}.
source "$(dirname "$0")/lib.sh"

mkdir -p revisions templates
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
printf '#include <schemagen/annotations.hpp>\nstruct SG_TABLE("t") T { int id; };\n' > m.hpp
{ cat "$SRC/templates/revision.yaml.mustache"; printf 'author: {{author}}\nticket: {{ticket}}\nhost_user: {{env.SG_TEST_USER}}\n'; } > templates/revision.yaml.mustache
run 0 env SG_TEST_USER=ann "$SG" -x author=Ann -x "ticket=OPS-1 = urgent" revision -m fields --rev-id aaaaaaaaaaaa
file=$(cat revisions/aaaaaaaaaaaa_fields.yaml)
contains "$file" "author: Ann" "-x author=Ann fills {{author}}"
contains "$file" "ticket: OPS-1 = urgent" "a value holding '=' and blanks"
contains "$file" "host_user: ann" "{{env.SG_TEST_USER}} from the environment"
run 0 "$SG" revision -m after -x author=Bob --rev-id bbbbbbbbbbbb
contains "$(cat revisions/bbbbbbbbbbbb_after.yaml)" "author: Bob" "-x after the command, too"

run 1 "$SG" -x author revision -m bad --rev-id cccccccccccc
contains "$err" "-x author: give key=value" "-x without a value"
run 1 "$SG" -x revision=abc revision -m bad --rev-id cccccccccccc
contains "$err" "-x revision: schemagen fills {{revision}} itself" "-x cannot replace schemagen's own fields"
run 1 "$SG" -x env=x revision -m bad --rev-id cccccccccccc
contains "$err" "-x env: schemagen fills {{env}} itself" "-x cannot replace the environment"
[ ! -e revisions/cccccccccccc_bad.yaml ] || fail "a refused -x wrote a revision"
checks=$((checks + 1))
finish
