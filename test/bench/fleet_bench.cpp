// Fleet benchmark (issue "Scale", a fleet of databases): 200 databases on the throwaway
// PostgreSQL server this program starts, each upgraded from base through a 50-revision chain by
// one `schemagen upgrade head` over the fleet — one database at a time (-j 1), then N at a time —
// and back down between the two. Prints both times and the speed-up.

#include "bench_util.hpp"

#include <fmt/format.h>
#include <thread>

using namespace bench;

namespace {

std::string rev_id(int i) {
  return fmt::format("{:012x}", 0xf00000000000ULL + static_cast<unsigned>(i));
}

/// A chain of `n` revisions, each creating a table with an index and a foreign key to the one
/// before: what a service's revisions do, a few statements each.
void make_chain(const fs::path& dir, int n) {
  fs::remove_all(dir / "revisions");
  fs::create_directories(dir / "revisions");
  for (int i = 0; i < n; ++i) {
    std::string up = fmt::format(
        "\n  - create_table: {{name: t{0}, columns: [{{name: id, type: BIGINT, nullable: false}}, "
        "{{name: ref, type: BIGINT, nullable: true}}, {{name: label, type: TEXT, nullable: true}}]"
        ", primary_key: {{name: t{0}_pkey, columns: [id]}}{1}}}"
        "\n  - create_index: {{name: ix_t{0}_label, table: t{0}, columns: [label]}}",
        i,
        i == 0 ? ""
               : fmt::format(", foreign_keys: [{{name: fk_t{0}_ref, columns: [ref], "
                             "referred_table: t{1}, referred_columns: [id]}}]",
                             i, i - 1));
    const std::string down = fmt::format("\n  - drop_index: {{name: ix_t{0}_label, table: t{0}}}"
                                         "\n  - drop_table: {{name: t{0}}}",
                                         i);
    write(dir / fmt::format("revisions/{}_step_{}.yaml", rev_id(i), i),
          fmt::format("revision: {}\ndown_revision: {}\nmessage: step {}\nupgrade:{}\ndowngrade:{}\n",
                      rev_id(i), i == 0 ? std::string("null") : rev_id(i - 1), i, up, down));
  }
}

} // namespace

int main(int argc, char** argv) {
  const Args args(argc, argv);
  const int databases = args.number("databases", 200);
  const int revisions = args.number("revisions", 50);
  const int jobs = args.number("jobs", static_cast<int>(std::max(4u, 2 * std::thread::hardware_concurrency())));
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-fleet-bench");
  const std::string sg = SCHEMAGEN_BIN;
  Checked must;

  fs::create_directories(dir);
  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string url = pg.url();
  const std::string base = url.substr(0, url.rfind('/'));
  std::string sql = "SET client_min_messages = warning;\n";
  for (int i = 0; i < databases; ++i)
    sql += fmt::format("DROP DATABASE IF EXISTS fleet_{0};\nCREATE DATABASE fleet_{0};\n", i);
  write(dir / "create.sql", sql);
  if (std::system(fmt::format("{} -X -q '{}/postgres' -f '{}' >/dev/null", pg.psql(), base,
                              (dir / "create.sql").string())
                      .c_str()) != 0) {
    fmt::print(stderr, "psql could not create the databases\n");
    return 1;
  }
  make_chain(dir, revisions);
  std::string config = "script_location: revisions\nfleet:\n  urls:\n";
  for (int i = 0; i < databases; ++i) config += fmt::format("    - {}/fleet_{}\n", base, i);
  write(dir / "schemagen.yaml", config);

  const auto serial = must(run({sg, "-q", "-j", "1", "upgrade", "head"}, dir, dir / "serial.log"),
                           "schemagen -j 1 upgrade head", dir / "serial.log");
  must(run({sg, "-q", "-j", std::to_string(jobs), "downgrade", "base"}, dir, dir / "down.log"),
       "schemagen downgrade base", dir / "down.log");
  const auto parallel =
      must(run({sg, "-q", "-j", std::to_string(jobs), "upgrade", "head"}, dir, dir / "parallel.log"),
           "schemagen -j N upgrade head", dir / "parallel.log");
  // every database at the head after the parallel run: the figure is of work done
  const auto log = read(dir / "parallel.log");
  const bool all_ok = log.find(fmt::format("{} databases: {} ok, 0 failed", databases,
                                           databases)) != std::string::npos;
  if (!all_ok) fmt::print(stderr, "the parallel run did not upgrade every database:\n{}\n", log);
  if (must.failures() || !all_ok) return 1;

  fmt::print("fleet benchmark: {} databases, a {}-revision chain each, upgraded from base\n",
             databases, revisions);
  fmt::print("{:<44} {:>10} {:>12}   {}\n", "measure", "wall ms", "per database", "target");
  fmt::print("{:<44} {:>10.0f} {:>9.1f} ms   -\n", "one at a time (-j 1)", serial.ms,
             serial.ms / databases);
  fmt::print("{:<44} {:>10.0f} {:>9.1f} ms   faster than -j 1: {}\n",
             fmt::format("{} at a time (-j {})", jobs, jobs), parallel.ms,
             parallel.ms / databases, verdict(parallel.ms < serial.ms));
  fmt::print("{:<44} {:>10.2f}x ({} cores)\n", "speed-up", serial.ms / parallel.ms,
             std::thread::hardware_concurrency());
  return 0;
}
