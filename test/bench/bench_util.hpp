#pragma once
// Shared by the benchmark programs: run a command as a child process and measure it.

#include "pg_env.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace bench {

namespace fs = std::filesystem;

struct Measure {
  double ms = 0;
  double cpu_ms = 0; // the child's user and system time: less at the mercy of a busy machine
  long peak_kb = 0;
  int exit_code = 0;
};

/// Runs argv in `dir`, stdout and stderr to `log`; wall time and the child's peak RSS.
inline Measure run(const std::vector<std::string>& argv, const fs::path& dir, const fs::path& log) {
  // the child would otherwise write out again what this process printed and has not flushed
  std::fflush(nullptr);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    FILE* out = freopen(log.c_str(), "w", stdout);
    if (!out || dup2(fileno(stdout), 2) < 0) _exit(127);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  Measure m;
  m.ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  const auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  m.cpu_ms = ms(usage.ru_utime) + ms(usage.ru_stime);
  m.peak_kb = usage.ru_maxrss;
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  return m;
}

/// `runs` measurements (at least one), fastest first. Every run must succeed: the first that
/// fails ends them and is the only one returned (its exit code, and its output left in `log`).
/// `between`, when given, runs after each measurement (to undo what the command wrote).
template <class Between>
std::vector<Measure> measure_runs(int runs, const std::vector<std::string>& argv,
                                  const fs::path& dir, const fs::path& log, Between between) {
  std::vector<Measure> all;
  for (int i = 0; i < std::max(runs, 1); ++i) {
    all.push_back(run(argv, dir, log));
    if (all.back().exit_code != 0) return {all.back()};
    between();
  }
  std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.ms < b.ms; });
  return all;
}

/// The median of measure_runs(), by wall time; the failed run instead when one failed.
template <class Between>
Measure median(int runs, const std::vector<std::string>& argv, const fs::path& dir,
               const fs::path& log, Between between) {
  const auto all = measure_runs(runs, argv, dir, log, between);
  return all[all.size() / 2];
}
inline Measure median(int runs, const std::vector<std::string>& argv, const fs::path& dir,
                      const fs::path& log) {
  return median(runs, argv, dir, log, [] {});
}

inline void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

inline std::string read(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// The time `schemagen -v` printed for one of its phases ("reflect: 12.3 ms"), or -1.
inline double phase_ms(const std::string& log, const std::string& phase) {
  std::smatch m;
  if (std::regex_search(log, m, std::regex(phase + R"(: ([0-9.]+) ms)"))) return std::stod(m[1]);
  return -1;
}

inline const char* verdict(bool ok) { return ok ? "ok" : "MISSED"; }

/// How many times `what` occurs in `text`.
inline long occurrences(const std::string& text, const std::string& what) {
  long n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// ---- Alembic (Debian's python3-alembic), beside schemagen ----------------------------------

/// `alembic revision --autogenerate`, run in an alembic_project() directory.
inline const std::vector<std::string> alembic_autogenerate{
    "/usr/bin/python3", "-m", "alembic", "revision", "--autogenerate", "-m", "x"};

/// SQLAlchemy's spelling (psycopg2) of a postgresql:// URL.
inline std::string psycopg2_url(const std::string& url) {
  return "postgresql+psycopg2" + url.substr(url.find(':'));
}

/// An Alembic project in `dir`: alembic.ini, script.py.mako, an empty versions/ and an env.py
/// comparing the SQLAlchemy models of models.py beside them (write_models() writes it) with the
/// database at SQLAlchemy's `url`, types and server defaults included as schemagen compares them;
/// `configure` adds keyword arguments to context.configure() (", render_as_batch=True").
inline void alembic_project(const fs::path& dir, const std::string& url,
                            const std::string& configure = "") {
  write(dir / "alembic.ini", "[alembic]\nscript_location = .\n");
  write(dir / "script.py.mako",
        "\"\"\"${message}\"\"\"\nrevision = ${repr(up_revision)}\ndown_revision = "
        "${repr(down_revision)}\n"
        "branch_labels = None\ndepends_on = None\nfrom alembic import op\nimport sqlalchemy as sa\n"
        "def upgrade():\n    ${upgrades if upgrades else 'pass'}\ndef downgrade():\n    "
        "${downgrades if downgrades else 'pass'}\n");
  write(dir / "env.py",
        "import sys\nsys.path.insert(0, '.')\nfrom alembic import context\nfrom sqlalchemy "
        "import create_engine\nimport models\nengine = create_engine('" +
            url +
            "')\nwith engine.connect() as connection:\n"
            "    context.configure(connection=connection, target_metadata=models.metadata, "
            "compare_type=True,\n"
            "                      compare_server_default=True" +
            configure +
            ")\n    with context.begin_transaction():\n        context.run_migrations()\n");
  fs::create_directories(dir / "versions");
}

/// The operations in upgrade() of the revisions Alembic wrote into `dir`/versions (their op.
/// calls), which are then removed, so that the next run autogenerates from the same head.
inline long take_alembic_ops(const fs::path& dir) {
  long n = 0;
  for (const auto& e : fs::directory_iterator(dir / "versions")) {
    if (e.path().extension() == ".py") {
      const auto text = read(e.path());
      n += occurrences(text.substr(0, text.find("def downgrade")), "op.");
    }
    fs::remove_all(e.path());
  }
  return n;
}

/// Runs that must succeed: a failed one is printed with the start of its log and counted.
class Checked {
public:
  Measure operator()(const Measure& m, const char* what, const fs::path& log) {
    if (m.exit_code != 0) {
      std::fprintf(stderr, "%s failed (exit %d):\n%s\n", what, m.exit_code,
                   read(log).substr(0, 3000).c_str());
      ++failures_;
    }
    return m;
  }
  int failures() const { return failures_; }

private:
  int failures_ = 0;
};

/// The throwaway PostgreSQL cluster of test/pg/start.sh, stopped when this goes.
class Cluster {
public:
  explicit Cluster(fs::path state) : state_(std::move(state)) {
    ok_ =
        std::system(
            ("bash " + std::string(PG_START) + " " + state_.string() + " >/dev/null").c_str()) == 0;
    if (!ok_) {
      std::fprintf(stderr, "could not start PostgreSQL\n");
      return;
    }
    const auto env = schemagen::testing::read_env((state_ / "env").string());
    url_ = env.at("SCHEMAGEN_TEST_PG_URL");
    bin_ = env.at("SCHEMAGEN_TEST_PG_BIN");
  }
  ~Cluster() {
    std::system(("bash " + std::string(PG_STOP) + " " + state_.string() + " >/dev/null").c_str());
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  bool ok() const { return ok_; }
  const std::string& url() const {
    return url_;
  } // postgresql://postgres:...@127.0.0.1:PORT/postgres
  std::string psql() const { return bin_ + "/psql"; }

private:
  fs::path state_;
  bool ok_ = false;
  std::string url_, bin_;
};

/// "--name value" pairs from the command line.
class Args {
public:
  Args(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) values_[argv[i]] = argv[i + 1];
  }
  int number(const std::string& name, int fallback) const {
    auto it = values_.find("--" + name);
    return it == values_.end() ? fallback : std::atoi(it->second.c_str());
  }
  std::string text(const std::string& name, std::string fallback) const {
    auto it = values_.find("--" + name);
    return it == values_.end() ? fallback : it->second;
  }
  fs::path path(const std::string& name, fs::path fallback) const {
    auto it = values_.find("--" + name);
    return it == values_.end() ? fallback : fs::path(it->second);
  }

private:
  std::map<std::string, std::string> values_;
};

} // namespace bench
