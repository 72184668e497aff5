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

namespace {
/// The first piece of `password`, 4 characters long, that `text` shows, or "".
std::string leaked(std::string_view text, std::string_view password) {
  for (std::size_t i = 0; i + 4 <= password.size(); ++i)
    if (text.find(password.substr(i, 4)) != std::string_view::npos)
      return std::string(password.substr(i, 4));
  return "";
}
} // namespace

TEST_CASE("no part of a password shows, however malformed the URL") {
  // the password runs to the userinfo's last '@': an unencoded '@', '/' or '?' stays in it
  CHECK(sql::redact_url("postgresql://u:QSEC@RET5@host/db") == "postgresql://u:***@host/db");
  CHECK(sql::redact_url("postgresql://u:ab/cdSECRET@host/db") == "postgresql://u:***@host/db");
  CHECK(sql::redact_url("postgresql://u:ab?cd@EFGH@host:5432/db?sslmode=require") ==
        "postgresql://u:***@host:5432/db?sslmode=require");
  CHECK(sql::redact_url("postgresql://me@corp:pw@host/db") == "postgresql://me@corp:***@host/db");
  CHECK(sql::redact_url("postgres://:hunter22@host") == "postgres://:***@host");
  // malformed beyond the password: no "//", or no scheme
  CHECK(sql::redact_url("postgresql:/u:S3CRET@h/db") == "postgresql:/u:***@h/db");
  CHECK(sql::redact_url("u:S3CRET@h/db") == "u:***@h/db");
  // a raw password in the query, '@', '?' and a space included
  CHECK(sql::redact_url("postgresql://evil@h:5/p?password=Zq9@Kx/7?Wm Ht") ==
        "postgresql://evil@h:5/p?password=***");
  CHECK(sql::url_password("postgresql://evil@h:5/p?password=Zq9@Kx/7?Wm Ht&sslmode=off") ==
        "Zq9@Kx/7?Wm Ht");
  CHECK(sql::redact_text("missing \"=\" after \"postgresql:/u:S3CRET@h/db\"",
                         sql::url_password("postgresql:/u:S3CRET@h/db")) ==
        "missing \"=\" after \"postgresql:/u:***@h/db\"");
  CHECK(sql::redact_url("host=h password='it\\'s secret' user=u") == "host=h password=*** user=u");
  CHECK(sql::url_password("postgresql://u:QSEC@RET5@host/db") == "QSEC@RET5");
  CHECK(sql::url_password("host=h password='a b' user=u") == "a b");
  CHECK(sql::url_password("postgresql://u@host/db?password=s3cret&x=1") == "s3cret");
  CHECK(sql::url_password("postgresql://host/db").empty());
  for (const std::string password : {"QSEC@RET5", "ab/cdSECRET", "ab?cd@EFGH", "p@ss/wo?rd#x:y",
                                     "@@@@SECRETS", "SECRET@", "/SECRET"}) {
    CAPTURE(password);
    const auto url = "postgresql://user:" + password + "@db.example:5432/app?sslmode=require";
    CHECK(leaked(sql::redact_url(url), password) == "");
    // a URL inside a message or a command line, and the pieces a parser may have cut it into
    const auto text = "psql '" + url + "' -c 'SELECT 1' # host \"" +
                      password.substr(password.find_first_of("@/?") + 1) + "@db.example\"";
    CHECK(leaked(sql::redact_text(text, password), password) == "");
    CHECK(sql::redact_text(text, password).find("db.example") != std::string::npos);
  }
  CHECK(sql::redact_text("connect to postgresql://u:pw@h/d failed", "") ==
        "connect to postgresql://u:***@h/d failed");
}

