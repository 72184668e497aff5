#pragma once
// The throwaway cluster's settings as test/pg/start.sh writes them: export KEY='value' lines.

#include <fstream>
#include <map>
#include <string>

namespace schemagen::testing {

inline std::map<std::string, std::string> read_env(const std::string& path) {
  std::map<std::string, std::string> env;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (line.rfind("export ", 0) != 0 || eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'') value = value.substr(1, value.size() - 2);
    env[line.substr(7, eq - 7)] = value;
  }
  return env;
}

} // namespace schemagen::testing
