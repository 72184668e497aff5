// SQLite's names are case-insensitive (ASCII letters): `Name` in the file is the models' `name`.
// The comparison, which is exact, sees the file's names spelled as the models spell them.

#include "internal.hpp"

#include <map>

namespace schemagen::sqlite {

namespace {

/// SQLite's folding: ASCII letters only.
std::string folded(std::string_view name) {
  std::string out(name);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// Names as another list spells them, where only case differs.
class Spelling {
public:
  template <class Range, class Name>
  Spelling(const Range& wanted, Name name) {
    for (const auto& x : wanted) by_fold_.emplace(folded(name(x)), name(x));
  }
  /// `name` as the wanted list spells it, when it is there in another case.
  void apply(std::string& name) const {
    const auto it = by_fold_.find(folded(name));
    if (it != by_fold_.end()) name = it->second;
  }
  void apply(std::vector<std::string>& names) const {
    for (auto& n : names) apply(n);
  }

private:
  std::map<std::string, std::string> by_fold_;
};

} // namespace

model::Metadata spelled_like(model::Metadata database, const model::Metadata& models) {
  const Spelling tables(models.tables, [](const model::Table& t) -> const std::string& {
    return t.name;
  });
  // each model table's column spellings, under the table's folded name
  std::map<std::string, Spelling> columns;
  for (const auto& t : models.tables)
    columns.emplace(folded(t.name),
                    Spelling(t.columns, [](const model::Column& c) -> const std::string& {
                      return c.name;
                    }));
  auto columns_of = [&](const std::string& table) -> const Spelling* {
    const auto it = columns.find(folded(table));
    return it == columns.end() ? nullptr : &it->second;
  };
  for (auto& t : database.tables) {
    const auto* own = columns_of(t.name);
    tables.apply(t.name);
    if (!own) continue;
    for (auto& c : t.columns) own->apply(c.name);
    if (t.primary_key) own->apply(t.primary_key->columns);
    for (auto& u : t.unique_constraints) own->apply(u.columns);
    for (auto& ix : t.indexes) own->apply(ix.columns); // an expression matches no column
    for (auto& fk : t.foreign_keys) {
      own->apply(fk.columns);
      if (const auto* theirs = columns_of(fk.referred_table)) theirs->apply(fk.referred_columns);
      tables.apply(fk.referred_table);
    }
  }
  model::canonicalize(database);
  return database;
}

} // namespace schemagen::sqlite
