#include "schemagen/lint/lint.hpp"

#include "schemagen/compare/compare.hpp"
#include "schemagen/pgparse/pgparse.hpp"
#include "schemagen/support/overloaded.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>

namespace schemagen::lint {

namespace {

using Name = std::pair<std::string, std::string>;  // {schema, name}
using ColumnName = std::array<std::string, 3>;     // {schema, table, column}
using ConstraintName = std::array<std::string, 3>; // {schema, table, constraint}

/// A canonical type without its modifiers and array brackets: "character varying".
std::string base_type(const std::string& type) {
  auto t = compare::canonical_type(type);
  while (t.ends_with("[]")) t.resize(t.size() - 2);
  if (const auto open = t.find('('); open != std::string::npos)
    t.erase(open, t.find(')', open) - open + 1);
  return t;
}

/// A statement as a finding names it: its text on one line, cut short.
std::string shortened(std::string_view sql) {
  std::string out;
  for (const char c : sql) {
    const bool blank = std::isspace(static_cast<unsigned char>(c));
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out += blank ? ' ' : c;
  }
  constexpr std::size_t longest = 72;
  if (out.size() > longest) out = out.substr(0, longest - 3) + "...";
  return out;
}

/// The column a CHECK expression proves NOT NULL (`c IS NOT NULL`, `("C" IS NOT NULL)`), as the
/// server names it (unquoted, folded to lower case); "" for any other expression.
std::string not_null_column(std::string_view e) {
  auto trim = [&] {
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.front()))) e.remove_prefix(1);
    while (!e.empty() && std::isspace(static_cast<unsigned char>(e.back()))) e.remove_suffix(1);
  };
  for (trim(); e.size() > 2 && e.front() == '(' && e.back() == ')'; trim())
    e = e.substr(1, e.size() - 2);
  // the words IS NOT NULL, last to first, each after blank space
  for (const std::string_view word : {"null", "not", "is"}) {
    if (e.size() <= word.size()) return "";
    const auto tail = e.substr(e.size() - word.size());
    for (std::size_t i = 0; i < word.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(tail[i])) != word[i]) return "";
    e.remove_suffix(word.size());
    if (!std::isspace(static_cast<unsigned char>(e.back())) && !(word == "is" && e.back() == '"'))
      return "";
    trim();
  }
  if (e.size() > 2 && e.front() == '"' && e.back() == '"') {
    std::string name;
    for (std::size_t i = 1; i + 1 < e.size(); ++i) {
      name += e[i];
      if (e[i] == '"' && e[++i] != '"') return ""; // a quote inside is doubled
    }
    return name;
  }
  std::string name;
  for (const char c : e) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') return "";
    name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

/// The SQL an execute op runs on `dialect`: its own key's, else the one for every dialect.
const std::string* sql_for(const ops::Execute& e, const std::string& dialect) {
  if (const auto it = e.sql.find(dialect); it != e.sql.end()) return &it->second;
  if (const auto it = e.sql.find(""); it != e.sql.end()) return &it->second;
  return nullptr;
}

class Linter {
public:
  Linter(const std::vector<ops::LocatedOp>& upgrade, const Options& options)
      : upgrade_(upgrade) {
    // the runtime sets lock_timeout in every transaction of a run with an online op in it
    lock_timeout_ = options.lock_timeout_configured ||
                    std::any_of(upgrade.begin(), upgrade.end(),
                                [](const ops::LocatedOp& lo) { return ops::is_online(lo.op); });
    for (const auto& lo : upgrade) {
      const auto* e = std::get_if<ops::Execute>(&lo.op);
      const auto* sql =
          e && options.dialect == "postgresql" ? sql_for(*e, options.dialect) : nullptr;
      scripts_.push_back(sql ? std::optional(pgparse::read_script(*sql)) : std::nullopt);
      for_each_op(lo.op, scripts_.back(), [&](const ops::Op& op) {
        if (const auto* d = std::get_if<ops::DropTable>(&op)) dropped_.insert({d->schema, d->name});
      });
    }
  }

