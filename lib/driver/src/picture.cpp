// Writing pictures. SVG and PNG are made by running Graphviz's `dot` program rather than linking
// libgvc: the program is one Debian package (graphviz) needed only by those who draw, schemagen
// builds and runs without it, and DOT text is the interface either way.

#include "picture.hpp"

#include "schemagen/support/diagnostics.hpp"
#include "schemagen/support/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <iostream>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

extern char** environ;

namespace schemagen::driver {

PictureFormat picture_format(std::string_view command, const std::optional<fs::path>& output,
                             const std::string& format) {
  if (format == "dot") return PictureFormat::dot;
  if (format == "mmd") return PictureFormat::mermaid;
  if (format == "svg") return PictureFormat::svg;
  if (format == "png") return PictureFormat::png;
  if (!output || *output == "-") return PictureFormat::dot;
  const auto ext = output->extension().string();
  if (ext == ".dot" || ext == ".gv") return PictureFormat::dot;
  if (ext == ".mmd") return PictureFormat::mermaid;
  if (ext == ".svg") return PictureFormat::svg;
  if (ext == ".png") return PictureFormat::png;
  throw UserError(fmt::format("error: {} -o {}: the extension names the format: .svg, .png, .dot "
                              "or .mmd (or give --format dot|mmd|svg|png)",
                              command, output->string()));
}

namespace {

/// A directory of its own under the system's temporary one, removed with everything in it.
class TempDir {
public:
  TempDir() {
    auto pattern = (fs::temp_directory_path() / "schemagen-dot-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw UserError(fmt::format("error: cannot make a temporary directory {}: {}", pattern,
                                  std::strerror(errno)));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored; // a leftover temporary file is no reason to fail the run
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

/// `dot_text` laid out by `dot -T<type>`: the bytes it wrote. Files, not pipes: dot reads all of
/// its input before writing, and files need no second thread to keep both pipes moving.
std::string graphviz(const std::string& dot_text, const char* type) {
  TempDir dir;
  const auto in = dir.path() / "picture.dot";
  const auto out = dir.path() / fmt::format("picture.{}", type);
  const auto err = dir.path() / "dot.stderr";
  write_file_atomic(in, dot_text);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const std::string flag = fmt::format("-T{}", type);
  const std::string out_s = out.string(), in_s = in.string();
  char* argv[] = {const_cast<char*>("dot"),        const_cast<char*>(flag.c_str()),
                  const_cast<char*>("-o"),         const_cast<char*>(out_s.c_str()),
                  const_cast<char*>(in_s.c_str()), nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned == ENOENT)
    throw UserError(fmt::format("error: writing .{} needs Graphviz's `dot` program, which is not "
                                "on PATH: install Graphviz (Debian: apt-get install graphviz), or "
                                "write .dot or .mmd, which need nothing",
                                type));
  if (spawned != 0)
    throw UserError(fmt::format("error: cannot run Graphviz's `dot`: {}", std::strerror(spawned)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      throw std::runtime_error(fmt::format("waiting for dot: {}", std::strerror(errno)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    // schemagen wrote the DOT, so dot refusing it is schemagen's bug (exit 70), said with dot's
    // words
    std::string said;
    try {
      said = read_file(err);
    } catch (const UserError&) {
    }
    throw std::runtime_error(fmt::format("Graphviz's dot -T{} failed ({}) on the DOT schemagen "
                                         "wrote:\n{}",
                                         type,
                                         WIFEXITED(status)
                                             ? fmt::format("exit {}", WEXITSTATUS(status))
                                             : fmt::format("signal {}", WTERMSIG(status)),
                                         said));
  }
  return read_file(out);
}

} // namespace

void write_picture(const Picture& picture, PictureFormat format,
                   const std::optional<fs::path>& output) {
  std::string bytes;
  switch (format) {
  case PictureFormat::dot: bytes = picture.dot; break;
  case PictureFormat::mermaid: bytes = picture.mermaid; break;
  case PictureFormat::svg: bytes = graphviz(picture.dot, "svg"); break;
  case PictureFormat::png: bytes = graphviz(picture.dot, "png"); break;
  }
  if (output && *output != "-")
    write_file_atomic(*output, bytes);
  else
    std::cout << bytes << std::flush;
}

namespace escape {

std::string dot_string(std::string_view s) {
  // in a DOT quoted string only \" is an escape; a backslash is doubled so that it cannot end the
  // string, and a line break spelled \n (both what label-like attributes read as the characters)
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string dot_html(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&#39;"; break;
    case '\n': out += "<br/>"; break;
    default: out += c;
    }
  }
  return out;
}

std::string mermaid_text(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
    case '#': out += "#35;"; break;
    case '"': out += "#quot;"; break;
    case '<': out += "#lt;"; break;
    case '>': out += "#gt;"; break;
    case '&': out += "#amp;"; break;
    case '\n': out += ' '; break;
    default: out += c;
    }
  }
  return out;
}

std::string mermaid_word(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    out += word ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9'))
    out = "_" + out; // (not insert(0, ...): GCC 12 warns falsely, -Wrestrict)
  return out;
}

} // namespace escape

} // namespace schemagen::driver
