// SQLite benchmark (issue: "A SQLite dialect"), on files under --dir, both sides spawned from here:
//  1. Autogenerate against a file of N tables (8 columns, a foreign key to t<i/10>, an index, a
//     unique and a check each) whose models add a column to M of them: `schemagen revision
//     --autogenerate` end to end, cold (no scan cache) and warm (the headers unchanged since the
//     last scan), beside Alembic (Debian's python3-alembic) autogenerating the same change from
//     equivalent SQLAlchemy models, render_as_batch on, against a copy of the same file. Target:
//     at least 10x faster than Alembic. Each run of either side must write exactly the M added
//     columns, read back from the revision it wrote.
//  2. An upgrade that rebuilds a table of R rows (a TEXT primary key, so the rows' rowids are
//     copied as well): `schemagen upgrade head` from the revision that created the table over one
//     making a nullable column NOT NULL with a default, beside the bare rebuild (CREATE, INSERT ...
//     SELECT, DROP, RENAME in one transaction, through the sqlite3 shell) and Alembic's batch
//     mode doing the same change, each on a copy of the same file. Target: within 1.5x of the bare
//     rebuild. After each run the table must hold every row, none of them NULL in the column.

#include "bench_util.hpp"
#include "tables.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <regex>
#include <set>
#include <sstream>

using namespace bench;

namespace {

const std::string sqlite3_shell = "sqlite3";
const std::string python = "/usr/bin/python3";

void clear(const fs::path& p) {
  for (const auto& e : fs::directory_iterator(p)) fs::remove_all(e.path());
}

/// The text of the only file in `dir` ending in `ext`, or "" when there is not exactly one.
std::string only_file(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> found;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) found.push_back(e.path());
  return found.size() == 1 ? read(found.front()) : "";
}

/// `text` from the first `from` up to the next `to` after it.
std::string between(const std::string& text, const std::string& from, const std::string& to) {
  const auto start = text.find(from);
  if (start == std::string::npos) return "";
  return text.substr(start, text.find(to, start) - start);
}

/// What a revision adds to the tables, "t<i>.<column>" each, and how many operations it has in
/// all: from schemagen's revision file (the upgrade's ops are the items of its `upgrade:` list).
std::pair<std::set<std::string>, long> schemagen_ops(const std::string& revision) {
  const auto up = between(revision, "\nupgrade:", "\ndowngrade:");
  std::set<std::string> added;
  long ops = 0;
  static const std::regex item(R"(\n  - (\w+):)");
  for (std::sregex_iterator it(up.begin(), up.end(), item), end; it != end; ++it) ++ops;
  static const std::regex add(
      R"(add_column:\s*\{?\s*table: (\w+),?\s*column:\s*\{?\s*name: (\w+))");
  for (std::sregex_iterator it(up.begin(), up.end(), add), end; it != end; ++it)
    added.insert((*it)[1].str() + "." + (*it)[2].str());
  return {added, ops};
}

/// The same from Alembic's generated script, batch mode: in upgrade(), one batch_alter_table per
/// table holding its batch_op calls.
std::pair<std::set<std::string>, long> alembic_ops(const std::string& script) {
  const auto up = between(script, "def upgrade", "def downgrade");
  std::set<std::string> added;
  long ops = 0;
  static const std::regex call(R"(\b(?:op|batch_op)\.(\w+)\()");
  for (std::sregex_iterator it(up.begin(), up.end(), call), end; it != end; ++it)
    if ((*it)[1] != "batch_alter_table") ++ops;
  static const std::regex add(
      R"(batch_alter_table\('(\w+)'[^\n]*\n\s*batch_op\.add_column\(sa\.Column\('(\w+)')");
  for (std::sregex_iterator it(up.begin(), up.end(), add), end; it != end; ++it)
    added.insert((*it)[1].str() + "." + (*it)[2].str());
  return {added, ops};
}

