#!/usr/bin/env bash
# `check --offline` keeps its verdict in the cache: a run in which nothing changed answers from it
# (the same output and exit code as the run that computed it), and every input that decides the
# verdict makes the next run compute it again: a model header, a revision (changed, added or
# deleted), an objects file, a comparison setting of the configuration, a variable the
# configuration reads.
source "$(dirname "$0")/lib.sh"

printf 'script_location: revisions\nmodels: {sources: [models.hpp]}\nobjects: [db/*.sql]\n' > schemagen.yaml
mkdir revisions db
cat > models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include <optional>
#include <string>
struct SG_TABLE("accounts") Account {
  SG_COLUMN(primary_key) int id;
  std::string name;
};
struct SG_TABLE("audit") Audit { SG_COLUMN(primary_key) int id; };
HPP
echo "CREATE EXTENSION IF NOT EXISTS citext;" > db/extensions.sql
run 0 "$SG" revision --autogenerate -m accounts --rev-id aaaaaaaaaaa1

verdicts() { ls "$SCHEMAGEN_CACHE_DIR" | grep -c '^verdict-'; }

# computed (the chain replayed: the revision is new), computed again from the chain's and the
# scan's cache entries and kept, then answered from the cache with the same words
run 0 "$SG" check --offline
first="$out"
contains "$out" "No new upgrade operations detected" "in step"
[ "$(verdicts)" = 0 ] || fail "a verdict was kept from a chain just replayed"
run 0 "$SG" check --offline
[ "$out" = "$first" ] || fail "the second verdict reads otherwise: [$out] vs [$first]"
[ "$(verdicts)" = 1 ] || fail "no verdict was kept: $(ls "$SCHEMAGEN_CACHE_DIR")"
run 0 "$SG" -v check --offline
[ "$out" = "$first" ] || fail "the cached verdict reads otherwise: [$out] vs [$first]"
contains "$err" "compare (the verdict from the cache)" "the second check read the verdict"

# expects CODE TEXT WHAT: the next check exits CODE and says TEXT
expects() { run "$1" "$SG" check --offline; contains "$out$err" "$2" "$3"; }

# a model header
sed -i 's|  std::string name;|  std::string name;\n  std::optional<std::string> email;|' models.hpp
expects 1 "add_column accounts.email" "a changed header"
run 0 "$SG" revision --autogenerate -m email --rev-id aaaaaaaaaaa2
expects 0 "No new upgrade operations detected" "a revision added"

# a revision changed, then deleted
cp revisions/aaaaaaaaaaa2_*.yaml "$WORK/email.yaml"
sed -i 's|name: email|name: email2|' revisions/aaaaaaaaaaa2_*.yaml
expects 1 "drop_column accounts.email2" "a changed revision"
rm revisions/aaaaaaaaaaa2_*.yaml
expects 1 "add_column accounts.email" "a deleted revision"
cp "$WORK/email.yaml" revisions/
expects 0 "No new upgrade operations detected" "the revision back"

# an objects file, changed and added
echo "CREATE EXTENSION IF NOT EXISTS pgcrypto;" > db/extensions.sql
expects 1 "pgcrypto" "a changed objects file"
echo "CREATE EXTENSION IF NOT EXISTS citext;" > db/extensions.sql
expects 0 "No new upgrade operations detected" "the objects file back"
echo "CREATE EXTENSION IF NOT EXISTS hstore;" > db/more.sql
expects 1 "hstore" "an objects file added"
rm db/more.sql

# the configuration: a comparison setting, and a variable it reads
printf 'schema_map: {public: app}\n' >> schemagen.yaml
expects 1 "create_table app.accounts" "the models mapped to another schema"
sed -i 's|schema_map: {public: app}|schema_map:\n  public: "${TARGET:-public}"|' schemagen.yaml
expects 0 "No new upgrade operations detected" "the variable unset"
TARGET=app expects 1 "create_table app.accounts" "the variable set"
expects 0 "No new upgrade operations detected" "the variable unset again"
finish
