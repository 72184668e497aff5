// The split scan (lib/scan/src/scan.cpp): several headers parsed as several translation units
// in parallel, from the precompiled prelude, kept only when that reads them as one translation
// unit does. Real headers on disk, a cache directory per test.

#include "schemagen/scan/scan.hpp"
#include "schemagen/support/files.hpp"

#include <algorithm>
#include <doctest/doctest.h>
#include <fstream>
#include <stdlib.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

/// A table `name` with only its key, declared as struct `type`.
std::string table(const std::string& name, const std::string& type) {
  return "struct SG_TABLE(\"" + name + "\") " + type +
         " {\n  SG_COLUMN(primary_key) std::int64_t id;\n};\n";
}

/// Four model headers, a.hpp to d.hpp, of about the same size (two parts of two headers each),
/// all including common.hpp.
class Models {
public:
  Models() {
    std::string tmpl = (fs::temp_directory_path() / "sg-split-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    write("common.hpp", "#ifndef COMMON_HPP\n#define COMMON_HPP\n"
                        "#include <schemagen/annotations.hpp>\n#include <cstdint>\n"
                        "#include <optional>\n#include <string>\n"
                        "enum class SG_ENUM(\"status\") Status { active, closed };\n"
                        "struct Stamped { std::int64_t version; };\n#endif\n");
    header("a", "", "struct SG_TABLE(\"a\") A : Stamped {\n"
                    "  SG_COLUMN(primary_key) std::int64_t id;\n"
                    "  SG_COLUMN(foreign_key = \"d.id\") std::optional<std::int64_t> d_id;\n};\n");
    header("b", "", "struct SG_TABLE(\"b\") B {\n  SG_COLUMN(primary_key) std::int64_t id;\n"
                    "  Status status;\n};\n");
    header("c", "", "struct SG_TABLE(\"c\") C {\n  SG_COLUMN(primary_key) std::int64_t id;\n"
                    "  std::string name;\n};\n");
    header("d", "", "struct SG_TABLE(\"d\") D : Stamped {\n"
                    "  SG_COLUMN(primary_key) std::int64_t id;\n};\n");
  }
  ~Models() { fs::remove_all(dir_); }
  Models(const Models&) = delete;
  Models& operator=(const Models&) = delete;

  /// `name`.hpp: `before` ahead of its declarations, then `body`, padded to one size.
  void header(const std::string& name, const std::string& before, const std::string& body) {
    std::string text = "#pragma once\n#include \"common.hpp\"\n" + before + body;
    text += "// " + std::string(text.size() < 600 ? 600 - text.size() : 0, '.') + "\n";
    write(name + ".hpp", text);
  }
  /// An edit that changes no declaration: the result cache misses, the precompiled prelude not.
  void edit() { std::ofstream(dir_ / "d.hpp", std::ios::app) << "// edited\n"; }

  scan::Result scan(unsigned jobs, bool cached = true) const {
    scan::Options options;
    for (const char* h : {"a.hpp", "b.hpp", "c.hpp", "d.hpp"}) options.sources.push_back(dir_ / h);
    options.working_dir = dir_;
    options.jobs = jobs;
    if (cached) options.cache_dir = dir_ / "cache";
    return scan::scan(options);
  }
  /// The headers as one translation unit, with no cache: what every scan must read.
  scan::Result whole() const { return scan(1, false); }
  /// A scan with `jobs` from the precompiled prelude (made first when there is none).
  scan::Result from_prelude(unsigned jobs) {
    scan(jobs);
    edit();
    auto r = scan(jobs);
    REQUIRE(r.precompiled);
    edit();
    return r;
  }

  void write_file(const std::string& name, const std::string& text) {
    write_file_atomic(dir_ / name, text);
  }

private:
  void write(const std::string& name, const std::string& text) { write_file(name, text); }
  fs::path dir_;
};

/// The models, which compile, scanned with two jobs from the prelude: parsed as one translation
/// unit, as that reads them, and with nothing to say.
void reads_as_one(Models& m) {
  const auto whole = m.whole();
  INFO(whole.diagnostics.str());
  REQUIRE(whole.ok());
  auto r = m.from_prelude(2);
  CHECK(r.parts == 1);
  CHECK(r.yaml == whole.yaml);
  CHECK(r.diagnostics.items().empty());
}

} // namespace

