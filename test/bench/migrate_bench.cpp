// Migration runtime benchmark (issue: "The migration runtime"):
//  1. A chain of 10,000 revisions: `schemagen history` and `schemagen heads` wall time (target
//     under 0.5 s), beside Alembic (Debian's python3-alembic) loading its revision map over the
//     same chain (`alembic heads`, `alembic history`), in the same run.
//  2. Upgrading 1,000 small revisions from base on the throwaway PostgreSQL server this program
//     starts: total time, and the overhead per revision beyond the SQL itself (the same SQL run
//     by psql from `upgrade --sql`); target under 1 ms.

#include "bench_util.hpp"

#include <fmt/format.h>
#include <map>

using namespace bench;

namespace {

std::string rev_id(int i) {
  return fmt::format("{:012x}", 0xa00000000000ULL + static_cast<unsigned>(i));
}

void make_chain(const fs::path& dir, int n, bool with_ops) {
  fs::remove_all(dir);
  fs::create_directories(dir / "schemagen/revisions");
  fs::create_directories(dir / "alembic/versions");
  write(dir / "schemagen/schemagen.yaml",
        "script_location: revisions\nmodels: {sources: [m.hpp]}\n");
  write(dir / "alembic/alembic.ini", "[alembic]\nscript_location = .\n");
  write(dir / "alembic/env.py", "");
  write(dir / "alembic/script.py.mako", "");
  for (int i = 0; i < n; ++i) {
    const auto id = rev_id(i);
    const auto down = i == 0 ? std::string("null") : rev_id(i - 1);
    std::string up = " []", downgrade = " []";
    if (with_ops) {
      up = fmt::format("\n  - create_table: {{name: t{0}, columns: [{{name: id, type: INTEGER, "
                       "nullable: false}}]}}",
                       i);
      downgrade = fmt::format("\n  - drop_table: {{name: t{0}}}", i);
    }
    write(dir / fmt::format("schemagen/revisions/{}_step_{}.yaml", id, i),
          fmt::format(
              "# step {1}\nrevision: {0}\ndown_revision: {2}\nbranch_labels: []\ndepends_on: []\n"
              "message: step {1}\ncreate_date: 2026-11-21T10:00:00Z\nupgrade:{3}\ndowngrade:{4}\n",
              id, i, down, up, downgrade));
    write(dir / fmt::format("alembic/versions/{}_step_{}.py", id, i),
          fmt::format("\"\"\"step {1}\n\nRevision ID: {0}\nRevises: {2}\n\"\"\"\nrevision = '{0}'\n"
                      "down_revision = {3}\nbranch_labels = None\ndepends_on = None\n\n"
                      "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n",
                      id, i, i == 0 ? "" : rev_id(i - 1),
                      i == 0 ? "None" : "'" + rev_id(i - 1) + "'"));
  }
}

/// KEY='value' lines of the fixture's env file.

} // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv);
  const int chain = args.number("chain", 10000);
  const int upgrades = args.number("upgrades", 1000);
  const int runs = args.number("runs", 3);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-migrate-bench");
  const std::string sg = SCHEMAGEN_BIN;
  Checked must;

  // 1. history and heads over a long chain
  make_chain(dir / "chain", chain, false);
  const auto sgdir = dir / "chain/schemagen", aldir = dir / "chain/alembic";
  const auto history = must(median(runs, {sg, "history"}, sgdir, dir / "history.log"),
                            "schemagen history", dir / "history.log");
  const auto heads = must(median(runs, {sg, "heads"}, sgdir, dir / "heads.log"), "schemagen heads",
                          dir / "heads.log");
  const auto al_heads = must(
      median(runs, {"/usr/bin/python3", "-m", "alembic", "heads"}, aldir, dir / "al_heads.log"),
      "alembic heads", dir / "al_heads.log");
  const auto al_history = must(
      median(runs, {"/usr/bin/python3", "-m", "alembic", "history"}, aldir, dir / "al_history.log"),
      "alembic history", dir / "al_history.log");
  const std::string history_log = read(dir / "history.log");
  const auto lines = std::count(history_log.begin(), history_log.end(), '\n');

  // 2. upgrading many small revisions on a real server
  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string url = pg.url();
  auto psql = [&](const std::string& db, const std::string& sql) {
    return std::system(fmt::format("{} -X -q '{}/{}' -c '{}' >/dev/null", pg.psql(),
                                   url.substr(0, url.rfind('/')), db, sql)
                           .c_str());
  };
  make_chain(dir / "up", upgrades, true);
  const auto updir = dir / "up/schemagen";
  for (const auto* sql : {"DROP DATABASE IF EXISTS bench_online", "CREATE DATABASE bench_online",
                          "DROP DATABASE IF EXISTS bench_psql", "CREATE DATABASE bench_psql"})
    if (psql("postgres", sql) != 0) {
      fmt::print(stderr, "psql failed: {}\n", sql);
      return 1;
    }
  const std::string base = url.substr(0, url.rfind('/'));
  const auto online = must(run({sg, "-q", "--url", base + "/bench_online", "upgrade", "head"},
                               updir, dir / "online.log"),
                           "schemagen upgrade head", dir / "online.log");
  must(run({sg, "upgrade", "head", "--sql"}, updir, dir / "up.sql"), "schemagen upgrade head --sql",
       dir / "up.sql");
  const auto via_psql = must(run({pg.psql(), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                  base + "/bench_psql", "-f", (dir / "up.sql").string()},
                                 updir, dir / "psql.log"),
                             "psql -f up.sql", dir / "psql.log");
  if (must.failures()) return 1;

  const double overhead = (online.ms - via_psql.ms) / upgrades;
  fmt::print("migration benchmark, median of {} runs where repeated\n", runs);
  fmt::print("{:<58} {:>10} {:>10}   {}\n", "measure", "wall ms", "peak MiB", "target");
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   < 500 ms: {}\n",
             fmt::format("schemagen history, {} revisions ({} lines)", chain, lines), history.ms,
             history.peak_kb / 1024.0, verdict(history.ms < 500));
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   < 500 ms: {}\n", "schemagen heads", heads.ms,
             heads.peak_kb / 1024.0, verdict(heads.ms < 500));
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   (Alembic, for comparison: {:.1f}x)\n",
             "alembic heads (python3-alembic)", al_heads.ms, al_heads.peak_kb / 1024.0,
             al_heads.ms / heads.ms);
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   (Alembic, for comparison: {:.1f}x)\n", "alembic history",
             al_history.ms, al_history.peak_kb / 1024.0, al_history.ms / history.ms);
  fmt::print("{:<58} {:>10.1f} {:>10.1f}   -\n",
             fmt::format("schemagen upgrade head, {} revisions from base", upgrades), online.ms,
             online.peak_kb / 1024.0);
  fmt::print("{:<58} {:>10.1f} {:>10}   -\n", "the same SQL through psql -f", via_psql.ms, "-");
  fmt::print("{:<58} {:>10.3f} {:>10}   < 1 ms: {}\n", "overhead per revision beyond the SQL",
             overhead, "-", verdict(overhead < 1.0));
  return 0;
}
