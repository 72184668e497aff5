#include "builder.hpp"

#include "schemagen/scan/scan.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"
#include "schemagen/support/text.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <set>

namespace schemagen::scan {

using model::Column;
using model::Metadata;
using model::NameKind;
using model::Table;
using model::View;

namespace {

// ---- option checking -----------------------------------------------------------------------

enum class Want { string, integer, boolean };

struct OptionSpec {
  std::string_view key;
  Want want;
};

struct MacroSpec {
  bool named; // a first bare string is the name
  std::vector<OptionSpec> options;
};

/// Every macro, by kind, and the options it accepts: what the scan checks annotations against.
const std::map<std::string, MacroSpec>& macro_specs() {
  static const std::map<std::string, MacroSpec> specs = {
      {"table",
       {true,
        {{"name", Want::string},
         {"schema", Want::string},
         {"comment", Want::string},
         {"renamed_from", Want::string},
         {"primary_key_name", Want::string}}}},
      {"view",
       {true,
        {{"name", Want::string},
         {"schema", Want::string},
         {"sql", Want::string},
         {"file", Want::string},
         {"materialized", Want::boolean},
         {"comment", Want::string}}}},
      {"column",
       {true,
        {{"name", Want::string},
         {"type", Want::string},
         {"length", Want::integer},
         {"precision", Want::integer},
         {"scale", Want::integer},
         {"primary_key", Want::boolean},
         {"autoincrement", Want::boolean},
         {"identity", Want::string},
         {"unique", Want::boolean},
         {"index", Want::boolean},
         {"nullable", Want::boolean},
         {"server_default", Want::string},
         {"foreign_key", Want::string},
         {"on_delete", Want::string},
         {"on_update", Want::string},
         {"comment", Want::string},
         {"renamed_from", Want::string}}}},
      {"index",
       {true,
        {{"name", Want::string},
         {"columns", Want::string},
         {"unique", Want::boolean},
         {"where", Want::string},
         {"using", Want::string}}}},
      {"unique", {true, {{"name", Want::string}, {"columns", Want::string}}}},
      {"check", {true, {{"name", Want::string}, {"expr", Want::string}}}},
      {"foreign_key",
       {true,
        {{"name", Want::string},
         {"columns", Want::string},
         {"references", Want::string},
         {"on_delete", Want::string},
         {"on_update", Want::string}}}},
      {"enum", {true, {{"name", Want::string}, {"schema", Want::string}}}},
      {"value", {true, {{"name", Want::string}}}},
      {"ignore", {false, {}}},
  };
  return specs;
}

const MacroSpec& spec_for(const std::string& kind) { return macro_specs().at(kind); }

const char* want_name(Want w) {
  switch (w) {
  case Want::string: return "a string literal";
  case Want::integer: return "an integer";
  case Want::boolean: return "true or false";
  }
  return "";
}

/// An annotation's options, checked against its macro's spec: the ones that passed, by key.
class Options {
public:
  Options(const Annotation& a, DiagnosticList& diags) : annotation_(a), diags_(diags) {
    const auto& spec = spec_for(a.kind);
    for (const auto& o : a.options) {
      if (o.key.empty()) { // a bare string
        if (!spec.named) {
          diags.error(o.loc, fmt::format("{} takes no name", a.macro()));
        } else if (by_key_.count("name")) {
          diags.error(o.loc, fmt::format("{} has a name already: a second bare string is not an "
                                         "option (write key = \"value\")",
                                         a.macro()));
        } else {
          by_key_["name"] = &o;
        }
        continue;
      }
      auto it = std::find_if(spec.options.begin(), spec.options.end(),
                             [&](const OptionSpec& s) { return s.key == o.key; });
      if (it == spec.options.end()) {
        unknown(o, spec);
        continue;
      }
      if (by_key_.count(o.key)) {
        diags.error(o.loc, fmt::format("option '{}' is given twice", o.key));
        continue;
      }
      const bool ok = (it->want == Want::boolean && (o.value.kind == Value::Kind::boolean ||
                                                     o.value.kind == Value::Kind::flag)) ||
                      (it->want == Want::string && o.value.kind == Value::Kind::string) ||
                      (it->want == Want::integer && o.value.kind == Value::Kind::integer);
      if (!ok) {
        if (o.value.kind == Value::Kind::flag)
          diags.error(o.loc, fmt::format("option '{}' needs a value: {} = {}", o.key, o.key,
                                         want_name(it->want)));
        else
          diags.error(o.value_loc, fmt::format("option '{}' takes {}", o.key, want_name(it->want)));
        continue;
      }
      by_key_[o.key] = &o;
    }
  }

