#include "schemagen/model/naming.hpp"

#include "schemagen/support/text.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <optional>

namespace schemagen::model {

namespace {

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

/// Which kinds of name a token has a value for, as bits of (1 << NameKind).
constexpr unsigned bit(NameKind k) { return 1u << static_cast<unsigned>(k); }
constexpr unsigned with_columns = bit(NameKind::primary_key) | bit(NameKind::unique) |
                                  bit(NameKind::foreign_key) | bit(NameKind::index);
constexpr unsigned every_kind = with_columns | bit(NameKind::check);

struct Token {
  std::string_view spelling;
  unsigned kinds;
  bool differs_by_table; // names of two tables' constraints cannot clash through it
  std::string (*value)(const NameParts&);
};

std::string first(const std::vector<std::string>& v) { return v.empty() ? "" : v.front(); }
std::vector<std::string> labels(const NameParts& p) { // SQLAlchemy's <table>_<column>
  std::vector<std::string> out;
  for (const auto& c : p.columns) out.push_back(p.table + "_" + c);
  return out;
}

/// schemagen's tokens and SQLAlchemy's (its naming_convention, `%(...)s`), one table.
const std::vector<Token>& tokens() {
  constexpr unsigned fk = bit(NameKind::foreign_key), ck = bit(NameKind::check);
  auto table = [](const NameParts& p) { return p.table; };
  auto column_0 = [](const NameParts& p) { return first(p.columns); };
  auto columns = [](const NameParts& p) { return join(p.columns, "_"); };
  auto columns_joined = [](const NameParts& p) { return join(p.columns, ""); };
  auto referred_table = [](const NameParts& p) { return p.referred_table; };
  auto referred_column_0 = [](const NameParts& p) { return first(p.referred_columns); };
  static const std::vector<Token> list = {
      {"{table}", every_kind, true, table},
      {"%(table_name)s", every_kind, true, table},
      {"{column_0}", with_columns, false, column_0},
      {"%(column_0_name)s", with_columns, false, column_0},
      {"%(column_0_key)s", with_columns, false, column_0},
      {"{column_0_N}", with_columns, false, columns},
      {"%(column_0_N_name)s", with_columns, false, columns},
      {"%(column_0_N_key)s", with_columns, false, columns},
      {"%(column_0N_name)s", with_columns, false, columns_joined},
      {"%(column_0N_key)s", with_columns, false, columns_joined},
      {"%(column_0_label)s", with_columns, true,
       [](const NameParts& p) { return first(labels(p)); }},
      {"%(column_0_N_label)s", with_columns, true,
       [](const NameParts& p) { return join(labels(p), "_"); }},
      {"%(column_0N_label)s", with_columns, true,
       [](const NameParts& p) { return join(labels(p), ""); }},
      {"{referred_table}", fk, false, referred_table},
      {"%(referred_table_name)s", fk, false, referred_table},
      {"%(referred_column_0_name)s", fk, false, referred_column_0},
      {"%(referred_column_0_N_name)s", fk, false,
       [](const NameParts& p) { return join(p.referred_columns, "_"); }},
      {"%(referred_column_0N_name)s", fk, false,
       [](const NameParts& p) { return join(p.referred_columns, ""); }},
      {"%(constraint_name)s", ck, false, [](const NameParts& p) { return p.constraint_name; }},
  };
  return list;
}

/// Splits a convention into literal text (`%%` is a `%`) and tokens: `{...}` and `%(...)s`.
/// `on_token` gets each token's text and its entry, or nullptr when there is none.
template <class Literal, class OnToken>
void walk(std::string_view pattern, Literal literal, OnToken on_token) {
  for (std::size_t i = 0; i < pattern.size();) {
    std::size_t end = std::string_view::npos;
    if (pattern.compare(i, 2, "%%") == 0) {
      literal("%");
      i += 2;
      continue;
    }
    if (pattern.compare(i, 2, "%(") == 0) {
      end = pattern.find(")s", i);
      if (end != std::string_view::npos) end += 2;
    } else if (pattern[i] == '{') {
      end = pattern.find('}', i);
      if (end != std::string_view::npos) end += 1;
    }
    if (end == std::string_view::npos) {
      literal(pattern.substr(i, 1));
      ++i;
      continue;
    }
    const auto text = pattern.substr(i, end - i);
    const auto& all = tokens();
    auto it =
        std::find_if(all.begin(), all.end(), [&](const Token& t) { return t.spelling == text; });
    on_token(text, it == all.end() ? nullptr : &*it);
    i = end;
  }
}

/// The token of `usable` that `text` most likely meant, in the same spelling (`%(...)s` or
/// `{...}`): the nearest name, a name it begins or that begins it counting as near. "" if none.
std::string_view nearest(std::string_view text, const std::vector<std::string_view>& usable) {
  auto style_and_name = [](std::string_view t) {
    const bool sqlalchemy = t.substr(0, 2) == "%(";
    return std::pair{sqlalchemy,
                     sqlalchemy ? t.substr(2, t.size() - 4) : t.substr(1, t.size() - 2)};
  };
  const auto [style, name] = style_and_name(text);
  std::string_view best;
  std::size_t best_score = 3; // a suggestion is at most two edits away
  for (auto candidate : usable) {
    const auto [candidate_style, candidate_name] = style_and_name(candidate);
    if (candidate_style != style) continue;
    std::size_t score = edit_distance(name, candidate_name);
    if (candidate_name.substr(0, name.size()) == name ||
        name.substr(0, candidate_name.size()) == candidate_name)
      score = std::min<std::size_t>(score, 1);
    if (score < best_score) {
      best_score = score;
      best = candidate;
    }
  }
  return best;
}

std::optional<NameKind> kind_of_key(std::string_view key) {
  for (auto k : {NameKind::primary_key, NameKind::unique, NameKind::foreign_key, NameKind::index,
                 NameKind::check})
    if (convention_key(k) == key) return k;
  return std::nullopt;
}

} // namespace

std::string postgres_default_name(std::string_view table, const std::vector<std::string>& columns,
                                  std::string_view label) {
  const std::string name2 = join(columns, "_");
  const std::size_t overhead = (name2.empty() ? 0 : 1) + label.size() + 1; // separators, label
  std::size_t avail = max_identifier_length - overhead;
  std::size_t n1 = table.size(), n2 = name2.size();
  while (n1 + n2 > avail) {
    if (n1 > n2)
      --n1;
    else
      --n2;
  }
  std::string out(table.substr(0, n1));
  if (!name2.empty()) {
    out += '_';
    out += name2.substr(0, n2);
  }
  out += '_';
  out += label;
  return out;
}

std::string_view convention_key(NameKind kind) {
  switch (kind) {
  case NameKind::primary_key: return "pk";
  case NameKind::unique: return "uq";
  case NameKind::foreign_key: return "fk";
  case NameKind::index: return "ix";
  case NameKind::check: return "ck";
  }
  return "";
}

std::string convention_problem(std::string_view key, std::string_view pattern) {
  const auto kind = kind_of_key(key);
  if (!kind) return {};
  std::vector<std::string_view> usable;
  for (const auto& t : tokens())
    if (t.kinds & bit(*kind)) usable.push_back(t.spelling);
  std::string problem;
  bool differs_by_table = false, names_constraint = false;
  walk(
      pattern, [](std::string_view) {},
      [&](std::string_view text, const Token* token) {
        if (token && (token->kinds & bit(*kind))) {
          differs_by_table = differs_by_table || token->differs_by_table;
          names_constraint = names_constraint || text == "%(constraint_name)s";
          return;
        }
        if (!problem.empty()) return;
        const auto near = nearest(text, usable);
        problem = fmt::format("{} '{}' in naming_convention.{}",
                              token ? "no value for" : "unknown token", text, key);
        problem += near.empty() ? fmt::format(" (tokens: {})", fmt::join(usable, ", "))
                                : fmt::format("; did you mean '{}'?", near);
      });
  if (!problem.empty()) return problem;
  if (*kind == NameKind::check && !names_constraint)
    return "naming_convention.ck names checks from their own names: put %(constraint_name)s in it";
  if (*kind != NameKind::check && !differs_by_table)
    return fmt::format("naming_convention.{} would give every table's {} the same name: put "
                       "%(table_name)s (or {{table}}) in it",
                       key, key == "ix" ? "indexes" : "constraints");
  return {};
}

std::string default_name(NameKind kind, const NameParts& parts,
                         const NamingConvention& convention) {
  if (auto it = convention.find(std::string(convention_key(kind))); it != convention.end()) {
    std::string name;
    walk(
        it->second, [&](std::string_view text) { name += text; },
        [&](std::string_view text, const Token* token) {
          name += token ? token->value(parts) : std::string(text);
        });
    return name;
  }
  switch (kind) {
  case NameKind::primary_key: return postgres_default_name(parts.table, {}, "pkey");
  case NameKind::unique: return postgres_default_name(parts.table, parts.columns, "key");
  case NameKind::foreign_key: return postgres_default_name(parts.table, parts.columns, "fkey");
  case NameKind::index: return "ix_" + parts.table + "_" + join(parts.columns, "_");
  case NameKind::check: return parts.constraint_name;
  }
  return {};
}

} // namespace schemagen::model
