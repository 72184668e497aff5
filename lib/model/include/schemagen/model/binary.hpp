#pragma once
// A compact, exact serialisation of metadata, origins included, for caches: reading it back is
// a straight copy, where YAML would cost a parse (a fifth of a second for a thousand tables).
// Not an interchange format: the scan's cache files carry a version and are rebuilt on mismatch.

#include "schemagen/model/metadata.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace schemagen::model {

std::string to_binary(const Metadata& m);
/// nullopt when `data` is not a complete serialisation (a truncated or foreign cache file).
std::optional<Metadata> from_binary(std::string_view data);

} // namespace schemagen::model
