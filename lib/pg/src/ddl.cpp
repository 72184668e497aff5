#include "schemagen/pg/ddl.hpp"
#include "schemagen/support/overloaded.hpp"
#include "schemagen/support/sql.hpp"

#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <map>
#include <set>

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

/// A word of a statement outside quotes and comments: where it stands, upper case.
struct Word {
  std::size_t begin, end;
  std::string upper;
};

/// The statement's words (identifiers and keywords) outside string literals, quoted names and
/// comments, so that a name or literal holding " to " is never taken for a keyword.
std::vector<Word> words_of(std::string_view sql) {
  std::vector<Word> out;
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') { // a literal or quoted name: a doubled quote stays inside
      for (++i; i < sql.size(); ++i) {
        if (sql[i] != c) continue;
        if (i + 1 < sql.size() && sql[i + 1] == c)
          ++i;
        else
          break;
      }
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      i = std::min(sql.find('\n', i), sql.size());
    } else if (sql.substr(i, 2) == "/*") {
      const auto end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      Word w{i, i, ""};
      while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                                sql[i] == '$'))
        w.upper += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i++])));
      w.end = i;
      out.push_back(std::move(w));
    } else {
      ++i;
    }
  }
  return out;
}

/// `sql` without a trailing ';' and blank space.
std::string without_terminator(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  return sql;
}

/// The statement that undoes a GRANT: REVOKE, FROM for the last TO, without WITH GRANT (or
/// ADMIN) OPTION, which REVOKE does not take; unchanged when it is no GRANT.
std::string revoke_of(const std::string& grant) {
  std::string out = without_terminator(grant);
  const auto words = words_of(out);
  if (words.empty() || words[0].upper != "GRANT") return grant;
  const auto n = words.size();
  if (n >= 3 && words[n - 3].upper == "WITH" &&
      (words[n - 2].upper == "GRANT" || words[n - 2].upper == "ADMIN") &&
      words[n - 1].upper == "OPTION")
    out.erase(words[n - 3].begin, words[n - 1].end - words[n - 3].begin);
  for (auto w = words.rbegin(); w != words.rend(); ++w)
    if (w->upper == "TO") {
      out.replace(w->begin, w->end - w->begin, "FROM");
      break;
    }
  out.replace(words[0].begin, words[0].end - words[0].begin, "REVOKE");
  return without_terminator(out);
}

/// A sequence's CREATE SEQUENCE as ALTER SEQUENCE with the same options: ALTER keeps the
/// sequence's current value, where dropping and creating it would start it again. What ALTER is
/// not told it keeps, so each option the CREATE leaves out is spelled as its default.
std::string alter_sequence_of(const model::DbObject& s) {
  return fmt::format("ALTER SEQUENCE {}{}", qualified(s.schema, s.name),
                     complete_sequence_options(sequence_options(s.sql)));
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

/// The name of the check that proves NOT NULL before SET NOT NULL (the server cuts a long one
/// to 63 bytes, the same way each time).
std::string not_null_check_name(const std::string& table, const std::string& column) {
  return fmt::format("{}_{}_not_null", table, column);
}

/// Fills a new column's default into the rows that were there before it, `batch` rows at a time,
/// each batch committed (a DO block run outside a transaction may COMMIT): by ranges of pages
/// (a TID range scan, no index needed), then whatever the application moved past the pages
/// counted first. Rerun after an interruption, it fills what is still NULL.
std::string backfill(const std::string& table, const std::string& column, long batch) {
  return fmt::format(R"(DO $schemagen$
DECLARE
  pages bigint := pg_relation_size({0}::regclass) / current_setting('block_size')::bigint;
  step bigint;
  page bigint := 0;
  filled bigint;
BEGIN
  SELECT greatest(1, {2} / CASE WHEN relpages > 0 AND reltuples > 0
                                 THEN greatest(1, (reltuples / relpages)::bigint) ELSE 50 END)
    INTO step FROM pg_class WHERE oid = {0}::regclass;
  WHILE page <= pages LOOP
    UPDATE {1} SET {3} = DEFAULT
      WHERE ctid >= format('(%s,0)', page)::tid AND ctid < format('(%s,0)', page + step)::tid
        AND {3} IS NULL;
    page := page + step;
    COMMIT;
  END LOOP;
  LOOP
    UPDATE {1} SET {3} = DEFAULT
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM {1} WHERE {3} IS NULL LIMIT {2}));
    GET DIAGNOSTICS filled = ROW_COUNT;
    COMMIT;
    EXIT WHEN filled = 0;
  END LOOP;
END
$schemagen$)",
                     quote_literal(table), table, batch, column);
}

} // namespace

