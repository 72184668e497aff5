// erd: the models (or, with --database, the live schema) as an entity-relationship diagram.
// Tables are records of their columns (keys, name, type, nullability), views records of theirs,
// schemas clusters, foreign keys edges from the referencing column to the referenced one.

#include "autogenerate.hpp"
#include "picture.hpp"
#include "project.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <set>

namespace schemagen::driver {

namespace {

using escape::dot_html;
using escape::dot_string;

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string qualified(const std::string& schema, const std::string& name) {
  return schema + "." + name;
}

/// A column's key markers: PK, FK, both or none.
std::string keys_of(const model::Table& t, const model::Column& c) {
  const bool pk = t.primary_key && has(t.primary_key->columns, c.name);
  const bool fk = std::any_of(t.foreign_keys.begin(), t.foreign_keys.end(),
                              [&](const auto& f) { return has(f.columns, c.name); });
  return pk && fk ? "PK FK" : pk ? "PK" : fk ? "FK" : "";
}

/// Whether a row of `t` may refer to nothing through `fk`: a column of the key is nullable.
bool optional_reference(const model::Table& t, const model::ForeignKey& fk) {
  return std::any_of(fk.columns.begin(), fk.columns.end(), [&](const auto& c) {
    const auto* column = t.find_column(c);
    return column && column->nullable;
  });
}

/// Where an edge meets a node: the side of the column's row, when it has that column. With the
/// graph laid out left to right, a reference leaves its column's row on the right ("oN", the type's
/// cell) and arrives at the referenced column's on the left ("iN", the keys' cell).
std::string port(const std::string& node, const std::vector<model::Column>& columns,
                 const std::string& column, bool out) {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == column)
      return fmt::format("{}:{}{}:{}", dot_string(node), out ? 'o' : 'i', i, out ? 'e' : 'w');
  return dot_string(node);
}

/// A record as an HTML-like label: the name on a coloured header, then a row per column (keys,
/// name, type), one row a line so that a .dot file reads and diffs well.
std::string record(const std::string& title, const char* colour,
                   const std::vector<model::Column>& columns,
                   const std::function<std::string(const model::Column&)>& keys) {
  std::string s =
      fmt::format("<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">\n"
                  "      <tr><td colspan=\"3\" bgcolor=\"{}\"><b>{}</b></td></tr>\n",
                  colour, dot_html(title));
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    s += fmt::format("      <tr><td align=\"left\" port=\"i{}\">{}</td><td align=\"left\">{}</td>"
                     "<td align=\"left\" port=\"o{}\">{}{}</td></tr>\n",
                     i, keys(c), dot_html(c.name), i, dot_html(c.type),
                     c.nullable ? " <i>null</i>" : "");
  }
  return s + "    </table>>";
}

std::string erd_dot(const model::Metadata& m) {
  std::string s = "digraph erd {\n"
                  "  graph [rankdir=LR, fontname=\"Helvetica\", nodesep=0.5, ranksep=1.2];\n"
                  "  node [shape=plain, fontname=\"Helvetica\", fontsize=10];\n"
                  "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#4a4a4a\", dir=both];\n";
  // schemas in order, each with its tables and views (both lists are sorted by schema and name)
  std::map<std::string, std::string> clusters;
  std::set<std::string> nodes;
  for (const auto& t : m.tables) {
    const auto id = qualified(t.schema, t.name);
    nodes.insert(id);
    clusters[t.schema] += fmt::format(
        "    {} [label={}];\n", dot_string(id),
        record(t.name, "#cfe0f3", t.columns, [&](const auto& c) { return keys_of(t, c); }));
  }
  for (const auto& v : m.views) {
    const auto id = qualified(v.schema, v.name);
    nodes.insert(id);
    clusters[v.schema] += fmt::format(
        "    {} [label={}];\n", dot_string(id),
        record(fmt::format("{} ({}view)", v.name, v.materialized ? "materialized " : ""), "#e4e4e4",
               v.columns, [](const auto&) { return std::string(); }));
  }
  for (const auto& [schema, body] : clusters)
    s += fmt::format("  subgraph {} {{\n    label=<<b>{}</b>>; style=\"rounded\"; "
                     "color=\"#9a9a9a\"; fontsize=12;\n{}  }}\n",
                     dot_string("cluster_" + schema), dot_html(schema), body);

  std::string edges;
  std::set<std::string> missing; // referenced but not in the schema drawn: a dashed box each
  for (const auto& t : m.tables) {
    for (const auto& fk : t.foreign_keys) {
      const auto to = qualified(fk.referred_schema, fk.referred_table);
      const auto* target = m.find_table(fk.referred_schema, fk.referred_table);
      if (!target) missing.insert(to);
      const bool optional = optional_reference(t, fk);
      // crow's foot: many rows refer to one (or, through a nullable key, to at most one)
      edges += fmt::format("  {} -> {} [arrowtail=crowodot, arrowhead={}, tooltip={}];\n",
                           fk.columns.empty() ? dot_string(qualified(t.schema, t.name))
                                              : port(qualified(t.schema, t.name), t.columns,
                                                     fk.columns.front(), true),
                           target && !fk.referred_columns.empty()
                               ? port(to, target->columns, fk.referred_columns.front(), false)
                               : dot_string(to),
                           optional ? "teeodot" : "teetee",
                           dot_string(fmt::format("{}: {}({}) -> {}({})", fk.name, t.name,
                                                  fmt::join(fk.columns, ", "), to,
                                                  fmt::join(fk.referred_columns, ", "))));
    }
  }
  for (const auto& v : m.views)
    for (const auto& dependency : v.depends_on)
      if (nodes.contains(dependency))
        edges += fmt::format("  {} -> {} [style=dashed, dir=forward, arrowhead=vee];\n",
                             dot_string(qualified(v.schema, v.name)), dot_string(dependency));
  for (const auto& name : missing)
    s += fmt::format("  {} [shape=box, style=dashed, label=<{}>];\n", dot_string(name),
                     dot_html(name));
  return s + edges + "}\n";
}

