#pragma once
// Models compared with the database, or offline with the schema the revision chain builds.

#include "project.hpp"
#include "schemagen/compare/compare.hpp"
#include "schemagen/pgparse/pgparse.hpp"
#include "schemagen/ops/apply.hpp"
#include "schemagen/scan/scan.hpp"

namespace schemagen::driver {

model::Metadata scan_models(const config::Config& cfg);
/// The models as database kind `d` keeps them: schema_map applied, then the dialect's lowering.
model::Metadata models_for(const config::Config& cfg, const dialect::Dialect& d);
/// The scan of the configuration's model headers (from the scan's cache when no header changed),
/// not yet read into metadata; its errors are a UserError.
scan::Result scan_for(const config::Config& cfg);
/// models_for() from a scan_for() result.
model::Metadata models_for(const config::Config& cfg, const dialect::Dialect& d,
                           scan::Result scanned);

struct Comparison {
  compare::Result result;
  std::vector<std::string> unaccounted; // offline: what the chain did that replay cannot know
};

/// Online: with `at`, the database must be at exactly those revisions (else exit 1, saying where
/// it is). With `timings`, how long each phase took is reported on stderr (-v).
Comparison compare_online(const Project& p, dialect::Session& db,
                          const std::optional<std::vector<std::string>>& at, bool timings = false);
/// Offline: the chain's upgrade ops replayed in memory from base to `targets` (revision specs;
/// empty: every head).
Comparison compare_offline(const Project& p, const std::vector<std::string>& targets = {});

/// The chain's upgrade ops replayed in memory from base to `targets` (revision specs; empty: every
/// head; "base": none); what replay cannot follow (an execute without replay:) goes to
/// `unaccounted`, and what kinds of view and object the ops made to `managed` when given.
model::Metadata replay_chain(const Project& p, std::vector<std::string>& unaccounted,
                             const std::vector<std::string>& targets,
                             compare::Managed* managed = nullptr);
/// The kinds of view and schema object the chain's ops from base to `targets` made.
compare::Managed chain_managed(const Project& p, const std::vector<std::string>& targets);

/// Applies `op` to the schema `replay` builds, an execute's effect followed as execute_effect()
/// knows it. False (and `why` says what) for an execute that does what replay cannot know.
bool replay_followed(const Project& p, ops::Replay& replay, const ops::Op& op, std::string& why);

/// What an execute does to the schema, where replay can know it.
struct Effect {
  std::vector<ops::Op> ops; // its replay: (applied as they are); none for SQL changing only rows
  /// or the statements of its PostgreSQL SQL the parse follows, whose ops are what
  /// pgparse::on_schema() makes of them on the schema each meets (OR REPLACE, IF EXISTS, GRANT)
  std::vector<pgparse::Statement> statements;
};

/// What an execute does to the schema: its replay:, what the parse follows of its PostgreSQL
/// SQL, nothing for SQL that changes only rows. Otherwise nullopt, and `why` says what cannot be
/// followed.
std::optional<Effect> execute_effect(const Project& p, const ops::Execute& e, std::string& why);

/// Applies `effect` to the schema `replay` builds. False, `why` naming the statement and what
/// the schema lacks or has already, when a statement's ops cannot apply there as its SQL would
/// (what came before it in the effect is applied).
bool apply_effect(ops::Replay& replay, const Effect& effect, std::string& why);

/// The ops that take schema `from` to schema `to`, both as the chain's ops build them (replayed),
/// compared as offline comparison compares: canonical forms, ops in `to`'s spelling.
compare::Result compare_replayed(const Project& p, const model::Metadata& from,
                                 const model::Metadata& to);

/// Prints what was detected, one op per line, and the warnings (stderr).
void report(const Comparison& c, int verbosity);

} // namespace schemagen::driver
