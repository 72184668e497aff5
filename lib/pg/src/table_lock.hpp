#pragma once
// The run's lock as a row in a lock table, for PostgreSQL-compatible engines whose advisory locks
// lock nothing (CockroachDB, YugabyteDB before 2.25). See table_lock.cpp for the design.

#include "schemagen/pg/connection.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace schemagen::pg {

/// What the run's session asks before each statement and COMMIT: whether its table lock was lost
/// (not renewed in time, and taken over), and why. A run that lost its lock must not commit.
class LockWatch {
public:
  void lose(std::string why);
  /// Throws DatabaseError saying why, once the lock is lost.
  void check() const;

private:
  std::atomic<bool> lost_{false};
  mutable std::mutex m_;
  std::string why_;
};

/// Takes the lock (waiting at most request.timeout) on a connection of its own opened like
/// `run`, and holds it until destroyed. Losing it is told to `watch`, and the statement `run` is
/// executing then is cancelled.
std::unique_ptr<dialect::Lock> table_lock(const Connection& run,
                                          const dialect::LockRequest& request,
                                          std::shared_ptr<LockWatch> watch);

} // namespace schemagen::pg
