// Online DDL benchmark (issue: "Online DDL"): what a change to a big table costs an application
// that keeps writing to it. On the throwaway PostgreSQL server this program starts, a table of
// N rows (default 3,000,000; `--rows`) and a small table it refers to; one revision makes the
// change: an index, a unique constraint, a foreign key, a check constraint and SET NOT NULL on a
// column that holds no NULLs. Two forms of that revision, each on a freshly loaded database:
//  - plain: the ops as written without `online`, one transaction, each step scanning or building
//    under a lock that stops writes;
//  - online: the same ops with `online: true` (`concurrently: true` for the index), as
//    lib/pg/src/ddl.cpp compiles them.
// While `schemagen upgrade head` runs, a writer thread on its own connection does what an
// application does: single-row UPDATEs and INSERTs in autocommit at a steady rate (`--rate`,
// default 500 a second), each one's latency recorded. Printed for each form: the migration's wall
// time, the writes in that time, the longest a write waited and the p99; target for the online
// form: no write waits more than 1 s (the plain form is the peer: its writes wait for the whole
// build). A monitor thread samples pg_stat_activity meanwhile: what a waiting write was blocked
// by is printed, and each form's statements as the server ran them are left in
// <dir>/<form>-steps.txt, so a miss names the statement that caused it.
// Exit 0 when every step worked, whatever the figures; non-zero when schemagen, a write or a
// check of the result failed.

#include "bench_util.hpp"

#include <atomic>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <libpq-fe.h>
#include <memory>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

using namespace bench;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* writer_name = "online_ddl_bench_writer";
constexpr double target_ms = 1000;

/// One libpq connection; every statement must succeed, else it throws with the server's message.
class Conn {
public:
  explicit Conn(const std::string& url) : conn_(PQconnectdb(url.c_str()), PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK)
      throw std::runtime_error(fmt::format("cannot connect: {}", PQerrorMessage(conn_.get())));
    // DROP DATABASE IF EXISTS's notice is no figure of this program's
    PQsetNoticeProcessor(
        conn_.get(), [](void*, const char*) {}, nullptr);
  }
  /// Runs `sql` with text parameters $1, $2, ...; the rows of its result, each a list of fields.
  std::vector<std::vector<std::string>> exec(const std::string& sql,
                                             const std::vector<std::string>& params = {}) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> r(
        PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                     values.data(), nullptr, nullptr, 0),
        PQclear);
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      throw std::runtime_error(
          fmt::format("{}\n  {}", PQresultErrorMessage(r.get()), sql.substr(0, 200)));
    std::vector<std::vector<std::string>> rows(static_cast<std::size_t>(PQntuples(r.get())));
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (int c = 0; c < PQnfields(r.get()); ++c)
        rows[i].emplace_back(PQgetvalue(r.get(), static_cast<int>(i), c));
    return rows;
  }

private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

double ms_since(Clock::time_point origin, Clock::time_point t = Clock::now()) {
  return std::chrono::duration<double, std::milli>(t - origin).count();
}

/// The table the change is made to, and the one its foreign key refers to. Every column of
/// `orders` is there for one step: placed_at is indexed, code made unique, account_id given the
/// foreign key, qty the check, note (nullable, none of its rows NULL) made NOT NULL. The primary
/// key comes after the rows, which is quicker than keeping it up while they go in.
void load(Conn& db, int rows) {
  db.exec("CREATE TABLE accounts (id integer PRIMARY KEY, name text NOT NULL)");
  db.exec("INSERT INTO accounts SELECT g, 'account ' || g FROM generate_series(1, 1000) g");
  db.exec("CREATE TABLE orders (id bigint NOT NULL, account_id integer NOT NULL, code text NOT "
          "NULL, qty integer NOT NULL, placed_at timestamptz NOT NULL, note text)");
  db.exec("INSERT INTO orders SELECT g, 1 + g % 1000, 'o' || g, g % 100, "
          "timestamptz '2026-01-01' + g * interval '1 second', 'note ' || g "
          "FROM generate_series(1, $1::bigint) g",
          {std::to_string(rows)});
  db.exec("ALTER TABLE orders ADD CONSTRAINT pk_orders PRIMARY KEY (id)");
  db.exec("VACUUM ANALYZE accounts");
  db.exec("VACUUM ANALYZE orders");
  db.exec("CHECKPOINT"); // the load's dirty pages are not written out during the measured run
}

