// history --graph: the revision graph as a picture. Older revisions at the bottom, edges from a
// parent up to its children, so a merge is a node with several edges coming in; depends_on as
// dashed edges; the database's revisions filled.

#include "picture.hpp"
#include "project.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace schemagen::driver {

namespace {

/// `text` broken into lines of about `width` characters at spaces: long messages make wide boxes.
std::vector<std::string> wrap(const std::string& text, std::size_t width = 40) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const auto word = text.substr(pos, end - pos);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    pos = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

/// What a revision's box says, line by line, unescaped: its id, its own branch labels, its
/// message's first line (the rest is the revision's to tell: `schemagen show`), and what it is
/// (head, merge, current).
struct Box {
  std::string id;
  std::string labels; // "(a, b)" or empty
  std::vector<std::string> message;
  std::vector<std::string> marks;
};

Box box_of(const Project& p, const std::string& id, bool current) {
  const auto& map = p.map();
  const auto& message = p.get(id).message;
  Box b{id, "", wrap(message.substr(0, message.find('\n'))), {}};
  // its own labels only: the ones it inherits name the branch it is drawn on already
  if (const auto& labels = p.get(id).branch_labels; !labels.empty())
    b.labels = fmt::format("({})", fmt::join(labels, ", "));
  if (map.is_head(id)) b.marks.push_back("head");
  if (map.is_merge_point(id)) b.marks.push_back("merge");
  if (current) b.marks.push_back("current");
  return b;
}

/// The revisions `rev` depends on, where they resolve (a label names its revision).
std::vector<std::string> dependencies(const Project& p, const std::string& rev) {
  std::vector<std::string> out;
  for (const auto& dep : p.get(rev).depends_on) {
    try {
      for (auto& id : p.map().resolve(dep)) out.push_back(std::move(id));
    } catch (const UserError&) {
      // the map was built from these records, so this cannot fail; an edge less if it ever does
    }
  }
  return out;
}

} // namespace

Picture revision_graph(const Project& p, const std::vector<std::string>& ids,
                       const std::vector<std::string>& current) {
  const std::set<std::string> drawn(ids.begin(), ids.end());
  auto is_current = [&](const std::string& id) {
    return std::find(current.begin(), current.end(), id) != current.end();
  };
  // oldest first, so that both texts read in the chain's order
  std::vector<std::string> order(ids.rbegin(), ids.rend());

  std::string dot = "digraph history {\n"
                    "  graph [rankdir=BT, fontname=\"Helvetica\", ranksep=0.45];\n"
                    "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
                    "fontname=\"Helvetica\", fontsize=10];\n"
                    "  edge [color=\"#4a4a4a\"];\n";
  std::string mermaid = "flowchart BT\n";
  std::string dot_edges, mermaid_edges, mermaid_classes;
  for (const auto& id : order) {
    const auto b = box_of(p, id, is_current(id));
    std::string html = fmt::format("<b>{}</b>", escape::dot_html(b.id));
    std::string text = escape::mermaid_text(b.id);
    if (!b.labels.empty()) {
      html += fmt::format("<br/><font color=\"#1a5fb4\">{}</font>", escape::dot_html(b.labels));
      text += "<br/>" + escape::mermaid_text(b.labels);
    }
    for (const auto& line : b.message) {
      html += "<br/>" + escape::dot_html(line);
      text += "<br/>" + escape::mermaid_text(line);
    }
    if (!b.marks.empty()) {
      const auto marks = fmt::format("{}", fmt::join(b.marks, ", "));
      html += fmt::format("<br/><i>{}</i>", escape::dot_html(marks));
      text += "<br/><i>" + escape::mermaid_text(marks) + "</i>";
    }
    std::string style;
    if (p.map().is_head(id)) style += ", penwidth=2";
    if (p.map().is_merge_point(id)) style += ", peripheries=2";
    if (is_current(id)) style += ", fillcolor=\"#ffe08a\"";
    dot += fmt::format("  {} [label=<{}>{}];\n", escape::dot_string(id), html, style);
    const auto node = "r_" + id; // ids are letters, digits and '_': a word, never a keyword
    mermaid += fmt::format("  {}[\"{}\"]\n", node, text);
    if (is_current(id))
      mermaid_classes += fmt::format("  class {} current\n", node);
    else if (p.map().is_head(id))
      mermaid_classes += fmt::format("  class {} head\n", node);

    for (const auto& parent : p.map().record(id).down_revisions) { // a squash for what it replaced
      if (!drawn.contains(parent)) continue;
      dot_edges += fmt::format("  {} -> {};\n", escape::dot_string(parent), escape::dot_string(id));
      mermaid_edges += fmt::format("  r_{} --> {}\n", parent, node);
    }
    for (const auto& dep : dependencies(p, id)) {
      if (!drawn.contains(dep)) continue;
      dot_edges += fmt::format("  {} -> {} [style=dashed, tooltip=\"depends_on\"];\n",
                               escape::dot_string(dep), escape::dot_string(id));
      mermaid_edges += fmt::format("  r_{} -.->|depends_on| {}\n", dep, node);
    }
  }
  mermaid += mermaid_edges;
  mermaid += "  classDef head stroke-width:3px\n"
             "  classDef current fill:#ffe08a,stroke-width:3px\n";
  mermaid += mermaid_classes;
  return {dot + dot_edges + "}\n", mermaid};
}

} // namespace schemagen::driver
