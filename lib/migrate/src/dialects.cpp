// The dialects schemagen serves, for the command line and the Migrator alike.

#include "schemagen/migrate/online.hpp"
#include "schemagen/pg/pg.hpp"
#include "schemagen/sqlite/sqlite.hpp"
#include "schemagen/support/sql.hpp"

#include <fmt/format.h>

namespace schemagen::migrate {

const std::vector<const dialect::Dialect*>& dialects() {
  static const std::vector<const dialect::Dialect*> all = {
      &pg::dialect(),
      &sqlite::dialect(),
  };
  return all;
}

std::string dialect_names() {
  std::vector<std::string_view> names;
  for (const auto* d : dialects()) names.push_back(d->name());
  return fmt::format("{}", fmt::join(names, ", "));
}

const dialect::Dialect& dialect_for_url(std::string_view url) {
  for (const auto* d : dialects())
    if (d->handles(url)) return *d;
  throw UserError(fmt::format("error: no dialect serves the database URL {} (schemagen serves "
                              "{}: postgresql://..., sqlite:///path.db)",
                              sql::redact_url(url), dialect_names()));
}

} // namespace schemagen::migrate
