// An application that brings its own database up to date at startup, with the revision chain
// compiled in: `migrate_app FILE.db` upgrades FILE.db to the head and prints where it is.
#include <app_revisions.hpp>
#include <iostream>
#include <schemagen/migrate.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: migrate_app /absolute/path/to/file.db\n";
    return 2;
  }
  try {
    schemagen::Migrator m{std::string("sqlite:///") + argv[1], app_revisions()};
    m.upgrade();
    for (const auto& head : m.current()) std::cout << head << '\n';
  } catch (const schemagen::Error& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
}
