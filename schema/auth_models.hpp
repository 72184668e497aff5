#pragma once
// Auth: organisations, the people who sign in to them, their sessions and API keys.

#include <chrono>
#include <cstdint>
#include <optional>
#include <schemagen/annotations.hpp>
#include <string>
#include <vector>

namespace demo::auth {

using Clock = std::chrono::system_clock;

enum class SG_ENUM("user_role", schema = "auth") Role { owner, admin, member, guest };

/// Tenants: every user and project belongs to one.
struct SG_TABLE("orgs", schema = "auth") Org {
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
  SG_COLUMN(length = 63, unique, comment = "URL-safe short name") std::string slug;
  std::string display_name;
  SG_COLUMN(server_default = "now()") Clock::time_point created_at;
};

/// People who can sign in.
struct SG_TABLE("users", schema = "auth") SG_INDEX("ix_users_role", columns = "role")
    SG_INDEX("ix_users_email_lower", columns = "lower(email)", unique, where = "email IS NOT NULL")
        User {
  SG_COLUMN(primary_key, identity = "always") std::int64_t id;
  SG_COLUMN(foreign_key = "auth.orgs.id", on_delete = "CASCADE") std::int64_t org_id;
  SG_COLUMN(length = 100, unique) std::string username;
  std::string hashed_password;
  SG_COLUMN(server_default = "false") bool disabled;
  SG_COLUMN(server_default = "'member'") Role role;
  /// Where we send password resets.
  std::optional<std::string> email;
  SG_COLUMN(name = "failed_logins", server_default = "0") std::int16_t failed_login_count;
  std::optional<Clock::time_point> last_login_at;
  SG_IGNORE std::string password_plaintext_never_stored;
};

/// The users who can sign in: what the application lists and searches (a typed view: its
/// members are checked against the columns the server makes of the query).
struct SG_VIEW("active_users", schema = "auth",
               sql = "SELECT id, org_id, username, email FROM auth.users WHERE NOT disabled")
    ActiveUser {
  std::int64_t id;
  std::int64_t org_id;
  SG_COLUMN(length = 100) std::string username;
  std::optional<std::string> email;
};

/// A signed-in browser or device.
struct SG_TABLE("sessions", schema = "auth") SG_CHECK("ck_sessions_expiry", expr = "expires_at > created_at")
    Session {
  SG_COLUMN(type = "UUID", primary_key, server_default = "gen_random_uuid()") std::string id;
  SG_COLUMN(foreign_key = "users.id", on_delete = "CASCADE", index) std::int64_t user_id;
  SG_COLUMN(type = "INET", nullable = true) std::string client_ip;
  std::optional<std::string> user_agent;
  SG_COLUMN(server_default = "now()") Clock::time_point created_at;
  Clock::time_point expires_at;
};

/// Keys for machine access; only a hash of the secret is kept.
struct SG_TABLE("api_keys", schema = "auth") ApiKey {
  SG_COLUMN(primary_key, autoincrement) std::int32_t id;
  SG_COLUMN(foreign_key = "users.id", on_delete = "CASCADE", on_update = "CASCADE") std::int64_t user_id;
  SG_COLUMN(length = 12, unique, renamed_from = "prefix") std::string key_prefix;
  std::vector<std::byte> secret_hash;
  SG_COLUMN(server_default = "'{}'") std::vector<std::string> scopes;
  std::optional<std::chrono::sys_days> expires_on;
};

} // namespace demo::auth