TEST_CASE("read_file reads every byte back, empty, large or binary, and names what it cannot") {
  TempDir dir;
  std::string big;
  for (int i = 0; big.size() < 3 * 65536 + 7; ++i) big += static_cast<char>(i * 31 % 256);
  for (const std::string& content : {std::string(), std::string("x"), big}) {
    write_file_atomic(dir.path / "f", content);
    CHECK(read_file(dir.path / "f") == content);
  }
  try {
    (void)read_file(dir.path / "missing");
    FAIL("a missing file was read");
  } catch (const UserError& e) {
    CHECK(std::string(e.what()).find("missing: error: cannot read: No such file") !=
          std::string::npos);
  }
  CHECK_THROWS_AS((void)read_file(dir.path), UserError); // a directory is no file
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
version_locations: [migrations, more/revs]
naming_convention: {pk: "pk_{table}", uq: "uq_{table}_{column_0}", fk: "fk_{table}_{referred_table}", ix: "ix_{table}_{column_0}", ck: "ck_{table}_%(constraint_name)s"}
hooks: {pre_upgrade: ["./backup.sh"], post_upgrade: ["./notify.sh", "true"], post_write: ["clang-format -i"]}
log_level: debug
lock_timeout: 7
lock: table
lock_expiry: 9
)");
  const auto c = config::load(dir.path / "schemagen.yaml");
  CHECK(c.script_location == dir.path / "migrations");
  CHECK(c.template_path == dir.path / "t/rev.mustache");
  CHECK(c.template_configured);
  CHECK(c.file_template == "{rev}");
  CHECK(c.url == "postgresql://u:p@h/db");
  REQUIRE(c.models.sources.size() == 2);
  CHECK(c.models.sources[0] == dir.path / "include/app.hpp");
  CHECK(c.models.sources[1] == dir.path / "auth.hpp");
  CHECK(c.models.compile_commands == dir.path / "build");
  CHECK(c.models.args == std::vector<std::string>{"-DX=1"});
  CHECK(c.version_table == "ver");
  CHECK(c.version_table_schema == "meta");
  CHECK(c.include_schemas == std::vector<std::string>{"public", "auth"});
  CHECK(c.exclude_tables == std::vector<std::string>{"tmp_*"});
  CHECK_FALSE(c.compare_type);
  CHECK_FALSE(c.compare_server_default);
  CHECK(c.transaction_per_migration);
  CHECK(c.version_locations ==
        std::vector<fs::path>{dir.path / "migrations", dir.path / "more/revs"});
  CHECK(c.naming_convention ==
        std::map<std::string, std::string>{{"pk", "pk_{table}"},
                                           {"uq", "uq_{table}_{column_0}"},
                                           {"fk", "fk_{table}_{referred_table}"},
                                           {"ix", "ix_{table}_{column_0}"},
                                           {"ck", "ck_{table}_%(constraint_name)s"}});
  CHECK(c.hooks.pre_upgrade == std::vector<config::Hook>{{"./backup.sh", "./backup.sh"}});
  CHECK(c.hooks.post_upgrade ==
        std::vector<config::Hook>{{"./notify.sh", "./notify.sh"}, {"true", "true"}});
  CHECK(c.hooks.post_write == std::vector<config::Hook>{{"clang-format -i", "clang-format -i"}});
  CHECK(c.log_level == "debug");
  CHECK(c.lock_timeout_seconds == 7);
  CHECK(c.lock == "table");
  CHECK(c.lock_expiry_seconds == 9);
  // and every one of them differs from its default, so that a key read into nothing shows
  const config::Config defaults;
  CHECK(c.file_template != defaults.file_template);
  CHECK(c.compare_server_default != defaults.compare_server_default);
  CHECK(c.lock_timeout_seconds != defaults.lock_timeout_seconds);
  CHECK(c.log_level != defaults.log_level);
  CHECK(c.lock != defaults.lock);
  CHECK(c.lock_expiry_seconds != defaults.lock_expiry_seconds);
  CHECK(c.version_table != defaults.version_table);
  CHECK(c.version_table_schema != defaults.version_table_schema);

  // the URL may also sit at the top level
  write_file_atomic(dir.path / "schemagen.yaml", "url: postgresql://top/db\n");
  CHECK(config::load(dir.path / "schemagen.yaml").url == "postgresql://top/db");
}

TEST_CASE("every key of a databases: entry is read") {
  TempDir dir;
  write_file_atomic(dir.path / "schemagen.yaml", R"(databases:
  one:
    url: postgresql://one/db
    models: {sources: [one.hpp], args: [-DONE]}
    script_location: migrations/one
    version_locations: [migrations/one, shared]
    version_table: one_version
    version_table_schema: meta
    include_schemas: [public, one]
    exclude_tables: ["tmp_*", legacy]
    lock: advisory
    lock_expiry: 120
)");
  const auto c = config::load(dir.path / "schemagen.yaml", "one");
  CHECK(c.lock == "advisory");
  CHECK(c.lock_expiry_seconds == 120);
  CHECK(c.database_name == "one");
  CHECK(c.url == "postgresql://one/db");
  CHECK(c.models.sources == std::vector<fs::path>{dir.path / "one.hpp"});
  CHECK(c.models.args == std::vector<std::string>{"-DONE"});
  CHECK(c.script_location == dir.path / "migrations/one");
  CHECK(c.version_locations ==
        std::vector<fs::path>{dir.path / "migrations/one", dir.path / "shared"});
  CHECK(c.version_table == "one_version");
  CHECK(c.version_table_schema == "meta");
  CHECK(c.include_schemas == std::vector<std::string>{"public", "one"});
  CHECK(c.exclude_tables == std::vector<std::string>{"tmp_*", "legacy"});
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
  write_file_atomic(file, "models: {sources: [a.hpp]}\nlock: redis\n");
  CHECK(error_of(file).find("schemagen.yaml:2:7: error: lock must be advisory or table") !=
        std::string::npos);
  write_file_atomic(file, "models: {sources: [a.hpp]}\nlock_expiry: 0\n");
  CHECK(error_of(file).find("schemagen.yaml:2:14: error: lock_expiry must be a number of seconds "
                            "from 1 to 86400") != std::string::npos);
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
  // two names never share a version table unless told to, even when they reach one database
  CHECK(config::load(file, "primary").version_table == "schemagen_version_primary");
  CHECK(config::database_names(file) == std::vector<std::string>{"primary", "analytics"});
  CHECK(error_of(file).find("several databases are configured (primary, analytics)") !=
        std::string::npos);
  CHECK(error_of(file, "nope").find("no database named 'nope'") != std::string::npos);
}

