#pragma once
// The scan's content-hash cache: a second scan with no header changed answers without parsing.
// An entry records every file the parse read with its size, modification time and content hash;
// it is valid while each file's content is unchanged (a touched but unchanged file costs one
// hash, after which the entry is refreshed).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace schemagen::scan {

/// The running schemagen binary (path, size, mtime), so a rebuilt scanner never reuses entries.
std::string executable_identity();

/// 64-bit FNV-1a, as 16 hex digits.
std::string content_hash(std::string_view data);

class ScanCache {
public:
  struct Hit {
    std::string yaml;              // the scan's output
    std::string binary;            // the same metadata with source locations (model::to_binary)
    std::vector<std::filesystem::path> dependencies;
  };

  ScanCache(std::filesystem::path dir, const std::string& key);

  std::optional<Hit> lookup();
  /// Best effort: a cache that cannot be written only costs the next scan its speed.
  void store(const std::string& yaml, const std::string& binary,
             const std::vector<std::filesystem::path>& dependencies);

private:
  std::filesystem::path file_;
  std::string key_hash_;
};

} // namespace schemagen::scan
