#pragma once
// Models compared with the database, or offline with the schema the revision chain builds.

#include "project.hpp"
#include "schemagen/compare/compare.hpp"

namespace schemagen::driver {

model::Metadata scan_models(const config::Config& cfg);

struct Comparison {
  compare::Result result;
  std::vector<std::string> unaccounted; // offline: what the chain did that replay cannot know
};

/// Online: the database must be at the chain's heads (else exit 1, "run upgrade first").
/// With `timings`, how long each phase took is reported on stderr (-v).
Comparison compare_online(const Project& p, pg::Connection& db, bool require_head,
                          bool timings = false);
/// Offline: the chain's upgrade ops replayed in memory from base to its heads.
Comparison compare_offline(const Project& p);

/// Prints what was detected, one op per line, and the warnings (stderr).
void report(const Comparison& c, int verbosity);

} // namespace schemagen::driver