/// The revision in one form: the ops are the same, `online` adds what makes them online.
std::string revision(bool online) {
  const std::string on = online ? ", online: true" : "";
  return fmt::format(
      "# {0} form\nrevision: 0b1d0000da7a\ndown_revision: null\nbranch_labels: []\n"
      "depends_on: []\nmessage: orders constrained ({0})\ncreate_date: 2026-11-25T10:00:00Z\n"
      "upgrade:\n"
      "  - create_index: {{name: ix_orders_placed_at, table: orders, columns: [placed_at]{1}}}\n"
      "  - create_unique_constraint: {{name: uq_orders_code, table: orders, columns: [code]{2}}}\n"
      "  - create_foreign_key: {{name: fk_orders_account_id_accounts, table: orders, columns: "
      "[account_id], referred_table: accounts, referred_columns: [id]{2}}}\n"
      "  - create_check_constraint: {{name: ck_orders_qty, table: orders, expression: \"qty >= "
      "0\"{2}}}\n"
      "  - alter_column: {{table: orders, name: note, nullable: false, existing_type: TEXT, "
      "existing_nullable: true{2}}}\n"
      "downgrade:\n"
      "  - alter_column: {{table: orders, name: note, nullable: true, existing_type: TEXT, "
      "existing_nullable: false}}\n"
      "  - drop_constraint: {{name: ck_orders_qty, table: orders, type: check}}\n"
      "  - drop_constraint: {{name: fk_orders_account_id_accounts, table: orders, type: "
      "foreign_key}}\n"
      "  - drop_constraint: {{name: uq_orders_code, table: orders, type: unique}}\n"
      "  - drop_index: {{name: ix_orders_placed_at, table: orders}}\n",
      online ? "online" : "plain", online ? ", concurrently: true" : "", on);
}

/// That the change is all there: the constraints validated, the indexes valid, note NOT NULL,
/// and the online form's temporary NOT NULL check gone. Empty when so, else what is wrong.
std::string check_result(Conn& db) {
  const auto r = db.exec(
      "SELECT (SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND "
      "convalidated AND conname IN ('uq_orders_code', 'fk_orders_account_id_accounts', "
      "'ck_orders_qty')), (SELECT count(*) FROM pg_index WHERE indrelid = 'orders'::regclass AND "
      "indisvalid AND indexrelid::regclass::text IN ('ix_orders_placed_at', 'uq_orders_code')), "
      "(SELECT attnotnull FROM pg_attribute WHERE attrelid = 'orders'::regclass AND attname = "
      "'note'), (SELECT count(*) FROM pg_constraint WHERE conrelid = 'orders'::regclass AND "
      "contype = 'c')");
  const auto& row = r.at(0);
  if (row == std::vector<std::string>{"3", "2", "t", "1"}) return {};
  return fmt::format("validated constraints {} of 3, valid indexes {} of 2, note NOT NULL: {}, "
                     "check constraints {} (expected 1)",
                     row[0], row[1], row[2], row[3]);
}

/// A thread running `step` again and again until stop(); the first exception ends it, its
/// message kept. The last member of its owner, so it stops before what `step` uses goes.
class Repeat {
public:
  explicit Repeat(std::function<void()> step)
      : thread_([this, step = std::move(step)] {
          try {
            while (!stop_) step();
          } catch (const std::exception& e) {
            error_ = e.what();
          }
        }) {}
  ~Repeat() { stop(); }
  Repeat(const Repeat&) = delete;
  Repeat& operator=(const Repeat&) = delete;

  /// Waits for the step under way (a write may be waiting for the migration's lock).
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::string& error() const { return error_; } // after stop()

private:
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread thread_; // last: it starts once the rest is there
};

struct Write {
  double start_ms, ms; // since the form's origin
};

/// The application: one connection, a write every 1/rate s (the next one starts when the last
/// is done if that was later), UPDATE and INSERT in turn, each its own transaction. The rows
/// inserted satisfy every constraint the change adds, so no write fails after it.
class Writer {
public:
  Writer(const std::string& url, int rows, int rate, Clock::time_point origin)
      : db_(url + "?application_name=" + writer_name), next_id_(rows + 1), row_(1, rows),
        interval_(std::chrono::microseconds(1'000'000 / std::max(rate, 1))), origin_(origin),
        next_(Clock::now()), writes_(reserved()) {}

