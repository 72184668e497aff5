// `schemagen import`: a live database's schema written as annotated C++ models, one header per
// schema, such that scanning the headers and comparing with the database finds nothing — every
// name the models would give otherwise is written out — and that a person would keep: C++ names
// from SQL names, the C++ type the type mapping makes each column from, doc comments from the
// database's comments.

#include "project.hpp"
#include "schemagen/driver/commands.hpp"
#include "schemagen/migrate/online.hpp"
#include "schemagen/model/naming.hpp"
#include "schemagen/support/cache.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <iostream>
#include <map>
#include <regex>
#include <set>

namespace schemagen::driver {

namespace {

using model::NameKind;

// ---- C++ names -----------------------------------------------------------------------------

bool cpp_keyword(std::string_view word) {
  static const std::set<std::string_view> words = {
      "alignas",   "alignof",      "and",         "and_eq",    "asm",       "auto",
      "bitand",    "bitor",        "bool",        "break",     "case",      "catch",
      "char",      "char8_t",      "char16_t",    "char32_t",  "class",     "compl",
      "concept",   "const",        "consteval",   "constexpr", "constinit", "const_cast",
      "continue",  "co_await",     "co_return",   "co_yield",  "decltype",  "default",
      "delete",    "do",           "double",      "dynamic_cast", "else",   "enum",
      "explicit",  "export",       "extern",      "false",     "float",     "for",
      "friend",    "goto",         "if",          "inline",    "int",       "long",
      "mutable",   "namespace",    "new",         "noexcept",  "not",       "not_eq",
      "nullptr",   "operator",     "or",          "or_eq",     "private",   "protected",
      "public",    "register",     "reinterpret_cast", "requires", "return", "short",
      "signed",    "sizeof",       "static",      "static_assert", "static_cast", "struct",
      "switch",    "template",     "this",        "thread_local", "throw",  "true",
      "try",       "typedef",      "typeid",      "typename",  "union",     "unsigned",
      "using",     "virtual",      "void",        "volatile",  "wchar_t",   "while",
      "xor",       "xor_eq"};
  return words.count(word) > 0;
}

/// Whether `name` can stand as a C++ identifier as it is: letters, digits and '_', not first a
/// digit, no keyword, and none of the names the implementation reserves (__x, _X).
bool plain_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (const char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  if (name.find("__") != std::string_view::npos) return false;
  if (name[0] == '_' && name.size() > 1 && std::isupper(static_cast<unsigned char>(name[1])))
    return false;
  return !cpp_keyword(name);
}

/// A member's name for a column: the column's own when it can be one, else the nearest that can
/// (the column's name is then given as `name`).
std::string member_name(const std::string& column) {
  if (plain_identifier(column)) return column;
  std::string out;
  for (const char c : column) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  while (out.find("__") != std::string::npos) out.replace(out.find("__"), 2, "_");
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "c_" + out;
  if (!plain_identifier(out)) out += "_";
  return out;
}

/// The singular of an English plural, as far as table names go: order_items → order_item,
/// categories → category, addresses → address; a word that is no plural stays.
std::string singular(const std::string& word) {
  auto ends = [&](std::string_view s) { return word.size() > s.size() + 1 && word.ends_with(s); };
  if (ends("ies")) return word.substr(0, word.size() - 3) + "y";
  if (ends("sses") || ends("shes") || ends("ches") || ends("xes") || ends("zes"))
    return word.substr(0, word.size() - 2);
  if (ends("s") && !ends("ss") && !ends("us") && !ends("is")) return word.substr(0, word.size() - 1);
  return word;
}

/// A struct's name for a table: order_items → OrderItem.
std::string struct_name(const std::string& table) {
  std::string out;
  bool upper = true;
  for (const char c : singular(table)) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u)) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(u)) : c;
    upper = false;
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "Table" + out;
  if (!plain_identifier(out)) out += "Row";
  return out;
}