TEST_CASE("headers parsed in parallel give what one translation unit gives") {
  Models m;
  const auto whole = m.whole();
  INFO(whole.diagnostics.str());
  REQUIRE(whole.ok());
  auto split = m.from_prelude(2);
  CHECK(split.parts == 2);
  CHECK(split.yaml == whole.yaml); // the shared header's enum and base once, in the same order
  CHECK(split.diagnostics.items().empty());
  for (const char* h : {"a.hpp", "b.hpp", "c.hpp", "d.hpp", "common.hpp"})
    CHECK(std::count_if(split.dependencies.begin(), split.dependencies.end(),
                        [&](const fs::path& p) { return p.filename() == h; }) == 1);
  auto one = m.from_prelude(1);
  CHECK(one.parts == 1);
  CHECK(one.yaml == whole.yaml);
}

TEST_CASE("a header two parts include by different paths gives its declarations once") {
  Models m;
  m.write_file("shared/lookup.hpp", "#pragma once\n#include \"../common.hpp\"\n" +
                                        table("lookup", "Lookup"));
  m.header("a", "#include \"shared/lookup.hpp\"\n", table("a", "A"));
  m.header("d", "#include \"./shared/../shared/lookup.hpp\"\n", table("d", "D"));
  const auto whole = m.whole();
  INFO(whole.diagnostics.str());
  REQUIRE(whole.ok());
  auto split = m.from_prelude(2);
  CHECK(split.parts == 2);
  CHECK(split.diagnostics.items().empty());
  CHECK(split.yaml == whole.yaml); // the lookup table once, where a.hpp put it
}

TEST_CASE("headers that include each other are parsed as one after the split found so") {
  Models m;
  m.header("b", "#include \"a.hpp\"\n", table("b", "B"));
  m.header("c", "#include \"b.hpp\"\n", table("c", "C"));
  m.header("d", "#include \"c.hpp\"\n", table("d", "D"));
  const auto whole = m.whole();
  REQUIRE(whole.ok());
  auto split = m.from_prelude(2); // the second part parsed the first part's headers again
  CHECK(split.parts == 2);
  CHECK(split.yaml == whole.yaml);
  m.edit();
  auto next = m.scan(2);
  CHECK(next.parts == 1); // remembered: not worth splitting
  CHECK(next.yaml == whole.yaml);
}

TEST_CASE("a macro one header defines and another tests keeps the headers one translation unit") {
  Models m;
  m.header("a", "#define WIDE_IDS 1\n", table("a", "A"));
  m.header("d", "#ifdef WIDE_IDS\nusing Id = std::int64_t;\n#else\nusing Id = std::int32_t;\n#endif\n",
           "struct SG_TABLE(\"d\") D {\n  SG_COLUMN(primary_key) Id id;\n};\n");
  const auto whole = m.whole();
  REQUIRE(whole.ok());
  REQUIRE(whole.yaml.find("{name: id, type: BIGINT") != std::string::npos);
  auto r = m.from_prelude(2);
  CHECK(r.parts == 1); // d.hpp, parsed without a.hpp, would have read 32-bit ids
  CHECK(r.yaml == whole.yaml);
}

TEST_CASE("a header that uses another's declaration without including it is parsed as one") {
  Models m;
  m.header("a", "using Money = double;\n", table("a", "A"));
  m.header("d", "", "struct SG_TABLE(\"d\") D {\n  SG_COLUMN(primary_key) std::int64_t id;\n"
                    "  Money amount;\n};\n");
  reads_as_one(m); // the part that did not compile says nothing
}

TEST_CASE("what a part alone would call a mistake is not one when the headers are read as one") {
  Models m;
  // annotated members of a struct that only d.hpp's table derives from: the first part, which
  // has no such table, would call them misplaced
  m.header("a", "struct Audit {\n  SG_COLUMN(server_default = \"0\") std::int32_t revision;\n};\n",
           "struct SG_TABLE(\"a\") A {\n  SG_COLUMN(primary_key) std::int64_t id;\n};\n");
  m.header("d", "", "struct SG_TABLE(\"d\") D : Audit {\n  SG_COLUMN(primary_key) std::int64_t id;\n};\n");
  reads_as_one(m);
}

TEST_CASE("a mistake in a header is reported as one translation unit reports it") {
  Models m;
  REQUIRE(m.whole().ok());
  m.from_prelude(2); // the prelude is there
  m.header("c", "", "struct SG_TABLE(\"c\") C {\n  SG_COLUMN(primary_key, bogus) std::int64_t id;\n"
                    "};\n");
  m.header("d", "", "struct SG_TABLE(\"d\") D {\n  SG_COLUMN(primary_key) std::string id;\n"
                    "  int misplaced SG_COLUMN(unique);\n};\n");
  const auto whole = m.whole();
  REQUIRE_FALSE(whole.ok());
  auto r = m.scan(2);
  CHECK_FALSE(r.ok());
  CHECK(r.diagnostics.str() == whole.diagnostics.str());
}
