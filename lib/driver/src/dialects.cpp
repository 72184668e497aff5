// The dialects schemagen serves. Adding one is a folder under lib/ implementing
// schemagen/dialect/dialect.hpp, a line in dialects() below, and its target in this layer's
// CMakeLists.txt.

#include "project.hpp"

#include "schemagen/pg/pg.hpp"
#include "schemagen/sqlite/sqlite.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <fmt/format.h>

namespace schemagen::driver {

const std::vector<const dialect::Dialect*>& dialects() {
  static const std::vector<const dialect::Dialect*> all = {
      &pg::dialect(),
      &sqlite::dialect(),
  };
  return all;
}

namespace {

std::string known() {
  std::vector<std::string_view> names;
  for (const auto* d : dialects()) names.push_back(d->name());
  return fmt::format("{}", fmt::join(names, ", "));
}

/// The URL a command would connect to, when one is named and set.
std::optional<std::string> named_url(const Global& global, const config::Config& cfg) {
  if (auto url = url_given(global); url && !url->empty()) return url;
  // a ${VAR} left unset still leaves the scheme written before it (sqlite:///${DIR}/app.db)
  if (cfg.url_at && !cfg.url.empty()) return cfg.url;
  return std::nullopt;
}

} // namespace

const dialect::Dialect& dialect_for(const Global& global, const config::Config& cfg) {
  const dialect::Dialect* named = nullptr;
  if (cfg.dialect) {
    for (const auto* d : dialects())
      if (d->name() == *cfg.dialect) named = d;
    if (!named)
      throw UserError(*cfg.dialect_at, fmt::format("unknown dialect '{}' (schemagen serves {})",
                                                   *cfg.dialect, known()));
  }
  const auto url = named_url(global, cfg);
  if (!url) return named ? *named : pg::dialect();
  const dialect::Dialect* by_url = nullptr;
  for (const auto* d : dialects())
    if (!by_url && d->handles(*url)) by_url = d;
  if (!by_url)
    throw UserError(fmt::format("error: no dialect serves the database URL {} (schemagen serves "
                                "{}: postgresql://..., sqlite:///path.db)",
                                sql::redact_url(*url), known()));
  if (named && named != by_url)
    throw UserError(*cfg.dialect_at,
                    fmt::format("the configuration says dialect '{}', and the database URL is "
                                "{}'s: make them agree",
                                named->name(), by_url->name()));
  return *by_url;
}

} // namespace schemagen::driver
