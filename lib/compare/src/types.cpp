// Type changes and defaults judged for what they cost PostgreSQL: whether a type holds less,
// whether changing it rewrites the table, whether a default is volatile.

#include "schemagen/compare/compare.hpp"

#include <regex>

namespace schemagen::compare {

namespace {

/// A canonical type split into its base and numeric modifiers: character varying(40) → {"character
/// varying", {40}}.
struct TypeParts {
  std::string base;
  std::vector<int> mods;
  bool array = false;
};

TypeParts parts(const std::string& type) {
  TypeParts p;
  std::string t = compare::canonical_type(type);
  if (t.ends_with("[]")) {
    p.array = true;
    while (t.ends_with("[]")) t.resize(t.size() - 2);
  }
  static const std::regex with_mods(R"(^([a-z ]+?)\(([0-9, ]+)\)(.*)$)");
  std::smatch m;
  if (std::regex_match(t, m, with_mods)) {
    p.base = m[1].str() + m[3].str();
    std::string list = m[2];
    std::size_t pos = 0;
    while (pos < list.size()) {
      auto comma = list.find(',', pos);
      p.mods.push_back(std::stoi(list.substr(pos, comma - pos)));
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  } else {
    p.base = t;
  }
  return p;
}

int integer_rank(const std::string& base) {
  if (base == "smallint") return 1;
  if (base == "integer") return 2;
  if (base == "bigint") return 3;
  return 0;
}

} // namespace

/// Whether `to` holds less than `from`: a shorter string, a smaller number, less precision.
bool narrows(const std::string& from, const std::string& to) {
  const auto a = parts(from), b = parts(to);
  if (a.array != b.array) return false;
  const bool a_str = a.base == "text" || a.base == "character varying" || a.base == "character";
  const bool b_str = b.base == "text" || b.base == "character varying" || b.base == "character";
  if (a_str && b_str) {
    const long la = a.base == "text" || a.mods.empty() ? -1 : a.mods[0];
    const long lb = b.base == "text" || b.mods.empty() ? -1 : b.mods[0];
    return lb != -1 && (la == -1 || lb < la);
  }
  if (integer_rank(a.base) && integer_rank(b.base))
    return integer_rank(b.base) < integer_rank(a.base);
  if ((integer_rank(a.base) || a.base == "numeric") &&
      (b.base == "real" || b.base == "double precision"))
    return true;
  if (a.base == "double precision" && b.base == "real") return true;
  if (a.base == "numeric" && b.base == "numeric") {
    if (b.mods.empty()) return false;
    if (a.mods.empty()) return true;
    const int sa = a.mods.size() > 1 ? a.mods[1] : 0, sb = b.mods.size() > 1 ? b.mods[1] : 0;
    return b.mods[0] - sb < a.mods[0] - sa || sb < sa;
  }
  if (a.base == "numeric" && integer_rank(b.base)) return true;
  if (a.base == b.base && !a.mods.empty() && !b.mods.empty())
    return b.mods[0] < a.mods[0]; // timestamp(6) → (3)
  return false;
}

/// Whether changing the type makes PostgreSQL rewrite the table (and its indexes): anything but
/// a string growing or losing its limit, or a numeric gaining precision at the same scale.
bool rewrites_table(const std::string& from, const std::string& to) {
  const auto a = parts(from), b = parts(to);
  if (compare::canonical_type(from) == compare::canonical_type(to)) return false;
  if (a.array != b.array) return true;
  const bool a_var = a.base == "character varying" || a.base == "text";
  if (a_var && b.base == "text") return false;
  if (a_var && b.base == "character varying")
    return !b.mods.empty() && (a.base == "text" || a.mods.empty() || b.mods[0] < a.mods[0]);
  if (a.base == "numeric" && b.base == "numeric") {
    if (b.mods.empty()) return false;
    if (a.mods.empty()) return true;
    const int sa = a.mods.size() > 1 ? a.mods[1] : 0, sb = b.mods.size() > 1 ? b.mods[1] : 0;
    return !(sa == sb && b.mods[0] >= a.mods[0]);
  }
  if (a.base == "bit varying" && b.base == "bit varying")
    return !b.mods.empty() && (a.mods.empty() || b.mods[0] < a.mods[0]);
  return true;
}

bool volatile_default(const std::optional<std::string>& d) {
  if (!d) return false;
  static const std::regex fn(
      R"(\b(random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v[14]|nextval)\s*\()",
      std::regex::icase);
  return std::regex_search(*d, fn);
}


} // namespace schemagen::compare
