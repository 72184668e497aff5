// Startup benchmark (issue: "Migrations inside an application"): what bringing the database up to
// date costs an application at startup when there is nothing to do, with a chain of N revisions
// (default 200; each creates a small table and an index) compiled in:
//  (a) Chain::from_embedded over the revision files' texts and what the build read of them: what
//      the first call of the function schemagen_add_revisions generates costs, once per process
//      (the texts are parsed only by a run with something to do; from_texts, parsing them all
//      up front, is shown beside it);
//  (b) Migrator{url, chain}.upgrade("head") on a database already at head: the startup cost.
//      Target under 5 ms on a SQLite file, under 20 ms on PostgreSQL over loopback (the throwaway
//      server this program starts). (a) + (b) is printed too: a process pays both;
//  (c) beside it, `schemagen upgrade head` as a child process on the same database.
// After each measured run the database must be at the chain's last revision with nothing applied
// (no progress step, or the command line saying there was nothing to upgrade).

#include "bench_util.hpp"

#include "schemagen/migrate.hpp"
#include "schemagen/revision/file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <optional>
#include <string_view>

using namespace bench;

namespace {

std::string rev_id(int i) {
  return fmt::format("{:012x}", 0x5a0000000000ULL + static_cast<unsigned>(i));
}

/// Table t<i> as create_table writes it and drop_table's `existing:` repeats it, each line
/// indented by `pad`. Types both dialects take as they are.
std::string table_yaml(int i, std::string_view pad) {
  return fmt::format("{0}name: t{1}\n"
                     "{0}columns:\n"
                     "{0}  - {{name: id, type: BIGINT, nullable: false}}\n"
                     "{0}  - {{name: name, type: VARCHAR(80), nullable: false}}\n"
                     "{0}  - {{name: qty, type: INTEGER, nullable: false, server_default: \"0\"}}\n"
                     "{0}  - {{name: note, type: TEXT, nullable: true}}\n"
                     "{0}primary_key: {{name: pk_t{1}, columns: [id]}}\n",
                     pad, i);
}

struct RevisionFile {
  std::string name, text;
};

/// Revision i, as `schemagen revision --autogenerate` writes such a change: the downgrade repeats
/// what it drops, so the texts parsed are the size real ones are.
RevisionFile revision_file(int i) {
  const auto id = rev_id(i);
  return {fmt::format("{}_create_t{}.yaml", id, i),
          fmt::format("# create t{1}\nrevision: {0}\ndown_revision: {2}\nbranch_labels: []\n"
                      "depends_on: []\nmessage: create t{1}\ncreate_date: 2026-11-24T10:00:00Z\n"
                      "upgrade:\n  - create_table:\n{3}"
                      "  - create_index: {{name: ix_t{1}_name, table: t{1}, columns: [name]}}\n"
                      "downgrade:\n"
                      "  - drop_index: {{name: ix_t{1}_name, table: t{1}, existing: {{name: "
                      "ix_t{1}_name, columns: [name]}}}}\n"
                      "  - drop_table:\n      name: t{1}\n      existing:\n{4}",
                      id, i, i == 0 ? std::string("null") : rev_id(i - 1),
                      table_yaml(i, "      "), table_yaml(i, "        "))};
}

/// The chain of `n` revisions, written under dir/revisions beside a schemagen.yaml for the command
/// line (the database is given by --url), and returned: the texts a compiled-in chain embeds.
std::vector<RevisionFile> write_chain(const fs::path& dir, int n) {
  fs::remove_all(dir);
  write(dir / "schemagen.yaml", "script_location: revisions\n");
  std::vector<RevisionFile> files;
  for (int i = 0; i < n; ++i) {
    files.push_back(revision_file(i));
    write(dir / "revisions" / files.back().name, files.back().text);
  }
  return files;
}

/// Median and fastest of repeated wall times.
struct Figure {
  double median = 0, min = 0;
};

Figure figure(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms.front()};
}

/// `runs` timings of f() (at least one), in ms; `after`, untimed, follows each (to check it).
template <class F, class After>
Figure time_runs(int runs, F f, After after) {
  std::vector<double> ms;
  for (int i = 0; i < std::max(runs, 1); ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count());
    after();
  }
  return figure(std::move(ms));
}
template <class F>
Figure time_runs(int runs, F f) {
  return time_runs(runs, f, [] {});
}

/// What schemagen_add_revisions compiles in for `files`: each text beside its id, parents,
/// message and checksum as `schemagen embed-revisions` reads them at build time.
struct Compiled {
  std::vector<schemagen::revision::Revision> read; // owns the strings the entries view
  std::vector<std::string> downs;
  std::vector<schemagen::EmbeddedRevision> entries;
};

Compiled compile_chain(const std::vector<RevisionFile>& files) {
  Compiled c;
  for (const auto& f : files) c.read.push_back(schemagen::revision::parse_revision(f.name, f.text));
  for (const auto& r : c.read) c.downs.push_back(fmt::format("{}", fmt::join(r.down_revisions, " ")));
  for (std::size_t i = 0; i < files.size(); ++i)
    c.entries.push_back({.file = files[i].name,
                         .text = files[i].text,
                         .id = c.read[i].id,
                         .down_revisions = c.downs[i],
                         .message = c.read[i].message,
                         .checksum = c.read[i].checksum});
  return c;
}

schemagen::Chain chain_from(const std::vector<RevisionFile>& files) {
  // what the generated function hands in: each file's name and a view of its embedded text
  std::vector<std::pair<std::string, std::string_view>> texts;
  texts.reserve(files.size());
  for (const auto& f : files) texts.emplace_back(f.name, f.text);
  return schemagen::Chain::from_texts(std::move(texts));
}

/// One database's figures.
struct Database {
  Figure upgrade, cli, current;
};