/// The header of a figures table, as the other benchmarks print it.
void print_header() {
  fmt::print("{:<62} {:>10} {:>10}   {}\n", "measure", "wall ms", "peak MiB", "target");
}

// ---- 1. autogenerate -------------------------------------------------------------------------

/// False when a run of either side failed or wrote other than the models' change.
bool autogenerate(const fs::path& dir, int tables, int differing, int runs) {
  Checked must;
  const auto sgdir = dir / "schemagen", aldir = dir / "alembic";
  std::string sql;
  for (int i = 0; i < tables; ++i) sql += table_sqlite_sql(i);
  write(dir / "schema.sql", sql);
  write_models(sgdir, aldir, tables, differing, bench::sqlite);
  must(run({sqlite3_shell, "-bail", (sgdir / "bench.db").string(), ".read schema.sql"}, dir,
           dir / "schema.log"),
       "creating the database", dir / "schema.log");
  if (must.failures()) return false;
  fs::copy_file(sgdir / "bench.db", aldir / "bench.db");

  // batch mode, as SQLite wants it: ALTER TABLE cannot do most of what autogenerate finds
  alembic_project(aldir, "sqlite:///bench.db", ", render_as_batch=True");

  std::set<std::string> expected;
  for (int i = 0; i < differing; ++i) expected.insert(fmt::format("t{}.note", i));
  // every run of each side must have written the expected columns and nothing else; a run that
  // did not is described here
  std::vector<std::string> wrong;
  std::string warm_log; // the last warm run's, for its phases
  auto check = [&](const char* side, std::pair<std::set<std::string>, long> found) {
    if (found.first != expected || found.second != differing)
      wrong.push_back(fmt::format("{} wrote {} operations, adding [{}]", side, found.second,
                                  fmt::join(found.first, ", ")));
  };

  const std::string sg = SCHEMAGEN_BIN;
  const auto cache = dir / "cache";
  fs::create_directories(cache);
  setenv("SCHEMAGEN_CACHE_DIR", cache.c_str(), 1);
  const std::vector<std::string> revision{sg, "-v", "revision", "--autogenerate", "-m", "x"};
  // cold: every run parses the headers (the cache emptied after each); warm: the cache the cold
  // runs left, the headers unchanged since
  const auto cold = must(median(runs, revision, sgdir, dir / "cold.log",
                                [&] {
                                  check("schemagen (cold)",
                                        schemagen_ops(only_file(sgdir / "revisions", ".yaml")));
                                  clear(sgdir / "revisions");
                                  clear(cache);
                                }),
                         "schemagen revision --autogenerate (cold)", dir / "cold.log");
  must(run(revision, sgdir, dir / "prime.log"), "schemagen revision --autogenerate (priming)",
       dir / "prime.log");
  clear(sgdir / "revisions");
  const auto warm = must(median(runs, revision, sgdir, dir / "warm.log",
                                [&] {
                                  warm_log = read(dir / "warm.log");
                                  check("schemagen (warm)",
                                        schemagen_ops(only_file(sgdir / "revisions", ".yaml")));
                                  clear(sgdir / "revisions");
                                }),
                         "schemagen revision --autogenerate (warm)", dir / "warm.log");
  const auto alembic =
      must(median(runs, alembic_autogenerate, aldir, dir / "alembic.log",
                  [&] {
                    check("Alembic", alembic_ops(only_file(aldir / "versions", ".py")));
                    clear(aldir / "versions");
                  }),
           "alembic revision --autogenerate (python3-alembic)", dir / "alembic.log");
  if (must.failures()) return false;
  if (!wrong.empty()) {
    fmt::print(stderr, "the models add column note to t0..t{}; {}\n", differing - 1,
               fmt::join(wrong, "; "));
    return false;
  }

  fmt::print("SQLite autogenerate: {} tables in one file, models adding a column to {} (each "
             "side wrote exactly those), median of {}\n",
             tables, differing, runs);
  print_header();
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   -\n",
             "alembic revision --autogenerate (render_as_batch)", alembic.ms,
             alembic.peak_kb / 1024.0);
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   >= 10x faster: {:.1f}x {}\n",
             "schemagen revision --autogenerate, warm", warm.ms, warm.peak_kb / 1024.0,
             alembic.ms / warm.ms, verdict(alembic.ms / warm.ms >= 10));
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   {:.1f}x faster\n",
             "schemagen revision --autogenerate, cold (headers parsed)", cold.ms,
             cold.peak_kb / 1024.0, alembic.ms / cold.ms);
  // where a warm run goes (schemagen -v), to tell the file's share from the models'
  for (const auto& [phase, what] : std::vector<std::pair<std::string, std::string>>{
           {"scan", "reading the scan cache"},
           {"reflect", "the reflection of the file"},
           {"normalize", "normalising the models in a scratch database"},
           {"compare", "comparing"}})
    fmt::print("{:<62} {:>10.1f} {:>10}   -\n", "  of which " + what, phase_ms(warm_log, phase),
               "-");
  return true;
}

