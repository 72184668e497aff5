#!/usr/bin/env bash
# erd as a user runs it: the models in two schemas drawn as DOT (stdout, -o -, -o .dot), SVG, PNG
# and Mermaid, each parsed (test/cli/pictures.py) and showing every table, every foreign key and
# every schema; names DOT and Mermaid must escape; the format from --format over the extension;
# an unknown extension refused; without Graphviz's dot, SVG refused with nothing written and an
# older file kept. Then --database on a real SQLite file: the tables and keys it holds.
source "$(dirname "$0")/lib.sh"
command -v dot >/dev/null || { fail "Graphviz's dot is not installed (.ci/install-deps)"; finish; }
command -v sqlite3 >/dev/null || { fail "the sqlite3 shell is not installed"; finish; }
PICTURES="/usr/bin/python3 $SRC/test/cli/pictures.py"

# facts FORMAT FILE: what the picture shows (nodes, edges, clusters...), or a failure
facts() { $PICTURES "$1" "$2" 2>"$WORK/.pictures.err" || fail "$2 is not valid $1: $(cat "$WORK/.pictures.err")"; }
# graph_of FORMAT FILE: its tables and foreign keys only, a view's "(view)" taken off (Mermaid's)
graph_of() { facts "$1" "$2" | grep -E '^(node|edge) ' | sed -E 's/ \((materialized )?view\)$//'; }

mkdir -p models/revisions && cd models
printf 'script_location: revisions\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
cat > m.hpp <<'H'
#include <schemagen/annotations.hpp>
#include <cstdint>
#include <optional>
#include <string>
struct SG_TABLE("users", schema = "auth") User {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(length = 100) std::string name;
  std::optional<std::string> email;
};
struct SG_TABLE("sessions", schema = "auth") Session {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(foreign_key = "auth.users.id") std::int64_t user_id;
};
struct SG_TABLE("projects") Project {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(foreign_key = "auth.users.id") std::optional<std::int64_t> owner_id;
  SG_COLUMN(foreign_key = "projects.id") std::optional<std::int64_t> parent_id;
};
struct SG_TABLE("line items") LineItem {
  SG_COLUMN(primary_key, foreign_key = "projects.id") std::int64_t project_id;
  SG_COLUMN(primary_key) std::int32_t n;
  SG_COLUMN(name = "price<&>\"x\"", precision = 10, scale = 2) double price;
};
struct SG_VIEW("owned", sql = "SELECT id, owner_id FROM projects WHERE owner_id IS NOT NULL") Owned {
  std::int64_t id;
  std::int64_t owner_id;
};
H
expected='edge auth.sessions auth.users
edge public.line items public.projects
edge public.projects auth.users
edge public.projects public.projects
node auth.sessions
node auth.users
node public.line items
node public.owned
node public.projects'

# no -o: DOT on stdout, which Graphviz parses; -o - the same
run 0 "$SG" erd
printf '%s' "$out" > stdout.dot
contains "$out" "digraph erd {" "no -o prints DOT"
[ "$(graph_of dot stdout.dot)" = "$expected" ] || fail "DOT on stdout shows $(graph_of dot stdout.dot)"
checked
contains "$(facts dot stdout.dot)" "cluster auth" "a schema is a cluster"
contains "$(facts dot stdout.dot)" "cluster public" "every schema is a cluster"
run 0 "$SG" erd -o -
[ "$out" = "$(cat stdout.dot)" ] || fail "-o - is not what no -o prints"
checked

# every format by its extension, each parsed, each showing every table and foreign key
for format in dot svg mmd; do
  run 0 "$SG" erd -o "pictures/erd.$format"
  [ -z "$out" ] || fail "erd -o erd.$format printed [$out]"
  [ "$(graph_of $format pictures/erd.$format)" = "$expected" ] ||
    fail "erd.$format shows: $(graph_of $format pictures/erd.$format)"
  checked
