#!/usr/bin/env bash
# The lint on raw SQL, without a database: check --strict --offline fails on an execute op whose
# statement the lint reports, naming the statement and the op's line, and passes once the
# revision acknowledges the rule; CONCURRENTLY in an execute (which runs in the revision's
# transaction) is reported, the op with concurrently: true is not; SQL only for SQLite is not read.
source "$(dirname "$0")/lib.sh"

mkdir -p p/revisions
: > p/m.hpp
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\nonline_ddl: true\n' > p/schemagen.yaml
cat > p/revisions/a.yaml <<'YAML'
revision: aaaa
down_revision: null
upgrade:
  - create_table: {name: t, columns: [{name: id, type: BIGINT, identity: always}, {name: c, type: TEXT}]}
downgrade:
  - drop_table: {name: t}
YAML
# the models are empty: the chain ends with no table, so that only the lint can fail the check
cat > p/revisions/c.yaml <<'YAML'
revision: cccc
down_revision: bbbb
acknowledge: [destructive]
upgrade:
  - drop_table: {name: t}
downgrade:
  - create_table: {name: t, columns: [{name: id, type: BIGINT, identity: always}, {name: c, type: TEXT}]}
YAML
# revision ACKNOWLEDGE: the second revision, indexing t in raw SQL
revision() {
  cat > p/revisions/b.yaml <<YAML
revision: bbbb
down_revision: aaaa
$1
upgrade:
  - execute:
      postgresql: |
        UPDATE t SET c = lower(c);
        CREATE INDEX ix_t_c ON t (c);
      sqlite: CREATE INDEX ix_t_c ON t (c
      replay: [{create_index: {name: ix_t_c, table: t, columns: [c]}}]
downgrade:
  - drop_index: {name: ix_t_c, table: t, concurrently: true}
YAML
}

revision ""
run 1 "$SG" -c p/schemagen.yaml check --strict --offline
contains "$err" "b.yaml:5:5: error: revision bbbb: execute: CREATE INDEX ix_t_c ON t (c) [index_without_concurrently]" "the statement, at its op's line"
contains "$err" "CONCURRENTLY" "the safe alternative"
lacks "$err" "UPDATE" "a statement that only touches rows"
lacks "$err" "unparsed_sql" "SQL for SQLite alone"
contains "$out" "1 risky operation not acknowledged (--strict)" "--strict says why it fails"

revision "acknowledge: [index_without_concurrently]"
run 0 "$SG" -c p/schemagen.yaml check --strict --offline
contains "$err" "note: revision bbbb: execute: CREATE INDEX ix_t_c ON t (c) [index_without_concurrently]: acknowledged." "the acknowledged finding is a note"

# the same SQL, concurrently: an execute runs in the revision's transaction, where it fails
revision ""
sed -i 's/CREATE INDEX ix_t_c ON t (c);/CREATE INDEX CONCURRENTLY ix_t_c ON t (c);/' p/revisions/b.yaml
run 1 "$SG" -c p/schemagen.yaml check --strict --offline
contains "$err" "execute: CREATE INDEX CONCURRENTLY ix_t_c ON t (c) [concurrently_in_transaction]" "CONCURRENTLY in an execute"
contains "$err" "create_index" "the op that runs it outside the transaction"
lacks "$err" "[index_without_concurrently]" "the index itself is built concurrently"

# the op, concurrently: nothing to acknowledge
cat > p/revisions/b.yaml <<'YAML'
revision: bbbb
down_revision: aaaa
upgrade:
  - execute: UPDATE t SET c = lower(c)
  - create_index: {name: ix_t_c, table: t, columns: [c], concurrently: true}
downgrade:
  - drop_index: {name: ix_t_c, table: t, concurrently: true}
YAML
run 0 "$SG" -c p/schemagen.yaml check --strict --offline
lacks "$err" "bbbb" "create_index with concurrently: true"

# SQL PostgreSQL's parser rejects is a finding of its own
revision ""
sed -i 's/CREATE INDEX ix_t_c ON t (c);/CREATE INDEX ix_t_c ON t (c;/' p/revisions/b.yaml
run 1 "$SG" -c p/schemagen.yaml check --strict --offline
contains "$err" "[unparsed_sql]" "SQL that does not parse"
finish
