// Scan benchmark (issue: "Foundation and schemagen scan"). Generates N annotated tables (8
// columns each, a foreign key, an index and a check) in headers that include <string>,
// <optional> and <chrono>, then measures, as separate processes:
//   - clang++ -fsyntax-only on one translation unit including every header (the bare parse);
//   - `schemagen scan --no-cache` on the same headers (wall time and peak memory);
//   - `schemagen scan` after a header was edited: the models are parsed again, the system
//     headers come from the precompiled prelude in the cache (the first such scan builds it);
//   - a second `schemagen scan` with no header changed (answered from the content-hash cache);
//   - the bare parse and `schemagen scan --no-cache` again on one header of M tables
//     (--one-header M), where a scan that grows faster than the parse would show.
// Targets: scan <= 1.2x the bare parse, and <= 1.3x at one header; the scan after an edit
// <= 0.6x the bare parse (the system headers are most of a parse of 1,000 tables); the cached
// scan < 50 ms.

#include "bench_util.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace {

using bench::Args;
using bench::median;
using bench::run;
using bench::verdict;
using bench::write;

/// N tables in headers of `per_header` tables each; returns the header names.
std::vector<std::string> generate(const fs::path& dir, int tables, int per_header) {
  std::vector<std::string> headers;
  for (int h = 0; h * per_header < tables; ++h) {
    std::string text = "#pragma once\n#include <schemagen/annotations.hpp>\n#include <chrono>\n"
                       "#include <cstdint>\n#include <optional>\n#include <string>\n";
    if (h > 0) text += fmt::format("#include \"models_{}.hpp\"\n", h - 1);
    text += fmt::format("namespace bench{} {{\n", h);
    for (int i = h * per_header; i < std::min(tables, (h + 1) * per_header); ++i) {
      const int parent = i == 0 ? 0 : i - 1;
      text += fmt::format(R"cpp(
/// Table number {0}.
struct SG_TABLE("t{0}") SG_INDEX("ix_t{0}_name", columns = "name")
    SG_CHECK("ck_t{0}_qty", expr = "qty >= 0") T{0} {{
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
  SG_COLUMN(foreign_key = "t{1}.id", on_delete = "CASCADE") std::optional<std::int64_t> parent_id;
  SG_COLUMN(length = 120) std::string name;
  std::optional<std::string> email;
  SG_COLUMN(server_default = "now()") std::chrono::system_clock::time_point created_at;
  double amount;
  SG_COLUMN(server_default = "0") std::int32_t qty;
  SG_COLUMN(server_default = "false") bool archived;
}};
)cpp",
                          i, parent);
    }
    text += "}\n";
    const auto name = fmt::format("models_{}.hpp", h);
    write(dir / name, text);
    headers.push_back(name);
  }
  return headers;
}

/// `dir` afresh with N tables in headers of `per_header` tables, a schemagen.yaml naming them
/// and all.cpp including them (what clang++ parses); returns the header names.
std::vector<std::string> prepare(const fs::path& dir, int tables, int per_header) {
  fs::create_directories(dir);
  const auto headers = generate(dir, tables, per_header);
  std::string sources, includes;
  for (const auto& h : headers) {
    sources += (sources.empty() ? "" : ", ") + h;
    includes += fmt::format("#include \"{}\"\n", h);
  }
  write(dir / "schemagen.yaml", fmt::format("models:\n  sources: [{}]\n", sources));
  write(dir / "all.cpp", includes);
  return headers;
}

} // namespace