done
[ "$(cat pictures/erd.dot)" = "$(cat stdout.dot)" ] || fail "-o erd.dot is not what stdout gets"
checked
svg=$(facts svg pictures/erd.svg)
contains "$svg" "cluster auth" "the SVG's schemas are clusters"
contains "$svg" "text auth.users email" "a column in the SVG"
contains "$svg" "text public.line items price<&>\"x\"" "a name escaped for DOT reads back as written"
contains "$svg" "text public.line items NUMERIC(10,2)" "a column's type"
contains "$svg" "text public.owned owned (view)" "a view is drawn, and says so"
mmd=$(cat pictures/erd.mmd)
contains "$mmd" $'erDiagram\n' "Mermaid: an erDiagram"
contains "$mmd" '  public__line_items["public.line items"] {' "an entity named as Mermaid allows, aliased by its name"
contains "$mmd" '    BIGINT project_id PK, FK' "a column that is both keys"
contains "$mmd" '    TEXT email "nullable"' "a nullable column is marked"
contains "$mmd" '  public__projects }o..o| auth__users : "owner_id"' "a nullable key refers to zero or one"
contains "$mmd" '  public__line_items }o--|| public__projects : "project_id"' "a key in the primary key is identifying"

run 0 "$SG" erd -o pictures/erd.png
facts png pictures/erd.png >/dev/null
contains "$(file pictures/erd.png)" "PNG image data" "file(1) agrees that it is a PNG"

# --format over the extension, and on stdout
run 0 "$SG" erd --format mmd
[ "$out" = "$(cat pictures/erd.mmd)" ] || fail "--format mmd on stdout is not erd.mmd"
checked
run 0 "$SG" erd --format svg -o pictures/drawn.txt
facts svg pictures/drawn.txt >/dev/null

# what cannot be written is refused before any work, and nothing is written
run 1 "$SG" erd -o pictures/erd.jpg
contains "$err" "erd -o pictures/erd.jpg: the extension names the format" "an unknown extension"
[ ! -e pictures/erd.jpg ] || fail "erd.jpg was written"
checked
run 1 "$SG" erd --format gif
echo "an older picture" > pictures/kept.svg
run 1 env PATH=/nonexistent "$SG" erd -o pictures/kept.svg
contains "$err" "needs Graphviz's \`dot\` program" "without dot, SVG says what is missing"
contains "$err" "apt-get install graphviz" "and how to get it"
[ "$(cat pictures/kept.svg)" = "an older picture" ] || fail "a failed erd changed kept.svg"
checked
[ -z "$(ls pictures | grep -v -x -e erd.dot -e erd.svg -e erd.mmd -e erd.png -e drawn.txt -e kept.svg)" ] ||
  fail "left behind in pictures/: $(ls pictures)"
checked
run 0 env PATH=/nonexistent "$SG" erd -o pictures/nodot.mmd # text formats need no Graphviz
cd "$WORK"

# --database: the live schema of a SQLite file (migrated from the same kind of models)
mkdir -p live/revisions && cd live
printf 'url: sqlite:///app.db\nmodels: {sources: [m.hpp]}\n' > schemagen.yaml
cat > m.hpp <<'H'
#include <schemagen/annotations.hpp>
#include <cstdint>
#include <optional>
#include <string>
struct SG_TABLE("authors") Author {
  SG_COLUMN(primary_key) std::int64_t id;
  std::string name;
};
struct SG_TABLE("books") Book {
  SG_COLUMN(primary_key) std::int64_t id;
  SG_COLUMN(foreign_key = "authors.id") std::int64_t author_id;
  SG_COLUMN(foreign_key = "authors.id") std::optional<std::int64_t> editor_id;
};
H
run 0 "$SG" revision --autogenerate -m "books"
run 0 "$SG" upgrade head
sqlite3 app.db "CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES books (id))"
run 0 "$SG" erd --database -o live.svg
[ "$(graph_of svg live.svg)" = 'edge public.books public.authors
edge public.books public.authors
edge public.reviews public.books
node public.authors
node public.books
node public.reviews' ] || fail "the database's picture shows: $(graph_of svg live.svg)"
checked
lacks "$(facts svg live.svg)" "schemagen_version" "the version table is not drawn"
run 0 "$SG" erd --database --format mmd
contains "$out" '  public__reviews }o..|| public__books : "book_id"' "a table only the database has, in Mermaid"
run 0 "$SG" erd -o models.svg # the models: the table the database alone has is not there
lacks "$(facts svg models.svg)" "node public.reviews" "the models' picture"
rm app.db
run 1 "$SG" erd --database --url "" -o none.svg
contains "$err" "--url is empty" "--database needs a database"
[ ! -e none.svg ] || fail "none.svg was written"
checked

finish
