#pragma once
// A content-hash cache, as ccache keeps one: an entry holds a result and every file it was
// computed from, with their sizes, modification times and content hashes; it is valid while each
// file's content is unchanged (a touched but unchanged file costs one hash, after which the entry
// is refreshed). The scan keeps the models' metadata in one, `check --offline` the chain's replay.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace schemagen {

/// Where caches live: $SCHEMAGEN_CACHE_DIR, else $XDG_CACHE_HOME/schemagen, else
/// ~/.cache/schemagen.
std::filesystem::path default_cache_dir();

/// The running schemagen binary (path, size, mtime), so a rebuilt scanner never reuses entries.
std::string executable_identity();

/// 64-bit FNV-1a, as 16 hex digits.
std::string content_hash(std::string_view data);

class ContentCache {
public:
  struct Hit {
    std::string payload;
    std::vector<std::filesystem::path> dependencies;
    /// The entry's file as read ("path size mtime"): what another cache keys on to hold what
    /// was computed from exactly this payload (a rewritten entry has another).
    std::string identity;
  };

  /// The entry for `key` (everything but the files' contents that decides the result) in `dir`;
  /// `kind` names the file ("scan", "check").
  ContentCache(std::filesystem::path dir, std::string_view kind, const std::string& key);

  std::optional<Hit> lookup();
  /// Best effort: a cache that cannot be written only costs the next run its speed.
  void store(const std::string& payload, const std::vector<std::filesystem::path>& dependencies);

private:
  std::filesystem::path file_;
  std::string key_hash_;
};

} // namespace schemagen
