#include "schemagen/lint/rules.hpp"

namespace schemagen::lint {

std::vector<std::string> rules() {
  return {destructive,
          narrowing,
          not_null_without_default,
          index_without_concurrently,
          concurrently_in_transaction,
          table_rewrite,
          renaming_column,
          renaming_table,
          constraint_without_not_valid,
          domain_constraint,
          prefer_text,
          prefer_bigint,
          prefer_identity,
          prefer_timestamptz,
          prefer_jsonb,
          transaction_nesting,
          missing_lock_timeout,
          drop_database,
          truncate_cascade,
          unparsed_sql};
}

} // namespace schemagen::lint
