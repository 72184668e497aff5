#!/usr/bin/env bash
# revision and merge through the project's template, and revision files as input: every mistake
# at its file and line, exit 1, nothing run.
source "$(dirname "$0")/lib.sh"

run 0 "$SG" init .
rm revisions/.keep
# a project field in the template appears in new revisions
sed -i 's/^create_date: {{create_date}}$/create_date: {{create_date}}\nreviewed_by: nobody yet/' templates/revision.yaml.mustache
run 0 "$SG" revision -m "create things" --rev-id aaaaaaaaa001
f1=revisions/aaaaaaaaa001_create_things.yaml
[ -f "$f1" ] || fail "revision wrote no file: $(ls revisions)"
contains "$(cat "$f1")" "reviewed_by: nobody yet" "a template field"
contains "$(cat "$f1")" "down_revision: null" "the first revision"
contains "$err" "Generating revisions/aaaaaaaaa001_create_things.yaml ...  done" "what revision says"
run 0 "$SG" revision -m "Add e-mail: to users!" --rev-id aaaaaaaaa002
f2=revisions/aaaaaaaaa002_add_e_mail_to_users.yaml
contains "$(cat "$f2")" "down_revision: aaaaaaaaa001" "down_revision is the head"
contains "$(cat "$f2")" 'message: "Add e-mail: to users!"' "the message, quoted for YAML"
run 1 "$SG" revision -m again --rev-id aaaaaaaaa002
contains "$err" "revision aaaaaaaaa002 exists already" "a duplicate --rev-id"
run 1 "$SG" revision -m "bad id" --rev-id "a-b"
contains "$err" "may hold only letters, digits and '_'" "a bad --rev-id"

# a branch needs --splice; labels and dependencies
run 1 "$SG" revision -m branch --head aaaaaaaaa001
contains "$err" "is not a head; give --splice" "branching from a non-head"
run 0 "$SG" revision -m branch --head aaaaaaaaa001 --splice --branch-label side --rev-id aaaaaaaaa003
contains "$(cat revisions/aaaaaaaaa003_branch.yaml)" "branch_labels: [side]" "--branch-label"
run 1 "$SG" revision -m "which head"
contains "$err" "multiple heads are present" "two heads: revision needs --head"
run 0 "$SG" revision -m "on side" --head side@head --rev-id aaaaaaaaa004
contains "$(cat revisions/aaaaaaaaa004_on_side.yaml)" "down_revision: aaaaaaaaa003" "--head label@head"
run 0 "$SG" merge heads -m "join" --rev-id aaaaaaaaa005
contains "$(cat revisions/aaaaaaaaa005_join.yaml)" "down_revision: [aaaaaaaaa002, aaaaaaaaa004]" "merge heads"
run 0 "$SG" heads
contains "$out" "aaaaaaaaa005 (side) (head)" "one head after the merge"
run 0 "$SG" revision -m "needs side" --depends-on side --rev-id aaaaaaaaa009
contains "$(cat revisions/aaaaaaaaa009_needs_side.yaml)" "depends_on: [side]" "--depends-on a label"

# --version-path: a second revision directory
printf 'version_locations: [revisions, more]\n' >> schemagen.yaml
mkdir more
run 0 "$SG" revision -m elsewhere --version-path more --rev-id aaaaaaaaa006
[ -f more/aaaaaaaaa006_elsewhere.yaml ] || fail "--version-path"
run 1 "$SG" revision -m nowhere --version-path nowhere
contains "$err" "is not one of the configured revision directories" "an unknown --version-path"

# post_write hooks run on each new file; a failing one is reported
sed -i 's/^  post_write: \[\]$/  post_write: ["echo \\"# checked\\" >> \\"$SCHEMAGEN_REVISION_FILE\\""]/' schemagen.yaml
run 0 "$SG" revision -m hooked --rev-id aaaaaaaaa007
contains "$(cat more/aaaaaaaaa007_hooked.yaml)" "# checked" "post_write ran on the file (beside its parent, in more/)"
sed -i 's/^  post_write: .*$/  post_write: ["exit 3"]/' schemagen.yaml
run 1 "$SG" revision -m "hook fails" --rev-id aaaaaaaaa008
contains "$err" "post_write hook \`exit 3\` failed (exit 3)" "a failing post_write"
sed -i 's/^  post_write: .*$/  post_write: []/' schemagen.yaml
rm -f more/aaaaaaaaa008_*.yaml

