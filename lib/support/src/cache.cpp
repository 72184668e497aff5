#include "schemagen/support/cache.hpp"

#include "schemagen/support/files.hpp"

#include <charconv>
#include <cstdlib>
#include <fmt/format.h>
#include <sys/stat.h>

namespace schemagen {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view magic = "schemagen-cache 4";

struct FileStamp {
  long long size = -1;
  long long mtime_ns = -1;
};

FileStamp stamp(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {static_cast<long long>(st.st_size),
          static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

std::string hash_file(const fs::path& path) {
  try {
    return content_hash(read_file(path));
  } catch (const std::exception&) {
    return {};
  }
}

/// Splits off the next line of `text` from `pos`.
std::string_view next_line(std::string_view text, std::size_t& pos) {
  const auto end = text.find('\n', pos);
  std::string_view line =
      text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
  pos = end == std::string_view::npos ? text.size() : end + 1;
  return line;
}

} // namespace

fs::path default_cache_dir() {
  if (const char* env = std::getenv("SCHEMAGEN_CACHE_DIR"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "schemagen";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache/schemagen";
  return fs::temp_directory_path() / "schemagen-cache";
}

std::string content_hash(std::string_view data) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

std::string executable_identity() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  const auto s = stamp(exe);
  return fmt::format("{} {} {}", exe.string(), s.size, s.mtime_ns);
}

ContentCache::ContentCache(fs::path dir, std::string_view kind, const std::string& key)
    : key_hash_(content_hash(key)) {
  file_ = dir / fmt::format("{}-{}.cache", kind, key_hash_);
}

std::optional<ContentCache::Hit> ContentCache::lookup() {
  std::string text;
  std::error_code ec;
  if (!fs::is_regular_file(file_, ec)) return std::nullopt;
  // the same file before and after it is read: not one another run replaced meanwhile
  const FileStamp before = stamp(file_);
  try {
    text = read_file(file_);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  const FileStamp after = stamp(file_);
  if (before.size != after.size || before.mtime_ns != after.mtime_ns) return std::nullopt;
  std::size_t pos = 0;
  if (next_line(text, pos) != magic || next_line(text, pos) != key_hash_) return std::nullopt;
  Hit hit;
  hit.identity = fmt::format("{} {} {}", file_.string(), after.size, after.mtime_ns);
  bool refreshed = false;
  for (;;) {
    if (pos >= text.size()) return std::nullopt;
    std::string_view line = next_line(text, pos);
    if (line == "---") break;
    // "<size> <mtime_ns> <hash> <path>"
    FileStamp recorded;
    auto p = line.data(), end = line.data() + line.size();
    auto r1 = std::from_chars(p, end, recorded.size);
    auto r2 = std::from_chars(r1.ptr + 1, end, recorded.mtime_ns);
    if (r1.ec != std::errc() || r2.ec != std::errc() || r2.ptr + 18 > end) return std::nullopt;
    const std::string_view hash(r2.ptr + 1, 16);
    const fs::path path(std::string(r2.ptr + 18, end));
    const FileStamp now = stamp(path);
    if (now.size < 0) return std::nullopt; // gone
    if (now.size != recorded.size || now.mtime_ns != recorded.mtime_ns) {
      if (now.size != recorded.size || hash_file(path) != hash) return std::nullopt;
      refreshed = true; // touched, same content
    }
    hit.dependencies.push_back(path);
  }
  text.erase(0, pos); // the payload, without copying what can be tens of megabytes
  hit.payload = std::move(text);
  if (refreshed) {
    store(hit.payload, hit.dependencies);
    hit.identity.clear(); // rewritten: what it is now was not read
  }
  return hit;
}

void ContentCache::store(const std::string& payload, const std::vector<fs::path>& dependencies) {
  std::string out = fmt::format("{}\n{}\n", magic, key_hash_);
  for (const auto& dep : dependencies) {
    const FileStamp s = stamp(dep);
    const std::string hash = hash_file(dep);
    if (s.size < 0 || hash.empty()) return; // cannot vouch for it: no entry
    out += fmt::format("{} {} {} {}\n", s.size, s.mtime_ns, hash, dep.string());
  }
  out += "---\n";
  out += payload;
  try {
    write_file_atomic(file_, out);
  } catch (const std::exception&) {
  }
}

} // namespace schemagen