/// A Mermaid attribute word (a column's type or name): letters, digits, _ - [ ] ( ), not
/// starting with a digit or '-'.
std::string mermaid_attribute(std::string_view s) {
  std::string out;
  for (const char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) ||
            std::string_view("_-[]()").find(c) != std::string_view::npos)
               ? c
               : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0])) || out[0] == '-')
    out = "_" + out; // (not insert(0, ...): GCC 12 warns falsely, -Wrestrict)
  return out;
}

std::string erd_mermaid(const model::Metadata& m) {
  // entity ids: schema__name made words, kept unique; the real name is the entity's alias
  std::map<std::string, std::string> ids;
  std::set<std::string> taken;
  auto id_of = [&](const std::string& schema, const std::string& name) {
    const auto key = qualified(schema, name);
    if (const auto it = ids.find(key); it != ids.end()) return it->second;
    const auto base = escape::mermaid_word(schema) + "__" + escape::mermaid_word(name);
    auto id = base;
    for (int n = 2; taken.contains(id); ++n) id = fmt::format("{}_{}", base, n);
    taken.insert(id);
    return ids[key] = id;
  };
  auto attributes = [](const std::vector<model::Column>& columns, auto keys) {
    std::string s;
    for (const auto& c : columns) {
      const auto type = mermaid_attribute(c.type), name = mermaid_attribute(c.name);
      std::vector<std::string> notes; // what the words could not say
      if (type != c.type) notes.push_back(c.type);
      if (name != c.name) notes.push_back("column " + c.name);
      if (c.nullable) notes.push_back("nullable");
      const std::string k = keys(c);
      s += fmt::format("    {} {}{}{}\n", type, name, k.empty() ? "" : " " + k,
                       notes.empty() ? ""
                                     : fmt::format(" \"{}\"", escape::mermaid_text(fmt::format(
                                                                  "{}", fmt::join(notes, ", ")))));
    }
    return s;
  };
  std::string s = "erDiagram\n";
  for (const auto& t : m.tables) {
    s += fmt::format("  {}[\"{}\"] {{\n", id_of(t.schema, t.name),
                     escape::mermaid_text(qualified(t.schema, t.name)));
    s += attributes(t.columns, [&](const model::Column& c) {
      auto k = keys_of(t, c);
      if (const auto space = k.find(' '); space != std::string::npos) k.replace(space, 1, ", ");
      return k;
    });
    s += "  }\n";
  }
  for (const auto& v : m.views) {
    s += fmt::format("  {}[\"{}\"] {{\n", id_of(v.schema, v.name),
                     escape::mermaid_text(fmt::format("{} ({}view)", qualified(v.schema, v.name),
                                                      v.materialized ? "materialized " : "")));
    s += attributes(v.columns, [](const model::Column&) { return std::string(); });
    s += "  }\n";
  }
  for (const auto& t : m.tables) {
    for (const auto& fk : t.foreign_keys) {
      const bool optional = optional_reference(t, fk);
      // identifying (solid) when the key is part of the referencing table's primary key
      const bool identifying =
          t.primary_key && !fk.columns.empty() &&
          std::all_of(fk.columns.begin(), fk.columns.end(),
                      [&](const auto& c) { return has(t.primary_key->columns, c); });
      s += fmt::format("  {} }}o{}{}| {} : \"{}\"\n", id_of(t.schema, t.name),
                       identifying ? "--" : "..", optional ? "o" : "|",
                       id_of(fk.referred_schema, fk.referred_table),
                       escape::mermaid_text(fmt::format("{}", fmt::join(fk.columns, ", "))));
    }
  }
  return s;
}

} // namespace

ExitCode erd(const Global& global, const ErdOptions& options) {
  const auto format = picture_format("erd", options.output, options.format); // before any work
  model::Metadata m;
  if (options.database) {
    const auto p = Project::load(global);
    const auto& cfg = p.config();
    auto db = p.connect();
    auto schemas = cfg.include_schemas;
    if (schemas.empty()) schemas = db->schemas();
    m = db->reflect({schemas, cfg.exclude_tables, cfg.version_table_schema, cfg.version_table});
  } else {
    // the models as the database keeps them (schema_map, the dialect's types), so that the
    // picture of the models is the one --database draws once they are migrated
    const auto cfg = config::load(config::find(global.config, fs::current_path()), global.name);
    m = models_for(cfg, dialect_for(global, cfg));
  }
  write_picture({erd_dot(m), erd_mermaid(m)}, format, options.output);
  return ExitCode::ok;
}

} // namespace schemagen::driver