  const Option* get(std::string_view key) const {
    auto it = by_key_.find(std::string(key));
    return it == by_key_.end() ? nullptr : it->second;
  }
  std::optional<std::string> str(std::string_view key) const {
    if (auto o = get(key)) return o->value.text;
    return std::nullopt;
  }
  bool flag(std::string_view key) const {
    auto o = get(key);
    return o && o->value.boolean;
  }
  /// A required string; reports its absence at the annotation.
  std::optional<std::string> required(std::string_view key, std::string_view example) {
    auto v = str(key);
    if (!v || v->empty()) {
      // a malformed annotation's error is reported already; what it lacks follows from it
      if (!annotation_.malformed && !reported_missing_.count(std::string(key)))
        diags_.error(annotation_.loc,
                     fmt::format("{} needs {}: {}", annotation_.macro(),
                                 key == "name" ? "a name" : fmt::format("'{}'", key), example));
      reported_missing_.insert(std::string(key));
      return std::nullopt;
    }
    return v;
  }
  SourceLoc loc_of(std::string_view key) const {
    auto o = get(key);
    return o ? o->value_loc : annotation_.loc;
  }

private:
  void unknown(const Option& o, const MacroSpec& spec) {
    std::string_view best;
    std::size_t best_distance = 3;
    for (const auto& s : spec.options) {
      auto d = edit_distance(o.key, s.key);
      if (d < best_distance) {
        best_distance = d;
        best = s.key;
      }
    }
    if (!best.empty())
      diags_.error(o.loc, fmt::format("unknown option '{}' in {}; did you mean '{}'?", o.key,
                                      annotation_.macro(), best));
    else {
      std::vector<std::string_view> keys;
      for (const auto& s : spec.options) keys.push_back(s.key);
      diags_.error(o.loc, fmt::format("unknown option '{}' in {} (options: {})", o.key,
                                      annotation_.macro(), fmt::join(keys, ", ")));
    }
  }

  const Annotation& annotation_;
  DiagnosticList& diags_;
  std::map<std::string, const Option*> by_key_;
  std::set<std::string> reported_missing_;
};

// ---- small parsers -------------------------------------------------------------------------

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\n\r");
  return std::string(s.substr(b, e - b + 1));
}

/// A view's query as revisions carry it: without the surrounding whitespace and the final ';'
/// (or several), which a statement of its own would have but CREATE VIEW ... AS cannot take.
std::string trim_sql(std::string_view s) {
  std::string out = trim(s);
  while (!out.empty() && out.back() == ';')
    out = trim(std::string_view(out).substr(0, out.size() - 1));
  return out;
}

/// "a, b, lower(c)" → {"a", "b", "lower(c)"}: commas inside parentheses or quotes do not split.
std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0; // inside '...' or "...": a quote of the other kind is only a character
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(trim(text.substr(begin, i - begin)));
      begin = i + 1;
    }
  }
  return out;
}

using sql::is_identifier;

using sql::referential_action;

/// A reference to another table: [schema.]table and its columns.
struct Reference {
  std::optional<std::string> schema;
  std::string table;
  std::vector<std::string> columns;
};

/// "table.col" or "schema.table.col" (a column's foreign_key).
std::optional<Reference> parse_column_reference(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == '.') {
      parts.push_back(trim(text.substr(begin, i - begin)));
      begin = i + 1;
    }
  if (parts.size() < 2 || parts.size() > 3 ||
      !std::all_of(parts.begin(), parts.end(), [](auto& p) { return is_identifier(p); }))
    return std::nullopt;
  Reference r;
  if (parts.size() == 3) r.schema = parts[0];
  r.table = parts[parts.size() - 2];
  r.columns = {parts.back()};
  return r;
}

/// "other(x, y)" or "schema.other(x, y)" (SG_FOREIGN_KEY's references).
std::optional<Reference> parse_table_reference(std::string_view text) {
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open ||
      !trim(text.substr(close + 1)).empty())
    return std::nullopt;
  std::string target = trim(text.substr(0, open));
  Reference r;
  if (auto dot = target.find('.'); dot != std::string::npos) {
    r.schema = trim(target.substr(0, dot));
    target = trim(target.substr(dot + 1));
    if (!is_identifier(*r.schema)) return std::nullopt;
  }
  if (!is_identifier(target)) return std::nullopt;
  r.table = target;
  r.columns = split_list(text.substr(open + 1, close - open - 1));
  if (r.columns.empty() ||
      !std::all_of(r.columns.begin(), r.columns.end(), [](auto& c) { return is_identifier(c); }))
    return std::nullopt;
  return r;
}

// ---- the builder ---------------------------------------------------------------------------

/// A foreign key waiting for every table to be known.
struct PendingForeignKey {
  std::size_t table; // index into tables_
  std::string name;  // empty: default name
  std::vector<std::string> columns;
  Reference reference;
  std::string on_delete, on_update;
  SourceLoc loc; // of the reference, for errors
};

class Builder {
public:
  Builder(const model::NamingConvention& naming, DiagnosticList& diags,
          const ReadSqlFile& read_sql_file)
      : naming_(naming), diags_(diags), read_sql_file_(read_sql_file) {}

