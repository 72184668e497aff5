#include "internal.hpp"

namespace schemagen::sqlite {
// written next: reflection and normalisation
model::Metadata reflect(Connection&, const dialect::ReflectOptions&, const std::string&) {
  throw DatabaseError("error: SQLite reflection is not built yet");
}
model::Metadata normalize(Connection&, const model::Metadata&) {
  throw DatabaseError("error: SQLite normalisation is not built yet");
}
} // namespace schemagen::sqlite
