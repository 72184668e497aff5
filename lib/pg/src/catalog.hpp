#pragma once
// Views and schema objects as the server spells them, read the same way by reflection (the
// database's) and by normalisation (the models', once created in a transaction that is rolled
// back), so that the two sides can only differ where the objects do. Each reader is one catalog
// query whatever the number of objects, filtered either by schema or by oid. Both sides read
// under the session's search_path (reflection's second connection is given it): names and types
// on it come out unqualified, as format_type() spells column types.

#include "schemagen/model/metadata.hpp"
#include "schemagen/pg/connection.hpp"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace schemagen::pg::catalog {

/// An index's key columns as a text[], as the models write them: each column or expression
/// (pg_get_indexdef), then DESC and NULLS FIRST/LAST where they are not the default. Over the
/// pg_index row `ix`.
inline constexpr const char* index_columns_sql =
    "ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k, true) || "
    "CASE WHEN ix.indoption[k - 1] & 1 = 1 "
    "THEN ' DESC' || CASE WHEN ix.indoption[k - 1] & 2 = 2 THEN '' ELSE ' NULLS LAST' END "
    "ELSE CASE WHEN ix.indoption[k - 1] & 2 = 2 THEN ' NULLS FIRST' ELSE '' END END "
    "FROM generate_series(1, ix.indnkeyatts) k ORDER BY k)::text[]";

/// Which rows a reader returns: those in the schemas of a text[] parameter that no extension
/// owns (reflection), or those whose oid is in an oid[] parameter (normalisation).
enum class Filter { schemas, oids };

/// A row's identity: its catalog ("pg_class", "pg_proc", ...) and oid.
using Key = std::pair<std::string, std::string>;

/// Views and materialized views: name, materialized, comment, and sql = definition =
/// pg_get_viewdef() trimmed, without its ';'. Columns, indexes and depends_on are not read here.
std::vector<std::pair<Key, model::View>> read_views(Connection& db, Filter filter,
                                                    const std::string& param);

/// Objects of `kind` (function also reads procedures) with sql and definition filled:
/// pg_get_functiondef / pg_get_triggerdef; CREATE SEQUENCE and CREATE POLICY built from the
/// catalog with every option; CREATE EXTENSION (definition: the name). Extensions, which live in
/// no schema, are read whatever `param` says with Filter::schemas.
std::vector<std::pair<Key, model::DbObject>> read_objects(Connection& db, model::ObjectKind kind,
                                                          Filter filter, const std::string& param);

/// What the objects `keys` reference, from pg_depend: relations ("schema.name"), their columns
/// ("schema.table.column") and functions ("schema.name(argument types)"), outside pg_catalog
/// and information_schema; each list sorted, without the object itself.
std::map<Key, std::vector<std::string>> read_depends(Connection& db, const std::vector<Key>& keys);

/// A sequence's CREATE SEQUENCE as read_objects() spells it, from its options as the catalog
/// gives them ("AS bigint INCREMENT BY 1 ...").
std::string sequence_statement(const std::string& schema, const std::string& name,
                               const std::string& options);

/// pg_get_viewdef's text as definitions hold it: trimmed, without the trailing ';'.
std::string trimmed_definition(std::string_view text);

} // namespace schemagen::pg::catalog
