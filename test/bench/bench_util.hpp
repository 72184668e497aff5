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
