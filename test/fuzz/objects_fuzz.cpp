// The objects-file reader (lib/pgparse, over libpg_query's parse) on arbitrary bytes. What it
// accepts must survive what schemagen does next with an object: the grants merged, and each
// object's own statement, read alone, naming the same object of the same kind again.
#include "fuzz.hpp"
#include "schemagen/pgparse/pgparse.hpp"

#include <algorithm>

namespace {

using namespace schemagen;

std::vector<model::DbObject> read(std::string_view text) {
  DiagnosticList diags;
  auto objects = pgparse::read_objects(text, "fuzz.sql", diags);
  if (diags.has_errors()) throw DiagnosticsError(std::move(diags));
  return objects;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<model::DbObject> objects;
  if (!fuzz::accepts([&] { objects = read(fuzz::text(data, size)); })) return 0;
  for (const auto& o : objects) {
    if (o.name.empty()) fuzz::finding("an object without a name", o.sql);
    if (o.sql.empty()) fuzz::finding("an object without its statement", o.name);
    std::vector<model::DbObject> again;
    if (!fuzz::accepts([&] { again = read(o.sql); }))
      fuzz::finding("an object's own statement does not read alone", o.sql);
    const bool found = std::any_of(again.begin(), again.end(), [&](const model::DbObject& a) {
      return a.kind == o.kind && a.schema == o.schema && a.name == o.name;
    });
    if (!found) fuzz::finding("an object's own statement names another object", o.sql);
  }
  pgparse::merge_grants(objects);
  return 0;
}