  Metadata run(const RawModels& raw) {
    for (const auto& e : raw.enums) add_enum(e);
    for (const auto& t : raw.tables) add_table(t);
    for (const auto& v : raw.views) add_view(v);
    for (const auto& fk : pending_fks_) resolve_foreign_key(fk);
    check_names();
    Metadata m;
    m.tables = std::move(tables_);
    m.views = std::move(views_);
    for (auto& [key, e] : enums_) m.enums.push_back(std::move(e));
    model::canonicalize(m);
    return m;
  }

private:
  // -- enums --

  void add_enum(const RawEnum& raw) {
    Options opts(raw.annotation, diags_);
    auto name = opts.required("name", "SG_ENUM(\"type_name\")");
    if (!name) return;
    model::Enum e;
    e.name = *name;
    e.schema = opts.str("schema").value_or("public");
    e.values = raw.values;
    for (std::size_t i = 0; i < raw.value_labels.size(); ++i)
      if (const auto& label = raw.value_labels[i]) { // the value, where it is no C++ name
        Options value(*label, diags_);
        if (auto text = value.required("name", "SG_VALUE(\"label\")")) e.values[i] = *text;
      }
    e.origin.loc = raw.annotation.loc;
    check_identifier(e.name, opts.loc_of("name"), "enum type name");
    enums_[raw.cxx_name] = std::move(e);
  }

  // -- tables --

  void add_table(const RawTable& raw) {
    Options opts(raw.annotations.front(), diags_);
    auto name = opts.required("name", "SG_TABLE(\"table_name\")");
    if (!name) return;
    Table t;
    t.name = *name;
    t.schema = opts.str("schema").value_or("public");
    t.comment = opts.str("comment");
    if (!t.comment && raw.doc) t.comment = raw.doc;
    t.renamed_from = opts.str("renamed_from");
    t.origin.loc = raw.annotations.front().loc;
    check_identifier(t.name, opts.loc_of("name"), "table name");
    check_identifier(t.schema, opts.loc_of("schema"), "schema name");

    const std::size_t index = tables_.size();
    std::vector<std::string> pk_columns;
    for (const auto& field : raw.fields) add_field(t, index, field, pk_columns);
    if (!pk_columns.empty())
      t.primary_key = model::PrimaryKey{
          model::default_name(NameKind::primary_key, {t.name, pk_columns, {}}, naming_),
          pk_columns};
    if (const auto pk_name = opts.str("primary_key_name")) {
      if (!t.primary_key)
        diags_.error(opts.loc_of("primary_key_name"),
                     "primary_key_name names the primary key, and no member is primary_key");
      else
        t.primary_key->name = *pk_name;
      check_identifier(*pk_name, opts.loc_of("primary_key_name"), "primary key name");
    }
    for (std::size_t i = 1; i < raw.annotations.size(); ++i)
      add_table_constraint(t, index, raw.annotations[i], raw.annotations.front());
    table_index_.emplace(std::pair{t.schema, t.name}, index); // a second one is an error; lookups find the first
    tables_.push_back(std::move(t));
  }

  /// What a member declares alike in a table and a view: its column's name, type, nullability
  /// and comment, with the SG_COLUMN options it was read with. nullopt when the member is no
  /// column (SG_IGNORE) or its column cannot be added to `t`.
  struct Member {
    Column column;
    Options opts;
    SourceLoc at; // its SG_COLUMN, else the member
  };
  std::optional<Member> member(const Table& t, const RawField& field, std::string_view kind) {
    const Annotation* column_annotation = nullptr;
    const Annotation* ignore = nullptr;
    for (const auto& a : field.annotations) {
      const Annotation*& slot = a.kind == "ignore" ? ignore : column_annotation;
      if (slot)
        diags_.error(a.loc, fmt::format("{} is given twice on '{}'", a.macro(), field.cxx_name));
      else
        slot = &a;
    }
    if (ignore) {
      Options(*ignore, diags_); // reports options given to SG_IGNORE
      if (column_annotation)
        diags_.error(ignore->loc,
                     fmt::format("'{}' has both SG_IGNORE and SG_COLUMN", field.cxx_name));
      return std::nullopt;
    }
    static const Annotation none{"column", {}, {}};
    const Annotation& a = column_annotation ? *column_annotation : none;
    Member m{{}, Options(a, diags_), column_annotation ? a.loc : field.loc};
    const Options& opts = m.opts;
    Column& c = m.column;
    c.name = opts.str("name").value_or(field.cxx_name);
    c.origin.loc = m.at;
    check_identifier(c.name, opts.get("name") ? opts.loc_of("name") : field.loc, "column name");
    if (t.find_column(c.name)) {
      diags_.error(m.at,
                   fmt::format("column '{}' is declared twice in {} '{}'", c.name, kind, t.name));
      return std::nullopt;
    }
    c.type = sql_type(field, opts, m.at);

    // nullability
    c.nullable = field.type.optional;
    if (auto o = opts.get("nullable")) {
      if (field.type.optional && !o->value.boolean)
        diags_.error(o->loc, fmt::format("'{}' is a std::optional: it cannot be nullable = false",
                                         field.cxx_name));
      c.nullable = o->value.boolean;
    }
    c.comment = opts.str("comment");
    if (!c.comment && field.doc) c.comment = field.doc;
    return m;
  }

