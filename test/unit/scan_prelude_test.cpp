// The scan's precompiled prelude (lib/scan/src/scan.cpp): the system headers the models include
// first, precompiled into the cache directory once and parsed from there after. Real headers on
// disk, a system include directory of the test's own (-isystem), a cache directory per test.

#include "schemagen/scan/scan.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <fstream>
#include <stdlib.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

/// A system header whose type depends on a macro, and models that include it.
class Project {
public:
  Project() {
    std::string tmpl = (fs::temp_directory_path() / "sg-prelude-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    system_header("std::int32_t");
    models("");
  }
  ~Project() { fs::remove_all(dir_); }
  Project(const Project&) = delete;
  Project& operator=(const Project&) = delete;

  /// sys/amount.hpp: sys::amount is `type`, std::int64_t where AMOUNT_WIDE is defined.
  void system_header(const std::string& type) {
    write_file_atomic(dir_ / "sys/amount.hpp", "#pragma once\n#include <cstdint>\n"
                                               "namespace sys {\n#ifdef AMOUNT_WIDE\n"
                                               "using amount = std::int64_t;\n#else\n"
                                               "using amount = " +
                                                   type + ";\n#endif\n}\n");
  }
  /// models.hpp, with `before` ahead of its system includes.
  void models(const std::string& before) {
    write_file_atomic(dir_ / "models.hpp",
                      "#pragma once\n#include <schemagen/annotations.hpp>\n" + before +
                          "#include <cstdint>\n#include <amount.hpp>\n"
                          "struct SG_TABLE(\"orders\") Order {\n"
                          "  SG_COLUMN(primary_key) std::int64_t id;\n"
                          "  sys::amount amount;\n};\n" + edits_);
  }
  /// An edit to the models that changes no declaration: the result cache misses, the PCH not.
  void edit() {
    edits_ += "// edited\n";
    std::ofstream(dir_ / "models.hpp", std::ios::app) << "// edited\n";
  }

  /// The scan, with the project's cache directory or none.
  scan::Result result(bool cached = true) const {
    scan::Options options;
    options.sources = {dir_ / "models.hpp"};
    options.args = {"-isystem", (dir_ / "sys").string()};
    options.working_dir = dir_;
    if (cached) options.cache_dir = dir_ / "cache";
    return scan::scan(options);
  }
  /// A scan that must succeed and parse.
  scan::Result scan(bool cached = true) const {
    auto r = result(cached);
    INFO(r.diagnostics.str());
    REQUIRE(r.ok());
    CHECK_FALSE(r.from_cache);
    return r;
  }
  /// An edit, then the scan.
  scan::Result rescan() {
    edit();
    return scan();
  }
  /// The first scan, which records the prelude, and the next, which precompiles it.
  void warm() {
    scan();
    REQUIRE(rescan().precompiled);
  }
  /// The scan without any cache: what every scan must read.
  std::string plain() const { return scan(false).yaml; }

  std::vector<fs::path> pchs() const {
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(dir_ / "cache"))
      if (entry.path().extension() == ".pch") out.push_back(entry.path());
    return out;
  }
  const fs::path& dir() const { return dir_; }

private:
  fs::path dir_;
  std::string edits_;
};

/// Whether the metadata maps orders.amount to `type`.
bool amount_is(const std::string& yaml, const std::string& type) {
  return yaml.find("{name: amount, type: " + type + ",") != std::string::npos;
}

bool lists(const scan::Result& r, const fs::path& file) {
  return std::find(r.dependencies.begin(), r.dependencies.end(), file) != r.dependencies.end();
}

} // namespace

TEST_CASE("a scan after an edit starts from the precompiled system headers, and reads the same") {
  Project p;
  const std::string plain = p.plain();
  REQUIRE(amount_is(plain, "INTEGER"));

  auto first = p.scan(); // records the prelude: <cstdint>, <amount.hpp>
  CHECK_FALSE(first.precompiled);
  CHECK(first.yaml == plain);

  auto second = p.rescan(); // builds the PCH and parses from it
  CHECK(second.precompiled);
  CHECK(second.yaml == plain);
  CHECK(p.pchs().size() == 1);
  // the depfile still names the system header, though the PCH read it
  CHECK(lists(second, p.dir() / "sys/amount.hpp"));
  CHECK(lists(first, p.dir() / "sys/amount.hpp"));
  for (const auto& dep : second.dependencies) CHECK(dep.parent_path() != p.dir() / "cache");

  auto third = p.rescan();
  CHECK(third.precompiled);
  CHECK(third.yaml == plain);
}

TEST_CASE("a changed system header makes the scan precompile the prelude again") {
  Project p;
  p.warm();
  p.system_header("std::int16_t");
  const std::string plain = p.plain();
  REQUIRE(amount_is(plain, "SMALLINT"));
  auto r = p.rescan();
  CHECK(r.precompiled);
  CHECK(r.yaml == plain);
}

TEST_CASE("a scan parses around a precompiled prelude it cannot read, and builds it again") {
  Project p;
  const std::string plain = p.plain();
  p.warm();
  REQUIRE(p.pchs().size() == 1);
  write_file_atomic(p.pchs().front(), "not a precompiled header");

  auto broken = p.rescan();
  CHECK_FALSE(broken.precompiled);
  CHECK(broken.yaml == plain);
  CHECK(broken.diagnostics.items().empty());

  auto rebuilt = p.rescan();
  CHECK(rebuilt.precompiled);
  CHECK(rebuilt.yaml == plain);
}

TEST_CASE("a scan does not start from the prelude when the models define a macro it tests") {
  Project p;
  p.models("#define AMOUNT_WIDE\n"); // the prelude, precompiled alone, would not see it
  const std::string plain = p.plain();
  REQUIRE(amount_is(plain, "BIGINT"));
  p.scan();
  auto r = p.rescan(); // tries the PCH, finds the macro, parses again without
  CHECK_FALSE(r.precompiled);
  CHECK(r.yaml == plain);
  auto again = p.rescan(); // and does not try again
  CHECK_FALSE(again.precompiled);
  CHECK(again.yaml == plain);
}

TEST_CASE("a scan does not start from the prelude when the models declare before including it") {
  Project p;
  p.scan(); // the prelude: <cstdint>, <amount.hpp>
  // then the models use <cstdint> before they include it: an error, with or without a PCH
  p.models("using early = std::int32_t;\n");
  const auto plain = p.result(false);
  REQUIRE_FALSE(plain.ok());
  auto r = p.result();
  CHECK_FALSE(r.precompiled);
  CHECK(r.diagnostics.str() == plain.diagnostics.str());
}
