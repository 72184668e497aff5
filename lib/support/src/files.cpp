#include "schemagen/support/files.hpp"

#include "schemagen/support/diagnostics.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace schemagen {

std::string read_file(const fs::path& path) {
  auto fail = [&] {
    throw UserError(
        fmt::format("{}: error: cannot read: {}", display_path(path), std::strerror(errno)));
  };
  // sized once and read straight in: caches of tens of megabytes are read on every run
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail();
  std::string out;
  // one byte more than the file holds, so that its end is seen without growing the string
  out.resize(S_ISREG(st.st_mode) ? static_cast<std::size_t>(st.st_size) + 1 : 0);
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(std::max<std::size_t>(2 * out.size(), 4096));
    const auto n = ::read(fd, out.data() + have, out.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail();
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  out.resize(have);
  return out;
}

void write_file_atomic(const fs::path& path, std::string_view content) {
  auto fail = [&](const char* what) {
    throw UserError(
        fmt::format("{}: error: cannot {}: {}", display_path(path), what, std::strerror(errno)));
  };
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) {
    // a device or pipe (-o /dev/stdout): write through it, never replace it
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out.flush()) fail("write");
    return;
  }
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  std::string tmp = path.string() + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) fail("create a temporary file for");
  std::size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      fail("write");
    }
    written += static_cast<std::size_t>(n);
  }
  ::fchmod(fd, 0644);
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail("write");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail("replace");
  }
}

bool write_file_if_changed(const fs::path& path, std::string_view content) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec); // absent, or not a regular file: ec, and write
  if (!ec && size == content.size() && read_file(path) == content) return false;
  write_file_atomic(path, content);
  return true;
}

std::string depfile_rule(const fs::path& target, const std::vector<fs::path>& deps) {
  auto escape = [](const std::string& path) {
    std::string out;
    for (char c : path) {
      if (c == ' ' || c == '#') out += '\\';
      if (c == '$') out += '$';
      out += c;
    }
    return out;
  };
  std::string out = escape(target.string()) + ":";
  for (const auto& d : deps) out += " \\\n  " + escape(d.string());
  return out + "\n";
}

std::string display_path(const fs::path& path) {
  if (path.is_relative()) return path.lexically_normal().string();
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec) return path.string();
  fs::path rel = path.lexically_normal().lexically_relative(cwd);
  if (rel.empty() || *rel.begin() == "..") return path.string();
  return rel.string();
}

} // namespace schemagen
