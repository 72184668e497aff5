#include "schemagen/pg/ddl.hpp"
#include "schemagen/support/overloaded.hpp"
#include "schemagen/support/sql.hpp"

#include <cctype>
#include <fmt/format.h>

namespace schemagen::pg {

namespace {

using sql::index_element;
using sql::qualified;
using sql::quote_ident;
using sql::quote_literal;

std::string names(const std::vector<std::string>& cols) {
  std::string out;
  for (const auto& c : cols) out += (out.empty() ? "" : ", ") + quote_ident(c);
  return out;
}

std::string comment_literal(const std::optional<std::string>& comment) {
  return comment ? quote_literal(*comment) : "NULL";
}

std::string foreign_key_clause(const model::ForeignKey& fk) {
  std::string out =
      fmt::format("FOREIGN KEY ({}) REFERENCES {} ({})", names(fk.columns),
                  qualified(fk.referred_schema, fk.referred_table), names(fk.referred_columns));
  if (!fk.on_delete.empty()) out += " ON DELETE " + fk.on_delete;
  if (!fk.on_update.empty()) out += " ON UPDATE " + fk.on_update;
  return out;
}

/// Where `sql` starts after blank space and comments.
std::size_t statement_start(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    if (std::isspace(static_cast<unsigned char>(sql[i]))) {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (sql.substr(i, 2) == "/*") {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

/// The statement's first words, upper case ("CREATE OR REPLACE FUNCTION"): at most `n`.
std::vector<std::string> leading_words(std::string_view sql, std::size_t n) {
  std::vector<std::string> words;
  std::size_t i = statement_start(sql);
  while (words.size() < n && i < sql.size()) {
    std::string w;
    while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_'))
      w += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
    if (w.empty()) break;
    words.push_back(w);
    while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) ++i;
  }
  return words;
}

/// `CREATE ...` as `CREATE OR REPLACE ...` (unchanged when it says so already).
std::string or_replace(const std::string& sql) {
  const auto words = leading_words(sql, 2);
  if (words.size() < 2 || words[0] != "CREATE" || words[1] == "OR") return sql;
  const auto at = statement_start(sql) + 6; // after CREATE
  return sql.substr(0, at) + " OR REPLACE" + sql.substr(at);
}

/// The statement that undoes a GRANT: REVOKE, FROM for TO, without WITH GRANT OPTION.
std::string revoke_of(const std::string& grant) {
  std::string upper;
  for (char c : grant) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const auto start = statement_start(grant);
  std::string out = "REVOKE" + grant.substr(start + 5);
  upper = "REVOKE" + upper.substr(start + 5);
  if (const auto w = upper.rfind(" WITH GRANT OPTION"); w != std::string::npos) {
    out.erase(w, 18);
    upper.erase(w, 18);
  }
  if (const auto to = upper.rfind(" TO "); to != std::string::npos) out.replace(to, 4, " FROM ");
  return out;
}

/// A sequence's CREATE SEQUENCE as ALTER SEQUENCE with the same options (its value is kept).
std::string alter_sequence_of(const model::DbObject& s) {
  const auto lower = [](std::string t) {
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  const std::string text = lower(s.sql);
  // the options follow the sequence's name, the first token after SEQUENCE [IF NOT EXISTS]
  auto at = text.find("sequence", statement_start(s.sql));
  at = text.find_first_not_of(" \t\r\n", at + 8);
  if (text.compare(at, 13, "if not exists") == 0) at = text.find_first_not_of(" \t\r\n", at + 13);
  std::size_t end = at;
  for (bool quoted = false; end < text.size(); ++end) {
    if (text[end] == '"') quoted = !quoted;
    if (!quoted && std::isspace(static_cast<unsigned char>(text[end]))) break;
  }
  return fmt::format("ALTER SEQUENCE {}{}", qualified(s.schema, s.name), s.sql.substr(end));
}

/// DROP for a schema object.
std::string drop_object_sql(const model::DbObject& o) {
  using K = model::ObjectKind;
  switch (o.kind) {
  case K::extension: return fmt::format("DROP EXTENSION {}", quote_ident(o.name));
  case K::sequence: return fmt::format("DROP SEQUENCE {}", qualified(o.schema, o.name));
  case K::function: return fmt::format("DROP FUNCTION {}{}", qualified(o.schema, o.name), o.target);
  case K::procedure:
    return fmt::format("DROP PROCEDURE {}{}", qualified(o.schema, o.name), o.target);
  case K::trigger: return fmt::format("DROP TRIGGER {} ON {}", quote_ident(o.name), o.target);
  case K::policy: return fmt::format("DROP POLICY {} ON {}", quote_ident(o.name), o.target);
  case K::grant: return revoke_of(o.sql);
  }
  return "";
}

std::string identity_clause(model::Identity identity) {
  return identity == model::Identity::always ? "GENERATED ALWAYS AS IDENTITY"
                                             : "GENERATED BY DEFAULT AS IDENTITY";
}

} // namespace

std::string column_definition(const model::Column& c) {
  std::string type = c.type;
  if (c.autoincrement) {
    std::string upper;
    for (char ch : c.type) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper == "INTEGER" || upper == "INT" || upper == "INT4")
      type = "SERIAL";
    else if (upper == "BIGINT" || upper == "INT8")
      type = "BIGSERIAL";
    else if (upper == "SMALLINT" || upper == "INT2")
      type = "SMALLSERIAL";
  }
  std::string out = quote_ident(c.name) + " " + type;
  if (c.identity != model::Identity::none) out += " " + identity_clause(c.identity);
  if (!c.nullable) out += " NOT NULL";
  if (c.server_default) out += " DEFAULT " + *c.server_default;
  return out;
}

std::vector<Statement> compile(const ops::Op& op) {
  std::vector<Statement> out;
  auto add = [&](std::string text, bool transactional = true) {
    out.push_back({std::move(text), transactional});
  };
  auto column_comment = [&](const std::string& schema, const std::string& table,
                            const std::string& column, const std::optional<std::string>& comment) {
    add(fmt::format("COMMENT ON COLUMN {}.{} IS {}", qualified(schema, table), quote_ident(column),
                    comment_literal(comment)));
  };
  std::visit(
      overloaded{
          [&](const ops::CreateTable& o) {
            const auto& t = o.table;
            std::vector<std::string> lines;
            for (const auto& c : t.columns) lines.push_back(column_definition(c));
            if (t.primary_key)
              lines.push_back(fmt::format("CONSTRAINT {} PRIMARY KEY ({})",
                                          quote_ident(t.primary_key->name),
                                          names(t.primary_key->columns)));
            for (const auto& u : t.unique_constraints)
              lines.push_back(
                  fmt::format("CONSTRAINT {} UNIQUE ({})", quote_ident(u.name), names(u.columns)));
            for (const auto& fk : t.foreign_keys)
              lines.push_back(
                  fmt::format("CONSTRAINT {} {}", quote_ident(fk.name), foreign_key_clause(fk)));
            for (const auto& ck : t.checks)
              lines.push_back(
                  fmt::format("CONSTRAINT {} CHECK ({})", quote_ident(ck.name), ck.expression));
            add(fmt::format("CREATE TABLE {} (\n    {}\n)", qualified(t.schema, t.name),
                            fmt::join(lines, ",\n    ")));
            if (t.comment)
              add(fmt::format("COMMENT ON TABLE {} IS {}", qualified(t.schema, t.name),
                              quote_literal(*t.comment)));
            for (const auto& c : t.columns)
              if (c.comment) column_comment(t.schema, t.name, c.name, c.comment);
          },
          [&](const ops::DropTable& o) {
            add(fmt::format("DROP TABLE {}", qualified(o.schema, o.name)));
          },
          [&](const ops::RenameTable& o) {
            add(fmt::format("ALTER TABLE {} RENAME TO {}", qualified(o.schema, o.name),
                            quote_ident(o.new_name)));
          },
          [&](const ops::AddColumn& o) {
            add(fmt::format("ALTER TABLE {} ADD COLUMN {}", qualified(o.schema, o.table),
                            column_definition(o.column)));
            if (o.column.comment)
              column_comment(o.schema, o.table, o.column.name, o.column.comment);
          },
          [&](const ops::DropColumn& o) {
            add(fmt::format("ALTER TABLE {} DROP COLUMN {}", qualified(o.schema, o.table),
                            quote_ident(o.name)));
          },
          [&](const ops::AlterColumn& o) {
            const auto table = qualified(o.schema, o.table);
            const auto col = quote_ident(o.name);
            auto alter = [&](const std::string& clause) {
              add(fmt::format("ALTER TABLE {} ALTER COLUMN {} {}", table, col, clause));
            };
            const bool dropping_default = o.server_default && !*o.server_default;
            if (o.type && (dropping_default || (o.server_default && *o.server_default)))
              alter("DROP DEFAULT"); // the old default may not cast to the new type
            else if (dropping_default)
              alter("DROP DEFAULT");
            if (o.type)
              alter(fmt::format("TYPE {}{}", *o.type, o.using_ ? " USING " + *o.using_ : ""));
            if (o.server_default && *o.server_default) alter("SET DEFAULT " + **o.server_default);
            if (o.nullable) alter(*o.nullable ? "DROP NOT NULL" : "SET NOT NULL");
            if (o.identity) {
              const auto before = o.existing_identity.value_or(model::Identity::none);
              if (*o.identity == model::Identity::none)
                alter("DROP IDENTITY IF EXISTS");
              else if (before == model::Identity::none)
                alter("ADD " + identity_clause(*o.identity));
              else
                alter(*o.identity == model::Identity::always ? "SET GENERATED ALWAYS"
                                                             : "SET GENERATED BY DEFAULT");
            }
            if (o.comment) column_comment(o.schema, o.table, o.name, *o.comment);
            if (o.new_name)
              add(fmt::format("ALTER TABLE {} RENAME COLUMN {} TO {}", table, col,
                              quote_ident(*o.new_name)));
          },
          [&](const ops::CreateIndex& o) {
            const auto& ix = o.index;
            std::vector<std::string> elements;
            for (const auto& c : ix.columns) elements.push_back(index_element(c));
            add(fmt::format("CREATE {}INDEX {}{} ON {}{} ({}){}", ix.unique ? "UNIQUE " : "",
                            o.concurrently ? "CONCURRENTLY " : "", quote_ident(ix.name),
                            qualified(o.schema, o.table),
                            ix.method != "btree" ? " USING " + sql::access_method(ix.method) : "",
                            fmt::join(elements, ", "), ix.where ? " WHERE " + *ix.where : ""),
                !o.concurrently);
          },
          [&](const ops::DropIndex& o) {
            add(fmt::format("DROP INDEX {}{}", o.concurrently ? "CONCURRENTLY " : "",
                            qualified(o.schema, o.name)),
                !o.concurrently);
          },
          [&](const ops::CreateUniqueConstraint& o) {
            add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                            qualified(o.schema, o.table), quote_ident(o.constraint.name),
                            names(o.constraint.columns)));
          },
          [&](const ops::CreateForeignKey& o) {
            add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}", qualified(o.schema, o.table),
                            quote_ident(o.constraint.name), foreign_key_clause(o.constraint)));
          },
          [&](const ops::CreateCheckConstraint& o) {
            add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
                            qualified(o.schema, o.table), quote_ident(o.constraint.name),
                            o.constraint.expression));
          },
          [&](const ops::CreatePrimaryKey& o) {
            add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})",
                            qualified(o.schema, o.table), quote_ident(o.constraint.name),
                            names(o.constraint.columns)));
          },
          [&](const ops::DropConstraint& o) {
            add(fmt::format("ALTER TABLE {} DROP CONSTRAINT {}", qualified(o.schema, o.table),
                            quote_ident(o.name)));
          },
          [&](const ops::CreateEnum& o) {
            std::string values;
            for (const auto& v : o.type.values)
              values += (values.empty() ? "" : ", ") + quote_literal(v);
            add(fmt::format("CREATE TYPE {} AS ENUM ({})", qualified(o.type.schema, o.type.name),
                            values));
          },
          [&](const ops::DropEnum& o) {
            add(fmt::format("DROP TYPE {}", qualified(o.schema, o.name)));
          },
          [&](const ops::AddEnumValue& o) {
            std::string where;
            if (o.before) where = " BEFORE " + quote_literal(*o.before);
            if (o.after) where = " AFTER " + quote_literal(*o.after);
            // committed on its own: a new value cannot be used in the transaction that adds it;
            // IF NOT EXISTS lets a resumed run pass over a value an interrupted one added
            add(fmt::format("ALTER TYPE {} ADD VALUE IF NOT EXISTS {}{}",
                            qualified(o.schema, o.name), quote_literal(o.value), where),
                false);
          },
          [&](const ops::CreateSchema& o) {
            add(fmt::format("CREATE SCHEMA {}", quote_ident(o.name)));
          },
          [&](const ops::DropSchema& o) {
            add(fmt::format("DROP SCHEMA {}", quote_ident(o.name)));
          },
          [&](const ops::SetTableComment& o) {
            add(fmt::format("COMMENT ON TABLE {} IS {}", qualified(o.schema, o.table),
                            comment_literal(o.comment)));
          },
          [&](const ops::Execute& o) {
            auto it = o.sql.find("postgresql");
            if (it == o.sql.end()) it = o.sql.find("");
            if (it != o.sql.end()) add(it->second);
          },
          [&](const ops::BulkInsert& o) {
            for (auto& insert : dialect::bulk_insert_sql(o, qualified(o.schema, o.table),
                                                         quote_ident, quote_literal))
              add(std::move(insert));
          },
          [&](const ops::Call& o) { out.push_back({.sql = "", .call = o.name}); },
          [&](const ops::CreateView& o) {
            const auto& v = o.view;
            const char* kind = v.materialized ? "MATERIALIZED VIEW" : "VIEW";
            add(fmt::format("CREATE {} {} AS\n{}", kind, qualified(v.schema, v.name), v.sql));
            for (const auto& ix : v.indexes)
              for (auto& s : compile(ops::CreateIndex{v.schema, v.name, ix, false}))
                out.push_back(std::move(s));
            if (v.comment)
              add(fmt::format("COMMENT ON {} {} IS {}", kind, qualified(v.schema, v.name),
                              comment_literal(v.comment)));
          },
          [&](const ops::ReplaceView& o) {
            // a materialized view has no OR REPLACE: it is made again, with its indexes
            if (o.view.materialized) {
              for (auto& s : compile(ops::DropView{o.view})) out.push_back(std::move(s));
              for (auto& s : compile(ops::CreateView{o.view})) out.push_back(std::move(s));
              return;
            }
            add(fmt::format("CREATE OR REPLACE VIEW {} AS\n{}",
                            qualified(o.view.schema, o.view.name), o.view.sql));
            if (!o.existing || o.existing->comment != o.view.comment)
              add(fmt::format("COMMENT ON VIEW {} IS {}", qualified(o.view.schema, o.view.name),
                              comment_literal(o.view.comment)));
          },
          [&](const ops::DropView& o) {
            add(fmt::format("DROP {}VIEW {}", o.view.materialized ? "MATERIALIZED " : "",
                            qualified(o.view.schema, o.view.name)));
          },
          [&](const ops::CreateObject& o) { add(o.object.sql); },
          [&](const ops::ReplaceObject& o) {
            using K = model::ObjectKind;
            switch (o.object.kind) {
            case K::function:
            case K::procedure:
            case K::trigger: add(or_replace(o.object.sql)); break;
            case K::sequence: add(alter_sequence_of(o.object)); break;
            default: // a policy, an extension or a grant: made again
              add(drop_object_sql(o.existing ? *o.existing : o.object));
              add(o.object.sql);
            }
          },
          [&](const ops::DropObject& o) { add(drop_object_sql(o.object)); },
      },
      op);
  return out;
}

} // namespace schemagen::pg
