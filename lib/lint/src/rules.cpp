#include "schemagen/lint/rules.hpp"

namespace schemagen::lint {

std::vector<std::string> rules() {
  return {destructive,
          narrowing,
          not_null_without_default,
          index_without_concurrently,
          table_rewrite,
          renaming_column,
          renaming_table,
          constraint_without_not_valid,
          prefer_text,
          prefer_bigint,
          prefer_identity,
          prefer_timestamptz,
          transaction_nesting,
          missing_lock_timeout,
          drop_database,
          unparsed_sql};
}

} // namespace schemagen::lint
