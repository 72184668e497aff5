// The SQLite dialect: sqlite: URLs, the models lowered to what SQLite keeps, and ops compiled to
// ALTER TABLE where SQLite can and to table rebuilds where not.

#include "internal.hpp"
#include "schemagen/support/overloaded.hpp"
#include "schemagen/support/sql.hpp"
#include "session.hpp"

#include <fmt/format.h>

namespace schemagen::sqlite {

std::filesystem::path url_path(std::string_view url, const std::filesystem::path& base) {
  constexpr std::string_view scheme = "sqlite:///";
  if (url.substr(0, scheme.size()) != scheme || url.size() == scheme.size())
    throw UserError(fmt::format(
        "error: {} is not a SQLite URL: write sqlite:///relative/path.db "
        "(from the configuration file's directory; from the working directory when given by --url "
        "or $SCHEMAGEN_DATABASE_URL) or "
        "sqlite:////absolute/path.db",
        sql::redact_url(url)));
  auto path = std::string(url.substr(scheme.size()));
  if (path.find('?') != std::string::npos)
    throw UserError(fmt::format("error: {}: schemagen takes no options in a SQLite URL (a "
                                "read-only `mode=ro` could not be migrated): remove the '?...'",
                                sql::redact_url(url)));
  if (path == ":memory:")
    throw UserError(fmt::format("error: {}: an in-memory database ends with the command that "
                                "opens it: name a file",
                                sql::redact_url(url)));
  const std::filesystem::path p(path);
  return p.is_absolute() ? p : base / p;
}

namespace {

/// SQLite's type affinity of a declared type (its rules, in order).
std::string_view affinity(std::string_view type) {
  std::string upper;
  for (char c : type) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto has = [&](std::string_view s) { return upper.find(s) != std::string::npos; };
  if (has("INT")) return "INTEGER";
  if (has("CHAR") || has("CLOB") || has("TEXT")) return "TEXT";
  if (has("BLOB") || upper.empty()) return "BLOB";
  if (has("REAL") || has("FLOA") || has("DOUB")) return "REAL";
  return "NUMERIC";
}

/// The table an op changes in place ("" for one that creates a table, or names none).
std::string table_of(const ops::Op& op) {
  return std::visit(
      [](const auto& o) -> std::string {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, ops::DropTable> || std::is_same_v<T, ops::RenameTable>)
          return o.name;
        else if constexpr (requires { o.table; } && !std::is_same_v<T, ops::CreateTable>)
          return o.table;
        else
          return "";
      },
      op);
}

/// The table a new foreign key refers to ("" for any other op): the state must know it too.
std::string referred_by(const ops::Op& op) {
  const auto* fk = std::get_if<ops::CreateForeignKey>(&op);
  return fk ? fk->constraint.referred_table : "";
}

/// The existing columns `op` names by name.
std::vector<std::string> columns_named(const ops::Op& op) {
  return std::visit(
      overloaded{
          [](const ops::AlterColumn& o) { return std::vector{o.name}; },
          [](const ops::DropColumn& o) { return std::vector{o.name}; },
          [](const ops::CreateIndex& o) { return o.index.columns; },
          [](const ops::CreateUniqueConstraint& o) { return o.constraint.columns; },
          [](const ops::CreatePrimaryKey& o) { return o.constraint.columns; },
          [](const ops::CreateForeignKey& o) { return o.constraint.columns; },
          [](const auto&) { return std::vector<std::string>{}; },
      },
      op);
}

/// Online, before compiling: a table the ops change that the chain did not make (it was there
/// when the database was adopted) is read from the database, so that a rebuild has its whole
/// definition, as is the parent a new foreign key refers to; and a table whose columns the chain
/// does not all know (added by SQL the chain cannot follow) is refused, before a rebuild could
/// lose the ones it does not know.
void reconcile(const std::vector<ops::LocatedOp>& ops, model::Metadata& state, Connection& live) {
  std::vector<std::string> touched; // read once, and only these: not the whole file per revision
  for (const auto& lo : ops)
    for (auto name : {table_of(lo.op), referred_by(lo.op)})
      if (!name.empty()) touched.push_back(std::move(name));
  if (touched.empty()) return;
  // the file's names as the chain (and, for tables it did not make, the ops) spell them: SQLite
  // folds their case
  model::Metadata spelling = state;
  for (const auto& name : touched) spelling.tables.push_back(model::Table{.name = name});
  for (const auto& lo : ops) // the columns the ops name, of tables the chain did not make
    if (auto* t = const_cast<model::Table*>(spelling.find_table("public", table_of(lo.op)));
        t && !state.find_table("public", t->name))
      for (const auto& column : columns_named(lo.op)) t->columns.push_back({.name = column});
  const auto database = spelled_like(reflect(live, {}, "main", &touched), spelling);
  auto adopt = [&](const model::Table& t) {
    state.tables.push_back(t);
    model::canonicalize(state);
  };
  for (const auto& lo : ops) {
    if (const auto parent = referred_by(lo.op); !parent.empty())
      if (const auto* there = database.find_table("public", parent);
          there && !state.find_table("public", parent))
        adopt(*there);
    const auto name = table_of(lo.op);
    if (name.empty()) continue;
    const auto* there = database.find_table("public", name);
    if (!there) continue; // made by an earlier op of the same revision, or not there at all
    auto* known = const_cast<model::Table*>(state.find_table("public", name));
    if (!known) {
      adopt(*there);
      continue;
    }
    std::vector<std::string> unknown;
    for (const auto& c : there->columns)
      if (!known->find_column(c.name)) unknown.push_back(c.name);
    if (!unknown.empty())
      throw UserError(fmt::format(
          "{}: error: {}: table {} has column{} {} that the revision chain does not know of (made "
          "by SQL the chain cannot follow: give that `execute` a `replay:`); a rebuild of the "
          "table would lose {}",
          lo.loc.str(), ops::describe(lo.op), name, unknown.size() == 1 ? "" : "s",
          fmt::join(unknown, ", "), unknown.size() == 1 ? "it" : "them"));
  }
}

class Dialect : public dialect::Dialect {
public:
  std::string_view name() const override { return "sqlite"; }
  bool handles(std::string_view url) const override { return url.substr(0, 7) == "sqlite:"; }
  std::unique_ptr<dialect::Session> connect(const std::string& url,
                                            const std::filesystem::path& base) const override {
    return std::make_unique<Session>(url_path(url, base));
  }
  model::Metadata lower(model::Metadata models) const override {
    return sqlite::lower(std::move(models));
  }
  model::Metadata spelled_like(model::Metadata database,
                               const model::Metadata& models) const override {
    return sqlite::spelled_like(std::move(database), models);
  }
  model::Metadata canonical_offline(model::Metadata m) const override {
    return sqlite::normalize(std::move(m)); // SQLite needs no server: the same spelling as online
  }
  bool same_type(const std::string& a, const std::string& b) const override {
    return affinity(a) == affinity(b); // what SQLite keeps of a declared type
  }
  bool offline_needs_using(const std::string&, const std::string&) const override { return false; }
  bool lint_rule_applies(std::string_view rule) const override {
    // a SQLite writer holds the whole file whatever it runs, nothing is built concurrently, and
    // a type keeps only its affinity: what is left to warn of is losing data, or failing on it
    return rule == "destructive" || rule == "not_null_without_default";
  }
  std::optional<std::string> unsupported(const ops::Op& op) const override {
    return sqlite::unsupported(op);
  }
  bool needs_state() const override { return true; }
  std::vector<dialect::Step> compile(const std::vector<ops::LocatedOp>& ops, model::Metadata* state,
                                     dialect::Session* live) const override {
    model::Metadata scratch;
    auto& schema = state ? *state : scratch;
    Connection* connection = live ? &static_cast<Session*>(live)->connection() : nullptr;
    if (connection) reconcile(ops, schema, *connection);
    return sqlite::compile(ops, schema, connection);
  }
  std::string qualified(const std::string&, const std::string& name) const override {
    return sql::quote_ident(name);
  }
  std::string_view now() const override { return "CURRENT_TIMESTAMP"; }
  dialect::OfflineText offline_text() const override {
    dialect::OfflineText t;
    t.before_run = "PRAGMA foreign_keys = OFF;\n\n";
    // how many references were broken before the transaction (not the run's doing)...
    t.begin = "BEGIN IMMEDIATE;\n\n"
              "DROP TABLE IF EXISTS temp.schemagen_broken_before;\n\n"
              "CREATE TEMP TABLE schemagen_broken_before AS SELECT count(*) AS n FROM "
              "pragma_foreign_key_check";
    // ...and a reference broken since fails the transaction (pipe to `sqlite3 -bail`, which then
    // stops before COMMIT): SQLite cannot raise an error from a plain statement, a CHECK can
    t.before_commit =
        "CREATE TEMP TABLE IF NOT EXISTS schemagen_foreign_key_check (broken INTEGER CONSTRAINT "
        "\"a foreign key is broken: see PRAGMA foreign_key_check\" CHECK (broken <= 0));\n\n"
        "INSERT INTO schemagen_foreign_key_check SELECT count(*) - (SELECT n FROM "
        "temp.schemagen_broken_before) FROM pragma_foreign_key_check;\n\n";
    t.after_run = "PRAGMA foreign_keys = ON;\n\n";
    return t;
  }
};

} // namespace

const dialect::Dialect& dialect() {
  static const Dialect d;
  return d;
}

} // namespace schemagen::sqlite
