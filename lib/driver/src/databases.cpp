// Several databases from one configuration: without -n, a command serves each database of the
// `databases:` map in turn, as Alembic's multidb template does.

#include "schemagen/config/config.hpp"
#include "schemagen/driver/commands.hpp"
#include "schemagen/support/json.hpp"

#include <cstdlib>
#include <fmt/format.h>
#include <iostream>
#include <sstream>

namespace schemagen::driver {

namespace {

/// While alive, what is written to std::cout goes to `to` instead.
class CoutTo {
public:
  explicit CoutTo(std::ostream& to) : saved_(std::cout.rdbuf(to.rdbuf())) {}
  ~CoutTo() { std::cout.rdbuf(saved_); }
  CoutTo(const CoutTo&) = delete;
  CoutTo& operator=(const CoutTo&) = delete;

private:
  std::streambuf* saved_;
};

/// One database's run; its errors are reported here, so that the next database still runs.
ExitCode run_one(const Global& global, const std::function<ExitCode(const Global&)>& command) {
  try {
    return command(global);
  } catch (const Error& e) {
    std::cout.flush();
    std::cerr << e.what() << '\n';
    return e.code();
  }
}

} // namespace

ExitCode for_each_database(const Global& global, bool json,
                           const std::function<ExitCode(const Global&)>& command) {
  if (global.name) return command(global);
  const auto names = config::database_names(config::find(global.config, fs::current_path()));
  if (names.size() < 2) return command(global);
  // one URL for every database would run every database's chain against one of them
  if (global.url || std::getenv("SCHEMAGEN_DATABASE_URL"))
    throw UserError(fmt::format("error: --url or $SCHEMAGEN_DATABASE_URL names one database, and "
                                "{} are configured ({}): pick the one it is with -n NAME",
                                names.size(), fmt::join(names, ", ")));
  ExitCode worst = ExitCode::ok;
  if (json) std::cout << "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    Global one = global;
    one.name = names[i];
    ExitCode rc;
    if (json) { // one object, each database's document under its name
      std::ostringstream document;
      {
        CoutTo capture(document);
        rc = run_one(one, command);
      }
      auto text = document.str();
      while (!text.empty() && text.back() == '\n') text.pop_back();
      std::cout << (i ? ",\n " : "") << json::str(names[i]) << ": "
                << (text.empty() ? "null" : text);
    } else {
      std::cout << (i ? "\n" : "") << "[" << names[i] << "]\n" << std::flush;
      rc = run_one(one, command);
      std::cout.flush();
    }
    worst = std::max(worst, rc);
  }
  if (json) std::cout << "}\n";
  return worst;
}

} // namespace schemagen::driver