// ---- 2. an upgrade that rebuilds a large table ----------------------------------------------

// The table before: qty is nullable, and every tenth row has none. The primary key is TEXT, so
// SQLite keeps a rowid of its own that a rebuild must carry over.
void write_schemagen_chain(const fs::path& dir) {
  write(dir / "schemagen.yaml", "url: sqlite:///bench.db\nscript_location: revisions\n");
  write(dir / "revisions/b16000000001_create_big.yaml",
        "revision: b16000000001\ndown_revision: null\nmessage: create big\n"
        "create_date: 2026-11-23T00:00:00Z\nupgrade:\n  - create_table:\n      name: big\n"
        "      columns:\n"
        "        - {name: code, type: TEXT, nullable: false}\n"
        "        - {name: account, type: INTEGER, nullable: false}\n"
        "        - {name: name, type: TEXT, nullable: true}\n"
        "        - {name: amount, type: REAL, nullable: false}\n"
        "        - {name: qty, type: INTEGER, nullable: true}\n"
        "        - {name: created, type: DATETIME, nullable: false}\n"
        "      primary_key: {name: pk_big, columns: [code]}\n"
        "downgrade:\n  - drop_table: {name: big}\n");
  // NOT NULL with a default: SQLite's ALTER TABLE cannot, so the table is rebuilt, the NULLs
  // filled with the default on the way
  write(dir / "revisions/b16000000002_qty_not_null.yaml",
        "revision: b16000000002\ndown_revision: b16000000001\nmessage: qty not null\n"
        "create_date: 2026-11-23T00:00:00Z\nupgrade:\n"
        "  - alter_column: {table: big, name: qty, nullable: false, server_default: \"0\", "
        "existing_type: INTEGER, existing_nullable: true, existing_server_default: null}\n"
        "downgrade:\n"
        "  - alter_column: {table: big, name: qty, nullable: true, server_default: null, "
        "existing_type: INTEGER, existing_nullable: false, existing_server_default: \"0\"}\n");
}

void write_alembic_chain(const fs::path& dir) {
  write(dir / "alembic.ini", "[alembic]\nscript_location = .\n");
  write(dir / "script.py.mako", "");
  write(dir / "env.py", "from alembic import context\nfrom sqlalchemy import create_engine\n"
                        "engine = create_engine('sqlite:///bench.db')\n"
                        "with engine.connect() as connection:\n"
                        "    context.configure(connection=connection)\n"
                        "    with context.begin_transaction():\n"
                        "        context.run_migrations()\n");
  write(dir / "versions/b16000000001_create_big.py",
        "revision = 'b16000000001'\ndown_revision = None\nbranch_labels = None\n"
        "depends_on = None\ndef upgrade():\n    pass\ndef downgrade():\n    pass\n");
  // batch mode copies the rows as they are: the NULLs must be filled before, by hand
  write(dir / "versions/b16000000002_qty_not_null.py",
        "revision = 'b16000000002'\ndown_revision = 'b16000000001'\nbranch_labels = None\n"
        "depends_on = None\nfrom alembic import op\nimport sqlalchemy as sa\n"
        "def upgrade():\n    op.execute('UPDATE big SET qty = 0 WHERE qty IS NULL')\n"
        "    with op.batch_alter_table('big') as batch_op:\n"
        "        batch_op.alter_column('qty', existing_type=sa.Integer(), nullable=False,\n"
        "                              server_default=sa.text('0'))\n"
        "def downgrade():\n    pass\n");
}

