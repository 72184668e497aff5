#!/usr/bin/env bash
# tools/schemagen/REFERENCE.md against the command line itself: every command the binary offers
# has a section there, and every option of it (and every global option) is named in it. The lists
# come from the binary's own --help, so a new command or option without its documentation fails.
source "$(dirname "$0")/lib.sh"
REF=$SRC/tools/schemagen/REFERENCE.md

# The text under the heading "### `NAME`", up to the next heading.
section() { awk -v h="### \`$1\`" '$0 == h {on = 1; next} on && /^#/ {exit} on' "$REF"; }
# The long options of one --help text's "Options:" block (without --help).
long_options() {
  awk '/^Options:/ {on = 1; next} /^$/ {on = 0} on' <<<"$1" | grep -o -- '--[a-z][a-z-]*' |
    grep -vx -- '--help' | sort -u
}

run 0 "$SG" --help
commands=$(awk '/^Subcommands:/ {on = 1; next} on && NF {print $1}' <<<"$out")
[ "$(wc -w <<<"$commands")" -ge 16 ] || fail "found only these commands in --help: $commands"

globals=$(awk '/^## Commands/ {on = 1; next} on && /^###/ {exit} on' "$REF")
for option in $(long_options "$out"); do
  contains "$globals" "\`$option" "global option $option in REFERENCE.md's Commands"
done

for command in $commands; do
  text=$(section "$command")
  checks=$((checks + 1))
  [ -n "$text" ] || { fail "REFERENCE.md has no section ### \`$command\`"; continue; }
  run 0 "$SG" "$command" --help
  for option in $(long_options "$out"); do
    contains "$text" "$option" "option $option of $command in its REFERENCE.md section"
  done
done

finish
