// Scale benchmark (issue 14, "Linear to 10,000 tables"). For each size N (1,000, 5,000 and
// 10,000 tables by default: the tables of tables.hpp, models differing in a tenth of them by an
// added column), measures `schemagen revision --autogenerate` against its own database of those
// tables, cold (headers parsed: an empty scan cache), edited (a header changed: every header
// parsed, the system headers from the scan's precompiled prelude) and warm (headers unchanged
// since the last scan, the median of three runs), with each phase's time as `schemagen -v` prints it and the
// peak memory. Targets: warm under 1 s at 10,000 tables, and the time after the scan growing no
// faster than the schema (per table at the largest size within 1.25x of the smallest's). Beside
// it, at the sizes of --alembic-sizes up to 5,000, Alembic (Debian's python3-alembic)
// autogenerates the same change from equivalent SQLAlchemy models against the same database
// (once at 5,000 tables, where a run takes over a minute; else the median of three), with its
// time, its peak memory and schemagen's speed-up. Target: schemagen with the headers parsed at
// least 25x faster than Alembic. A run of either side that fails, or detects other than one
// operation per differing table, fails the benchmark.
//   scale_bench [--sizes 1000,5000,10000] [--alembic-sizes 1000,5000] [--dir DIR]
//               [--schemagen BINARY]

#include "bench_util.hpp"
#include "tables.hpp"

#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <sstream>

using namespace bench;

namespace {

/// "1000,5000,10000" as numbers.
std::vector<int> sizes_of(const std::string& list) {
  std::vector<int> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::atoi(item.c_str()));
  return out;
}

// the phases `schemagen -v revision --autogenerate` times, in order
constexpr const char* phases[] = {"scan",   "reflect", "normalize", "compare",
                                  "report", "write",   "lint"};

// Alembic runs at these sizes at the most: at 10,000 tables one run would take a long time
constexpr int alembic_max = 5000;
constexpr double alembic_target = 25; // schemagen cold at least this many times faster

struct Row {
  int tables = 0;
  Measure cold, warm, edited; // edited: a header changed, the system headers precompiled
  std::optional<Measure> alembic; // none where Alembic did not run
  int alembic_runs = 0;
  std::map<std::string, double> warm_phases, cold_phases, edited_phases;
};