  std::vector<Finding> run() {
    for (std::size_t i = 0; i < upgrade_.size(); ++i) {
      const auto& lo = upgrade_[i];
      loc_ = lo.loc;
      raw_ = std::holds_alternative<ops::Execute>(lo.op);
      if (!raw_) {
        what_ = ops::describe(lo.op);
        op(lo.op);
      } else if (const auto& script = scripts_[i]) {
        sql(*script);
      }
    }
    return std::move(out_);
  }

private:
  const std::vector<ops::LocatedOp>& upgrade_;
  std::vector<std::optional<pgparse::Script>> scripts_; // each op's SQL, parsed; nullopt: none
  std::set<Name> fresh_;         // tables created in this revision: empty, used by no one yet
  std::set<Name> fresh_indexes_; // indexes created in this revision
  std::set<Name> dropped_;       // tables this revision drops
  /// integer and smallint columns this revision made, not yet reported as keys: their type
  std::map<ColumnName, std::string> small_ints_;
  /// this revision's CHECK (c IS NOT NULL) constraints: c, and whether they are validated (which
  /// lets SET NOT NULL on c skip its scan)
  struct NotNullCheck {
    std::string column;
    bool validated = false;
  };
  std::map<ConstraintName, NotNullCheck> not_null_checks_;
  bool raw_ = false;           // what is judged now is an execute's SQL
  bool lock_timeout_ = false;  // set for what comes now
  bool lock_reported_ = false; // missing_lock_timeout is said once a revision
  std::vector<Finding> out_;
  std::string what_; // what the findings name: the op, or the statement
  SourceLoc loc_;

  /// `f` on every op the located op amounts to: itself, or its SQL's statements' ops.
  template <class F>
  static void for_each_op(const ops::Op& op, const std::optional<pgparse::Script>& script, F f) {
    if (!script) return f(op);
    for (const auto& s : script->statements)
      for (const auto& o : s.ops) f(o);
  }

  void add(const char* rule, std::string reason) {
    out_.push_back({rule, what_, std::move(reason), loc_});
  }

  bool existing(const std::string& schema, const std::string& table) const {
    return !fresh_.contains({schema, table});
  }

  /// The op takes a lock on the table that blocks its readers or writers while it waits and
  /// runs: without lock_timeout, a long query on the table makes every query queue behind it.
  void locks(const std::string& schema, const std::string& table) {
    if (!existing(schema, table) || lock_timeout_ || lock_reported_) return;
    lock_reported_ = true;
    add(missing_lock_timeout,
        fmt::format("it locks {}.{}, which has rows and readers, with no lock_timeout: while it "
                    "waits behind a long query on the table, every query on it waits behind it; "
                    "start the revision with an execute of SET LOCAL lock_timeout = '2s' (or set "
                    "online_ddl in the configuration, which sets it in every transaction)",
                    schema, table));
  }

  void sql(const pgparse::Script& script) {
    for (const auto& s : script.statements) {
      what_ = "execute: " + shortened(s.text);
      statement(s);
    }
    if (script.error) {
      what_ = "execute";
      add(unparsed_sql, fmt::format("PostgreSQL's parser rejects it ({}, at byte {}): it fails "
                                    "when it runs, and the lint cannot read it; fix the SQL, or "
                                    "give it under the key of the database it is written for",
                                    *script.error, script.error_offset));
    }
  }

  void statement(const pgparse::Statement& s) {
    using T = pgparse::Statement::Transaction;
    if (s.transaction != T::none)
      add(transaction_nesting,
          s.transaction == T::begin
              ? "the revision already runs in a transaction schemagen opens: BEGIN starts none "
                "and a COMMIT after it ends schemagen's; leave transaction control to schemagen "
                "(transaction_per_migration: true gives each revision its own)"
              : "it ends the transaction schemagen runs the revision in: what follows runs "
                "outside it, and a failure no longer rolls back what came before, version table "
                "included; split the work into revisions instead");
    if (s.sets_lock_timeout) lock_timeout_ = true;
    if (s.drops_database)
      add(drop_database, "the database and everything in it are gone for good, and DROP "
                         "DATABASE cannot run in a transaction; drop a database by hand, not "
                         "from a revision");
    if (s.cascades)
      add(destructive, "CASCADE drops whatever depends on it too, tables and their rows "
                       "included; drop the dependent objects by name first");
    if (s.truncate_cascades)
      add(truncate_cascade, "CASCADE empties every table with a foreign key to it too, and every "
                            "table referring to those, for good; TRUNCATE the tables meant by "
                            "name (without CASCADE it fails, naming them, if another refers to "
                            "one)");
    // the runtime runs an execute inside the revision's transaction, whatever its SQL
    if (s.concurrently)
      add(concurrently_in_transaction,
          "PostgreSQL runs CONCURRENTLY only outside a transaction block, and an execute runs in "
          "the revision's transaction: it fails (cannot run inside a transaction block); build "
          "or drop the index with the create_index or drop_index op and concurrently: true, "
          "which schemagen runs outside the transaction; REINDEX or DETACH PARTITION "
          "CONCURRENTLY has no op: run it by hand, outside a revision");
    using D = pgparse::Statement::DomainConstraint;
    if (s.domain_constraint != D::none)
      add(domain_constraint,
          fmt::format("{}checks every column of the domain, in every table, under a SHARE lock "
                      "on each that blocks its writes (NOT VALID only moves the scan to VALIDATE "
                      "CONSTRAINT, which takes the same lock, unlike a table's); use the base "
                      "type with a CHECK constraint on each table's column "
                      "(create_check_constraint, online: true: NOT VALID, then validated while "
                      "writes go on)",
                      s.domain_constraint == D::create
                          ? "a domain's constraint holds on every column of that type, and "
                            "changing it later takes ALTER DOMAIN, which "
                          : "ALTER DOMAIN "));
    for (const auto& [schema, table] : s.rewrites)
      if (existing(schema, table))
        add(table_rewrite, "a STORED generated column is computed for every row the table has: "
                           "PostgreSQL rewrites the table and its indexes under an exclusive "
                           "lock; add a plain nullable column, fill it in batches, and keep it "
                           "filled with a trigger (or compute it in a view)");
    for (const auto& [schema, table] : s.locks) locks(schema, table);
    for (const auto& o : s.ops) op(o);
    for (const auto& v : s.validates)
      if (const auto it = not_null_checks_.find(v); it != not_null_checks_.end())
        it->second.validated = true;
  }

