// Offline check benchmark (issue: "schemagen check for pre-commit and CI"): `schemagen check
// --offline` on 1,000 tables built by a chain of 1,000 revisions, headers unchanged since the
// last scan (target under 200 ms, so a pre-commit hook is not felt), beside Alembic comparing the
// same models with a live database at head (compare_metadata, what `alembic check` runs; Debian's
// python3-alembic 1.8 predates the command itself), in the same run, both as the median of the
// runs. The models match, so both sides must find no difference: anything else fails the run.

#include "bench_util.hpp"
#include "tables.hpp"

#include <fmt/format.h>
#include <map>

using namespace bench;

namespace {
std::string rev_id(int i) {
  return fmt::format("{:012x}", 0xc00000000000ULL + static_cast<unsigned>(i));
}
} // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv);
  const int tables = args.number("tables", 1000);
  const int runs = args.number("runs", 3);
  // Alembic reads the database each run: at 10,000 tables one run takes minutes
  const int alembic_runs = args.number("alembic-runs", runs);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-check-bench");
  fs::remove_all(dir);
  const auto sgdir = dir / "schemagen";
  fs::create_directories(sgdir / "revisions");

  std::string sql;
  for (int i = 0; i < tables; ++i) {
    const int parent = i / 10;
    // one revision per table, spelled as autogenerate writes it
    write(sgdir / fmt::format("revisions/{}_t{}.yaml", rev_id(i), i),
          fmt::format(R"yaml(revision: {0}
down_revision: {1}
message: t{2}
upgrade:
  - create_table:
      name: t{2}
      columns:
        - {{name: id, type: BIGINT, nullable: false, identity: always}}
        - {{name: parent_id, type: BIGINT, nullable: true}}
        - {{name: name, type: VARCHAR(120), nullable: false}}
        - {{name: code, type: TEXT, nullable: false}}
        - {{name: email, type: TEXT, nullable: true}}
        - {{name: created_at, type: TIMESTAMP WITH TIME ZONE, nullable: false, server_default: now()}}
        - {{name: amount, type: DOUBLE PRECISION, nullable: false}}
        - {{name: qty, type: INTEGER, nullable: false, server_default: "0"}}
      primary_key: {{name: t{2}_pkey, columns: [id]}}
      unique:
        - {{name: t{2}_code_key, columns: [code]}}
      foreign_keys:
        - {{name: t{2}_parent_id_fkey, columns: [parent_id], referred_table: t{3}, referred_columns: [id]}}
      checks:
        - {{name: ck_t{2}_qty, expression: qty >= 0}}
  - create_index: {{name: ix_t{2}_name, table: t{2}, columns: [name]}}
downgrade:
  - drop_index: {{name: ix_t{2}_name}}
  - drop_table: {{name: t{2}}}
)yaml",
                      rev_id(i), i == 0 ? "null" : rev_id(i - 1), i, parent));
    sql += table_sql(i);
  }
  write_models(sgdir, dir / "alembic", tables, 0);
  write(dir / "schema.sql", sql);

  const std::string sg = SCHEMAGEN_BIN;
  setenv("SCHEMAGEN_CACHE_DIR", (dir / "cache").c_str(), 1);
  unsetenv("SCHEMAGEN_DATABASE_URL");
  Checked must;
  const auto first = must(run({sg, "check", "--offline"}, sgdir, dir / "first.log"),
                          "schemagen check --offline (scan)", dir / "first.log");
  const auto check = must(median(runs, {sg, "check", "--offline"}, sgdir, dir / "check.log"),
                          "schemagen check --offline", dir / "check.log");

  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string url = pg.url();
  must(run({pg.psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f",
            (dir / "schema.sql").string()},
           dir, dir / "schema.log"),
       "creating the database", dir / "schema.log");
  write(dir / "alembic/check.py",
        fmt::format(
            "import sys\nsys.path.insert(0, '.')\nfrom sqlalchemy import create_engine\n"
            "from alembic.migration import MigrationContext\nfrom alembic.autogenerate import "
            "compare_metadata\n"
            "import models\nengine = create_engine('{}')\nwith engine.connect() as conn:\n"
            "    ctx = MigrationContext.configure(conn, opts={{'compare_type': True, "
            "'compare_server_default': True}})\n"
            "    diff = compare_metadata(ctx, models.metadata)\nprint(len(diff), 'differences')\n",
            "postgresql+psycopg2" + url.substr(url.find(':'))));
  const auto alembic =
      must(median(alembic_runs, {"/usr/bin/python3", "check.py"}, dir / "alembic",
                  dir / "alembic.log"),
           "alembic check (compare_metadata)", dir / "alembic.log");
  if (must.failures()) return 1;
  // parity: the models match the chain and the database, so neither side may find a difference
  const auto sg_said = read(dir / "check.log"), alembic_said = read(dir / "alembic.log");
  if (sg_said.find("No new upgrade operations detected") == std::string::npos ||
      alembic_said.rfind("0 differences", 0) != 0) {
    fmt::print(stderr,
               "the two sides disagree (both must find nothing): schemagen \"{}\", "
               "Alembic \"{}\"\n",
               sg_said, alembic_said);
    return 1;
  }
  fmt::print("offline check benchmark: {} tables, a chain of {} revisions; schemagen: \"{}\"; "
             "Alembic: \"{}\"\n",
             // the verdict, not the lint's warnings printed before it
             tables, tables,
             sg_said.substr(sg_said.find("No new upgrade"),
                            sg_said.find('\n', sg_said.find("No new upgrade")) -
                                sg_said.find("No new upgrade")),
             read(dir / "alembic.log").substr(0, read(dir / "alembic.log").find('\n')));
  fmt::print("{:<58} {:>10} {:>10}   {}\n", "measure", "wall ms", "peak MiB", "target");
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   < 200 ms: {}\n",
             "schemagen check --offline, headers unchanged (median)", check.ms,
             check.peak_kb / 1024.0, verdict(check.ms < 200));
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   -\n",
             "schemagen check --offline, first run (headers parsed)", first.ms,
             first.peak_kb / 1024.0);
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   ({:.1f}x schemagen's time)\n",
             "alembic check (compare_metadata, live database, median)", alembic.ms,
             alembic.peak_kb / 1024.0, alembic.ms / check.ms);
  return 0;
}
