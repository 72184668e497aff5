// The run's lock as one row of <version_table>_lock: owner (this run's random id), host, pid,
// started, expires.
//
// Why a connection of its own. The run's connection is inside the run's transactions: a row
// written there would be invisible to the other runs until COMMIT and rolled back with a failure;
// and it is busy for minutes in one long statement (CREATE INDEX CONCURRENTLY, a batched fill),
// when nothing could renew the row. So the row is taken, renewed and released on a second
// connection, each statement committing on its own, and a background thread renews it every third
// of the expiry. The row then says "alive" exactly as long as this process runs and reaches the
// database, whatever the run's connection is doing.
//
// Time is the database's: expires is set from now() and compared with now(), so the clocks of
// the machines that run schemagen need not agree.
//
// Taking over. One statement, INSERT ... ON CONFLICT (id) DO UPDATE ... WHERE expires < now():
// the row's own lock serialises two runs racing for a stale row, and only the first still sees it
// expired. A live run's row is never written by another.
//
// Losing it. When the heartbeat has not renewed the row for a whole expiry (the database out of
// its reach), or finds it owned by another run, another run may be migrating now. The run's
// statement is cancelled and its session refuses every statement and COMMIT after it (LockWatch),
// so its open transaction rolls back; what it committed before is in the version table and log,
// as after any failure.

#include "table_lock.hpp"

#include "schemagen/support/sql.hpp"

#include <chrono>
#include <condition_variable>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <random>
#include <thread>
#include <unistd.h>