  // -- the rules on one column's type, wherever a revision chooses it --

  /// The rules on column `c` of `table`; `key`: it is a key of one column.
  void column_type(const std::string& schema, const std::string& table, const model::Column& c,
                   bool key) {
    const auto base = base_type(c.type);
    if (base == "character varying" || base == "character")
      add(prefer_text,
          fmt::format("{} {}: {}; use text, with a CHECK (length({}) <= n) if a limit matters: "
                      "the check changes without a rewrite or a long lock",
                      c.name, c.type,
                      base == "character"
                          ? "character pads its values with blanks, which comparisons and "
                            "length() then see or drop inconsistently"
                          : "its limit is part of the type, so changing it takes an exclusive "
                            "lock (and a rewrite when it shrinks)",
                      c.name));
    if (base.starts_with("timestamp") && base.ends_with("without time zone"))
      add(prefer_timestamptz,
          fmt::format("{} {} keeps no time zone: a value means a different instant to clients "
                      "in other zones, and DST makes some ambiguous; use timestamp with time "
                      "zone (timestamptz)",
                      c.name, c.type));
    if (base == "json")
      add(prefer_jsonb,
          fmt::format("{} {} keeps its values as text, parsed again on every access, and has no "
                      "equality: DISTINCT, UNION, GROUP BY and unique indexes on it fail, and no "
                      "index serves it; use jsonb, unless the text as written (key order, "
                      "duplicate keys) must be kept",
                      c.name, c.type));
    const bool nextval =
        c.server_default && c.server_default->find("nextval(") != std::string::npos;
    if (c.autoincrement || nextval)
      add(prefer_identity,
          fmt::format("{} takes its values from a sequence of its own (serial or nextval()), "
                      "whose ownership, grants and next value stay apart from the column's; use "
                      "identity: always (GENERATED ALWAYS AS IDENTITY)",
                      c.name));
    const bool generated = c.autoincrement || nextval || c.identity != model::Identity::none;
    if (base != "integer" && base != "smallint") return;
    if (key || generated)
      small_key(c.name, c.type);
    else // a key it may become later in the revision
      small_ints_[{schema, table, c.name}] = c.type;
  }

  /// prefer_bigint on `column`, of integer or smallint `type`, a key of one column.
  void small_key(const std::string& column, const std::string& type) {
    add(prefer_bigint,
        fmt::format("{} {} is a key: a busy table runs out of its {} values, and widening it "
                    "later rewrites the table and every table whose keys refer to it; use bigint",
                    column, type, base_type(type) == "integer" ? "2^31" : "2^15"));
  }

  /// A key of one column (a foreign or primary key) made on a column this revision made integer
  /// or smallint: what create_table says of its own keys.
  void key(const std::string& schema, const std::string& table,
           const std::vector<std::string>& columns) {
    if (columns.size() != 1) return;
    const auto it = small_ints_.find({schema, table, columns.front()});
    if (it == small_ints_.end()) return;
    small_key(columns.front(), it->second);
    small_ints_.erase(it);
  }

  // -- the rules on one op --

