// The example application's startup (schema/, revisions/): before it serves anything, it brings
// its two databases up to date with the revision chains compiled into it — the service's
// PostgreSQL (auth and app, from DATABASE_URL) and the file cache in a local SQLite file (in
// FILE_CACHE_DIR) — with no schemagen command and no revision files on the machine. A database
// upgraded by a newer build makes this one refuse to start, saying why.
//
//   example_app [--cache-dir DIR] [--database-url URL] [--check]
//
// --check only runs the startup guard and prints what an upgrade would apply. Exit codes are
// schemagen's: 0 ready, 1 the databases are not ones this build may run on (or bad usage), 2 a
// database error (a failed revision rolled back: the databases are as they were).

#include <schemagen/migrate.hpp>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <file_cache_revisions.hpp> // schemagen_add_revisions: revisions/file_cache
#include <main_revisions.hpp>       // schemagen_add_revisions: revisions

namespace {

/// The renderer this build ships: renders that do not name it were made by an older one.
constexpr const char* renderer = "renderer-3";

/// revisions/file_cache/9b4e2c71d0a5: unpinned renders the current renderer did not make expire
/// now (they are rendered again on their next request). What "made by this renderer" means is
/// this program's knowledge, which is why the step is C++ and not SQL in a revision file.
void expire_renders_of_old_renderer(schemagen::Connection& db) {
  const auto stale = db.query(
      "SELECT id FROM cached_files WHERE NOT pinned AND json_extract(render_options, "
      "'$.renderer') IS NOT ?1 ORDER BY id",
      {renderer});
  for (const auto& row : stale)
    db.query("UPDATE cached_files SET expires_at = CURRENT_TIMESTAMP WHERE id = ?1", {row.at(0)});
}

struct Options {
  std::string cache_dir, database_url;
  bool check = false;
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

/// Brings one database up to date (or, with --check, says what that would apply).
void start(const char* name, schemagen::Migrator& m, bool check) {
  m.on_progress([name](const schemagen::Step& s) {
    std::cerr << "example_app: " << name << ": " << (s.upgrade ? "applied " : "undid ")
              << s.revision << " (" << s.message << ") in " << s.elapsed.count() << " ms\n";
  });
  if (check) {
    m.check_compatible();
    const auto todo = m.pending("head");
    std::cout << name << ": " << todo.size() << " revision(s) to apply";
    for (const auto& id : todo) std::cout << ' ' << id;
    std::cout << '\n';
    return;
  }
  m.upgrade("head");
  const auto at = m.current();
  std::cout << name << ": at " << (at.empty() ? "base" : at.front()) << '\n';
}

} // namespace

int main(int argc, char** argv) {
  Options o{env("FILE_CACHE_DIR"), env("DATABASE_URL")};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--check") {
      o.check = true;
    } else if ((arg == "--cache-dir" || arg == "--database-url") && i + 1 < argc) {
      (arg == "--cache-dir" ? o.cache_dir : o.database_url) = argv[++i];
    } else {
      std::cerr << "usage: example_app [--cache-dir DIR] [--database-url URL] [--check]\n";
      return 1;
    }
  }
  if (o.cache_dir.empty()) o.cache_dir = ".";
  try {
    if (!o.database_url.empty()) {
      schemagen::Migrator main_db{o.database_url, main_revisions()};
      start("main", main_db, o.check);
    } else {
      std::cerr << "example_app: main: DATABASE_URL is not set; only the file cache is migrated\n";
    }
    // the version table schemagen.yaml gives the `cache` database (one per database by default),
    // so that `schemagen -n cache ...` and this program see the same history
    schemagen::Migrator::Options cache_options;
    cache_options.version_table = "schemagen_version_cache";
    schemagen::Migrator cache{"sqlite:///" + o.cache_dir + "/file_cache.db",
                              file_cache_revisions(), cache_options};
    cache.register_step("expire_renders_of_old_renderer", expire_renders_of_old_renderer);
    start("cache", cache, o.check);
  } catch (const schemagen::Error& e) { // IncompatibleDatabase among them: its message says why
    std::cerr << "example_app: cannot start: " << e.what() << '\n';
    return static_cast<int>(e.code());
  }
  return 0;
}
