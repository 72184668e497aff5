// The revision-file reader (lib/revision) on arbitrary bytes. An input it accepts must also
// survive what schemagen does next with a revision: its graph is built, and its ops, written
// back as a revision file writes them, read back to the same ops.
#include "fuzz.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/revision/file.hpp"

#include <optional>

namespace {

using namespace schemagen;

/// The ops written as `upgrade:` is in a revision file, read back and written again: the
/// writer's output must be readable and a fixed point.
void check_round_trip(const std::vector<ops::Op>& ops) {
  const std::string written = ops::write_ops(ops);
  const yaml::Reader r("rewritten.yaml");
  std::vector<ops::Op> reread;
  try {
    for (auto& located : ops::read_ops(r, r.parse("upgrade:" + written)["upgrade"], "upgrade"))
      reread.push_back(std::move(located.op));
  } catch (const UserError& e) {
    fuzz::finding("written ops do not read back", std::string(e.what()) + "\n" + written);
  }
  if (ops::write_ops(reread) != written)
    fuzz::finding("written ops read back differently",
                  written + "\n---\n" + ops::write_ops(reread));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::optional<revision::Revision> rev;
  if (!fuzz::accepts([&] { rev = revision::parse_revision("fuzz.yaml", fuzz::text(data, size)); }))
    return 0;
  fuzz::accepts([&] { revision::build_map({*rev}); });
  check_round_trip(rev->ops(true));
  check_round_trip(rev->ops(false));
  return 0;
}
