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

std::vector<std::string> bulk_insert_sql(const ops::BulkInsert& op, const std::string& table,
                                         std::string (*name)(std::string_view),
                                         std::string (*text)(std::string_view)) {
  auto literal = [&](const ops::Literal& l) -> std::string {
    switch (l.kind) {
    case ops::Literal::Kind::null: return "NULL";
    case ops::Literal::Kind::boolean:
    case ops::Literal::Kind::number: return l.text;
    case ops::Literal::Kind::string: return text(l.text);
    }
    return "NULL";
  };
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < op.rows.size()) {
    std::vector<std::string> columns;
    for (const auto& [c, v] : op.rows[i]) columns.push_back(c);
    std::vector<std::string> tuples;
    for (; i < op.rows.size(); ++i) {
      std::vector<std::string> these, values;
      for (const auto& [c, v] : op.rows[i]) {
        these.push_back(c);
        values.push_back(literal(v));
      }
      if (these != columns) break;
      tuples.push_back(fmt::format("({})", fmt::join(values, ", ")));
    }
    std::vector<std::string> quoted;
    for (const auto& c : columns) quoted.push_back(name(c));
    out.push_back(fmt::format("INSERT INTO {} ({}) VALUES\n    {}", table, fmt::join(quoted, ", "),
                              fmt::join(tuples, ",\n    ")));
  }
  return out;
}

IndexState Session::index_state(const std::string&, const std::string&) {
  return IndexState::absent;
}

Engine Session::engine() { return {std::string(dialect().name()), LockKind::advisory, false}; }

} // namespace schemagen::dialect