  void add_field(Table& t, std::size_t table_index, const RawField& field,
                 std::vector<std::string>& pk_columns) {
    auto m = member(t, field, "table");
    if (!m) return;
    const Options& opts = m->opts;
    Column& c = m->column;
    const bool primary_key = opts.flag("primary_key");
    if (primary_key) {
      if (c.nullable)
        diags_.error(opts.get("primary_key")->loc,
                     fmt::format("primary key column '{}' cannot be nullable", c.name));
      pk_columns.push_back(c.name);
    }

    c.server_default = opts.str("server_default");
    if (c.server_default && trim(*c.server_default).empty())
      diags_.error(opts.loc_of("server_default"), "server_default is empty");
    const bool integer = field.type.kind == CxxType::Kind::integer && !opts.get("type");
    if (auto identity = opts.str("identity")) {
      if (*identity == "always")
        c.identity = model::Identity::always;
      else if (*identity == "by default")
        c.identity = model::Identity::by_default;
      else
        diags_.error(
            opts.loc_of("identity"),
            fmt::format("identity must be \"always\" or \"by default\", not \"{}\"", *identity));
      if (!integer) diags_.error(opts.loc_of("identity"), "identity needs an integer column");
      if (c.nullable)
        diags_.error(opts.loc_of("identity"), "an identity column cannot be nullable");
    }
    if (opts.flag("autoincrement")) {
      c.autoincrement = true;
      if (!integer)
        diags_.error(opts.get("autoincrement")->loc, "autoincrement needs an integer column");
      if (c.identity != model::Identity::none)
        diags_.error(opts.get("autoincrement")->loc,
                     "autoincrement and identity cannot both be given: pick one");
    }
    if ((c.autoincrement || c.identity != model::Identity::none) && c.server_default)
      diags_.error(opts.loc_of("server_default"),
                   "a column with identity or autoincrement cannot have a server_default");

    c.renamed_from = opts.str("renamed_from");

    const bool unique = opts.flag("unique");
    if (opts.flag("index")) {
      model::Index ix;
      ix.name = model::default_name(NameKind::index, {t.name, {c.name}, {}}, naming_);
      ix.columns = {c.name};
      ix.unique = unique; // unique + index: one unique index, as SQLAlchemy makes it
      ix.origin.loc = opts.get("index")->loc;
      t.indexes.push_back(std::move(ix));
    } else if (unique) {
      t.unique_constraints.push_back(
          {model::default_name(NameKind::unique, {t.name, {c.name}, {}}, naming_),
           {c.name},
           {opts.get("unique")->loc}});
    }

    if (auto target = opts.str("foreign_key")) {
      auto ref = parse_column_reference(*target);
      if (!ref)
        diags_.error(opts.loc_of("foreign_key"),
                     fmt::format("foreign_key must be \"table.column\" or \"schema.table.column\", "
                                 "not \"{}\"",
                                 *target));
      else
        pending_fks_.push_back({table_index,
                                {},
                                {c.name},
                                *ref,
                                action(opts, "on_delete"),
                                action(opts, "on_update"),
                                opts.loc_of("foreign_key")});
    } else {
      for (const char* key : {"on_delete", "on_update"})
        if (opts.get(key))
          diags_.error(opts.get(key)->loc, fmt::format("{} needs a foreign_key", key));
    }
    t.columns.push_back(std::move(c));
  }

  // -- views --

  void add_view(const RawTable& raw) {
    const Annotation& a = raw.annotations.front();
    Options opts(a, diags_);
    auto name = opts.required("name", "SG_VIEW(\"view_name\", sql = \"SELECT ...\")");
    auto sql = view_sql(a, opts);
    if (!name) return;
    View v;
    v.name = *name;
    v.schema = opts.str("schema").value_or("public");
    v.materialized = opts.flag("materialized");
    v.comment = opts.str("comment");
    if (!v.comment && raw.doc) v.comment = raw.doc;
    v.sql = sql.value_or("");
    v.origin.loc = a.loc;
    check_identifier(v.name, opts.loc_of("name"), "view name");
    check_identifier(v.schema, opts.loc_of("schema"), "schema name");

    // The columns are gathered in a table of the view's name, so that SG_INDEX finds them (and
    // names its index) exactly as on a table.
    Table shape;
    shape.schema = v.schema;
    shape.name = v.name;
    for (const auto& field : raw.fields)
      if (auto m = view_member(shape, field)) shape.columns.push_back(std::move(m->column));
    for (std::size_t i = 1; i < raw.annotations.size(); ++i) {
      const Annotation& other = raw.annotations[i];
      Options other_opts(other, diags_);
      if (other.kind == "table" || other.kind == "view") {
        second_declaration(a, other);
      } else if (other.kind != "index") {
        diags_.error(other.loc, fmt::format("{} does not go on a view: a view has no constraints "
                                            "(only SG_INDEX, on a materialized view)",
                                            other.macro()));
      } else if (!v.materialized) {
        diags_.error(other.loc,
                     fmt::format("SG_INDEX on view '{}', which is not materialized: only a "
                                 "materialized view has indexes (SG_VIEW(..., materialized))",
                                 v.name));
      } else if (auto ix = make_index(shape, other_opts, other, "view")) {
        v.indexes.push_back(std::move(*ix));
      }
    }
    v.columns = std::move(shape.columns);
    views_.push_back(std::move(v));
  }