/// A C++ string literal holding `text`.
std::string literal(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    default: out += c;
    }
  }
  return out + "\"";
}

/// `text` as `///` lines at `indent`.
std::string doc_comment(const std::optional<std::string>& text, std::string_view indent) {
  if (!text || text->empty()) return "";
  std::string out;
  std::size_t start = 0;
  while (start <= text->size()) {
    const auto end = std::min(text->find('\n', start), text->size());
    out += fmt::format("{}/// {}\n", indent, text->substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// ---- C++ types -----------------------------------------------------------------------------

/// A column's member type, and the SG_COLUMN options that make the type mapping give exactly
/// the database's type back.
struct MemberType {
  std::string cpp;
  std::vector<std::string> options;
};

/// The reverse of the type mapping (REFERENCE.md, "Type mapping"), over PostgreSQL's spellings
/// and SQLite's; a type it has none for is given as `type = "..."` on the nearest member type.
MemberType member_type(const std::string& sql_type,
                       const std::map<std::string, std::string>& enums) {
  std::string t = sql_type;
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  int dims = 0;
  while (t.ends_with("[]")) {
    t.resize(t.size() - 2);
    ++dims;
  }
  auto array = [&](std::string element) {
    for (int i = 0; i < dims; ++i) element = fmt::format("std::vector<{}>", element);
    return element;
  };
  static const std::map<std::string, std::string> plain = {
      {"boolean", "bool"},
      {"smallint", "std::int16_t"},
      {"integer", "std::int32_t"},
      {"bigint", "std::int64_t"},
      {"real", "float"},
      {"double precision", "double"},
      {"text", "std::string"},
      {"timestamp with time zone", "std::chrono::system_clock::time_point"},
      {"date", "std::chrono::sys_days"},
  };
  if (const auto it = plain.find(t); it != plain.end()) return {array(it->second), {}};
  if ((t == "bytea" || t == "blob") && dims == 0) return {"std::vector<std::byte>", {}};
  if (t == "datetime") return {array("std::chrono::system_clock::time_point"), {}}; // SQLite's
  if (const auto it = enums.find(sql_type.substr(0, sql_type.size() - 2 * dims)); it != enums.end())
    return {array(it->second), {}};
  static const std::regex varchar(R"(^(?:character varying|varchar)\((\d+)\)$)"),
      numeric(R"(^(?:numeric|decimal)\((\d+),\s*(\d+)\)$)"),
      timestamptz(R"(^timestamp\((\d+)\) with time zone$)");
  std::smatch m;
  if (std::regex_match(t, m, varchar))
    return {array("std::string"), {fmt::format("length = {}", m[1].str())}};
  if (std::regex_match(t, m, numeric))
    return {array("double"),
            {fmt::format("precision = {}", m[1].str()), fmt::format("scale = {}", m[2].str())}};
  if (std::regex_match(t, m, timestamptz))
    return {array("std::chrono::system_clock::time_point"),
            {fmt::format("precision = {}", m[1].str())}};
  // no mapping: the type as the database has it, on the member type closest to its values
  std::string cpp = "std::string";
  if (t.starts_with("timestamp") || t == "datetime") cpp = "std::chrono::system_clock::time_point";
  else if (t == "blob" || t == "bytea") cpp = "std::vector<std::byte>";
  else if (t.starts_with("int") || t == "bigint" || t == "smallint") cpp = "std::int64_t";
  else if (t.starts_with("numeric") || t.starts_with("decimal") || t == "float" || t == "real")
    cpp = "double";
  else if (t == "boolean") cpp = "bool";
  return {array(cpp), {fmt::format("type = {}", literal(sql_type))}};
}

// ---- one header ----------------------------------------------------------------------------

std::string joined(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

std::string referential(const char* key, const std::string& action) {
  return action.empty() ? "" : fmt::format(", {} = {}", key, literal(action));
}

class HeaderWriter {
public:
  HeaderWriter(const model::Metadata& m, const model::NamingConvention& convention,
               std::vector<std::string>& problems)
      : m_(m), convention_(convention), problems_(problems) {
    for (const auto& e : m.enums) {
      auto name = struct_name(e.name);
      enum_names_[e.schema == "public" ? e.name : e.schema + "." + e.name] = name;
      enum_names_[e.schema + "." + e.name] = name;
    }
  }

  /// The header of one schema's enums and tables, which includes the headers of the schemas
  /// whose enums its columns use.
  std::string write(const std::string& schema, const std::string& source) {
    std::string body;
    for (const auto& e : m_.enums)
      if (e.schema == schema) body += enum_declaration(e);
    std::set<std::string> taken, uses;
    for (const auto& t : m_.tables)
      if (t.schema == schema) {
        body += table_declaration(t, taken);
        for (const auto& c : t.columns)
          for (const auto& e : m_.enums)
            if (e.schema != schema && member_type(c.type, enum_names_).cpp.find(struct_name(e.name)) !=
                                          std::string::npos)
              uses.insert(e.schema);
      }
    std::string includes;
    for (const auto& other : uses) includes += fmt::format("#include \"{}\"\n", header_name(other));
    const auto text = fmt::format(
        "// The {} schema of {},\n// as `schemagen import` read it: annotated models whose scan "
        "compares equal to the database.\n// Edit them as your own: a later import does not "
        "overwrite an edited file.\n#pragma once\n\n#include <schemagen/annotations.hpp>\n{}\n"
        "#include <chrono>\n#include <cstddef>\n#include <cstdint>\n#include <optional>\n"
        "#include <string>\n#include <vector>\n{}",
        schema, source, includes, body);
    return fmt::format("{}{}{}\n", text, import_mark, content_hash(text));
  }

  /// The header a schema's models go to.
  static std::string header_name(const std::string& schema) { return schema + "_models.hpp"; }

  /// The last line of a written header: the hash of what came before it, so that an edit shows.
  static constexpr std::string_view import_mark = "// schemagen import: ";

private:
  std::string enum_declaration(const model::Enum& e) {
    std::vector<std::string> values;
    std::set<std::string> taken;
    for (const auto& v : e.values) {
      // a value that is no C++ name is said beside the enumerator that stands for it
      auto name = member_name(v);
      for (int n = 2; !taken.insert(name).second; ++n) name = fmt::format("{}_{}", member_name(v), n);
      values.push_back(name == v ? v : fmt::format("{} SG_VALUE({})", name, literal(v)));
    }
    return fmt::format("\nenum class SG_ENUM({}{}) {} {{ {} }};\n", literal(e.name),
                       e.schema == "public" ? "" : ", schema = " + literal(e.schema),
                       struct_name(e.name), joined(values));
  }

  std::string default_name(NameKind kind, const model::NameParts& parts) const {
    return model::default_name(kind, parts, convention_);
  }

  std::string table_declaration(const model::Table& t, std::set<std::string>& taken) {
    auto name = struct_name(t.name);
    for (int n = 2; !taken.insert(name).second; ++n) name = fmt::format("{}{}", struct_name(t.name), n);

    // what the struct's annotations say, beside SG_TABLE
    std::vector<std::string> annotations;
    std::set<std::string> unique_on, fk_on; // single columns said on the member
    for (const auto& u : t.unique_constraints) {
      if (u.columns.size() == 1 &&
          u.name == default_name(NameKind::unique, {t.name, u.columns, {}, {}, {}}))
        unique_on.insert(u.columns.front());
      else
        annotations.push_back(fmt::format("SG_UNIQUE({}, columns = {})", literal(u.name),
                                          literal(joined(u.columns))));
    }
    for (const auto& fk : t.foreign_keys) {
      const bool one = fk.columns.size() == 1 &&
                       fk.name == default_name(NameKind::foreign_key,
                                               {t.name, fk.columns, fk.referred_table,
                                                fk.referred_columns, {}});
      if (one && !fk_on.count(fk.columns.front())) {
        fk_on.insert(fk.columns.front());
        continue;
      }
      annotations.push_back(fmt::format(
          "SG_FOREIGN_KEY({}, columns = {}, references = {}{}{})", literal(fk.name),
          literal(joined(fk.columns)),
          literal(fmt::format("{}.{}({})", fk.referred_schema, fk.referred_table,
                              joined(fk.referred_columns))),
          referential("on_delete", fk.on_delete), referential("on_update", fk.on_update)));
    }
    for (const auto& ck : t.checks)
      annotations.push_back(
          fmt::format("SG_CHECK({}, expr = {})", literal(ck.name), literal(ck.expression)));
    for (const auto& ix : t.indexes) {
      std::string options = fmt::format("SG_INDEX({}, columns = {}", literal(ix.name),
                                        literal(joined(ix.columns)));
      if (ix.unique) options += ", unique";
      if (ix.where) options += ", where = " + literal(*ix.where);
      if (ix.method != "btree") options += ", using = " + literal(ix.method);
      annotations.push_back(options + ")");
    }

    std::string table_options = literal(t.name);
    if (t.schema != "public") table_options += ", schema = " + literal(t.schema);
    if (t.primary_key) {
      // a primary key's columns are the members marked, in member order
      std::vector<std::string> in_order;
      for (const auto& c : t.columns)
        if (std::find(t.primary_key->columns.begin(), t.primary_key->columns.end(), c.name) !=
            t.primary_key->columns.end())
          in_order.push_back(c.name);
      if (in_order != t.primary_key->columns)
        problems_.push_back(fmt::format(
            "the primary key of {}.{} is ({}), in another order than the columns: the models "
            "make a primary key of its members in member order",
            t.schema, t.name, joined(t.primary_key->columns)));
      if (t.primary_key->name !=
          default_name(NameKind::primary_key, {t.name, t.primary_key->columns, {}, {}, {}}))
        table_options += ", primary_key_name = " + literal(t.primary_key->name);
    }

    std::string out = "\n" + doc_comment(t.comment, "");
    out += fmt::format("struct SG_TABLE({})", table_options);
    for (const auto& a : annotations) out += "\n    " + a;
    out += fmt::format(" {} {{\n", name);
    for (const auto& c : t.columns) out += member(t, c, unique_on, fk_on);
    return out + "};\n";
  }

  std::string member(const model::Table& t, const model::Column& c,
                     const std::set<std::string>& unique_on, const std::set<std::string>& fk_on) {
    auto type = member_type(c.type, enum_names_);
    std::vector<std::string> options;
    const auto cpp_name = member_name(c.name);
    if (cpp_name != c.name) options.push_back("name = " + literal(c.name));
    options.insert(options.end(), type.options.begin(), type.options.end());
    if (t.primary_key && std::find(t.primary_key->columns.begin(), t.primary_key->columns.end(),
                                   c.name) != t.primary_key->columns.end())
      options.push_back("primary_key");
    // SQLite reads INTEGER PRIMARY KEY AUTOINCREMENT as both: identity is what the models say
    if (c.autoincrement && c.identity == model::Identity::none) options.push_back("autoincrement");
    if (c.identity != model::Identity::none)
      options.push_back(fmt::format("identity = {}", literal(model::to_string(c.identity))));
    if (unique_on.count(c.name)) options.push_back("unique");
    if (c.server_default && !c.autoincrement)
      options.push_back("server_default = " + literal(*c.server_default));
    if (fk_on.count(c.name))
      for (const auto& fk : t.foreign_keys)
        if (fk.columns.size() == 1 && fk.columns.front() == c.name) {
          options.push_back(fmt::format("foreign_key = {}{}{}",
                                        literal(fmt::format("{}.{}.{}", fk.referred_schema,
                                                            fk.referred_table,
                                                            fk.referred_columns.front())),
                                        referential("on_delete", fk.on_delete),
                                        referential("on_update", fk.on_update)));
          break;
        }
    const auto cpp = c.nullable ? fmt::format("std::optional<{}>", type.cpp) : type.cpp;
    std::string out = doc_comment(c.comment, "  ");
    out += options.empty() ? "  " : fmt::format("  SG_COLUMN({}) ", joined(options));
    return out + fmt::format("{} {};\n", cpp, cpp_name);
  }

  const model::Metadata& m_;
  const model::NamingConvention& convention_;
  std::vector<std::string>& problems_;
  std::map<std::string, std::string> enum_names_; // the type as a column spells it → C++ name
};

/// Whether `file` is a header an import wrote and nobody edited since.
bool unedited_import(const fs::path& file) {
  const auto text = read_file(file);
  const auto mark = text.rfind(HeaderWriter::import_mark);
  if (mark == std::string::npos) return false;
  const auto hash = text.substr(mark + HeaderWriter::import_mark.size());
  return hash == content_hash(std::string_view(text).substr(0, mark)) + "\n";
}

} // namespace

ExitCode import_models(const Global& global, const ImportOptions& options) {
  // with a configuration: its database, naming convention and version table; without, --url
  std::optional<Project> project;
  std::unique_ptr<dialect::Session> db;
  model::NamingConvention convention;
  dialect::ReflectOptions reflect;
  std::string source;
  try {
    project.emplace(Project::load(global));
  } catch (const UserError&) {
    if (!url_given(global)) throw;
  }
  if (project) {
    db = project->connect();
    convention = project->config().naming_convention;
    reflect.version_table_schema = project->config().version_table_schema;
    reflect.version_table = project->config().version_table;
    reflect.exclude_tables = project->config().exclude_tables;
    reflect.schemas = project->config().include_schemas;
    source = sql::redact_url(project->url());
  } else {
    const auto url = *url_given(global);
    db = migrate::dialect_for_url(url).connect(url, fs::current_path());
    source = sql::redact_url(url);
  }
  if (!options.schemas.empty()) reflect.schemas = options.schemas;
  if (reflect.schemas.empty()) reflect.schemas = db->schemas();
  const auto m = db->reflect(reflect);

  std::vector<std::string> problems;
  HeaderWriter writer(m, convention, problems);
  std::set<std::string> schemas;
  for (const auto& t : m.tables) schemas.insert(t.schema);
  for (const auto& e : m.enums) schemas.insert(e.schema);
  std::vector<std::pair<fs::path, std::string>> headers;
  for (const auto& schema : schemas)
    headers.emplace_back(options.out / HeaderWriter::header_name(schema),
                         writer.write(schema, source));
  if (!problems.empty())
    throw UserError(fmt::format("error: the database has what the models cannot say yet; nothing "
                                "written:\n  {}",
                                fmt::join(problems, "\n  ")));
  if (headers.empty()) {
    std::cerr << fmt::format("No tables or enums in {}: nothing to import\n",
                             joined(reflect.schemas));
    return ExitCode::ok;
  }
  fs::create_directories(options.out);
  for (auto& [file, text] : headers) {
    // an edited header is the user's: the import goes beside it, and says so
    auto target = file;
    if (fs::exists(file) && read_file(file) != text && !unedited_import(file)) {
      target += ".new";
      std::cerr << fmt::format("{} was edited since it was imported (or not written by import): "
                               "left as it is, the import written to {}\n",
                               display_path(file), display_path(target));
    }
    write_file_atomic(target, text);
    if (global.verbosity >= 0) std::cerr << fmt::format("Wrote {}\n", display_path(target));
  }
  return ExitCode::ok;
}

} // namespace schemagen::driver
