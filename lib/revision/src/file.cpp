#include "schemagen/revision/file.hpp"

#include "schemagen/lint/rules.hpp"
#include "schemagen/ops/yaml.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/text.hpp"

#include <algorithm>
#include <atomic>
#include <fmt/format.h>
#include <thread>

namespace schemagen::revision {

namespace {

constexpr std::string_view known_keys[] = {"revision",   "down_revision", "branch_labels",
                                           "depends_on", "message",       "create_date",
                                           "upgrade",    "downgrade",     "acknowledge",
                                           "replaces",   "baseline"};

/// null, a string, or a list of strings.
std::vector<std::string> id_list(const yaml::Reader& r, const yaml::Node& n,
                                 std::string_view what) {
  if (!n || n.IsNull()) return {};
  if (n.IsScalar()) return {n.Scalar()};
  return r.strings(n, what);
}

/// acknowledge: a rule name, or a list of them; each must name a lint rule (or be "all"), else
/// it is an error at its own line, with the closest rule when one is close.
std::vector<std::string> acknowledged_rules(const yaml::Reader& r, const yaml::Node& n) {
  auto known = lint::rules();
  known.emplace_back("all");
  const auto names = id_list(r, n, "acknowledge");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& name = names[i];
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    const yaml::Node at = n.IsSequence() ? n[i] : n;
    std::string best;
    std::size_t best_distance = 3;
    for (const auto& rule : known)
      if (const auto d = edit_distance(name, rule); d < best_distance) {
        best_distance = d;
        best = rule;
      }
    if (!best.empty())
      r.fail(at, fmt::format("unknown rule '{}' in acknowledge; did you mean '{}'?", name, best));
    r.fail(at, fmt::format("unknown rule '{}' in acknowledge (rules: {})", name,
                           fmt::join(known, ", ")));
  }
  return names;
}

std::uint64_t fnv1a(std::string_view data) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

} // namespace

bool valid_revision_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string ops_checksum(const std::vector<ops::Op>& upgrade,
                         const std::vector<ops::Op>& downgrade) {
  const std::string text = ops::write_ops(upgrade) + "\n---\n" + ops::write_ops(downgrade);
  return fmt::format("{:016x}", fnv1a(text));
}

Record Revision::record() const {
  return Record{
      id,       down_revisions, depends_on, branch_labels, SourceLoc{display_path(path), 1, 0},
      down_loc, depends_loc};
}

std::vector<ops::Op> Revision::ops(bool up) const {
  std::vector<ops::Op> out;
  for (const auto& o : up ? upgrade : downgrade) out.push_back(o.op);
  return out;
}

Revision parse_revision(const fs::path& path, std::string_view text) {
  const yaml::Reader r(display_path(path));
  const auto root = r.parse(text);
  if (!root.IsMap())
    r.fail(root, "a revision file is a map: revision, down_revision, upgrade, downgrade, ...");
  Revision rev;
  rev.path = path;
  for (const auto& kv : root) {
    const auto key = kv.first.Scalar();
    if (std::find(std::begin(known_keys), std::end(known_keys), key) != std::end(known_keys))
      continue;
    for (auto known : known_keys)
      if (edit_distance(key, known) <= 2)
        r.fail(kv.first, fmt::format("unknown field '{}'; did you mean '{}'?", key, known));
    if (kv.second.IsScalar()) rev.extra[key] = kv.second.Scalar(); // the template's own fields
  }
  const auto id = r.required(root, "revision", "a revision file");
  rev.id = r.string(id, "revision");
  if (!valid_revision_id(rev.id))
    r.fail(id, fmt::format("revision id '{}' may hold only letters, digits and '_'", rev.id));
  if (!root["down_revision"])
    r.fail(root, "a revision file needs down_revision (null for the first)");
  rev.down_revisions = id_list(r, root["down_revision"], "down_revision");
  rev.down_loc = r.loc(root["down_revision"]);
  rev.branch_labels = id_list(r, root["branch_labels"], "branch_labels");
  rev.depends_on = id_list(r, root["depends_on"], "depends_on");
  if (root["depends_on"]) rev.depends_loc = r.loc(root["depends_on"]);
  for (const auto& label : rev.branch_labels)
    if (!valid_revision_id(label))
      r.fail(root["branch_labels"],
             fmt::format("branch label '{}' may hold only letters, digits and '_'", label));
  rev.message = r.optional_string(root, "message").value_or("");
  rev.create_date = r.optional_string(root, "create_date").value_or("");
  if (const auto ack = root["acknowledge"]) rev.acknowledged = acknowledged_rules(r, ack);
  if (const auto b = root["baseline"]) rev.baseline = r.boolean(b, "baseline");
  rev.replaces = id_list(r, root["replaces"], "replaces");
  for (const auto& replaced : rev.replaces)
    if (!valid_revision_id(replaced) || replaced == rev.id)
      r.fail(root["replaces"],
             replaced == rev.id ? fmt::format("revision {} replaces itself", replaced)
                                : fmt::format("replaces: '{}' is not a revision id", replaced));
  rev.upgrade = ops::read_ops(r, r.required(root, "upgrade", "a revision file"), "upgrade");
  rev.downgrade = ops::read_ops(r, r.required(root, "downgrade", "a revision file"), "downgrade");
  rev.checksum = ops_checksum(rev.ops(true), rev.ops(false));
  return rev;
}