  void op(const ops::Op& op) {
    std::visit(overloaded{
                   [&](const ops::CreateTable& o) { create_table(o.table); },
                   [&](const ops::DropTable& o) {
                     // no lock_timeout asked: a table the application still used would break
                     // it anyway, and destructive already asks whether it does
                     (void)o;
                     add(destructive, "the table and every row in it are gone for good");
                   },
                   [&](const ops::RenameTable& o) {
                     if (existing(o.schema, o.name)) {
                       add(renaming_table,
                           fmt::format("the running application still reads and writes {}: its "
                                       "queries fail from the moment this commits until it is "
                                       "deployed anew; create the new table (or a view named "
                                       "{} over it), move the application, then drop the old",
                                       o.name, o.name));
                       locks(o.schema, o.name);
                     } else {
                       fresh_.insert({o.schema, o.new_name});
                     }
                   },
                   [&](const ops::AddColumn& o) { add_column(o); },
                   [&](const ops::DropColumn& o) {
                     if (!existing(o.schema, o.table)) return;
                     add(destructive, "the column's values are gone for good; the downgrade "
                                      "brings the column back empty");
                     locks(o.schema, o.table);
                   },
                   [&](const ops::AlterColumn& o) { alter_column(o); },
                   [&](const ops::CreateIndex& o) {
                     fresh_indexes_.insert({o.schema, o.index.name});
                     if (!existing(o.schema, o.table) || o.concurrently) return;
                     add(index_without_concurrently,
                         "building an index without concurrently blocks writes to the table "
                         "while it builds; set concurrently: true (CREATE INDEX CONCURRENTLY)");
                     locks(o.schema, o.table);
                   },
                   [&](const ops::DropIndex& o) { drop_index(o); },
                   [&](const ops::CreateUniqueConstraint& o) {
                     if (!existing(o.schema, o.table) || o.online) return;
                     add(index_without_concurrently,
                         "a unique constraint builds its index while blocking writes; set "
                         "online: true (a unique index built concurrently, then the constraint "
                         "added USING INDEX)");
                     locks(o.schema, o.table);
                   },
                   [&](const ops::CreatePrimaryKey& o) {
                     key(o.schema, o.table, o.constraint.columns);
                     if (!existing(o.schema, o.table)) return;
                     add(index_without_concurrently,
                         "a primary key builds its index while blocking writes (and sets NOT "
                         "NULL with a scan); build a unique index concurrently, then ADD "
                         "PRIMARY KEY USING INDEX in an execute op");
                     locks(o.schema, o.table);
                   },
                   [&](const ops::CreateForeignKey& o) {
                     key(o.schema, o.table, o.constraint.columns);
                     constraint(o.schema, o.table, o.online, "a foreign key",
                                fmt::format(" and {} too", o.constraint.referred_table));
                   },
                   [&](const ops::CreateCheckConstraint& o) {
                     constraint(o.schema, o.table, o.online, "a check", "");
                     // the op's online form validates it; SQL's NOT VALID waits for VALIDATE
                     if (auto c = not_null_column(o.constraint.expression); !c.empty())
                       not_null_checks_[{o.schema, o.table, o.constraint.name}] = {
                           std::move(c), !(raw_ && o.online)};
                   },
                   [&](const ops::DropConstraint& o) {
                     not_null_checks_.erase({o.schema, o.table, o.name});
                     locks(o.schema, o.table);
                   },
                   [](const auto&) {},
               },
               op);
  }

  void create_table(const model::Table& t) {
    fresh_.insert({t.schema, t.name});
    // a key of one column is a row's number, which grows with the table; in a key of several
    // (document_id, version), an integer numbers something within the others
    std::set<std::string> keys;
    if (t.primary_key && t.primary_key->columns.size() == 1)
      keys.insert(t.primary_key->columns.front());
    for (const auto& fk : t.foreign_keys)
      if (fk.columns.size() == 1) keys.insert(fk.columns.front());
    for (const auto& c : t.columns) column_type(t.schema, t.name, c, keys.contains(c.name));
  }

  void add_column(const ops::AddColumn& o) {
    const auto& c = o.column;
    column_type(o.schema, o.table, c, false);
    if (!existing(o.schema, o.table)) return;
    const bool sequenced = c.identity != model::Identity::none || c.autoincrement;
    if (!c.nullable && !c.server_default && !sequenced)
      add(not_null_without_default,
          "adding a NOT NULL column with no default fails on a table that has rows; give it a "
          "server_default, or add it nullable, fill it, then set NOT NULL (online: true)");
    // online: true or not, every row there is takes a value from the sequence
    if (sequenced)
      add(table_rewrite,
          fmt::format("{} takes a value from its sequence for every row the table has: "
                      "PostgreSQL rewrites the table and its indexes under an exclusive lock; add "
                      "it as a nullable bigint, fill it in batches, set NOT NULL (online: true), "
                      "then ALTER COLUMN ... ADD GENERATED ALWAYS AS IDENTITY in an execute (and "
                      "RESTART it past the largest value)",
                      c.name));
    else if (compare::volatile_default(c.server_default) && !o.online)
      add(table_rewrite,
          fmt::format("a volatile default ({}) makes PostgreSQL rewrite the whole table under an "
                      "exclusive lock; set online: true (added bare, the default set, the rows "
                      "filled in batches)",
                      *c.server_default));
    locks(o.schema, o.table);
  }

