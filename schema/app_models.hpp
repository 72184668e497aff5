#pragma once
// The application: projects and the documents people write in them.

#include "auth_models.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <schemagen/annotations.hpp>
#include <string>
#include <vector>

namespace demo::app {

using Clock = std::chrono::system_clock;

enum class SG_ENUM("document_status") DocumentStatus { draft, in_review, published, archived };

/// Columns every table of the app has (a mixin: no SG_TABLE of its own).
struct Timestamps {
  SG_COLUMN(server_default = "now()") Clock::time_point created_at;
  SG_COLUMN(server_default = "now()") Clock::time_point updated_at;
};

/// A project groups documents of one organisation.
struct SG_TABLE("projects") SG_UNIQUE("uq_projects_org_name", columns = "org_id, name") Project
    : Timestamps {
  SG_COLUMN(primary_key, identity = "by default") std::int64_t id;
  SG_COLUMN(foreign_key = "auth.orgs.id", on_delete = "RESTRICT") std::int64_t org_id;
  SG_COLUMN(length = 200) std::string name;
  std::optional<std::string> description;
  SG_COLUMN(server_default = "true") bool active;
};

struct SG_TABLE("documents", comment = "Everything people write.")
    SG_INDEX("ix_documents_project_status", columns = "project_id, status")
    SG_INDEX("ix_documents_tags", columns = "tags", using = "gin")
    SG_CHECK("ck_documents_word_count", expr = "word_count >= 0") Document : Timestamps {
  SG_COLUMN(primary_key, identity = "by default") std::int64_t id;
  SG_COLUMN(foreign_key = "projects.id", on_delete = "CASCADE") std::int64_t project_id;
  SG_COLUMN(foreign_key = "auth.users.id", on_delete = "SET NULL") std::optional<std::int64_t> author_id;
  SG_COLUMN(length = 300) std::string title;
  std::string body;
  SG_COLUMN(server_default = "'draft'") DocumentStatus status;
  SG_COLUMN(server_default = "0") std::int32_t word_count;
  SG_COLUMN(precision = 5, scale = 2, nullable = true) double reading_score;
  SG_COLUMN(server_default = "'{}'") std::vector<std::string> tags;
  std::optional<std::chrono::sys_days> publish_on;
  float sentiment;
};

/// A document's revisions, numbered per document.
struct SG_TABLE("document_versions") Version {
  SG_COLUMN(primary_key, foreign_key = "documents.id", on_delete = "CASCADE") std::int64_t document_id;
  SG_COLUMN(primary_key) std::int32_t version;
  std::string body;
  SG_COLUMN(foreign_key = "auth.users.id") std::optional<std::int64_t> editor_id;
  SG_COLUMN(server_default = "now()") Clock::time_point saved_at;
};

// Busy and large in production: its later changes are written online (online_ddl in
// schemagen.yaml), so that none of them stops the application.
/// Comments on a specific version of a document.
struct SG_TABLE("comments")
    SG_FOREIGN_KEY("fk_comments_version", columns = "document_id, version",
                   references = "document_versions(document_id, version)", on_delete = "CASCADE",
                   on_update = "CASCADE")
    SG_CHECK("ck_comments_body_not_empty", expr = "length(body) > 0") Comment {
  SG_COLUMN(primary_key, autoincrement) std::int64_t id;
  /// What links to a comment carry instead of its id.
  SG_COLUMN(type = "uuid", server_default = "gen_random_uuid()", unique) std::string public_id;
  std::int64_t document_id;
  std::int32_t version;
  SG_COLUMN(foreign_key = "auth.users.id", on_delete = "SET NULL", index) std::optional<std::int64_t> author_id;
  std::string body;
  SG_COLUMN(server_default = "false") bool resolved;
  SG_COLUMN(foreign_key = "auth.users.id", on_delete = "SET NULL") std::optional<std::int64_t> resolved_by;
  SG_COLUMN(server_default = "now()") Clock::time_point created_at;
};

/// What the project list shows: a materialized view, refreshed by the application.
struct SG_VIEW("project_activity", file = "views/project_activity.sql", materialized)
    SG_INDEX("ix_project_activity_project", columns = "project_id", unique) ProjectActivity {
  std::int64_t project_id;
  std::int64_t org_id;
  std::int64_t documents;
  std::optional<Clock::time_point> last_change;
};

} // namespace demo::app
