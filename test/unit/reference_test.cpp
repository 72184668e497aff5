// tools/schemagen/REFERENCE.md against the code: every annotation option the scanner accepts,
// every configuration key the reader accepts and every op is documented there. The lists come
// from the code itself, so a new option, key or op without its documentation fails here.

#include "schemagen/config/config.hpp"
#include "schemagen/ops/ops.hpp"
#include "schemagen/scan/scan.hpp"
#include "schemagen/support/files.hpp"

#include <doctest/doctest.h>
#include <utility>

using namespace schemagen;

namespace {

const std::string& reference() {
  static const std::string text = read_file(SCHEMAGEN_SOURCE_DIR "/tools/schemagen/REFERENCE.md");
  return text;
}

std::string code(std::string_view name) { return "`" + std::string(name) + "`"; }

/// The text under the heading "### title", up to the next heading.
std::string section_named(const std::string& title) {
  const std::string& doc = reference();
  const auto begin = doc.find("\n### " + title + "\n");
  if (begin == std::string::npos) return {};
  const auto end = doc.find("\n#", begin + 1);
  return doc.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

/// The text under the heading "### `name`".
std::string section(std::string_view name) { return section_named(code(name)); }

template <std::size_t... I>
std::vector<std::string> op_names(std::index_sequence<I...>) {
  return {std::string(ops::name(ops::Op{std::in_place_index<I>}))...};
}

} // namespace

TEST_CASE("REFERENCE.md documents every annotation and every option the scanner accepts") {
  const auto macros = scan::annotation_options();
  REQUIRE(macros.size() >= 8);
  for (const auto& m : macros) {
    const std::string text = section(m.macro);
    INFO(m.macro);
    CHECK_MESSAGE(!text.empty(), "no section ### `" << m.macro << "`");
    for (const auto& option : m.options)
      CHECK_MESSAGE(text.find(code(option)) != std::string::npos,
                    m.macro << " option `" << option << "` is not in its section");
  }
}

TEST_CASE("REFERENCE.md documents every configuration key") {
  const auto keys = config::keys();
  REQUIRE(keys.size() >= 20);
  for (const auto& key : keys)
    CHECK_MESSAGE(reference().find(code(key)) != std::string::npos,
                  "configuration key `" << key << "` is not documented");
}

TEST_CASE("REFERENCE.md documents every operation") {
  const auto names = op_names(std::make_index_sequence<std::variant_size_v<ops::Op>>{});
  REQUIRE(names.size() >= 20);
  // schema objects' ops are one table, a row per kind
  const std::string objects = section_named("Schema objects");
  for (int k = 0; k <= static_cast<int>(model::ObjectKind::grant); ++k) {
    const auto n = ops::object_op_names(static_cast<model::ObjectKind>(k));
    for (const auto& op : {n.create, n.replace, n.drop}) {
      const bool listed = objects.find(code(op)) != std::string::npos;
      CHECK_MESSAGE(listed, "operation `" << op << "` is not in the schema objects' table");
    }
  }
  for (const auto& op : names) {
    if (objects.find(code(op)) != std::string::npos) continue;
    CHECK_MESSAGE(!section(op).empty(), "operation `" << op << "` has no section");
  }
}