std::string or_replace(const std::string& sql) {
  const auto words = words_of(sql);
  if (words.size() < 2 || words[0].upper != "CREATE" || words[1].upper == "OR") return sql;
  return sql.substr(0, words[0].end) + " OR REPLACE" + sql.substr(words[0].end);
}

bool is_constraint_trigger(const std::string& sql) {
  const auto words = words_of(sql);
  std::size_t i = words.size() >= 3 && words[1].upper == "OR" ? 3 : 1; // past OR REPLACE
  return words.size() > i + 1 && words[0].upper == "CREATE" && words[i].upper == "CONSTRAINT" &&
         words[i + 1].upper == "TRIGGER";
}

std::string sequence_options(const std::string& create_sequence) {
  const std::string sql = without_terminator(create_sequence);
  const auto words = words_of(sql);
  // the name is the first thing after SEQUENCE [IF NOT EXISTS]: a run of words, quoted names
  // and dots up to blank space outside quotes
  std::size_t at = sql.size();
  for (std::size_t k = 0; k < words.size(); ++k)
    if (words[k].upper == "SEQUENCE") {
      at = words[k].end;
      if (k + 3 < words.size() && words[k + 1].upper == "IF" && words[k + 2].upper == "NOT" &&
          words[k + 3].upper == "EXISTS")
        at = words[k + 3].end;
      break;
    }
  while (at < sql.size() && std::isspace(static_cast<unsigned char>(sql[at]))) ++at;
  for (bool quoted = false; at < sql.size(); ++at) {
    if (sql[at] == '"') quoted = !quoted;
    if (!quoted && (std::isspace(static_cast<unsigned char>(sql[at])) || sql[at] == ';')) break;
  }
  return sql.substr(at);
}

