#pragma once
// The table the autogenerate and check benchmarks are made of, three ways: as PostgreSQL DDL, as
// an annotated C++ model, and as a SQLAlchemy model for Alembic. Table i has 8 columns, a foreign
// key to t<i/10> (a shallow tree: SQLAlchemy reflects referenced tables recursively), an index,
// a unique and a check; `note` adds a ninth column to the models only.

#include "bench_util.hpp"

#include <fmt/format.h>
#include <string>
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

inline std::string table_cpp(int i, bool note) {
  return fmt::format(R"cpp(
struct SG_TABLE("t{0}") SG_INDEX("ix_t{0}_name", columns = "name") SG_CHECK("ck_t{0}_qty", expr = "qty >= 0") T{0} {{
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
  SG_COLUMN(foreign_key = "t{1}.id") std::optional<std::int64_t> parent_id;
  SG_COLUMN(length = 120) std::string name;
  SG_COLUMN(unique) std::string code;
  std::optional<std::string> email;
  SG_COLUMN(server_default = "now()") std::chrono::system_clock::time_point created_at;
  double amount;
  SG_COLUMN(server_default = "0") std::int32_t qty;{2}
}};
)cpp",
                     i, i / 10, note ? "\n  std::optional<std::string> note;" : "");
}

inline const char* sqlalchemy_prelude =
    "from sqlalchemy import MetaData, Table, Column, BigInteger, Integer, String, Text, DateTime, "
    "Float, ForeignKey, CheckConstraint, Index, Identity, text\nmetadata = MetaData()\n";

/// SQLAlchemy names an index=True index ix_<table>_<column>, as table_sql() does.
inline std::string table_sqlalchemy(int i, bool note) {
  return fmt::format("Table('t{0}', metadata, Column('id', BigInteger, Identity(always=True), "
                     "primary_key=True), "
                     "Column('parent_id', BigInteger, ForeignKey('t{1}.id')), Column('name', "
                     "String(120), nullable=False, index=True), "
                     "Column('code', Text, nullable=False, unique=True), Column('email', Text), "
                     "Column('created_at', DateTime(timezone=True), nullable=False, "
                     "server_default=text('now()')), "
                     "Column('amount', Float(53), nullable=False), Column('qty', Integer, "
                     "nullable=False, server_default=text('0')), "
                     "CheckConstraint('qty >= 0', name='ck_t{0}_qty'){2})\n",
                     i, i / 10, note ? ", Column('note', Text)" : "");
}

/// Tables 0..n-1 as model headers of 100 tables each in `dir`, the first `with_note` of them with
/// the extra column, and a schemagen.yaml naming them; also models.py beside `python`.
inline void write_models(const fs::path& dir, const fs::path& python, int n, int with_note) {
  std::string py = sqlalchemy_prelude, sources;
  for (int h = 0; h * 100 < n; ++h) {
    std::string cpp = "#pragma once\n#include <schemagen/annotations.hpp>\n#include <chrono>\n"
                      "#include <cstdint>\n#include <optional>\n#include <string>\n";
    for (int i = h * 100; i < std::min(n, (h + 1) * 100); ++i) {
      cpp += table_cpp(i, i < with_note);
      py += table_sqlalchemy(i, i < with_note);
    }
    const auto name = fmt::format("models_{}.hpp", h);
    write(dir / name, cpp);
    sources += (sources.empty() ? "" : ", ") + name;
  }
  write(python / "models.py", py);
  fs::create_directories(dir / "revisions");
  write(dir / "schemagen.yaml",
        fmt::format("script_location: revisions\nmodels:\n  sources: [{}]\n", sources));
}

} // namespace bench