int main(int argc, char** argv) {

  const Args args(argc, argv);
  const int tables = args.number("tables", 1000);
  const int one_header = args.number("one-header", 20000);
  const int runs = args.number("runs", 3);
  const fs::path root = args.path("dir", fs::temp_directory_path() / "schemagen-scan-bench");
  fs::remove_all(root);
  const fs::path dir = root / "split", single = root / "one";
  const auto headers = prepare(dir, tables, 100);
  prepare(single, one_header, one_header);
  setenv("SCHEMAGEN_CACHE_DIR", (root / "cache").c_str(), 1);

  const std::vector<std::string> bare = {CLANGXX, "-fsyntax-only", "-std=c++20",
                                         "-I" ANNOTATIONS_DIR, "all.cpp"};
  const std::vector<std::string> cold = {SCHEMAGEN_BIN, "scan", "--no-cache", "-o",
                                         "metadata.yaml"};
  const std::vector<std::string> warm = {SCHEMAGEN_BIN, "scan", "-o", "metadata.yaml"};
  const auto parse = median(runs, bare, dir, dir / "clang.log");
  const auto scan = median(runs, cold, dir, dir / "scan.log");
  const auto fill = run(warm, dir, dir / "fill.log"); // the result, and the prelude's headers
  // an edit to the last header: the result cache misses, the precompiled prelude does not
  int edits = 0;
  const auto edit = [&] {
    std::ofstream(dir / headers.back(), std::ios::app) << fmt::format("// edit {}\n", ++edits);
  };
  edit();
  const auto precompiling = run(warm, dir, dir / "precompiling.log"); // the first precompiles
  edit();
  const auto edited = median(runs, warm, dir, dir / "edited.log", edit);
  const auto cached = median(std::max(runs, 3), warm, dir, dir / "cached.log");
  const auto one_parse = median(runs, bare, single, single / "clang.log");
  const auto one_scan = median(runs, cold, single, single / "scan.log");
  if (parse.exit_code || scan.exit_code || fill.exit_code || precompiling.exit_code ||
      edited.exit_code || cached.exit_code || one_parse.exit_code || one_scan.exit_code) {
    fmt::print(stderr,
               "a command failed (clang++ {}, scan {}, filling the cache {}, precompiling {}, "
               "scan after an edit {}, cached scan {}, clang++ on one header {}, scan of one "
               "header {}); logs in {}\n",
               parse.exit_code, scan.exit_code, fill.exit_code, precompiling.exit_code,
               edited.exit_code, cached.exit_code, one_parse.exit_code, one_scan.exit_code,
               root.string());
    return 1;
  }
  std::ifstream meta(dir / "metadata.yaml");
  const auto scanned = std::count(std::istreambuf_iterator<char>(meta), {}, '\n');

  const auto row = [](const char* what, const bench::Measure& m, const std::string& target) {
    fmt::print("{:<48} {:>10.1f} {:>10.1f} {:>10.1f}   {}\n", what, m.ms, m.cpu_ms,
               m.peak_kb / 1024.0, target);
  };
  // the target is on wall time; the ratio of CPU time beside it shows what a busy machine did
  const auto against = [](const char* limit, const bench::Measure& m, const bench::Measure& base,
                          double most) {
    const double ratio = m.ms / base.ms;
    return fmt::format("<= {}: {:.2f}x {} (CPU {:.2f}x)", limit, ratio, verdict(ratio <= most),
                       m.cpu_ms / base.cpu_ms);
  };
  fmt::print("scan benchmark: {} tables in {} headers, median of {} runs ({} lines of metadata)\n",
             tables, headers.size(), runs, scanned);
  fmt::print("{:<48} {:>10} {:>10} {:>10}   {}\n", "measure", "wall ms", "CPU ms", "peak MiB",
             "target");
  row("clang++ -fsyntax-only (bare parse)", parse, "-");
  row("schemagen scan --no-cache", scan, against("1.2x bare parse", scan, parse, 1.2));
  row("schemagen scan, a header edited, precompiling", precompiling, "-");
  row("schemagen scan, a header edited (PCH warm)", edited,
      against("0.6x bare parse", edited, parse, 0.6));
  row("schemagen scan, no header changed (cache)", cached,
      fmt::format("< 50 ms: {}", verdict(cached.ms < 50)));
  fmt::print("{} tables in one header:\n", one_header);
  row("clang++ -fsyntax-only (bare parse)", one_parse, "-");
  row("schemagen scan --no-cache", one_scan,
      against("1.3x bare parse", one_scan, one_parse, 1.3));
  return 0;
}
