#include "schemagen/dialect/dialect.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

namespace schemagen::dialect {

QueryError::QueryError(std::string sql, std::string server_message, std::string sqlstate)
    : DatabaseError(
          fmt::format("error: the database refused:\n  {}\nwith: {}", sql, server_message)),
      sql_(std::move(sql)), server_message_(std::move(server_message)),
      sqlstate_(std::move(sqlstate)) {}

bool excluded(const std::vector<std::string>& patterns, const std::string& schema,
              const std::string& table) {
  const std::string qualified = schema + "." + table;
  for (const auto& p : patterns)
    if (fnmatch(p.c_str(), table.c_str(), 0) == 0 || fnmatch(p.c_str(), qualified.c_str(), 0) == 0)
      return true;
  return false;
}

IndexState Session::index_state(const std::string&, const std::string&) {
  return IndexState::absent;
}

} // namespace schemagen::dialect