namespace schemagen::pg {

void LockWatch::lose(std::string why) {
  {
    std::lock_guard held(m_);
    why_ = std::move(why);
  }
  lost_.store(true);
}

void LockWatch::check() const {
  if (!lost_.load()) return;
  std::lock_guard held(m_);
  throw DatabaseError(why_);
}

namespace {

using Clock = std::chrono::steady_clock;

std::string random_run_id() {
  std::random_device rd;
  return fmt::format("{:08x}{:08x}", rd(), rd());
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

class TableLock : public dialect::Lock {
public:
  TableLock(const Connection& run, const dialect::LockRequest& request,
            std::shared_ptr<LockWatch> watch)
      : db_(run.another()), table_(sql::qualified(request.schema, request.table)),
        owner_(random_run_id()), expiry_(request.expiry), watch_(std::move(watch)),
        cancel_(PQgetCancel(run.handle()), PQfreeCancel) {
    create_table();
    take(request);
    heartbeat_ = std::thread([this] { beat(); });
  }

  ~TableLock() override {
    {
      std::lock_guard held(m_);
      stopping_ = true;
    }
    wake_.notify_all();
    heartbeat_.join();
    try {
      db_->exec(fmt::format("DELETE FROM {} WHERE owner = $1", table_), {owner_});
    } catch (...) { // the database out of reach: the row expires, and the next run takes it over
    }
  }

private:
  void create_table() {
    try {
      db_->exec(fmt::format("CREATE TABLE IF NOT EXISTS {} (\n    id INTEGER PRIMARY KEY CHECK "
                            "(id = 1),\n    owner TEXT NOT NULL,\n    host TEXT NOT NULL,\n    "
                            "pid INTEGER NOT NULL,\n    started TIMESTAMP WITH TIME ZONE NOT "
                            "NULL,\n    expires TIMESTAMP WITH TIME ZONE NOT NULL\n)",
                            table_));
    } catch (const QueryError& e) {
      // two first runs creating it at once: PostgreSQL fails the second on its catalog's keys
      if (e.sqlstate() != "23505" && e.sqlstate() != "42P07") throw;
    }
    db_->take_notices(); // "already exists, skipping"
  }

  /// A row's run, as messages name it.
  static constexpr std::string_view who =
      "'run ' || owner || ' on host ' || host || ', pid ' || pid";

  void take(const dialect::LockRequest& request) {
    // returns the row it replaced, if any: a run that died holding the lock is worth a word
    const auto sql = fmt::format(
        "WITH before AS (SELECT {1} || ', which expired at ' || expires AS who FROM {0}) "
        "INSERT INTO {0} AS l (id, owner, host, pid, started, expires) VALUES (1, $1, $2, "
        "$3::integer, now(), now() + $4::bigint * INTERVAL '1 second') ON CONFLICT (id) DO "
        "UPDATE SET owner = EXCLUDED.owner, host = EXCLUDED.host, pid = EXCLUDED.pid, started = "
        "EXCLUDED.started, expires = EXCLUDED.expires WHERE l.expires < now() RETURNING (SELECT "
        "who FROM before)",
        table_, who);
    const std::vector<std::optional<std::string>> params = {
        owner_, host_name(), std::to_string(::getpid()), std::to_string(expiry_.count())};
    const auto timeout = request.timeout;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
      const auto sent = Clock::now();
      const auto taken = db_->exec(sql, params);
      if (taken.rows() == 1) {
        renewed_ = sent; // the row expires no sooner than expiry_ after this
        if (!taken.is_null(0, 0) && request.on_warning)
          request.on_warning(fmt::format(
              "warning: took over the lock (lock table {}) from {}, unreleased: that run died or "
              "lost the database",
              table_, taken.get(0, 0)));
        return;
      }
      if (Clock::now() >= deadline)
        throw DatabaseError(fmt::format(
            "error: another migration holds the lock on this version table ({}); gave up after "
            "{:.0f} s. Wait for it to finish, or raise lock_timeout.",
            holder(), std::chrono::duration<double>(timeout).count()));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  /// Who holds the lock, as the row says.
  std::string holder() {
    auto r = db_->exec(fmt::format("SELECT {} || ', since ' || started || '; expires ' || expires "
                                   "|| ' unless renewed' FROM {}",
                                   who, table_));
    if (r.rows() == 0) return fmt::format("lock table {}: released just now", table_);
    return fmt::format("lock table {}: {}", table_, r.get(0, 0));
  }

  /// The heartbeat thread: the only user of db_ until the destructor has joined it.
  void beat() {
    const auto renew_sql = fmt::format(
        "UPDATE {} SET expires = now() + $2::bigint * INTERVAL '1 second' WHERE owner = $1 "
        "RETURNING 1",
        table_);
    const std::vector<std::optional<std::string>> params = {owner_,
                                                            std::to_string(expiry_.count())};
    std::unique_lock held(m_);
    while (!wake_.wait_for(held, std::chrono::duration_cast<Clock::duration>(expiry_) / 3,
                           [this] { return stopping_; })) {
      held.unlock();
      const auto sent = Clock::now();
      std::string failure;
      try {
        if (db_->exec(renew_sql, params).rows() == 1)
          renewed_ = sent; // written after this: the row expires no sooner than expiry_ after it
        else
          return lose("its row was taken over by another run");
      } catch (const Error& e) {
        failure = e.what();
        db_->reset(); // the next beat tries on a new connection
      }
      if (Clock::now() - renewed_ >= expiry_)
        return lose(fmt::format("it could not be renewed for {} s: {}", expiry_.count(), failure));
      held.lock();
    }
  }

  void lose(const std::string& why) {
    watch_->lose(fmt::format(
        "error: this run lost its lock on the version table (lock table {}): {}. Another run may "
        "be migrating now: this one stops, its open transaction rolled back; what it committed "
        "before stays. Run it again once the other has finished.",
        table_, why));
    char message[256];
    if (cancel_) PQcancel(cancel_.get(), message, sizeof message); // stop the run's statement
  }

  std::unique_ptr<Connection> db_;
  std::string table_, owner_;
  std::chrono::seconds expiry_;
  Clock::time_point renewed_; // before the last write of the row that succeeded
  std::shared_ptr<LockWatch> watch_;
  std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel_;
  std::mutex m_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

} // namespace

std::unique_ptr<dialect::Lock> table_lock(const Connection& run,
                                          const dialect::LockRequest& request,
                                          std::shared_ptr<LockWatch> watch) {
  return std::make_unique<TableLock>(run, request, std::move(watch));
}

} // namespace schemagen::pg
