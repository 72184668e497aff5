// Which PostgreSQL-compatible engine a connection reaches, from what it says of itself.

#include "schemagen/pg/connection.hpp"
#include "schemagen/pg/pg.hpp"

#include <charconv>

namespace schemagen::pg {

namespace {

/// "2.18" of "PostgreSQL 11.2-YB-2.18.0.0-b0 on x86_64-pc-linux-gnu, ...": major and minor.
std::pair<int, int> yugabyte_version(std::string_view version, std::size_t at) {
  int major = 0, minor = 0;
  const char* p = version.data() + at;
  const char* end = version.data() + version.size();
  p = std::from_chars(p, end, major).ptr;
  if (p != end && *p == '.') std::from_chars(p + 1, end, minor);
  return {major, minor};
}

} // namespace

dialect::Engine engine_of(std::string_view version, bool citus) {
  using dialect::LockKind;
  if (version.find("CockroachDB") != std::string_view::npos)
    return {"CockroachDB", LockKind::table, true};
  if (const auto yb = version.find("-YB-"); yb != std::string_view::npos) {
    // pg_advisory_lock works from the 2.25 preview on, and in the stable series that followed
    // it (2025.1); the 2024.x stable series came before it
    const auto [major, minor] = yugabyte_version(version, yb + 4);
    const bool advisory = major >= 2025 || (major == 2 && minor >= 25);
    return {"YugabyteDB", advisory ? LockKind::advisory : LockKind::table, true};
  }
  if (citus) return {"Citus", LockKind::advisory, false};
  return {"PostgreSQL", LockKind::advisory, false};
}

dialect::Engine engine(Connection& db) {
  const std::string version(db.exec("SELECT version()").get(0, 0));
  // CockroachDB keeps a pg_extension that is always empty; asking it costs nothing either
  const bool citus =
      db.exec("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')")
          .get(0, 0) == "t";
  return engine_of(version, citus);
}

} // namespace schemagen::pg
