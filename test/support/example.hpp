#pragma once
// The example application's scan options, as its own schema/schemagen.yaml gives them for its
// PostgreSQL database (`main`).

#include "schemagen/config/config.hpp"
#include "schemagen/scan/scan.hpp"

namespace schemagen::testing {

inline scan::Options example_scan_options() {
  const auto cfg = config::load(SCHEMAGEN_SOURCE_DIR "/schema/schemagen.yaml", "main");
  scan::Options options;
  options.sources = cfg.models.sources;
  options.args = cfg.models.args;
  options.working_dir = cfg.dir;
  return options;
}

} // namespace schemagen::testing
