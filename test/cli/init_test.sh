#!/usr/bin/env bash
# `schemagen init` and `list_templates`: a new project that scans, and nothing overwritten.
source "$(dirname "$0")/lib.sh"

run 0 "$SG" list_templates
contains "$out" "generic" "list_templates"
contains "$out" "multidb" "list_templates"

run 0 "$SG" init app
for f in app/schemagen.yaml app/templates/revision.yaml.mustache; do
  [ -s "$f" ] || fail "init did not write $f"
done
[ -d app/revisions ] || fail "init did not create revisions/"
contains "$(cat app/templates/revision.yaml.mustache)" "down_revision: {{down_revision}}" "the revision template"
contains "$(cat app/schemagen.yaml)" 'url: ${DATABASE_URL}' "the generic configuration"

# The new project scans once its models exist.
printf '#include <schemagen/annotations.hpp>\n#include <string>\nstruct SG_TABLE("notes") Note {\n  SG_COLUMN(primary_key) int id;\n  std::string body;\n};\n' > app/models.hpp
(cd app && "$SG" scan --no-cache > ../notes.yaml) || fail "scan in the new project"
contains "$(cat notes.yaml)" "name: notes" "scan after init"

cp app/schemagen.yaml saved.yaml
run 1 "$SG" init app
contains "$err" "exists already" "init refuses to overwrite"
cmp -s saved.yaml app/schemagen.yaml || fail "init changed an existing configuration"

run 0 "$SG" init multi -t multidb
contains "$(cat multi/schemagen.yaml)" "databases:" "multidb configuration"
[ -d multi/revisions/primary ] && [ -d multi/revisions/analytics ] || fail "multidb revision dirs"
run 1 "$SG" init other -t fancy
contains "$err" "no template 'fancy'" "unknown template"
[ ! -e other ] || fail "a failed init left files"
finish