  void stop() { repeat_.stop(); }
  const std::vector<Write>& writes() const { return writes_; } // after stop()
  const std::string& error() const { return repeat_.error(); }

private:
  static std::vector<Write> reserved() {
    std::vector<Write> v;
    v.reserve(1 << 16);
    return v;
  }

  void write() {
    std::this_thread::sleep_until(next_);
    const auto start = Clock::now();
    if (writes_.size() % 2 == 0) {
      db_.exec("UPDATE orders SET qty = qty + 1, note = 'updated' WHERE id = $1",
               {std::to_string(row_(random_))});
    } else {
      const auto id = std::to_string(next_id_++);
      db_.exec("INSERT INTO orders (id, account_id, code, qty, placed_at, note) "
               "VALUES ($1, $2, $3, 1, now(), 'new')",
               {id, std::to_string(account_(random_)), "o" + id});
    }
    const auto end = Clock::now();
    writes_.push_back({ms_since(origin_, start), ms_since(start, end)});
    next_ = std::max(start + interval_, end);
  }

  Conn db_;
  long next_id_;
  std::mt19937 random_{42};
  std::uniform_int_distribution<int> row_, account_{1, 1000};
  Clock::duration interval_;
  Clock::time_point origin_, next_;
  std::vector<Write> writes_;
  Repeat repeat_{[this] { write(); }};
};

