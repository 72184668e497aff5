#include "schemagen/render/render.hpp"

#include "schemagen/ops/yaml.hpp"
#include "schemagen/support/yaml.hpp"

#include <chrono>
#include <ctime>
#include <fmt/format.h>
#include <kainjow/mustache.hpp>
#include <random>

namespace schemagen::render {

namespace {

std::string yaml_ids(const std::vector<std::string>& ids, bool scalar_when_one) {
  if (ids.empty()) return scalar_when_one ? "null" : "[]";
  if (ids.size() == 1 && scalar_when_one) return yaml::quote(ids.front());
  std::string out = "[";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + yaml::quote(ids[i]);
  return out + "]";
}

std::tm utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

} // namespace

std::string revision_file(const std::string& template_text, const std::string& template_name,
                          const RevisionFields& f) {
  kainjow::mustache::mustache tmpl(template_text);
  if (!tmpl.is_valid())
    throw UserError(fmt::format("{}: error: the revision template is malformed: {}", template_name,
                                tmpl.error_message()));
  tmpl.set_custom_escape([](const std::string& s) { return s; });
  kainjow::mustache::data d;
  std::string first_line = f.message.substr(0, f.message.find('\n'));
  d.set("message", first_line);
  d.set("message_yaml", yaml::quote(f.message));
  d.set("revision", f.revision);
  d.set("down_revision", yaml_ids(f.down_revisions, true));
  d.set("branch_labels", yaml_ids(f.branch_labels, false));
  d.set("depends_on", yaml_ids(f.depends_on, false));
  d.set("create_date", f.create_date);
  d.set("upgrade", ops::write_ops(f.upgrade, 2));
  d.set("downgrade", ops::write_ops(f.downgrade, 2));
  kainjow::mustache::data env;
  for (const auto& [k, v] : f.env) env.set(k, v);
  d.set("env", env);
  for (const auto& [k, v] : f.extra) {
    if (d.get(k))
      throw UserError(fmt::format("error: -x {}: schemagen fills {{{{{}}}}} itself", k, k));
    d.set(k, v);
  }
  std::string out = tmpl.render(d);
  if (!tmpl.is_valid())
    throw UserError(fmt::format("{}: error: the revision template failed: {}", template_name,
                                tmpl.error_message()));
  out.erase(0, out.find_first_not_of('\n')); // a leading {{! comment }} leaves its line behind
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

std::string slug(std::string_view message) {
  std::string out;
  bool sep = false;
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) {
      if (sep && !out.empty()) out += '_';
      out += static_cast<char>(std::tolower(u));
      sep = false;
    } else {
      sep = true;
    }
    if (out.size() >= 40) break;
  }
  while (out.size() > 40) out.pop_back();
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string file_name(const std::string& file_template, const std::string& rev,
                      const std::string& message) {
  const auto now = std::time(nullptr);
  const auto tm = utc(now);
  std::string out = file_template;
  auto put = [&](std::string_view key, const std::string& value) {
    for (auto pos = out.find(key); pos != std::string::npos;
         pos = out.find(key, pos + value.size()))
      out.replace(pos, key.size(), value);
  };
  put("{rev}", rev);
  put("{slug}", slug(message));
  put("{year}", fmt::format("{:04}", tm.tm_year + 1900));
  put("{month}", fmt::format("{:02}", tm.tm_mon + 1));
  put("{day}", fmt::format("{:02}", tm.tm_mday));
  put("{hour}", fmt::format("{:02}", tm.tm_hour));
  put("{minute}", fmt::format("{:02}", tm.tm_min));
  put("{second}", fmt::format("{:02}", tm.tm_sec));
  put("{epoch}", std::to_string(now));
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string new_revision_id() {
  std::random_device rd;
  std::mt19937_64 gen(
      (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()));
  return fmt::format("{:012x}", gen() & 0xffffffffffffULL);
}

std::string utc_now() {
  const auto tm = utc(std::time(nullptr));
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

} // namespace schemagen::render
