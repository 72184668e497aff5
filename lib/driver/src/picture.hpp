#pragma once
// Pictures (erd, history --graph): a drawing is made as DOT and as Mermaid text, and written in
// the format the output's extension (or --format) names. SVG and PNG are DOT laid out by
// Graphviz's `dot` program.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::driver {

namespace fs = std::filesystem;

class Project;

enum class PictureFormat { dot, mermaid, svg, png };

/// `format` when given (dot, mmd, svg, png), else the one `output`'s extension names (.dot, .gv,
/// .mmd, .svg, .png), else DOT: what no -o (or `-o -`) prints. UserError, naming `command`, for an
/// extension that names none.
PictureFormat picture_format(std::string_view command, const std::optional<fs::path>& output,
                             const std::string& format);

/// One drawing in both its source languages.
struct Picture {
  std::string dot;
  std::string mermaid;
};

/// Writes `picture` as `format` to `output` atomically (nothing half-written on any error), or to
/// stdout without one or with `-`. SVG and PNG run Graphviz's `dot`; its absence is a UserError
/// saying what to install.
void write_picture(const Picture& picture, PictureFormat format,
                   const std::optional<fs::path>& output);

/// The revision graph of `ids` (their parents and what they depend on, where drawn too): branch
/// labels, heads and merges shown, and the revisions in `current` (the database's) marked.
Picture revision_graph(const Project& p, const std::vector<std::string>& ids,
                       const std::vector<std::string>& current);

/// Text escaped for the places DOT and Mermaid put it.
namespace escape {
/// A DOT double-quoted string, quotes included: a node id, an attribute's value.
std::string dot_string(std::string_view s);
/// Text inside a DOT HTML-like label (<...>): &, <, >, " and ' as entities.
std::string dot_html(std::string_view s);
/// Text inside a Mermaid double-quoted label: the characters its parser or Markdown would take
/// as syntax written as Mermaid's #code; entities.
std::string mermaid_text(std::string_view s);
/// `s` made a Mermaid bare word ([A-Za-z0-9_], not starting with a digit): anything else
/// becomes '_'. Different names can meet in one word; callers that need ids keep them unique.
std::string mermaid_word(std::string_view s);
} // namespace escape

} // namespace schemagen::driver
