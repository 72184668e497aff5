#!/usr/bin/env bash
# objects: SQL files of functions, triggers, grants, ... read with PostgreSQL's parser: the scan's
# output holds them, the depfile names them, and a mistake in one stops scan and check at its
# file:line:col with exit 1, nothing written.
source "$(dirname "$0")/lib.sh"

mkdir -p proj/db/functions proj/db/triggers proj/revisions && cd proj
cat > schemagen.yaml <<'YAML'
models:
  sources: [models.hpp]
objects: [db/functions/*.sql, db/triggers/*.sql]
YAML
cat > models.hpp <<'HPP'
#include <schemagen/annotations.hpp>
#include <cstdint>
#include <string>
struct SG_TABLE("users") User {
  SG_COLUMN(primary_key) std::int64_t id;
  std::string name;
};
HPP
cat > db/functions/touch.sql <<'SQL'
-- sets updated columns
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN RETURN NEW; END $$;

GRANT EXECUTE ON FUNCTION touch() TO app;
SQL
cat > db/triggers/users.sql <<'SQL'
CREATE TRIGGER users_touch BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION touch();
SQL

run 0 "$SG" scan -o meta.yaml --depfile meta.d
contains "$(cat meta.yaml)" "target: ()" "the function's identity arguments"
contains "$(cat meta.yaml)" "name: EXECUTE ON FUNCTION public.touch() TO app" "the grant's name"
contains "$(cat meta.yaml)" "target: public.users" "the trigger's table"
contains "$(cat meta.d)" "$PWD/db/triggers/users.sql" "the depfile names the objects files"
run 1 "$SG" check # no revision yet: the table is to create (the objects are not compared yet)
contains "$out" "create_table users" "check with valid objects files"
lacks "$err" "error" "check with valid objects files"

# A syntax error: scan and check stop at it, exit 1, nothing written.
cp meta.yaml before.yaml
printf 'CREATE EXTENSION citext;\nCREATE TRIGGER t AFTER INSERT ON users\n  FOR EACH ROW EXECUTE FUNCTON touch();\n' > db/triggers/bad.sql
run 1 "$SG" scan -o meta.yaml
contains "$err" "db/triggers/bad.sql:3:24: error: syntax error at or near \"FUNCTON\"" "scan's syntax error"
contains "$err" "1 error in the objects; nothing written" "scan's summary"
checked
cmp -s before.yaml meta.yaml || fail "a failed scan changed its output file"
run 1 "$SG" check
contains "$err" "db/triggers/bad.sql:3:24: error: syntax error" "check's syntax error"

# A statement that belongs elsewhere, and an object declared twice, each at its statement.
printf 'CREATE TABLE extra (id int);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n' > db/triggers/bad.sql
run 1 "$SG" check
contains "$err" "db/triggers/bad.sql:1:1: error: CREATE TABLE in an objects file: tables" "a table in an objects file"
contains "$err" "db/triggers/bad.sql:2:1: error: function public.touch() is declared twice" "a duplicate"
contains "$err" "db/functions/touch.sql:2:1: note: declared first here" "where the first is"
rm db/triggers/bad.sql

# A pattern that matches nothing is an error at the pattern.
printf 'models:\n  sources: [models.hpp]\nobjects:\n  - db/functions/*.sql\n  - db/views/*.sql\n' > schemagen.yaml
run 1 "$SG" scan
contains "$err" "schemagen.yaml:5:5: error: objects: 'db/views/*.sql' matches no file" "an empty pattern"

# SQLite has triggers, and no functions or grants: each an error at its statement.
printf 'dialect: sqlite\nmodels:\n  sources: [models.hpp]\nobjects: [db/functions/*.sql, db/triggers/*.sql]\n' > schemagen.yaml
run 1 "$SG" check
contains "$err" "db/functions/touch.sql:2:1: error: SQLite has views and triggers, no functions" "a function on SQLite"
contains "$err" "db/functions/touch.sql:5:1: error: SQLite has views and triggers, no grants" "a grant on SQLite"
lacks "$err" "users.sql" "the trigger is SQLite's too"
# each other kind, at its own statement
mkdir -p db/more
cat > db/more/kinds.sql <<'SQL'
CREATE EXTENSION citext;
CREATE SEQUENCE order_no START 100;

CREATE PROCEDURE tidy() LANGUAGE sql AS 'SELECT 1';
CREATE POLICY own ON users USING (true);
SQL
printf 'dialect: sqlite
models:
  sources: [models.hpp]
objects: [db/more/*.sql]
' > schemagen.yaml
run 1 "$SG" check
contains "$err" "db/more/kinds.sql:1:1: error: SQLite has views and triggers, no extensions" "an extension on SQLite"
contains "$err" "db/more/kinds.sql:2:1: error: SQLite has views and triggers, no sequences" "a sequence on SQLite"
contains "$err" "db/more/kinds.sql:4:1: error: SQLite has views and triggers, no procedures" "a procedure on SQLite"
contains "$err" "db/more/kinds.sql:5:1: error: SQLite has views and triggers, no policies" "a policy on SQLite"
rm -r db/more

finish
