// The dialect a project's command uses: the database URL's (lib/migrate lists the dialects),
// agreeing with the configuration's `dialect:` when it names one.

#include "project.hpp"
#include "schemagen/migrate/online.hpp"
#include "schemagen/pg/pg.hpp"

#include <fmt/format.h>

namespace schemagen::driver {

namespace {

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
    for (const auto* d : migrate::dialects())
      if (d->name() == *cfg.dialect) named = d;
    if (!named)
      throw UserError(*cfg.dialect_at, fmt::format("unknown dialect '{}' (schemagen serves {})",
                                                   *cfg.dialect, migrate::dialect_names()));
  }
  const auto url = named_url(global, cfg);
  if (!url) return named ? *named : pg::dialect();
  const auto& by_url = migrate::dialect_for_url(*url);
  if (named && named != &by_url)
    throw UserError(*cfg.dialect_at,
                    fmt::format("the configuration says dialect '{}', and the database URL is "
                                "{}'s: make them agree",
                                named->name(), by_url.name()));
  return by_url;
}

} // namespace schemagen::driver
