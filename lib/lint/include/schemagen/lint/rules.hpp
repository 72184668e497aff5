#pragma once
// The lint's rule names, as `acknowledge:` spells them: what a revision file is checked against
// (lib/revision), apart from the lint itself and the SQL parser it reads execute ops with.

#include <string>
#include <vector>

namespace schemagen::lint {

// each rule: what fires it (README.md, "check", has the table with the safe alternatives)
inline constexpr const char* destructive = "destructive"; // drop_table, drop_column, DROP CASCADE
inline constexpr const char* narrowing = "narrowing";     // a type that holds less
inline constexpr const char* not_null_without_default = "not_null_without_default";
inline constexpr const char* index_without_concurrently = "index_without_concurrently";
inline constexpr const char* concurrently_in_transaction = "concurrently_in_transaction"; // SQL
inline constexpr const char* table_rewrite = "table_rewrite"; // PostgreSQL rewrites the table
inline constexpr const char* renaming_column = "renaming_column";
inline constexpr const char* renaming_table = "renaming_table";
inline constexpr const char* constraint_without_not_valid = "constraint_without_not_valid";
inline constexpr const char* domain_constraint = "domain_constraint";     // CREATE/ALTER DOMAIN
inline constexpr const char* prefer_text = "prefer_text";                 // char, varchar
inline constexpr const char* prefer_bigint = "prefer_bigint";             // int keys
inline constexpr const char* prefer_identity = "prefer_identity";         // serial, nextval()
inline constexpr const char* prefer_timestamptz = "prefer_timestamptz";   // timestamp
inline constexpr const char* prefer_jsonb = "prefer_jsonb";               // json
inline constexpr const char* transaction_nesting = "transaction_nesting"; // BEGIN, COMMIT
inline constexpr const char* missing_lock_timeout = "missing_lock_timeout";
inline constexpr const char* drop_database = "drop_database";
inline constexpr const char* truncate_cascade = "truncate_cascade"; // TRUNCATE ... CASCADE
inline constexpr const char* unparsed_sql = "unparsed_sql"; // execute SQL PostgreSQL rejects

/// Every rule name.
std::vector<std::string> rules();

} // namespace schemagen::lint