/// Collapses runs of whitespace (a statement's newlines) and cuts it to `width` characters.
std::string one_line(const std::string& sql, std::size_t width = 110) {
  std::string out;
  for (char c : sql) {
    const bool space = std::isspace(static_cast<unsigned char>(c));
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

/// Samples, every 50 ms from a connection to another database (so that it holds no snapshot a
/// concurrent index build would wait for), what schemagen's sessions run and, when the writer
/// waits for a lock, who holds it or is queued ahead of it.
class Monitor {
public:
  Monitor(const std::string& url, std::string db, Clock::time_point origin)
      : conn_(url), db_(std::move(db)), origin_(origin) {}

  void stop() { repeat_.stop(); }
  const std::string& error() const { return repeat_.error(); }

  /// A statement of schemagen's as the samples saw it: from the first sample to the last.
  struct Step {
    double from_ms, to_ms;
    std::string pid, state, wait, query;
  };
  /// What a waiting write was queued behind, and the longest it was seen waiting for it.
  struct Blocker {
    std::string what;
    double longest_ms;
  };
  const std::vector<Step>& steps() const { return steps_; } // after stop()
  std::vector<Blocker> blockers() const {                   // after stop(), longest first
    std::vector<Blocker> out;
    for (const auto& [what, ms] : blockers_) out.push_back({what, ms});
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.longest_ms > b.longest_ms; });
    return out;
  }

private:
  void sample() {
    const double now = ms_since(origin_);
    for (const auto& r :
         // the leaders only (a parallel index build's workers repeat its statement), and of
         // their waits only those for a lock: I/O waits come and go within a statement
         conn_.exec("SELECT pid::text, coalesce(state, ''), CASE WHEN wait_event_type = 'Lock' "
                    "THEN 'waiting for a lock: ' || wait_event ELSE '' END, query FROM "
                    "pg_stat_activity WHERE datname = $1 AND application_name = 'schemagen' AND "
                    "backend_type = 'client backend' ORDER BY pid",
                    {db_}))
      record_step(now, r);
    for (const auto& r :
         conn_.exec("SELECT extract(epoch FROM clock_timestamp() - w.query_start) * 1000, b.pid, "
                    "coalesce(b.application_name, ''), coalesce(b.state, ''), "
                    "coalesce(b.wait_event_type, ''), b.query FROM pg_stat_activity w CROSS JOIN "
                    "LATERAL unnest(pg_blocking_pids(w.pid)) AS q(pid) JOIN pg_stat_activity b ON "
                    "b.pid = q.pid WHERE w.datname = $1 AND w.application_name = $2 AND "
                    "w.wait_event_type = 'Lock'",
                    {db_, writer_name})) {
      const auto what =
          fmt::format("{} pid {} ({}{}): {}", r[2], r[1], r[3],
                      r[4] == "Lock" ? ", itself waiting for a lock" : "", one_line(r[5]));
      auto& longest = blockers_[what];
      longest = std::max(longest, std::stod(r[0]));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  void record_step(double now, const std::vector<std::string>& r) {
    for (auto it = steps_.rbegin(); it != steps_.rend(); ++it)
      if (it->pid == r[0]) {
        if (it->state == r[1] && it->wait == r[2] && it->query == r[3]) {
          it->to_ms = now;
          return;
        }
        break;
      }
    steps_.push_back({now, now, r[0], r[1], r[2], r[3]});
  }

  Conn conn_;
  std::string db_;
  Clock::time_point origin_;
  std::vector<Step> steps_;
  std::map<std::string, double> blockers_;
  Repeat repeat_{[this] { sample(); }};
};

/// One form's figures.
struct Form {
  const char* name = "";
  double migration_ms = 0;
  std::size_t writes = 0;                       // started while the migration ran
  double max_ms = 0, p99_ms = 0, median_ms = 0; // of the writes that overlapped the migration
  double idle_p99_ms = 0, idle_max_ms = 0;      // of the writes before it, the writer alone
  std::vector<Monitor::Blocker> blockers;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

/// Loads a fresh database for the form, starts the writer and the monitor, lets the writer run
/// alone for `settle_ms`, times `schemagen upgrade head`, lets it run `settle_ms` more, and
/// checks the result. Throws when a step failed.
Form run_form(const char* name, bool online, const std::string& server, const fs::path& dir,
              int rows, int rate, int settle_ms) {
  const std::string db = fmt::format("bench_{}", name), url = server + "/" + db;
  {
    Conn admin(server + "/postgres");
    admin.exec("DROP DATABASE IF EXISTS " + db);
    admin.exec("CREATE DATABASE " + db);
  }
  Conn conn(url);
  load(conn, rows);

  const auto project = dir / name;
  fs::remove_all(project);
  write(project / "schemagen.yaml", fmt::format("script_location: revisions\nurl: {}\n", url));
  write(project / "revisions/0b1d0000da7a_orders_constrained.yaml", revision(online));
  // the SQL each form runs, for the reader of the figures (and a check the revision compiles)
  if (run({SCHEMAGEN_BIN, "upgrade", "head", "--sql"}, project, dir / fmt::format("{}.sql", name))
          .exit_code != 0)
    throw std::runtime_error(fmt::format("schemagen upgrade head --sql ({}) failed:\n{}", name,
                                         read(dir / fmt::format("{}.sql", name))));

  const auto origin = Clock::now();
  Monitor monitor(server + "/postgres", db, origin);
  Writer writer(url, rows, rate, origin);
  std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  const double begin_ms = ms_since(origin);
  const auto log = dir / fmt::format("{}-upgrade.log", name);
  const auto m = run({SCHEMAGEN_BIN, "-v", "upgrade", "head"}, project, log);
  const double end_ms = ms_since(origin);
  std::this_thread::sleep_for(std::chrono::milliseconds(settle_ms));
  writer.stop();
  monitor.stop();

  // every form's statements as the server ran them, the migration's start and end beside them
  // (one sampled every 50 ms: a statement quicker than that may be missing)
  std::string steps = fmt::format("{:>9.0f}  schemagen upgrade head started\n", begin_ms);
  for (const auto& s : monitor.steps())
    steps +=
        fmt::format("{:>9.0f}  {:>7.0f} ms  pid {} {}{}: {}\n", s.from_ms, s.to_ms - s.from_ms,
                    s.pid, s.state, s.wait.empty() ? "" : " " + s.wait, one_line(s.query, 200));
  steps += fmt::format("{:>9.0f}  schemagen upgrade head ended (exit {})\n", end_ms, m.exit_code);
  write(dir / fmt::format("{}-steps.txt", name), steps);

  if (m.exit_code != 0)
    throw std::runtime_error(fmt::format("schemagen upgrade head ({}) failed (exit {}):\n{}", name,
                                         m.exit_code, read(log).substr(0, 3000)));
  if (!writer.error().empty())
    throw std::runtime_error(fmt::format("a write failed ({}): {}", name, writer.error()));
  if (!monitor.error().empty())
    throw std::runtime_error(fmt::format("the monitor failed ({}): {}", name, monitor.error()));
  if (const auto wrong = check_result(conn); !wrong.empty())
    throw std::runtime_error(fmt::format("after the {} form's upgrade: {}", name, wrong));

  Form f;
  f.name = name;
  f.migration_ms = m.ms;
  f.blockers = monitor.blockers();
  std::vector<double> during, idle;
  // the writer's first UPDATE and first INSERT fill its connection's caches: not counted
  const auto& writes = writer.writes();
  for (std::size_t i = 2; i < writes.size(); ++i) {
    const auto& w = writes[i];
    if (w.start_ms + w.ms < begin_ms)
      idle.push_back(w.ms);
    else if (w.start_ms <= end_ms)
      during.push_back(w.ms);
    if (w.start_ms >= begin_ms && w.start_ms <= end_ms) ++f.writes;
  }
  if (during.empty() || idle.empty())
    throw std::runtime_error(fmt::format("the writer did no writes ({})", name));
  f.max_ms = *std::max_element(during.begin(), during.end());
  f.p99_ms = percentile(during, 0.99);
  f.median_ms = percentile(during, 0.5);
  f.idle_max_ms = *std::max_element(idle.begin(), idle.end());
  f.idle_p99_ms = percentile(idle, 0.99);

  Conn(server + "/postgres").exec("DROP DATABASE " + db + " WITH (FORCE)"); // its disk back
  return f;
}

} // namespace

int main(int argc, char** argv) try {
  const Args args(argc, argv);
  const int rows = args.number("rows", 3'000'000);
  const int rate = args.number("rate", 500);
  const int settle_ms = args.number("settle-ms", 1000);
  const fs::path dir = args.path("dir", fs::temp_directory_path() / "schemagen-online-ddl-bench");
  fs::remove_all(dir);
  fs::create_directories(dir);

  Cluster pg(dir / "pg");
  if (!pg.ok()) return 1;
  const std::string server = pg.url().substr(0, pg.url().rfind('/'));
  // the plain form first: the online one then runs on a server that has done the same work once
  const auto plain = run_form("plain", false, server, dir, rows, rate, settle_ms);
  const auto online = run_form("online", true, server, dir, rows, rate, settle_ms);

  fmt::print("online DDL benchmark: orders, {} rows; an index, a unique constraint, a foreign key, "
             "a check and SET NOT NULL added while a writer does {} single-row UPDATEs/INSERTs a "
             "second (autocommit)\n",
             rows, rate);
  constexpr const char* row = "{:<44} {:>12} {:>8} {:>12} {:>9} {:>9}   {}\n";
  fmt::print(row, "form", "migration ms", "writes", "max wait ms", "p99 ms", "median", "target");
  fmt::print(row, "the writer alone, before the plain form", "-", "-",
             fmt::format("{:.1f}", plain.idle_max_ms), fmt::format("{:.2f}", plain.idle_p99_ms),
             "-", "-");
  for (const auto* f : {&plain, &online}) {
    const bool is_online = f == &online;
    fmt::print(row,
               is_online ? "online (online: true, concurrently: true)"
                         : "plain (one transaction; the peer)",
               fmt::format("{:.0f}", f->migration_ms), f->writes, fmt::format("{:.1f}", f->max_ms),
               fmt::format("{:.2f}", f->p99_ms), fmt::format("{:.2f}", f->median_ms),
               is_online ? fmt::format("no write waits > 1 s: {}", verdict(f->max_ms <= target_ms))
                         : std::string("(writes wait for the whole build)"));
  }
  for (const auto* f : {&plain, &online}) {
    if (f->blockers.empty()) continue;
    fmt::print("{}: what the waiting writes were queued behind (longest wait seen, sampled every "
               "50 ms):\n",
               f->name);
    for (std::size_t i = 0; i < std::min<std::size_t>(f->blockers.size(), 4); ++i)
      fmt::print("  {:>8.0f} ms  {}\n", f->blockers[i].longest_ms, f->blockers[i].what);
  }
  fmt::print("each form's SQL, and its statements as the server ran them: {}/{{plain,online}}"
             "{{.sql,-steps.txt}}\n",
             dir.string());
  return 0;
} catch (const std::exception& e) {
  fmt::print(stderr, "online_ddl_bench: {}\n", e.what());
  return 1;
}
