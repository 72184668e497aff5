// Scan benchmark (issue: "Foundation and schemagen scan"). Generates N annotated tables (8
// columns each, a foreign key, an index and a check) in headers that include <string>,
// <optional> and <chrono>, then measures, as separate processes:
//   - clang++ -fsyntax-only on one translation unit including every header (the bare parse);
//   - `schemagen scan --no-cache` on the same headers (wall time and peak memory);
//   - a second `schemagen scan` with no header changed (answered from the content-hash cache).
// Targets: scan <= 1.2x the bare parse; the cached scan < 50 ms.

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

} // namespace

int main(int argc, char** argv) {

  const Args args(argc, argv);
  const int tables = args.number("tables", 1000);
  const int runs = args.number("runs", 3);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-scan-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto headers = generate(dir, tables, 100);
  std::string sources, includes;
  for (const auto& h : headers) {
    sources += (sources.empty() ? "" : ", ") + h;
    includes += fmt::format("#include \"{}\"\n", h);
  }
  write(dir / "schemagen.yaml", fmt::format("models:\n  sources: [{}]\n", sources));
  write(dir / "all.cpp", includes);
  setenv("SCHEMAGEN_CACHE_DIR", (dir / "cache").c_str(), 1);

  const auto parse =
      median(runs, {CLANGXX, "-fsyntax-only", "-std=c++20", "-I" ANNOTATIONS_DIR, "all.cpp"}, dir,
             dir / "clang.log");
  const auto scan = median(runs, {SCHEMAGEN_BIN, "scan", "--no-cache", "-o", "metadata.yaml"}, dir,
                           dir / "scan.log");
  const auto fill =
      run({SCHEMAGEN_BIN, "scan", "-o", "metadata.yaml"}, dir, dir / "fill.log"); // fills the cache
  const auto cached = median(std::max(runs, 3), {SCHEMAGEN_BIN, "scan", "-o", "metadata.yaml"}, dir,
                             dir / "cached.log");
  if (parse.exit_code || scan.exit_code || fill.exit_code || cached.exit_code) {
    fmt::print(stderr,
               "a command failed (clang++ {}, scan {}, filling the cache {}, cached scan {}); logs "
               "in {}\n",
               parse.exit_code, scan.exit_code, fill.exit_code, cached.exit_code, dir.string());
    return 1;
  }
  std::ifstream meta(dir / "metadata.yaml");
  const auto scanned = std::count(std::istreambuf_iterator<char>(meta), {}, '\n');

  const double ratio = scan.ms / parse.ms;
  fmt::print("scan benchmark: {} tables in {} headers, median of {} runs ({} lines of metadata)\n",
             tables, headers.size(), runs, scanned);
  fmt::print("{:<44} {:>10} {:>12}   {}\n", "measure", "wall ms", "peak MiB", "target");
  fmt::print("{:<44} {:>10.1f} {:>12.1f}   {}\n", "clang++ -fsyntax-only (bare parse)", parse.ms,
             parse.peak_kb / 1024.0, "-");
  fmt::print("{:<44} {:>10.1f} {:>12.1f}   <= 1.2x bare parse: {:.2f}x {}\n",
             "schemagen scan --no-cache", scan.ms, scan.peak_kb / 1024.0, ratio,
             verdict(ratio <= 1.2));
  fmt::print("{:<44} {:>10.1f} {:>12.1f}   < 50 ms: {}\n",
             "schemagen scan, no header changed (cache)", cached.ms, cached.peak_kb / 1024.0,
             verdict(cached.ms < 50));
  return 0;
}
