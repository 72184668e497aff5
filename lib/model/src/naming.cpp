#include "schemagen/model/naming.hpp"

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

void replace_all(std::string& text, std::string_view token, std::string_view value) {
  for (auto pos = text.find(token); pos != std::string::npos;
       pos = text.find(token, pos + value.size()))
    text.replace(pos, token.size(), value);
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
  }
  return "";
}

std::string default_name(NameKind kind, const NameParts& parts,
                         const NamingConvention& convention) {
  if (auto it = convention.find(std::string(convention_key(kind))); it != convention.end()) {
    std::string name = it->second;
    replace_all(name, "{table}", parts.table);
    replace_all(name, "{column_0_N}", join(parts.columns, "_"));
    replace_all(name, "{column_0}", parts.columns.empty() ? "" : parts.columns.front());
    replace_all(name, "{referred_table}", parts.referred_table);
    return name;
  }
  switch (kind) {
  case NameKind::primary_key: return postgres_default_name(parts.table, {}, "pkey");
  case NameKind::unique: return postgres_default_name(parts.table, parts.columns, "key");
  case NameKind::foreign_key: return postgres_default_name(parts.table, parts.columns, "fkey");
  case NameKind::index: return "ix_" + parts.table + "_" + join(parts.columns, "_");
  }
  return {};
}

} // namespace schemagen::model