  /// A view's column: a member as a table's, without what only a table's column can have.
  std::optional<Member> view_member(const Table& shape, const RawField& field) {
    auto m = member(shape, field, "view");
    if (!m) return m;
    static constexpr std::string_view table_only[] = {
        "primary_key",    "autoincrement", "identity",  "unique",    "index",
        "server_default", "foreign_key",   "on_delete", "on_update", "renamed_from"};
    for (const auto key : table_only)
      if (const Option* o = m->opts.get(key))
        diags_.error(o->loc, fmt::format("{} is for a table's column, not a view's: view '{}' "
                                         "gets its columns from its query",
                                         key, shape.name));
    return m;
  }

  /// A view's query: `sql`, or the text of `file` (relative to the header's directory), trimmed
  /// of surrounding whitespace and a final ';'. nullopt, reported, when there is none.
  std::optional<std::string> view_sql(const Annotation& a, const Options& opts) {
    const Option* sql = opts.get("sql");
    const Option* file = opts.get("file");
    if (sql && file) {
      diags_.error(file->loc, "sql and file cannot both be given: the query is in one of them");
      return std::nullopt;
    }
    if (!sql && !file) {
      if (!a.malformed) // what it lacks may be behind the syntax error, reported already
        diags_.error(a.loc, "SG_VIEW needs 'sql' or 'file': sql = \"SELECT ...\" or "
                            "file = \"views/name.sql\" (relative to the header)");
      return std::nullopt;
    }
    if (sql) {
      auto text = trim_sql(sql->value.text);
      if (text.empty()) diags_.error(sql->value_loc, "sql is empty");
      if (text.empty()) return std::nullopt;
      return text;
    }
    const fs::path path =
        (fs::path(a.loc.file).parent_path() / file->value.text).lexically_normal();
    std::string error;
    auto content = read_sql_file_(path, error);
    if (!content) {
      diags_.error(file->value_loc, fmt::format("cannot read {}: {}", display_path(path), error));
      return std::nullopt;
    }
    if (!valid_utf8(*content)) {
      diags_.error(file->value_loc, fmt::format("{} is not UTF-8 text", display_path(path)));
      return std::nullopt;
    }
    std::string_view text = *content;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3); // a byte order mark
    auto query = trim_sql(text);
    if (query.empty()) {
      diags_.error(file->value_loc, fmt::format("{} holds no SQL", display_path(path)));
      return std::nullopt;
    }
    return query;
  }

  std::string action(const Options& opts, const char* key) {
    auto text = opts.str(key);
    if (!text) return {};
    auto value = referential_action(*text);
    if (!value) {
      diags_.error(opts.loc_of(key),
                   fmt::format("{} must be CASCADE, RESTRICT, SET NULL, SET DEFAULT or NO ACTION, "
                               "not \"{}\"",
                               key, *text));
      return {};
    }
    return *value;
  }

  /// The column's SQL type: `type = ...` or the type mapping, with length/precision/scale.
  std::string sql_type(const RawField& field, const Options& opts, const SourceLoc& at) {
    const CxxType& t = field.type;
    auto length = opts.get("length");
    auto precision = opts.get("precision");
    auto scale = opts.get("scale");
    for (const Option* o : {length, precision, scale})
      if (o && o->value.integer <= 0)
        if (o != scale || o->value.integer < 0)
          diags_.error(o->value_loc, fmt::format("{} must be positive", o->key));
    if (scale && !precision) diags_.error(scale->loc, "scale needs a precision");
    auto modifiers = [&]() -> std::string {
      if (length) return fmt::format("({})", length->value.integer);
      if (precision && scale)
        return fmt::format("({},{})", precision->value.integer, scale->value.integer);
      if (precision) return fmt::format("({})", precision->value.integer);
      return {};
    };
    if (length && precision) diags_.error(length->loc, "length and precision cannot both be given");

    if (auto explicit_type = opts.str("type")) {
      std::string type = trim(*explicit_type);
      if (type.empty()) {
        diags_.error(opts.loc_of("type"), "type is empty");
        return type;
      }
      if (type.find('(') == std::string::npos)
        type += modifiers();
      else if (length || precision)
        diags_.error((length ? length : precision)->loc,
                     fmt::format("type \"{}\" has its modifiers already", type));
      return type;
    }

    auto misplaced = [&](const Option* o, std::string_view needs) {
      if (o)
        diags_.error(o->loc, fmt::format("{} applies to {}, not to {} '{}' (or give type = ...)",
                                         o->key, needs, t.spelling, field.cxx_name));
    };
    std::string base;
    switch (t.kind) {
    case CxxType::Kind::boolean: base = "BOOLEAN"; break;
    case CxxType::Kind::integer:
      if (t.is_unsigned) {
        diags_.error(at,
                     fmt::format("'{}' is unsigned ({}), which PostgreSQL has no type for: give "
                                 "type = \"BIGINT\" or another type explicitly",
                                 field.cxx_name, t.spelling));
        return {};
      }
      if (precision) return fmt::format("NUMERIC{}", modifiers());
      base = t.bits == 16 ? "SMALLINT" : t.bits == 32 ? "INTEGER" : "BIGINT";
      break;
    case CxxType::Kind::floating:
      if (precision) return fmt::format("NUMERIC{}", modifiers());
      base = t.bits == 32 ? "REAL" : "DOUBLE PRECISION";
      break;
    case CxxType::Kind::string: base = length ? "VARCHAR" + modifiers() : "TEXT"; break;
    case CxxType::Kind::bytes: base = "BYTEA"; break;
    case CxxType::Kind::timestamp:
      base = precision ? fmt::format("TIMESTAMP({}) WITH TIME ZONE", precision->value.integer)
                       : "TIMESTAMP WITH TIME ZONE";
      if (scale) misplaced(scale, "numbers");
      break;
    case CxxType::Kind::date: base = "DATE"; break;
    case CxxType::Kind::enumeration: {
      auto it = enums_.find(t.enum_key);
      if (it == enums_.end()) {
        diags_.error(at, fmt::format("'{}' has enum type {}, which has no SG_ENUM: annotate the "
                                     "enum or give type = ...",
                                     field.cxx_name, t.spelling));
        return {};
      }
      base = sql::type_name(it->second.schema, it->second.name);
      break;
    }
    case CxxType::Kind::unmapped:
      diags_.error(at, fmt::format("'{}' has type {}, which has no PostgreSQL mapping{}: give "
                                   "type = \"...\" or SG_IGNORE it",
                                   field.cxx_name, t.spelling,
                                   t.problem.empty() ? "" : " (" + t.problem + ")"));
      return {};
    }
    if (t.kind != CxxType::Kind::string) misplaced(length, "std::string");
    if (t.kind != CxxType::Kind::integer && t.kind != CxxType::Kind::floating &&
        t.kind != CxxType::Kind::timestamp)
      misplaced(precision, "numbers and time points");
    for (unsigned i = 0; i < t.array_dims; ++i) base += "[]";
    return base;
  }

  /// The columns of an option `columns = "a, b"`, each checked to be one of `t`'s (a `kind`).
  std::optional<std::vector<std::string>> column_list(const Table& t, const Options& opts,
                                                      bool expressions_allowed,
                                                      std::string_view kind = "table") {
    auto text = opts.str("columns");
    if (!text) return std::nullopt;
    auto columns = split_list(*text);
    if (columns.empty()) {
      diags_.error(opts.loc_of("columns"), "columns names no column");
      return std::nullopt;
    }
    bool ok = true;
    for (const auto& c : columns) {
      if (c.empty()) {
        diags_.error(opts.loc_of("columns"), "columns has an empty entry");
        ok = false;
        continue;
      }
      std::string name = c;
      if (expressions_allowed) { // "col DESC" names col; anything else is an expression
        auto space = c.find(' ');
        if (space != std::string::npos) name = c.substr(0, space);
        if (!is_identifier(name)) continue;
      } else if (!is_identifier(c)) {
        diags_.error(opts.loc_of("columns"), fmt::format("'{}' is not a column name", c));
        ok = false;
        continue;
      }
      if (!t.find_column(name)) {
        diags_.error(opts.loc_of("columns"),
                     fmt::format("{} '{}' has no column '{}'", kind, t.name, name));
        ok = false;
      }
    }
    if (!ok) return std::nullopt;
    return columns;
  }

  /// SG_INDEX on `t` (a `kind`: a table, or a materialized view's columns).
  std::optional<model::Index> make_index(const Table& t, Options& opts, const Annotation& a,
                                         std::string_view kind) {
    if (!opts.required("columns", "columns = \"a, b\"")) return std::nullopt;
    auto columns = column_list(t, opts, true, kind);
    if (!columns) return std::nullopt;
    model::Index ix;
    ix.columns = *columns;
    if (auto name = opts.str("name")) {
      ix.name = *name;
    } else { // named like the `index` flag's, expressions standing as "expr"
      std::vector<std::string> parts;
      for (auto& c : ix.columns) parts.push_back(is_identifier(c) ? c : "expr");
      ix.name = model::default_name(NameKind::index, {t.name, parts, {}}, naming_);
    }
    ix.unique = opts.flag("unique");
    ix.where = opts.str("where");
    if (auto method = opts.str("using")) {
      std::string lower;
      for (char ch : *method)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (!is_identifier(lower))
        diags_.error(opts.loc_of("using"), fmt::format("using must name an index method (btree, "
                                                       "hash, gist, spgist, gin, brin), not \"{}\"",
                                                       *method));
      ix.method = lower;
    }
    ix.origin.loc = a.loc;
    check_identifier(ix.name, opts.loc_of("name"), "index name");
    return ix;
  }

  /// SG_TABLE and SG_VIEW on a struct that has one of them already.
  void second_declaration(const Annotation& first, const Annotation& a) {
    diags_.error(a.loc, first.kind == a.kind
                            ? fmt::format("{} is given twice on one struct", a.macro())
                            : "SG_TABLE and SG_VIEW cannot both go on one struct");
  }

  void add_table_constraint(Table& t, std::size_t table_index, const Annotation& a,
                            const Annotation& first) {
    Options opts(a, diags_);
    if (a.kind == "table" || a.kind == "view") {
      second_declaration(first, a);
    } else if (a.kind == "index") {
      if (auto ix = make_index(t, opts, a, "table")) t.indexes.push_back(std::move(*ix));
    } else if (a.kind == "unique") {
      if (!opts.required("columns", "columns = \"a, b\"")) return;
      auto columns = column_list(t, opts, false);
      if (!columns) return;
      auto name = opts.str("name").value_or(
          model::default_name(NameKind::unique, {t.name, *columns, {}}, naming_));
      check_identifier(name, opts.loc_of("name"), "constraint name");
      t.unique_constraints.push_back({name, *columns, {a.loc}});
    } else if (a.kind == "check") {
      auto name = opts.required("name", "SG_CHECK(\"name\", expr = \"qty >= 0\")");
      auto expr = opts.required("expr", "expr = \"qty >= 0\"");
      if (!name || !expr) return;
      auto named = model::default_name(NameKind::check, {t.name, {}, {}, {}, *name}, naming_);
      check_identifier(named, opts.loc_of("name"), "constraint name");
      t.checks.push_back({named, trim(*expr), {a.loc}});
    } else if (a.kind == "foreign_key") {
      auto references = opts.required("references", "references = \"other(x, y)\"");
      if (!opts.required("columns", "columns = \"a, b\"") || !references) return;
      auto columns = column_list(t, opts, false);
      auto ref = parse_table_reference(*references);
      if (!ref) {
        diags_.error(opts.loc_of("references"),
                     fmt::format("references must be \"table(col, ...)\" or "
                                 "\"schema.table(col, ...)\", not \"{}\"",
                                 *references));
        return;
      }
      if (!columns) return;
      if (columns->size() != ref->columns.size()) {
        diags_.error(opts.loc_of("references"), fmt::format("{} columns reference {} columns",
                                                            columns->size(), ref->columns.size()));
        return;
      }
      pending_fks_.push_back({table_index, opts.str("name").value_or(""), *columns, *ref,
                              action(opts, "on_delete"), action(opts, "on_update"),
                              opts.loc_of("references")});
    } else {
      diags_.error(a.loc, fmt::format("{} does not go on a struct", a.macro()));
    }
  }

  void resolve_foreign_key(const PendingForeignKey& p) {
    Table& t = tables_[p.table];
    const Table* target = nullptr;
    if (p.reference.schema) {
      target = find_table(*p.reference.schema, p.reference.table);
    } else {
      target = find_table(t.schema, p.reference.table);
      if (!target) target = find_table("public", p.reference.table);
    }
    const std::string shown =
        p.reference.schema ? *p.reference.schema + "." + p.reference.table : p.reference.table;
    if (!target) {
      diags_.error(
          p.loc,
          fmt::format("foreign key references table '{}', which no SG_TABLE declares", shown));
      return;
    }
    bool ok = true;
    for (const auto& col : p.reference.columns)
      if (!target->find_column(col)) {
        diags_.error(p.loc, fmt::format("foreign key references column '{}', which table '{}' "
                                        "does not have",
                                        col, shown));
        ok = false;
      }
    if (!ok) return;
    auto same_set = [&](std::vector<std::string> a) {
      auto b = p.reference.columns;
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      return a == b;
    };
    bool unique = target->primary_key && same_set(target->primary_key->columns);
    for (const auto& u : target->unique_constraints) unique = unique || same_set(u.columns);
    for (const auto& ix : target->indexes)
      unique = unique || (ix.unique && !ix.where && same_set(ix.columns));
    if (!unique)
      diags_.error(p.loc, fmt::format("foreign key references {}({}), which is neither the primary "
                                      "key nor unique: PostgreSQL would refuse it",
                                      shown, fmt::join(p.reference.columns, ", ")));
    model::ForeignKey fk;
    fk.columns = p.columns;
    fk.referred_schema = target->schema;
    fk.referred_table = target->name;
    fk.referred_columns = p.reference.columns;
    fk.on_delete = p.on_delete;
    fk.on_update = p.on_update;
    fk.name =
        p.name.empty()
            ? model::default_name(NameKind::foreign_key,
                                  {t.name, p.columns, target->name, p.reference.columns}, naming_)
            : p.name;
    fk.origin.loc = p.loc;
    check_identifier(fk.name, p.loc, "constraint name");
    t.foreign_keys.push_back(std::move(fk));
  }

  const Table* find_table(const std::string& schema, const std::string& name) const {
    const auto it = table_index_.find(std::pair{schema, name});
    return it == table_index_.end() ? nullptr : &tables_[it->second];
  }

  // -- names --

  void check_identifier(const std::string& name, const SourceLoc& loc, std::string_view what) {
    if (name.size() > model::max_identifier_length)
      diags_.error(loc, fmt::format("{} '{}' is {} bytes long: PostgreSQL truncates names to {}",
                                    what, name, name.size(), model::max_identifier_length));
  }

  /// Tables, indexes and the indexes behind primary keys and unique constraints share one
  /// namespace per schema, and so do tables and types; constraint names are unique per table.
  void check_names() {
    std::map<std::pair<std::string, std::string>, SourceLoc> relations, types;
    auto claim = [&](auto& space, const std::string& schema, const std::string& name,
                     const SourceLoc& loc, std::string_view what) {
      auto [it, fresh] = space.emplace(std::pair{schema, name}, loc);
      if (!fresh) {
        diags_.error(loc, fmt::format("{} '{}' is used twice in schema '{}'", what, name, schema));
        diags_.note(it->second, "first used here");
      }
      return fresh;
    };
    for (const auto& [key, e] : enums_) claim(types, e.schema, e.name, e.origin.loc, "type name");
    for (const auto& t : tables_)
      if (claim(relations, t.schema, t.name, t.origin.loc, "table name"))
        claim(types, t.schema, t.name, t.origin.loc, "name (a table is a type too)");
    // a view is a relation and a row type as a table is, so its name clashes with a table's too
    for (const auto& v : views_) {
      if (claim(relations, v.schema, v.name, v.origin.loc, "view name"))
        claim(types, v.schema, v.name, v.origin.loc, "name (a view is a type too)");
      for (const auto& ix : v.indexes)
        claim(relations, v.schema, ix.name, ix.origin.loc, "index name");
    }
    for (const auto& t : tables_) {
      std::map<std::string, SourceLoc> constraints;
      auto constraint = [&](const std::string& name, const SourceLoc& loc) {
        auto [it, fresh] = constraints.emplace(name, loc);
        if (!fresh) {
          diags_.error(
              loc, fmt::format("constraint name '{}' is used twice in table '{}'", name, t.name));
          diags_.note(it->second, "first used here");
        }
      };
      if (t.primary_key) {
        constraint(t.primary_key->name, t.origin.loc);
        claim(relations, t.schema, t.primary_key->name, t.origin.loc, "relation name");
      }
      for (const auto& u : t.unique_constraints) {
        constraint(u.name, u.origin.loc);
        claim(relations, t.schema, u.name, u.origin.loc, "relation name");
      }
      for (const auto& fk : t.foreign_keys) constraint(fk.name, fk.origin.loc);
      for (const auto& ck : t.checks) constraint(ck.name, ck.origin.loc);
      for (const auto& ix : t.indexes)
        claim(relations, t.schema, ix.name, ix.origin.loc, "index name");
    }
  }

  const model::NamingConvention& naming_;
  DiagnosticList& diags_;
  const ReadSqlFile& read_sql_file_;
  std::vector<Table> tables_;
  std::map<std::pair<std::string, std::string>, std::size_t> table_index_; // (schema, name) → first
  std::vector<View> views_;
  std::map<std::string, model::Enum> enums_; // by C++ name
  std::vector<PendingForeignKey> pending_fks_;
};

} // namespace

std::vector<MacroOptions> annotation_options() {
  std::vector<MacroOptions> out;
  for (const auto& [kind, spec] : macro_specs()) {
    MacroOptions m{Annotation{kind, {}, {}}.macro(), {}};
    for (const auto& o : spec.options) m.options.emplace_back(o.key);
    out.push_back(std::move(m));
  }
  return out;
}

Metadata build_metadata(const RawModels& raw, const model::NamingConvention& naming,
                        DiagnosticList& diags, const ReadSqlFile& read_sql_file) {
  return Builder(naming, diags, read_sql_file).run(raw);
}

} // namespace schemagen::scan