  void alter_column(const ops::AlterColumn& o) {
    if (o.type) {
      model::Column c;
      c.name = o.new_name.value_or(o.name);
      c.type = *o.type;
      column_type(o.schema, o.table, c, false);
    }
    if (!existing(o.schema, o.table)) return;
    if (o.new_name && *o.new_name != o.name)
      add(renaming_column,
          fmt::format("the running application still reads and writes {}: its queries fail from "
                      "the moment this commits until it is deployed anew; add {}, write both, "
                      "fill it, move the reads, then drop {}",
                      o.name, *o.new_name, o.name));
    if (o.type && o.existing_type) {
      if (compare::narrows(*o.existing_type, *o.type))
        add(narrowing, fmt::format("{} holds less than {}: values that do not fit make the "
                                   "migration fail, or are cut",
                                   *o.type, *o.existing_type));
      if (compare::rewrites_table(*o.existing_type, *o.type))
        add(table_rewrite, fmt::format("changing {} to {} rewrites the table and its indexes under "
                                       "an exclusive lock; add a column of the new type, fill "
                                       "it in batches and switch over instead",
                                       *o.existing_type, *o.type));
    } else if (o.type) {
      add(table_rewrite, fmt::format("changing the type to {} may rewrite the table under an "
                                     "exclusive lock (existing_type is not given, so it cannot "
                                     "be told); add a column of the new type and switch over",
                                     *o.type));
    }
    // a default changes no row there is: the scan, and the NULLs it may find, stay
    if (o.nullable && !*o.nullable && !o.online && !proven_not_null(o.schema, o.table, o.name))
      add(not_null_without_default,
          "SET NOT NULL fails if any row holds NULL (a default fills none of the rows there "
          "are), and scans the whole table under an exclusive lock; fill the NULLs first, then "
          "set online: true (a CHECK (c IS NOT NULL) NOT VALID, validated, lets SET NOT NULL "
          "skip the scan)");
    // COMMENT ON COLUMN takes a lock that lets reads and writes go on
    if (o.comment && !o.type && !o.nullable && !o.server_default && !o.identity && !o.new_name)
      return;
    locks(o.schema, o.table);
  }

  /// Whether a validated CHECK (column IS NOT NULL) of this revision proves what SET NOT NULL
  /// would scan for.
  bool proven_not_null(const std::string& schema, const std::string& table,
                       const std::string& column) const {
    return std::any_of(not_null_checks_.begin(), not_null_checks_.end(), [&](const auto& kv) {
      const auto& [name, check] = kv;
      return name[0] == schema && name[1] == table && check.validated && check.column == column;
    });
  }

  void drop_index(const ops::DropIndex& o) {
    // an index on a table this revision makes or drops anyway, or one it made itself, has no
    // readers to block; DROP INDEX in SQL does not name the table, only the index
    const bool known_table = !o.table.empty();
    const bool harmless =
        fresh_indexes_.contains({o.schema, o.name}) ||
        (known_table && (!existing(o.schema, o.table) || dropped_.contains({o.schema, o.table})));
    if (!harmless && !o.concurrently)
      add(index_without_concurrently,
          "dropping an index without concurrently takes an exclusive lock on its table, blocking "
          "reads and writes until every query using the table is done; set concurrently: true "
          "(DROP INDEX CONCURRENTLY)");
    if (known_table && !o.concurrently) locks(o.schema, o.table);
  }

  void constraint(const std::string& schema, const std::string& table, bool not_valid,
                  std::string_view what, std::string_view also) {
    if (!existing(schema, table)) return;
    if (!not_valid)
      add(constraint_without_not_valid,
          fmt::format("adding {} checks every row while it blocks writes to {}{}; set online: "
                      "true (ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT, which lets "
                      "writes go on)",
                      what, table, also));
    locks(schema, table);
  }
};

} // namespace

std::vector<Finding> lint(const std::vector<ops::LocatedOp>& upgrade, const Options& options) {
  return Linter(upgrade, options).run();
}

} // namespace schemagen::lint