# a broken template: named with the problem, nothing written
cp templates/revision.yaml.mustache good.mustache
printf 'revision: {{revision}\n' > templates/revision.yaml.mustache
n_before=$(ls revisions | wc -l)
run 1 "$SG" revision -m broken
contains "$err" "templates/revision.yaml.mustache: error: the revision template is malformed" "a template syntax error"
printf 'revision: {{revision}}\nupgrade: [\n' > templates/revision.yaml.mustache
run 1 "$SG" revision -m broken
contains "$err" "does not produce a valid revision file; nothing written" "a template that renders bad YAML"
[ "$(ls revisions | wc -l)" = "$n_before" ] || fail "a broken template wrote a file"
cp good.mustache templates/revision.yaml.mustache

# malformed revision files: file:line, exit 1, nothing run
bad() { # bad NAME CONTENT EXPECTED
  mkdir -p "bad_$1/revisions"
  printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > "bad_$1/schemagen.yaml"
  printf '%s\n' "$2" > "bad_$1/revisions/$1.yaml"
  cd "bad_$1"
  run 1 "$SG" upgrade head --sql
  contains "$err" "$3" "malformed: $1"
  checked
  [ -z "$out" ] || fail "$1: SQL was printed: $out"
  cd "$WORK"
}
bad yaml $'revision: abc\ndown_revision: null\nupgrade: [\ndowngrade: []' "yaml.yaml:5:1: error: malformed YAML"
bad unknown_op $'revision: abc\ndown_revision: null\nupgrade:\n  - create_tabel: {name: t}\ndowngrade: []' "unknown_op.yaml:4:5: error: unknown operation 'create_tabel'"
bad unknown_field $'revision: abc\ndown_revision: null\nupgrade:\n  - add_column: {table: t, colum: {name: x, type: INT}}\ndowngrade: []' "unknown_field.yaml:4:28: error: unknown key 'colum' in add_column"
bad typo_key $'revision: abc\ndown_revison: null\nupgrade: []\ndowngrade: []' "typo_key.yaml:2:1: error: unknown field 'down_revison'; did you mean 'down_revision'?"
bad missing_down $'revision: abc\ndown_revision: nope\nupgrade: []\ndowngrade: []' "missing_down.yaml:2:16: error: down_revision 'nope' of revision abc names no revision"
bad no_change $'revision: abc\ndown_revision: null\nupgrade:\n  - alter_column: {table: t, name: x}\ndowngrade: []' "no_change.yaml:4:19: error: alter_column changes nothing"
bad ack_typo $'revision: abc\ndown_revision: null\nacknowledge: [destructive, not_null_without_defualt]\nupgrade: []\ndowngrade: []' "ack_typo.yaml:3:28: error: unknown rule 'not_null_without_defualt' in acknowledge; did you mean 'not_null_without_default'?"
bad ack_block $'revision: abc\ndown_revision: null\nacknowledge:\n  - all\n  - destrutive\nupgrade: []\ndowngrade: []' "ack_block.yaml:5:5: error: unknown rule 'destrutive' in acknowledge; did you mean 'destructive'?"
bad ack_unknown $'revision: abc\ndown_revision: null\nacknowledge: everything\nupgrade: []\ndowngrade: []' "ack_unknown.yaml:3:14: error: unknown rule 'everything' in acknowledge (rules: destructive, narrowing, not_null_without_default, index_without_concurrently, concurrently_in_transaction, table_rewrite, renaming_column, renaming_table, constraint_without_not_valid, domain_constraint, prefer_text, prefer_bigint, prefer_identity, prefer_timestamptz, prefer_jsonb, transaction_nesting, missing_lock_timeout, drop_database, truncate_cascade, unparsed_sql, all)"
mkdir -p dup/revisions
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > dup/schemagen.yaml
printf 'revision: abc\ndown_revision: null\nupgrade: []\ndowngrade: []\n' > dup/revisions/a.yaml
cp dup/revisions/a.yaml dup/revisions/b.yaml
cd dup
run 1 "$SG" history
contains "$err" "revisions/b.yaml:1: error: revision abc is declared twice: also in revisions/a.yaml:1" "a duplicate id"
cd "$WORK"
mkdir -p cycle/revisions
cp dup/schemagen.yaml cycle/
printf 'revision: aaaa\ndown_revision: bbbb\nupgrade: []\ndowngrade: []\n' > cycle/revisions/a.yaml
printf 'revision: bbbb\ndown_revision: aaaa\nupgrade: []\ndowngrade: []\n' > cycle/revisions/b.yaml
cd cycle
run 1 "$SG" heads
contains "$err" "error: the revisions form a cycle: aaaa, bbbb" "a cycle"
cd "$WORK"
finish
