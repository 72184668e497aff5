#pragma once
// The table the autogenerate and check benchmarks are made of, three ways: as DDL, as an
// annotated C++ model, and as a SQLAlchemy model for Alembic; for PostgreSQL and, spelled the way
// SQLite keeps it, for SQLite. Table i has 8 columns, a foreign key to t<i/10> (a shallow tree:
// SQLAlchemy reflects referenced tables recursively), an index, a unique and a check; `note` adds
// a ninth column to the models only.

#include "bench_util.hpp"

#include <fmt/format.h>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

inline std::string table_sql(int i) {
  return fmt::format("CREATE TABLE t{0} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                     "parent_id bigint REFERENCES t{1}(id), "
                     "name varchar(120) NOT NULL, code text NOT NULL UNIQUE, email text, "
                     "created_at timestamptz NOT NULL DEFAULT now(), "
                     "amount double precision NOT NULL, qty integer NOT NULL DEFAULT 0, "
                     "CONSTRAINT ck_t{0}_qty CHECK (qty >= 0));\n"
                     "CREATE INDEX ix_t{0}_name ON t{0} (name);\n",
                     i, i / 10);
}

/// `id` is the primary key's options beside primary_key, `created` created_at's default.
inline std::string table_cpp(int i, bool note, std::string_view id = "identity = \"always\"",
                             std::string_view created = "now()") {
  return fmt::format(R"cpp(
struct SG_TABLE("t{0}") SG_INDEX("ix_t{0}_name", columns = "name") SG_CHECK("ck_t{0}_qty", expr = "qty >= 0") T{0} {{
  SG_COLUMN(primary_key, {3}) std::int64_t id;
  SG_COLUMN(foreign_key = "t{1}.id") std::optional<std::int64_t> parent_id;
  SG_COLUMN(length = 120) std::string name;
  SG_COLUMN(unique) std::string code;
  std::optional<std::string> email;
  SG_COLUMN(server_default = "{4}") std::chrono::system_clock::time_point created_at;
  double amount;
  SG_COLUMN(server_default = "0") std::int32_t qty;{2}
}};
)cpp",
                     i, i / 10, note ? "\n  std::optional<std::string> note;" : "", id, created);
}

inline const char* sqlalchemy_prelude =
    "from sqlalchemy import MetaData, Table, Column, BigInteger, Integer, String, Text, DateTime, "
    "Float, ForeignKey, CheckConstraint, Index, Identity, text\nmetadata = MetaData()\n";

/// SQLAlchemy names an index=True index ix_<table>_<column>, as table_sql() does. `id` is the
/// primary key's column, `created` created_at's default, as for table_cpp().
inline std::string table_sqlalchemy(
    int i, bool note,
    std::string_view id = "Column('id', BigInteger, Identity(always=True), primary_key=True)",
    std::string_view created = "text('now()')") {
  return fmt::format("Table('t{0}', metadata, {3}, "
                     "Column('parent_id', BigInteger, ForeignKey('t{1}.id')), Column('name', "
                     "String(120), nullable=False, index=True), "
                     "Column('code', Text, nullable=False, unique=True), Column('email', Text), "
                     "Column('created_at', DateTime(timezone=True), nullable=False, "
                     "server_default={4}), "
                     "Column('amount', Float(53), nullable=False), Column('qty', Integer, "
                     "nullable=False, server_default=text('0')), "
                     "CheckConstraint('qty >= 0', name='ck_t{0}_qty'){2})\n",
                     i, i / 10, note ? ", Column('note', Text)" : "", id, created);
}

/// The same table for SQLite. Its constraints carry the names schemagen's models give them by
/// default (PostgreSQL's), each on a line of its own: SQLAlchemy 1.4 reads a constraint's name
/// from the CREATE TABLE text line by line. The identity becomes the rowid alias, and
/// created_at's default a literal: Alembic 1.8 compares a function default such as
/// CURRENT_TIMESTAMP on SQLite with parentheses on one side only, and would report every table.
/// The models differ from PostgreSQL's in those two only (the sqlite flavour below).
inline std::string table_sqlite_sql(int i) {
  return fmt::format(
      "CREATE TABLE t{0} (\n  id INTEGER NOT NULL,\n  parent_id BIGINT,\n"
      "  name VARCHAR(120) NOT NULL,\n  code TEXT NOT NULL,\n  email TEXT,\n"
      "  created_at DATETIME NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
      "  amount FLOAT NOT NULL,\n  qty INTEGER NOT NULL DEFAULT 0,\n"
      "  CONSTRAINT t{0}_pkey PRIMARY KEY (id),\n"
      "  CONSTRAINT t{0}_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES t{1} (id),\n"
      "  CONSTRAINT t{0}_code_key UNIQUE (code),\n"
      "  CONSTRAINT ck_t{0}_qty CHECK (qty >= 0)\n);\n"
      "CREATE INDEX ix_t{0}_name ON t{0} (name);\n",
      i, i / 10);
}

/// One database's spelling of the table: its models, and what schemagen.yaml adds for it.
struct Flavour {
  std::function<std::string(int, bool)> cpp, sqlalchemy;
  std::string config;
};
inline const Flavour postgresql{[](int i, bool note) { return table_cpp(i, note); },
                                [](int i, bool note) { return table_sqlalchemy(i, note); }, ""};
inline const Flavour sqlite{
    [](int i, bool note) { return table_cpp(i, note, "autoincrement", "'2000-01-01 00:00:00'"); },
    [](int i, bool note) {
      return table_sqlalchemy(i, note, "Column('id', Integer, primary_key=True)",
                              "text(\"'2000-01-01 00:00:00'\")");
    },
    "url: sqlite:///bench.db\n"};

/// Tables 0..n-1 as model headers of 100 tables each in `dir`, the first `with_note` of them with
/// the extra column, and a schemagen.yaml naming them; also models.py beside `python`.
inline void write_models(const fs::path& dir, const fs::path& python, int n, int with_note,
                         const Flavour& flavour = postgresql) {
  std::string py = sqlalchemy_prelude, sources;
  for (int h = 0; h * 100 < n; ++h) {
    std::string cpp = "#pragma once\n#include <schemagen/annotations.hpp>\n#include <chrono>\n"
                      "#include <cstdint>\n#include <optional>\n#include <string>\n";
    for (int i = h * 100; i < std::min(n, (h + 1) * 100); ++i) {
      cpp += flavour.cpp(i, i < with_note);
      py += flavour.sqlalchemy(i, i < with_note);
    }
    const auto name = fmt::format("models_{}.hpp", h);
    write(dir / name, cpp);
    sources += (sources.empty() ? "" : ", ") + name;
  }
  write(python / "models.py", py);
  fs::create_directories(dir / "revisions");
  write(dir / "schemagen.yaml",
        fmt::format("{}script_location: revisions\nmodels:\n  sources: [{}]\n", flavour.config,
                    sources));
}

} // namespace bench