std::string complete_sequence_options(const std::string& options) {
  const auto words = words_of(options);
  // each clause's option word ("MINVALUE" for NO MINVALUE too) and the text of its value
  std::map<std::string, std::string> given;
  static const std::set<std::string> starts{"AS",    "INCREMENT", "MINVALUE", "MAXVALUE", "NO",
                                            "START", "CACHE",     "CYCLE",    "OWNED"};
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (!starts.count(words[k].upper)) continue;
    std::string option = words[k].upper;
    std::size_t from = words[k].end;
    if (option == "NO" && k + 1 < words.size()) {
      given[words[k + 1].upper] = ""; // NO MINVALUE, NO MAXVALUE, NO CYCLE: the default
      ++k;
      continue;
    }
    std::size_t next = k + 1;
    if (next < words.size() && (words[next].upper == "BY" || words[next].upper == "WITH")) {
      from = words[next].end;
      ++next;
    }
    std::size_t until = options.size();
    for (std::size_t j = next; j < words.size(); ++j)
      if (starts.count(words[j].upper)) {
        until = words[j].begin;
        break;
      }
    auto value = options.substr(from, until - from);
    std::erase_if(value, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    given[option] = value;
  }
  auto number = [](const std::string& text, long long fallback) {
    long long n = 0;
    const auto* end = text.data() + text.size();
    return !text.empty() && std::from_chars(text.data(), end, n).ptr == end ? n : fallback;
  };
  const auto has = [&](const char* o) { return given.count(o) > 0; };
  std::string out = options;
  if (!has("AS")) out += " AS bigint";
  if (!has("INCREMENT")) out += " INCREMENT BY 1";
  if (!has("MINVALUE")) out += " NO MINVALUE";
  if (!has("MAXVALUE")) out += " NO MAXVALUE";
  if (!has("START")) { // the lowest value rising, the highest falling
    const bool falling = number(has("INCREMENT") ? given["INCREMENT"] : "", 1) < 0;
    const auto bound = given[falling ? "MAXVALUE" : "MINVALUE"];
    out += fmt::format(" START WITH {}", bound.empty() ? (falling ? "-1" : "1") : bound);
  }
  if (!has("CACHE")) out += " CACHE 1";
  if (!has("CYCLE")) out += " NO CYCLE";
  return out;
}

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
  // a constraint that scans the table: online, added NOT VALID (a brief lock, no scan), then
  // validated in a transaction of its own, which lets reads and writes go on while it scans
  auto add_validated = [&](const std::string& schema, const std::string& table,
                           const std::string& name, const std::string& clause, bool online) {
    add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} {}{}", qualified(schema, table),
                    quote_ident(name), clause, online ? " NOT VALID" : ""));
    if (online) {
      add(fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {}", qualified(schema, table),
                      quote_ident(name)),
          false);
      out.back().harmless_wait = true;
    }
  };
  // SET NOT NULL without its scan under an exclusive lock: a validated CHECK (column IS NOT
  // NULL) proves it, then goes
  auto set_not_null_online = [&](const std::string& schema, const std::string& table,
                                 const std::string& column) {
    const auto check = not_null_check_name(table, column);
    add_validated(schema, table, check, fmt::format("CHECK ({} IS NOT NULL)", quote_ident(column)),
                  true);
    add(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET NOT NULL", qualified(schema, table),
                    quote_ident(column)));
    add(fmt::format("ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", qualified(schema, table),
                    quote_ident(check)));
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
            if (o.online && o.column.identity == model::Identity::none &&
                (o.column.server_default || !o.column.nullable)) {
              // bare (no rewrite, a brief lock), its default for the rows to come, the rows that
              // were there filled in batches, then NOT NULL proved by a validated check
              model::Column bare = o.column;
              bare.server_default.reset();
              bare.nullable = true;
              const auto table = qualified(o.schema, o.table);
              add(fmt::format("ALTER TABLE {} ADD COLUMN {}", table, column_definition(bare)));
              if (o.column.server_default) {
                add(fmt::format("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", table,
                                quote_ident(o.column.name), *o.column.server_default));
                add(backfill(table, quote_ident(o.column.name), o.batch_size), false);
              }
              if (!o.column.nullable) set_not_null_online(o.schema, o.table, o.column.name);
              if (o.column.comment)
                column_comment(o.schema, o.table, o.column.name, o.column.comment);
              return;
            }
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
            if (o.nullable && !*o.nullable && o.online)
              set_not_null_online(o.schema, o.table, o.name);
            else if (o.nullable)
              alter(*o.nullable ? "DROP NOT NULL" : "SET NOT NULL");
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
            if (o.concurrently) out.back().index = {o.schema, ix.name, false};
          },
          [&](const ops::DropIndex& o) {
            add(fmt::format("DROP INDEX {}{}", o.concurrently ? "CONCURRENTLY " : "",
                            qualified(o.schema, o.name)),
                !o.concurrently);
            if (o.concurrently) out.back().index = {o.schema, o.name, true};
          },
          [&](const ops::CreateUniqueConstraint& o) {
            const auto table = qualified(o.schema, o.table);
            const auto name = quote_ident(o.constraint.name);
            if (!o.online) {
              add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})", table, name,
                              names(o.constraint.columns)));
              return;
            }
            add(fmt::format("CREATE UNIQUE INDEX CONCURRENTLY {} ON {} ({})", name, table,
                            names(o.constraint.columns)),
                false);
            out.back().index = {o.schema, o.constraint.name, false};
            add(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} UNIQUE USING INDEX {}", table, name,
                            name));
          },
          [&](const ops::CreateForeignKey& o) {
            add_validated(o.schema, o.table, o.constraint.name, foreign_key_clause(o.constraint),
                          o.online);
          },
          [&](const ops::CreateCheckConstraint& o) {
            add_validated(o.schema, o.table, o.constraint.name,
                          fmt::format("CHECK ({})", o.constraint.expression), o.online);
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
            // a materialized view has no OR REPLACE: it is made again, with its indexes; so is a
            // view that becomes one or stops being one (dropped as what it was)
            if (o.view.materialized || (o.existing && o.existing->materialized)) {
              for (auto& s : compile(ops::DropView{o.existing.value_or(o.view)}))
                out.push_back(std::move(s));
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
            case K::procedure: add(or_replace(o.object.sql)); break;
            case K::trigger:
              // a constraint trigger has no OR REPLACE: made again, in the same transaction
              if (is_constraint_trigger(o.object.sql)) {
                add(drop_object_sql(o.existing ? *o.existing : o.object));
                add(o.object.sql);
              } else {
                add(or_replace(o.object.sql));
              }
              break;
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
