// Autogenerate benchmark (issue: "schemagen revision --autogenerate"). On a database of N tables
// (8 columns, a foreign key to t<i/10>, an index, a unique and a check each; a shallow foreign
// key tree, as SQLAlchemy reflects referenced tables recursively) whose models differ in M of
// them, measures end to end `schemagen revision --autogenerate` (cold: no scan cache; warm: the
// headers unchanged since the last scan) and the reflection alone, beside Alembic (Debian's
// python3-alembic) autogenerating the same change from equivalent SQLAlchemy models against the
// same database, in the same run, both as the median of three runs. Targets: at least 10x faster
// than Alembic end to end; the reflection under 200 ms. A run of either side that fails, or that
// detects other than the one added column per differing table, fails the benchmark.

#include "bench_util.hpp"
#include "tables.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <map>

using namespace bench;

int main(int argc, char** argv) {

  const Args args(argc, argv);
  const int tables = args.number("tables", 1000);
  const int differing = args.number("differing", 100);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-autogenerate-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);

  // the database, and the models: the first `differing` tables gain a column
  std::string sql;
  for (int i = 0; i < tables; ++i) sql += table_sql(i);
  write(dir / "schema.sql", sql);
  write_models(dir / "schemagen", dir / "alembic", tables, differing);

  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string url = pg.url();
  const std::string psql = pg.psql();
  Checked must;
  must(run({psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f", (dir / "schema.sql").string()},
           dir, dir / "schema.log"),
       "creating the database", dir / "schema.log");

  alembic_project(dir / "alembic", psycopg2_url(url));

  const std::string sg = SCHEMAGEN_BIN;
  setenv("SCHEMAGEN_DATABASE_URL", url.c_str(), 1);
  setenv("SCHEMAGEN_CACHE_DIR", (dir / "cache").c_str(), 1);
  const auto sgdir = dir / "schemagen";
  auto clear = [&](const fs::path& p) {
    for (const auto& e : fs::directory_iterator(p)) fs::remove_all(e.path());
  };
  const auto cold =
      must(run({sg, "-v", "revision", "--autogenerate", "-m", "cold", "--rev-id", "c01d00000000"},
               sgdir, dir / "cold.log"),
           "schemagen revision --autogenerate (cold)", dir / "cold.log");
  clear(sgdir / "revisions");
  // Both sides are timed the same way, the median of three runs; what each run detected is kept
  // for the parity check below.
  std::vector<long> found_runs, alembic_found_runs;
  std::string warm_log;
  const auto warm = must(
      median(3, {sg, "-v", "revision", "--autogenerate", "-m", "warm", "--rev-id", "a00000000000"},
             sgdir, dir / "warm.log",
             [&] {
               warm_log = read(dir / "warm.log");
               found_runs.push_back(occurrences(warm_log, "Detected "));
               clear(sgdir / "revisions");
             }),
      "schemagen revision --autogenerate (warm)", dir / "warm.log");
  const auto alembic =
      must(median(3, alembic_autogenerate, dir / "alembic", dir / "alembic.log",
                  [&] { alembic_found_runs.push_back(take_alembic_ops(dir / "alembic")); }),
           "alembic revision --autogenerate (python3-alembic)", dir / "alembic.log");
  if (must.failures()) return 1;
  // parity: every run of each side detected the change the models make, one op per table
  const long found = found_runs.empty() ? -1 : found_runs.front();
  const long alembic_found = alembic_found_runs.empty() ? -1 : alembic_found_runs.front();
  bool parity = true;
  for (const auto n : found_runs) parity = parity && n == differing;
  for (const auto n : alembic_found_runs) parity = parity && n == differing;
  if (!parity) {
    fmt::print(stderr,
               "detected changes disagree: the models add a column to {} tables; schemagen "
               "detected {} operations, Alembic {} (per run)\n",
               differing, fmt::join(found_runs, ", "), fmt::join(alembic_found_runs, ", "));
    return 1;
  }

  const double reflect = phase_ms(warm_log, "reflect");
  fmt::print("autogenerate benchmark: {} tables, models differing in {}; schemagen detected {} "
             "operations, Alembic {}\n",
             tables, differing, found, alembic_found);
  fmt::print("{:<58} {:>10} {:>10}   {}\n", "measure", "wall ms", "peak MiB", "target");
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   -\n", "alembic revision --autogenerate (median of 3)",
             alembic.ms, alembic.peak_kb / 1024.0);
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   >= 10x faster: {:.1f}x {}\n",
             "schemagen revision --autogenerate, warm (median of 3)", warm.ms,
             warm.peak_kb / 1024.0, alembic.ms / warm.ms, verdict(alembic.ms / warm.ms >= 10));
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   {:.1f}x faster\n",
             "schemagen revision --autogenerate, cold (headers parsed)", cold.ms,
             cold.peak_kb / 1024.0, alembic.ms / cold.ms);
  fmt::print("{:<58} {:>10.1f} {:>10}   < 200 ms: {}\n", "  of which the reflection", reflect, "-",
             verdict(reflect >= 0 && reflect < 200));
  fmt::print("{:<58} {:>10.1f} {:>10}   -\n", "  of which normalising the models on the server",
             phase_ms(warm_log, "normalize"), "-");
  fmt::print("{:<58} {:>10.1f} {:>10}   -\n", "  of which comparing", phase_ms(warm_log, "compare"),
             "-");
  return 0;
}
