#include "internal.hpp"

namespace schemagen::sqlite {
// written next: ALTER TABLE and rebuilds
std::optional<std::string> unsupported(const ops::Op&) { return "not built yet"; }
std::vector<dialect::Step> compile(const std::vector<ops::LocatedOp>&, model::Metadata&,
                                   Connection*) {
  throw UserError("error: the SQLite compiler is not built yet");
}
} // namespace schemagen::sqlite
