// lib/config: finding, reading and validating schemagen.yaml.

#include "schemagen/config/config.hpp"
#include "schemagen/support/diagnostics.hpp"
#include "schemagen/support/files.hpp"
#include "schemagen/support/sql.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <unistd.h>

using namespace schemagen;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sg-config-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string error_of(const fs::path& file, const std::optional<std::string>& db = std::nullopt) {
  try {
    config::load(file, db);
  } catch (const UserError& e) {
    return e.what();
  }
  return "no error";
}

} // namespace

TEST_CASE("${VAR} and ${VAR:-default} come from the environment") {
  ::setenv("SG_TEST_HOST", "db.internal", 1);
  ::unsetenv("SG_TEST_UNSET");
  CHECK(config::expand_env("postgresql://${SG_TEST_HOST}/x") == "postgresql://db.internal/x");
  CHECK(config::expand_env("${SG_TEST_UNSET:-fallback}") == "fallback");
  CHECK(config::expand_env("${SG_TEST_UNSET}") == "");
  CHECK(config::expand_env("cost $$5") == "cost $5");
  CHECK_THROWS_AS(config::expand_env("${OOPS"), UserError);
}

TEST_CASE("passwords are redacted from URLs") {
  CHECK(sql::redact_url("postgresql://bob:s3cret@host:5432/db") ==
        "postgresql://bob:***@host:5432/db");
  CHECK(sql::redact_url("postgresql://host/db?password=s3cret&x=1") ==
        "postgresql://host/db?password=***&x=1");
  CHECK(sql::redact_url("host=h password='a b' dbname=d") == "host=h password=*** dbname=d");
  CHECK(sql::redact_url("postgresql://host/db") == "postgresql://host/db");
}

TEST_CASE("the configuration is found by -c, $SCHEMAGEN_CONFIG, or upwards") {
  TempDir dir;
  fs::create_directories(dir.path / "a/b");
  write_file_atomic(dir.path / "schemagen.yaml", "models: {sources: [m.hpp]}\n");
  ::unsetenv("SCHEMAGEN_CONFIG");
  CHECK(config::find(std::nullopt, dir.path / "a/b") == dir.path / "schemagen.yaml");
  CHECK_THROWS_AS(config::find(dir.path / "missing.yaml", dir.path), UserError);
  ::setenv("SCHEMAGEN_CONFIG", (dir.path / "schemagen.yaml").c_str(), 1);
  CHECK(config::find(std::nullopt, "/") == dir.path / "schemagen.yaml");
  ::unsetenv("SCHEMAGEN_CONFIG");
}

TEST_CASE("paths are relative to the file, and every key is read") {
  TempDir dir;
  ::setenv("SG_TEST_URL", "postgresql://u:p@h/db", 1);
  write_file_atomic(dir.path / "schemagen.yaml", R"(script_location: migrations
template: t/rev.mustache
file_template: "{rev}"
database: {url: "${SG_TEST_URL}"}
models:
  sources: [include/app.hpp, auth.hpp]
  compile_commands: build
  args: [-DX=1]
version_table: ver
version_table_schema: meta
include_schemas: [public, auth]
exclude_tables: ["tmp_*"]
compare_type: false
compare_server_default: false
transaction_per_migration: true
naming_convention: {ix: "ix_{table}_{column_0}"}
hooks: {post_write: ["clang-format -i"]}
log_level: debug
)");
  const auto c = config::load(dir.path / "schemagen.yaml");
  CHECK(c.script_location == dir.path / "migrations");
  CHECK(c.template_path == dir.path / "t/rev.mustache");
  CHECK(c.url == "postgresql://u:p@h/db");
  REQUIRE(c.models.sources.size() == 2);
  CHECK(c.models.sources[0] == dir.path / "include/app.hpp");
  CHECK(c.models.compile_commands == dir.path / "build");
  CHECK(c.models.args == std::vector<std::string>{"-DX=1"});
  CHECK(c.version_table == "ver");
  CHECK(c.version_table_schema == "meta");
  CHECK(c.exclude_tables == std::vector<std::string>{"tmp_*"});
  CHECK_FALSE(c.compare_type);
  CHECK(c.transaction_per_migration);
  CHECK(c.naming_convention.at("ix") == "ix_{table}_{column_0}");
  CHECK(c.hooks.post_write == std::vector<std::string>{"clang-format -i"});
  CHECK(c.log_level == "debug");
}

TEST_CASE("mistakes in the configuration name the file and the line") {
  TempDir dir;
  const auto file = dir.path / "schemagen.yaml";
  write_file_atomic(file, "models:\n  sources: [a.hpp]\n  agrs: [-DX]\n");
  CHECK(error_of(file).find("schemagen.yaml:3:3: error: unknown key 'agrs' in models") !=
        std::string::npos);
  write_file_atomic(file, "models:\n  sources: [a.hpp\ncompare_type: true\n");
  CHECK(error_of(file).find("schemagen.yaml:3:") != std::string::npos);
  CHECK(error_of(file).find("malformed YAML") != std::string::npos);
  write_file_atomic(file, "models: {sources: [a.hpp]}\ncompare_type: maybe\n");
  CHECK(error_of(file).find("schemagen.yaml:2:15: error: compare_type must be true or false") !=
        std::string::npos);
  CHECK(error_of(dir.path / "nope.yaml").find("nope.yaml: error: cannot read") !=
        std::string::npos);
}

TEST_CASE("a databases: map serves several databases, picked with -n") {
  TempDir dir;
  const auto file = dir.path / "schemagen.yaml";
  write_file_atomic(file, R"(template: rev.mustache
databases:
  primary:
    url: postgresql://p/db
    models: {sources: [p.hpp]}
  analytics:
    url: postgresql://a/db
    models: {sources: [a.hpp]}
    version_table: av
)");
  const auto a = config::load(file, "analytics");
  CHECK(a.url == "postgresql://a/db");
  CHECK(a.version_table == "av");
  CHECK(a.script_location == dir.path / "revisions/analytics");
  CHECK(a.models.sources.front() == dir.path / "a.hpp");
  CHECK(config::load(file, "primary").version_table == "schemagen_version");
  CHECK(error_of(file).find("several databases are configured (primary, analytics)") !=
        std::string::npos);
  CHECK(error_of(file, "nope").find("no database named 'nope'") != std::string::npos);
}

TEST_CASE("a database's name is a non-empty string (found by fuzzing)") {
  TempDir dir;
  const auto file = dir.path / "schemagen.yaml";
  for (const char* name : {"~", "[a]", "{b: c}", "\"\""}) {
    CAPTURE(name);
    write_file_atomic(file, std::string("databases:\n  ") + name + ": {url: x}\n");
    CHECK(error_of(file).find(
              "schemagen.yaml:2:3: error: a database's name must be a non-empty string") !=
          std::string::npos);
  }
}
