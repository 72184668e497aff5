#pragma once
// A new revision file's text: code renders the ops as YAML (ops/yaml.hpp), and the project's
// mustache template (templates/revision.yaml.mustache, Alembic's script.py.mako) lays out the
// rest. kainjow-mustache does the templating, with HTML escaping off.

#include "schemagen/ops/ops.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace schemagen::render {

struct RevisionFields {
  std::string revision;
  std::vector<std::string> down_revisions; // none: null; one: the id; several: a list
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string message;
  std::string create_date; // ISO 8601, UTC
  std::vector<ops::Op> upgrade, downgrade;
  std::map<std::string, std::string> extra; // more variables for the template: {{key}}
  std::map<std::string, std::string> env;   // the environment: {{env.NAME}}
};

/// Renders `fields` through `template_text` (from `template_name`, for errors). Throws
/// UserError naming the template and the problem when the template is malformed.
std::string revision_file(const std::string& template_text, const std::string& template_name,
                          const RevisionFields& fields);

/// "add email to users" → "add_email_to_users" (lower case, at most 40 characters, as Alembic).
std::string slug(std::string_view message);

/// A file name from `file_template` ("{rev}_{slug}" and {year} {month} {day} {hour} {minute}
/// {second} {epoch}), without the .yaml.
std::string file_name(const std::string& file_template, const std::string& rev,
                      const std::string& message);

/// Twelve random lowercase hex characters.
std::string new_revision_id();

/// Now as "2026-11-21T10:00:00Z".
std::string utc_now();

} // namespace schemagen::render