/// The bare rebuild: what the upgrade must do, written by hand.
const char* bare_rebuild =
    "BEGIN;\n"
    "CREATE TABLE big_new (code TEXT NOT NULL, account INTEGER NOT NULL, name TEXT, amount REAL "
    "NOT NULL, qty INTEGER NOT NULL DEFAULT 0, created DATETIME NOT NULL, CONSTRAINT pk_big "
    "PRIMARY KEY (code));\n"
    "INSERT INTO big_new (rowid, code, account, name, amount, qty, created) SELECT rowid, code, "
    "account, name, amount, coalesce(qty, 0), created FROM big;\n"
    "DROP TABLE big;\nALTER TABLE big_new RENAME TO big;\nCOMMIT;\n";

/// False when a run of any side failed or left the table other than the change makes it.
bool upgrade(const fs::path& dir, int rows, int runs) {
  Checked must;
  const std::string sg = SCHEMAGEN_BIN;
  const auto sgdir = dir / "schemagen", aldir = dir / "alembic", baredir = dir / "bare";
  fs::create_directories(baredir);
  write_schemagen_chain(sgdir);
  write_alembic_chain(aldir);
  // the table made by schemagen itself, so that the file and the chain agree, then filled: rows
  // in rowid order, their keys scattered (an odd multiplier modulo 2^32 repeats none)
  must(run({sg, "-q", "upgrade", "b16000000001"}, sgdir, dir / "create.log"),
       "schemagen upgrade b16000000001", dir / "create.log");
  const auto fill =
      fmt::format("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {}) "
                  "INSERT INTO big SELECT printf('%08x', (i * 2654435761) % 4294967296), i % 1000, "
                  "'name ' || i, i * 0.25, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 100 END, "
                  "'2026-01-01 00:00:00' FROM n",
                  rows);
  must(run({sqlite3_shell, "-bail", "bench.db", fill}, sgdir, dir / "fill.log"),
       "filling the table", dir / "fill.log");
  if (must.failures()) return false;
  const auto pristine = dir / "pristine.db";
  fs::copy_file(sgdir / "bench.db", pristine);
  fs::copy_file(pristine, aldir / "bench.db");
  must(run({python, "-m", "alembic", "stamp", "b16000000001"}, aldir, dir / "al_stamp.log"),
       "alembic stamp", dir / "al_stamp.log");
  const auto al_pristine = dir / "alembic_pristine.db";
  fs::copy_file(aldir / "bench.db", al_pristine);
  fs::copy_file(pristine, baredir / "bench.db");
  write(baredir / "rebuild.sql", bare_rebuild);
  if (must.failures()) return false;

  // after each run: every row there, none NULL in qty, qty NOT NULL, and the rowids as they were
  // (Alembic's batch copy numbers the rows anew: its rowids are not compared); then the file put
  // back as it was for the next run
  auto state = [&](const fs::path& file) { // count(*), count(qty), total(rowid), qty's notnull
    run({sqlite3_shell, file.string(),
         "SELECT count(*), count(qty), total(rowid), (SELECT \"notnull\" FROM "
         "pragma_table_info('big') WHERE name = 'qty') FROM big"},
        dir, dir / "probe.log");
    std::vector<std::string> fields;
    std::istringstream in(read(dir / "probe.log"));
    for (std::string field; std::getline(in, field, '|');)
      fields.push_back(field.substr(0, field.find('\n')));
    return fields;
  };
  const auto before = state(pristine);
  if (before.size() != 4 || before[0] != std::to_string(rows)) {
    fmt::print(stderr, "the filled table reads {}\n", fmt::join(before, "|"));
    return false;
  }
  const auto expected = std::vector<std::string>{before[0], before[0], before[2], "1"};
  std::vector<std::string> wrong;
  auto check_and_restore = [&](const char* side, const fs::path& file, const fs::path& from,
                               bool same_rowids) {
    auto after = state(file);
    if (!same_rowids && after.size() == 4) after[2] = expected[2];
    if (after != expected)
      wrong.push_back(fmt::format("{}: the table reads {} (rows, non-NULL qty, rowid total, qty "
                                  "NOT NULL); expected {}",
                                  side, fmt::join(after, "|"), fmt::join(expected, "|")));
    fs::copy_file(from, file, fs::copy_options::overwrite_existing);
  };

  const auto sg_up =
      must(median(runs, {sg, "-q", "upgrade", "head"}, sgdir, dir / "sg_upgrade.log",
                  [&] { check_and_restore("schemagen", sgdir / "bench.db", pristine, true); }),
           "schemagen upgrade head", dir / "sg_upgrade.log");
  const auto bare = must(
      median(runs, {sqlite3_shell, "-bail", "bench.db", ".read rebuild.sql"}, baredir,
             dir / "bare.log",
             [&] { check_and_restore("the bare rebuild", baredir / "bench.db", pristine, true); }),
      "the bare rebuild (sqlite3)", dir / "bare.log");
  const auto al_up =
      must(median(runs, {python, "-m", "alembic", "upgrade", "head"}, aldir, dir / "al_upgrade.log",
                  [&] { check_and_restore("Alembic", aldir / "bench.db", al_pristine, false); }),
           "alembic upgrade head (batch)", dir / "al_upgrade.log");
  if (must.failures()) return false;
  if (!wrong.empty()) {
    fmt::print(stderr, "{}\n", fmt::join(wrong, "\n"));
    return false;
  }

  const double ratio = sg_up.ms / bare.ms;
  fmt::print("\nSQLite upgrade rebuilding a table of {} rows (qty nullable -> NOT NULL DEFAULT 0), "
             "median of {}\n",
             rows, runs);
  print_header();
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   -\n",
             "bare rebuild: CREATE, INSERT...SELECT, DROP, RENAME (sqlite3)", bare.ms,
             bare.peak_kb / 1024.0);
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   within 1.5x of bare: {:.2f}x {}\n",
             "schemagen upgrade head", sg_up.ms, sg_up.peak_kb / 1024.0, ratio,
             verdict(ratio <= 1.5));
  fmt::print("{:<62} {:>10.1f} {:>10.1f}   (Alembic, for comparison: {:.2f}x bare, {:.1f}x "
             "schemagen)\n",
             "alembic upgrade head (UPDATE the NULLs, then batch)", al_up.ms,
             al_up.peak_kb / 1024.0, al_up.ms / bare.ms, al_up.ms / sg_up.ms);
  return true;
}

} // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv);
  const int tables = args.number("tables", 1000);
  const int differing = args.number("differing", 100);
  const int rows = args.number("rows", 1000000);
  const int runs = args.number("runs", 3);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-sqlite-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);
  // both measurements are made and printed, whichever fails; a side that fails, or that does
  // other than the change, fails the benchmark (a missed target is printed as such)
  const bool autogenerated = autogenerate(dir / "autogenerate", tables, differing, runs);
  const bool upgraded = upgrade(dir / "upgrade", rows, runs);
  return autogenerated && upgraded ? 0 : 1;
}
