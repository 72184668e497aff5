// The configuration reader (lib/config) on arbitrary bytes. It reads a file, so each input is
// written to a scratch file of this process's own first.
#include "fuzz.hpp"
#include "schemagen/config/config.hpp"

#include <fstream>
#include <unistd.h>

namespace {

using namespace schemagen;
namespace fs = std::filesystem;

/// A schemagen.yaml in a directory of this process's own, removed when the process ends.
class ScratchFile {
public:
  ScratchFile()
      : dir_(fs::temp_directory_path() / ("schemagen-fuzz-config-" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~ScratchFile() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  const fs::path& write(std::string_view text) {
    // a new file each time: rewriting one in place makes ext4 flush it to disk on close
    fs::remove(path_);
    std::ofstream(path_, std::ios::binary | std::ios::trunc).write(text.data(), text.size());
    return path_;
  }

private:
  fs::path dir_;
  fs::path path_ = dir_ / config::file_name;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ScratchFile scratch;
  const auto& file = scratch.write(fuzz::text(data, size));
  config::Config c;
  if (!fuzz::accepts([&] { c = config::load(file); })) return 0;
  // every database the file names can be picked
  for (const auto& name : c.database_names) fuzz::accepts([&] { config::load(file, name); });
  return 0;
}
