#!/usr/bin/env bash
# Adopting a SQLite file made by hand: `import` writes a header whose scan compares equal to the
# file (its own constraint and index names, AUTOINCREMENT, SQLite's type names); the baseline,
# stamped on it, goes down to base and up again on a copy to the same schema.
source "$(dirname "$0")/lib.sh"
mkdir -p app/revisions && cd app
sqlite3 app.db "
CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL CONSTRAINT customers_email_uq UNIQUE,
  name TEXT NOT NULL, born DATE, score NUMERIC(10,2), ratio DOUBLE PRECISION, flag BOOLEAN NOT NULL DEFAULT 1,
  photo BLOB, created DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  state TEXT NOT NULL DEFAULT 'new' CONSTRAINT customers_state_check CHECK (state IN ('new', 'old')));
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT,
  customer_id BIGINT NOT NULL CONSTRAINT fk_orders_customer REFERENCES customers (id) ON DELETE CASCADE,
  total NUMERIC(12,2) NOT NULL, code TEXT, CONSTRAINT total_positive CHECK (total >= 0));
CREATE INDEX idx_orders_code ON orders (code DESC);
CREATE UNIQUE INDEX orders_lower_code ON orders (lower(code)) WHERE code IS NOT NULL;" ||
  fail "sqlite3 made no database"
printf 'models: {sources: [public_models.hpp]}\n' > schemagen.yaml
run 0 "$SG" import --url sqlite:///app.db
header=$(cat public_models.hpp)
contains "$header" 'SG_COLUMN(primary_key, identity = "by default") std::int32_t id;' "AUTOINCREMENT as identity"
contains "$header" 'SG_COLUMN(primary_key, autoincrement) std::int32_t id;' "the rowid alias as autoincrement"
contains "$header" 'SG_INDEX("idx_orders_code", columns = "code DESC")' "an index's own name and order"
contains "$header" 'SG_FOREIGN_KEY("fk_orders_customer"' "a foreign key's own name"
contains "$header" 'std::vector<std::byte>> photo' "BLOB as bytes"
run 0 "$SG" check --url sqlite:///app.db
contains "$out" "No new upgrade operations detected" "the imported models compare equal to the file"

run 0 "$SG" revision --autogenerate --baseline -m baseline --rev-id b1 --url sqlite:///app.db
run 0 "$SG" stamp head --url sqlite:///app.db
run 0 "$SG" check --url sqlite:///app.db
contains "$out" "No new upgrade operations detected" "adopted"
cp app.db copy.db
run 0 "$SG" downgrade base --url sqlite:///copy.db
[ "$(sqlite3 copy.db "SELECT count(*) FROM sqlite_master WHERE name IN ('customers', 'orders')")" = 0 ] || fail "downgrade base drops the tables"
checked
run 0 "$SG" upgrade head --url sqlite:///copy.db
run 0 "$SG" inspect --url sqlite:///app.db
adopted=$out
run 0 "$SG" inspect --url sqlite:///copy.db
[ "$out" = "$adopted" ] || fail "down to base and up again is not the schema adopted: $(diff <(echo "$adopted") <(echo "$out"))"
checked
finish
