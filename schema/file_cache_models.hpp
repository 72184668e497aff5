#pragma once
// The file cache: rendered exports of documents, kept by content hash in a local SQLite file
// (the `cache` database of schemagen.yaml), beside the service's PostgreSQL. Its models are
// spelled as for PostgreSQL; the SQLite dialect maps them (JSONB → JSON, now() →
// CURRENT_TIMESTAMP, the file_cache schema → the file's main schema).

#include <chrono>
#include <cstdint>
#include <optional>
#include <schemagen/annotations.hpp>
#include <string>
#include <vector>

namespace demo::file_cache {

/// Content-addressed blobs, shared by every cached file with the same bytes.
struct SG_TABLE("blobs", schema = "file_cache") Blob {
  SG_COLUMN(type = "CHAR", length = 64, primary_key, comment = "SHA-256, hex") std::string sha256;
  std::vector<std::uint8_t> content;
  std::int64_t size_bytes;
  SG_COLUMN(server_default = "now()") std::chrono::system_clock::time_point stored_at;
};

/// One rendered export of one document version.
struct SG_TABLE("cached_files", schema = "file_cache")
    SG_INDEX("ix_cached_files_expires", columns = "expires_at", where = "pinned = false")
    SG_INDEX("ix_cached_files_stored", columns = "created_at")
    SG_UNIQUE("uq_cached_files_render", columns = "document_id, version, format")
    SG_CHECK("ck_cached_files_format", expr = "format IN ('pdf', 'html', 'epub')") CachedFile {
  SG_COLUMN(primary_key, autoincrement) std::int64_t id;
  std::int64_t document_id; // the document version rendered: in the service's database
  std::int32_t version;
  SG_COLUMN(length = 10) std::string format;
  SG_COLUMN(type = "CHAR", length = 64, foreign_key = "file_cache.blobs.sha256", on_delete = "RESTRICT", index)
  std::string blob_sha256;
  SG_COLUMN(type = "JSONB", server_default = "'{}'::jsonb") std::string render_options;
  SG_COLUMN(server_default = "false") bool pinned;
  std::uint32_t hit_count_cxx_only SG_IGNORE;
  SG_COLUMN(type = "BIGINT", server_default = "0") std::uint64_t hits;
  SG_COLUMN(server_default = "now()") std::chrono::system_clock::time_point created_at;
  std::optional<std::chrono::system_clock::time_point> expires_at;
};

} // namespace demo::file_cache