std::vector<Revision> load_revisions(const std::vector<fs::path>& dirs) {
  std::vector<fs::path> files;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw UserError(fmt::format(
          "{}: error: the revision directory does not exist (script_location)", display_path(dir)));
    std::vector<fs::path> here;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().extension() == ".yaml")
        here.push_back(entry.path());
    std::sort(here.begin(), here.end());
    files.insert(files.end(), here.begin(), here.end());
  }
  // Parsing is independent per file: spread it over the cores, keep the order, and report the
  // first malformed file in that order.
  std::vector<Revision> out(files.size());
  std::vector<std::exception_ptr> errors(files.size());
  const std::size_t workers = std::min<std::size_t>(
      std::max(1u, std::thread::hardware_concurrency()), files.size() / 64 + 1);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next++) < files.size();) {
      try {
        out[i] = parse_revision(files[i], read_file(files[i]));
      } catch (...) {
        errors[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

namespace {

/// The squashes of a chain and what each replaces, and how a name of a replaced revision reads
/// in the graph that holds the squash instead.
class Squashes {
public:
  explicit Squashes(const std::vector<Revision>& revisions) {
    for (const auto& r : revisions) by_id_[r.id] = &r;
    for (const auto& s : revisions)
      for (const auto& id : s.replaces) {
        const auto [it, fresh] = replaced_.emplace(id, &s);
        if (!fresh)
          throw RevisionError(s.record().loc,
                              fmt::format("revision {} is replaced by both squash {} and squash {}",
                                          id, it->second->id, s.id));
      }
    for (const auto& [id, squash] : replaced_)
      if (const auto* r = find(id); r && !r->replaces.empty())
        throw RevisionError(squash->record().loc,
                            fmt::format("squash {} replaces squash {}: squashes do not nest; "
                                        "squash a range that holds no squash",
                                        squash->id, id));
    for (const auto& [id, squash] : replaced_) {
      const auto* r = find(id);
      if (!r) continue; // its file is gone: nothing left to check
      const auto& list = squash->replaces;
      const auto at = std::find(list.begin(), list.end(), id) - list.begin();
      const auto expected = at == 0 ? graph_names(squash->down_revisions, *squash)
                                    : std::vector<std::string>{list[at - 1]};
      if (graph_names(r->down_revisions, *r, squash) != expected)
        throw RevisionError(r->down_loc.known() ? r->down_loc : r->record().loc,
                            fmt::format("revision {} is not where squash {} says it is: its "
                                        "down_revision is {}, where the squash's replaces: "
                                        "puts {}",
                                        id, squash->id, fmt::join(r->down_revisions, ", "),
                                        expected.empty() ? std::string("base")
                                                         : fmt::format("{}", fmt::join(expected, ", "))));
    }
  }

  const Revision* find(const std::string& id) const {
    const auto it = by_id_.find(id);
    return it == by_id_.end() ? nullptr : it->second;
  }
  /// The squash that replaces `id`, if one does.
  const Revision* squash_of(const std::string& id) const {
    const auto it = replaced_.find(id);
    return it == replaced_.end() ? nullptr : it->second;
  }
  const std::map<std::string, const Revision*>& replaced() const { return replaced_; }

  /// `names` (a down_revision or depends_on of `of`) as the graph holds them: the last revision a
  /// squash replaces is that squash (the same database state). Another replaced revision is
  /// inside a squash: an error, unless `within`, the squash `of` itself is part of, replaces it.
  std::vector<std::string> graph_names(const std::vector<std::string>& names, const Revision& of,
                                       const Revision* within = nullptr) const {
    std::vector<std::string> out;
    for (const auto& name : names) {
      const auto* squash = squash_of(name);
      if (!squash || squash == within) {
        out.push_back(name);
      } else if (squash->replaces.back() == name) {
        out.push_back(squash->id);
      } else {
        throw RevisionError(of.down_loc.known() ? of.down_loc : of.record().loc,
                            fmt::format("revision {} goes on from {}, which squash {} replaces "
                                        "part-way: make it go on from {} (the squash) instead",
                                        of.id, name, squash->id, squash->id));
      }
    }
    return out;
  }
  /// `r`'s record as the graph holds it.
  Record record(const Revision& r, const Revision* within = nullptr) const {
    auto rec = r.record();
    rec.down_revisions = graph_names(r.down_revisions, r, within);
    rec.depends_on = graph_names(r.depends_on, r, within);
    return rec;
  }

private:
  std::map<std::string, const Revision*> by_id_;
  std::map<std::string, const Revision*> replaced_;
};

} // namespace

std::map<std::string, std::string> replaced_by(const std::vector<Revision>& revisions) {
  std::map<std::string, std::string> out;
  const Squashes squashes(revisions);
  for (const auto& [id, squash] : squashes.replaced()) out.emplace(id, squash->id);
  return out;
}

RevisionMap build_map(const std::vector<Revision>& revisions) {
  const Squashes squashes(revisions);
  std::vector<Record> records;
  records.reserve(revisions.size());
  for (const auto& r : revisions)
    if (!squashes.squash_of(r.id)) records.push_back(squashes.record(r));
  return RevisionMap(std::move(records));
}

RevisionMap build_expanded_map(const std::vector<Revision>& revisions,
                               const std::vector<std::string>& expand, Expanded& out) {
  const Squashes squashes(revisions);
  auto expanded = [&](const Revision& squash) {
    return std::find(expand.begin(), expand.end(), squash.id) != expand.end();
  };
  out = {};
  // stubs and aliases first, so that the records below can point into a vector that is done
  std::size_t stubs = 0;
  for (const auto& r : revisions)
    if (expanded(r))
      for (const auto& id : r.replaces) stubs += squashes.find(id) ? 0 : 1;
  out.alias.reserve(stubs + expand.size());
  std::vector<Record> records;
  for (const auto& r : revisions) {
    if (const auto* squash = squashes.squash_of(r.id)) {
      if (!expanded(*squash)) continue;
      auto rec = squashes.record(r, squash);
      rec.branch_labels.clear(); // the squash carries them
      rec.depends_on.clear();    // and what they depend on
      records.push_back(std::move(rec));
      continue;
    }
    if (!expanded(r)) {
      records.push_back(squashes.record(r));
      continue;
    }
    for (std::size_t i = 0; i < r.replaces.size(); ++i) {
      if (squashes.find(r.replaces[i])) continue;
      Revision stub;
      stub.id = r.replaces[i];
      stub.down_revisions =
          i == 0 ? squashes.graph_names(r.down_revisions, r) : std::vector{r.replaces[i - 1]};
      stub.message = fmt::format("replaced by squash {}; its file is gone", r.id);
      stub.path = r.path;
      out.missing.emplace(stub.id, r.id);
      records.push_back(stub.record());
      out.alias.push_back(std::move(stub));
    }
    Revision alias = r; // the squash's id, labels and checksum; no ops: the state of the last
    alias.down_revisions = {r.replaces.back()};
    alias.upgrade.clear();
    alias.downgrade.clear();
    alias.replaces.clear();
    auto rec = alias.record();
    rec.depends_on = squashes.graph_names(r.depends_on, r);
    records.push_back(std::move(rec));
    out.alias.push_back(std::move(alias));
  }
  return RevisionMap(std::move(records));
}

} // namespace schemagen::revision