/// Brings the database at `url` to head, then times the up-to-date upgrade in process and through
/// the command line, and current() alone. Empty, with the reason on stderr, when a run failed or
/// did other than nothing.
std::optional<Database> measure(const std::string& url, const schemagen::Chain& chain,
                                const fs::path& dir, int runs) {
  const auto ids = chain.ids();
  const std::vector<std::string> at_head{ids.back()};
  int steps = 0;
  auto count_steps = [&steps](const schemagen::Step&) { ++steps; };
  {
    schemagen::Migrator first{url, chain};
    first.on_progress(count_steps);
    first.upgrade("head");
  }
  if (steps != static_cast<int>(ids.size())) {
    fmt::print(stderr, "{}: the first upgrade applied {} revisions of {}\n", url, steps,
               ids.size());
    return std::nullopt;
  }

  std::vector<std::string> wrong;
  auto check = [&](const char* side, bool nothing_applied) {
    const auto current = schemagen::Migrator{url, chain}.current();
    if (current != at_head || !nothing_applied)
      wrong.push_back(fmt::format("{}: the database is at [{}]{}", side, fmt::join(current, ", "),
                                  nothing_applied ? "" : ", and the run applied something"));
  };

  Database d;
  // what the application's startup runs: a Migrator over the compiled-in chain, then upgrade
  steps = 0;
  d.upgrade = time_runs(
      runs,
      [&] {
        schemagen::Migrator m{url, chain};
        m.on_progress(count_steps);
        m.upgrade("head");
      },
      [&] { check("Migrator::upgrade", steps == 0); });
  d.current = time_runs(runs, [&] { schemagen::Migrator{url, chain}.current(); });

  const auto log = dir / "cli.log";
  std::vector<double> cli_ms;
  for (const auto& m :
       measure_runs(runs, {SCHEMAGEN_BIN, "--url", url, "upgrade", "head"}, dir, log, [&] {
         check("schemagen upgrade head", read(log).find("Nothing to upgrade") != std::string::npos);
       })) {
    if (m.exit_code != 0) {
      fmt::print(stderr, "schemagen upgrade head failed (exit {}):\n{}\n", m.exit_code,
                 read(log).substr(0, 3000));
      return std::nullopt;
    }
    cli_ms.push_back(m.ms);
  }
  d.cli = figure(std::move(cli_ms));
  if (!wrong.empty()) {
    fmt::print(stderr, "expected the database at {} with nothing applied; {}\n", ids.back(),
               fmt::join(wrong, "; "));
    return std::nullopt;
  }
  return d;
}

constexpr const char* row = "{:<66} {:>8.2f} {:>8.2f}   {}\n";

void print_database(const char* name, const Database& d, const Figure& chain, double target) {
  fmt::print("{}\n", name);
  fmt::print(row, "  Migrator{url, chain}.upgrade(\"head\"), at head (b)", d.upgrade.median,
             d.upgrade.min,
             fmt::format("< {:g} ms: {}", target, verdict(d.upgrade.median < target)));
  const double total = chain.median + d.upgrade.median;
  fmt::print(row, "  the chain built, then the upgrade: (a) + (b), a process's first", total,
             chain.min + d.upgrade.min,
             fmt::format("< {:g} ms: {}", target, verdict(total < target)));
  fmt::print(row, "  schemagen upgrade head, a child process (c)", d.cli.median, d.cli.min,
             fmt::format("(the command line, for comparison: {:.1f}x (b))",
                         d.cli.median / d.upgrade.median));
  fmt::print(row, "  Migrator::current() alone (connect, read the version table)", d.current.median,
             d.current.min, "-");
}

} // namespace

int main(int argc, char** argv) try {
  const Args args(argc, argv);
  const int n = args.number("chain", 200);
  const int runs = args.number("runs", 20);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-startup-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto sgdir = dir / "schemagen";
  const auto files = write_chain(sgdir, n);

  // (a): the compiled-in chain, as the generated function makes it; beside it, every text parsed
  // up front (from_texts), and from_directories, which the command line's reading matches
  const auto compiled = compile_chain(files);
  const auto embedded = time_runs(runs, [&] { schemagen::Chain::from_embedded(compiled.entries); });
  const auto from_texts = time_runs(runs, [&] { chain_from(files); });
  const auto from_dirs =
      time_runs(runs, [&] { schemagen::Chain::from_directories({sgdir / "revisions"}); });
  const auto chain = schemagen::Chain::from_embedded(compiled.entries);

  const auto sqlite = measure("sqlite:///" + (dir / "bench.db").string(), chain, sgdir, runs);
  Cluster pg(dir / "pg");
  const auto postgres =
      pg.ok() ? measure(pg.url(), chain, sgdir, runs) : std::optional<Database>{};

  fmt::print("startup benchmark: a chain of {} revisions (a table and an index each), the "
             "database at head; median and min of {} runs\n",
             n, runs);
  fmt::print("{:<66} {:>8} {:>8}   {}\n", "measure", "wall ms", "min ms", "target");
  fmt::print(row, fmt::format("Chain::from_embedded, {} revisions (a), once per process", n),
             embedded.median, embedded.min, "-");
  fmt::print(row, "Chain::from_texts, every text parsed up front", from_texts.median,
             from_texts.min, "-");
  fmt::print(row, "Chain::from_directories, the same files read from disk", from_dirs.median,
             from_dirs.min, "-");
  if (sqlite) print_database("SQLite file", *sqlite, embedded, 5);
  if (postgres) print_database("PostgreSQL on loopback (127.0.0.1, password auth)", *postgres,
                               embedded, 20);
  return sqlite && postgres ? 0 : 1;
} catch (const std::exception& e) {
  fmt::print(stderr, "{}\n", e.what());
  return 1;
}