TEST_CASE("naming_convention takes SQLAlchemy's tokens, and a token it has no value for is an "
          "error at its line") {
  TempDir dir;
  const auto file = dir.path / "schemagen.yaml";
  write_file_atomic(file, R"(naming_convention:
  ix: "ix_%(column_0_label)s"
  uq: "uq_%(table_name)s_%(column_0_name)s"
  ck: "ck_%(table_name)s_%(constraint_name)s"
  fk: "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
  pk: "pk_%(table_name)s"
)");
  CHECK(config::load(file).naming_convention.at("pk") == "pk_%(table_name)s");

  const std::pair<const char*, const char*> bad[] = {
      {"  pk: \"pk_%(table)s\"\n",
       "schemagen.yaml:2:7: error: unknown token '%(table)s' in naming_convention.pk; did you "
       "mean '%(table_name)s'?"},
      {"  uq: \"uq_{tabel}_{column_0}\"\n",
       "schemagen.yaml:2:7: error: unknown token '{tabel}' in naming_convention.uq; did you mean "
       "'{table}'?"},
      {"  pk: \"pk\"\n", "schemagen.yaml:2:7: error: naming_convention.pk would give every "
                         "table's constraints the same name"},
      {"  ix: \"ix_%(column_0_name)s\"\n", "schemagen.yaml:2:7: error: naming_convention.ix "
                                           "would give every table's indexes the same name"},
      {"  fk: \"fk_%(table_name)s_%(constraint_name)s\"\n",
       "schemagen.yaml:2:7: error: no value for '%(constraint_name)s' in naming_convention.fk"},
      {"  ck: \"ck_%(table_name)s\"\n",
       "schemagen.yaml:2:7: error: naming_convention.ck names checks from their own names"},
  };
  for (const auto& [line, message] : bad) {
    write_file_atomic(file, std::string("naming_convention:\n") + line);
    CHECK_MESSAGE(error_of(file).find(message) != std::string::npos, error_of(file));
  }
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

TEST_CASE("objects: glob patterns relative to the file, each matching a file; an entry's replace "
          "the top level's") {
  TempDir dir;
  fs::create_directories(dir.path / "db/functions");
  fs::create_directories(dir.path / "db/triggers/sub.sql"); // a directory the pattern reaches
  for (const auto* f : {"db/functions/b.sql", "db/functions/a.sql", "db/functions/notes.txt",
                        "db/triggers/t.sql", "db/grants.sql"})
    write_file_atomic(dir.path / f, "");
  write_file_atomic(dir.path / "schemagen.yaml", R"(objects:
  - db/functions/*.sql
  - db/triggers/*.sql
  - db/functions/a.sql
databases:
  main: {}
  other:
    objects: db/grants.sql
)");
  const auto c = config::load(dir.path / "schemagen.yaml", "main");
  REQUIRE(c.objects.size() == 3);
  CHECK(c.objects[0].pattern == "db/functions/*.sql");
  CHECK(c.objects[0].absolute == dir.path / "db/functions/*.sql");
  CHECK(c.objects[1].at.line == 3);
  // name order within a pattern, the patterns' order, each file once, directories left out
  CHECK(config::object_files(c) ==
        std::vector<fs::path>{dir.path / "db/functions/a.sql", dir.path / "db/functions/b.sql",
                              dir.path / "db/triggers/t.sql"});
  const auto other = config::load(dir.path / "schemagen.yaml", "other");
  CHECK(config::object_files(other) == std::vector<fs::path>{dir.path / "db/grants.sql"});

  write_file_atomic(dir.path / "schemagen.yaml", "objects:\n  - db/functions/*.sql\n"
                                                 "  - db/procedures/*.sql\n");
  const auto missing = config::load(dir.path / "schemagen.yaml");
  CHECK_THROWS_WITH_AS(config::object_files(missing),
                       doctest::Contains("schemagen.yaml:3:5: error: objects: "
                                         "'db/procedures/*.sql' matches no file"),
                       UserError);
  write_file_atomic(dir.path / "schemagen.yaml", "objects: {functions: x}\n");
  CHECK(error_of(dir.path / "schemagen.yaml").find("schemagen.yaml:1:10") != std::string::npos);
}