double after_scan(const std::map<std::string, double>& phase) {
  double ms = 0;
  for (const auto& [name, t] : phase)
    if (name != "scan") ms += t;
  return ms;
}

} // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv);
  const auto sizes = sizes_of(args.text("sizes", "1000,5000,10000"));
  const auto alembic_sizes = sizes_of(args.text("alembic-sizes", "1000,5000"));
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-scale-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);

  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string psql = pg.psql();
  // another build's binary may be given, to measure before and after a change side by side
  const std::string sg = args.path("schemagen", SCHEMAGEN_BIN).string();
  Checked must;
  std::vector<Row> rows;
  for (const int tables : sizes) {
    const int differing = tables / 10;
    const auto at = dir / fmt::format("t{}", tables);
    const auto project = at / "schemagen";
    // a database of its own, so that every size is reflected alone
    const std::string db = fmt::format("scale_{}", tables);
    const std::string url = pg.url().substr(0, pg.url().rfind('/') + 1) + db;
    std::string sql;
    for (int i = 0; i < tables; ++i) sql += table_sql(i);
    write(at / "schema.sql", sql);
    write_models(project, at / "alembic", tables, differing);
    must(run({psql, "-X", "-q", pg.url(), "-c", "CREATE DATABASE " + db}, at, at / "create.log"),
         "creating the database", at / "create.log");
    must(run({psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-f", (at / "schema.sql").string()},
             at, at / "schema.log"),
         "creating the tables", at / "schema.log");
    if (must.failures()) return 1;

    setenv("SCHEMAGEN_DATABASE_URL", url.c_str(), 1);
    setenv("SCHEMAGEN_CACHE_DIR", (at / "cache").c_str(), 1);
    auto clear = [&] {
      for (const auto& e : fs::directory_iterator(project / "revisions")) fs::remove_all(e.path());
    };
    Row row;
    row.tables = tables;
    std::vector<long> found; // per run: the operations detected
    auto phases_of = [&](const fs::path& log, std::map<std::string, double>& into) {
      const auto text = read(log);
      for (const auto* name : phases) into[name] = phase_ms(text, name);
      found.push_back(occurrences(text, "Detected "));
    };
    const std::vector<std::string> autogenerate{
        sg, "-v", "revision", "--autogenerate", "-m", "scale", "--rev-id", "5ca1e0000000"};
    row.cold = must(run(autogenerate, project, at / "cold.log"),
                    "schemagen revision --autogenerate (cold)", at / "cold.log");
    phases_of(at / "cold.log", row.cold_phases);
    clear();
    // each phase's median over the warm runs
    std::map<std::string, std::vector<double>> warm_runs;
    row.warm = must(median(3, autogenerate, project, at / "warm.log",
                           [&] {
                             std::map<std::string, double> p;
                             phases_of(at / "warm.log", p);
                             for (const auto& [name, ms] : p) warm_runs[name].push_back(ms);
                             clear();
                           }),
                    "schemagen revision --autogenerate (warm)", at / "warm.log");
    if (must.failures()) return 1;
    for (auto& [name, all] : warm_runs) {
      std::sort(all.begin(), all.end());
      row.warm_phases[name] = all[all.size() / 2];
    }
    // a header edited (a comment added), so that every header is parsed again, but the system
    // headers come precompiled: the first such scan precompiles them, the second is measured
    for (int edit = 1; edit <= 2; ++edit) {
      std::ofstream(project / "models_0.hpp", std::ios::app) << "// edit " << edit << "\n";
      row.edited = must(run(autogenerate, project, at / "edited.log"),
                        "schemagen revision --autogenerate (a header edited)", at / "edited.log");
      clear();
    }
    phases_of(at / "edited.log", row.edited_phases);
    if (must.failures()) return 1;
    // Alembic against the same database, from models.py beside the headers
    std::vector<long> alembic_found; // per run: the operations in its revision's upgrade()
    if (tables <= alembic_max &&
        std::find(alembic_sizes.begin(), alembic_sizes.end(), tables) != alembic_sizes.end()) {
      alembic_project(at / "alembic", psycopg2_url(url));
      row.alembic_runs = tables >= alembic_max ? 1 : 3;
      row.alembic =
          must(median(row.alembic_runs, alembic_autogenerate, at / "alembic", at / "alembic.log",
                      [&] { alembic_found.push_back(take_alembic_ops(at / "alembic")); }),
               "alembic revision --autogenerate (python3-alembic)", at / "alembic.log");
      if (must.failures()) return 1;
    }
    for (const auto& [side, runs] : {std::pair{"schemagen", &found}, {"Alembic", &alembic_found}})
      for (const auto n : *runs)
        if (n != differing) {
          fmt::print(stderr,
                     "{} tables: the models add a column to {}, but a run of {} detected "
                     "{} operations\n",
                     tables, differing, side, n);
          return 1;
        }
    rows.push_back(std::move(row));
    fs::remove_all(at / "schema.sql");
  }

  fmt::print("scale benchmark: `schemagen revision --autogenerate`, models differing in a tenth of "
             "the tables (one added column each)\n");
  fmt::print("{:>7} {:<6} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>6} {:>9}\n",
             "tables", "cache", "wall ms", "scan", "reflect", "normal.", "compare", "report",
             "write", "lint", "after", "peak MiB");
  for (const auto& r : rows)
    for (const auto& [label, m, p] :
         {std::tuple{"warm", &r.warm, &r.warm_phases}, {"edited", &r.edited, &r.edited_phases},
          {"cold", &r.cold, &r.cold_phases}})
      fmt::print("{:>7} {:<6} {:>9.0f} {:>9.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f} {:>7.0f} "
                 "{:>7.0f} {:>6.0f} {:>9.1f}\n",
                 r.tables, label, m->ms, p->at("scan"), p->at("reflect"), p->at("normalize"),
                 p->at("compare"), p->at("report"), p->at("write"), p->at("lint"),
                 after_scan(*p), m->peak_kb / 1024.0);
  fmt::print("beside Alembic (python3-alembic), the same database and change from SQLAlchemy "
             "models; speed-up = Alembic's wall / schemagen's\n");
  fmt::print("{:>7} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}   {}\n", "tables", "alembic ms", "runs",
             "peak MiB", "cold x", "edited x", "warm x",
             fmt::format("target: cold >= {:.0f}x", alembic_target));
  for (const auto& r : rows) {
    if (!r.alembic) {
      fmt::print("{:>7} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}   -\n", r.tables, "-", "-", "-", "-",
                 "-", "-");
      continue;
    }
    const double cold_x = r.alembic->ms / r.cold.ms, warm_x = r.alembic->ms / r.warm.ms,
                 edited_x = r.alembic->ms / r.edited.ms;
    fmt::print("{:>7} {:>12.0f} {:>9} {:>9.1f} {:>8.1f}x {:>8.1f}x {:>8.1f}x   {}\n", r.tables,
               r.alembic->ms, r.alembic_runs == 1 ? "1" : fmt::format("median {}", r.alembic_runs),
               r.alembic->peak_kb / 1024.0, cold_x, edited_x, warm_x,
               verdict(cold_x >= alembic_target));
  }
  if (rows.empty()) return 0;
  const auto& small = rows.front();
  const auto& large = rows.back();
  const double per_small = after_scan(small.warm_phases) / small.tables;
  const double per_large = after_scan(large.warm_phases) / large.tables;
  fmt::print("{:<66} {}\n", "target", "measured");
  fmt::print("{:<66} {:.0f} ms: {}\n",
             fmt::format("autogenerate warm < 1 s at {} tables", large.tables), large.warm.ms,
             verdict(large.warm.ms < 1000));
  fmt::print("{:<66} {:.3f} / {:.3f} ms: {}\n",
             fmt::format("after the scan, per table: at {} within 1.25x of at {}", large.tables,
                         small.tables),
             per_large, per_small, verdict(per_large <= 1.25 * per_small));
  fmt::print("{:<66} {:.0f} MiB: {}\n",
             fmt::format("peak memory warm at {} tables < 400 MiB", large.tables),
             large.warm.peak_kb / 1024.0, verdict(large.warm.peak_kb < 400 * 1024));
  for (const auto& r : rows)
    if (r.alembic)
      fmt::print("{:<66} {:.1f}x: {}\n",
                 fmt::format("headers parsed >= {:.0f}x faster than Alembic at {} tables",
                             alembic_target, r.tables),
                 r.alembic->ms / r.cold.ms, verdict(r.alembic->ms / r.cold.ms >= alembic_target));
  for (const auto& r : rows)
    if (r.alembic)
      fmt::print("{:<66} {:.1f}x: {}\n",
                 fmt::format("a header edited >= {:.0f}x faster than Alembic at {} tables",
                             alembic_target, r.tables),
                 r.alembic->ms / r.edited.ms,
                 verdict(r.alembic->ms / r.edited.ms >= alembic_target));
  return 0;
}
