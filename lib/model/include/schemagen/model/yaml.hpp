#pragma once
// Metadata as stable, sorted, diff-friendly YAML: what `schemagen scan -o` writes and what a later
// stage reads back equal. The pieces (a column, a constraint as a one-line flow map) are shared
// with revision files, whose ops carry the same objects.

#include "schemagen/model/metadata.hpp"
#include "schemagen/support/yaml.hpp"

#include <string>
#include <string_view>

namespace schemagen::model {

/// The canonical YAML of `metadata` (canonicalised first). With `origins`, each object also
/// records where it was declared (origin: "file:line:col"), for the scan's cache.
std::string to_yaml(Metadata metadata, bool origins = false);

/// Parses what to_yaml wrote. Throws UserError naming `filename:line:col` for malformed input
/// or an unknown key.
Metadata from_yaml(std::string_view text, const std::string& filename);

// One object as a flow map, "{name: id, type: BIGINT, nullable: false}", and back.
std::string to_flow(const Column& c, bool origins = false);
std::string to_flow(const PrimaryKey& pk);
std::string to_flow(const UniqueConstraint& u, bool origins = false);
std::string to_flow(const ForeignKey& fk, bool origins = false);
std::string to_flow(const CheckConstraint& ck, bool origins = false);
std::string to_flow(const Index& ix, bool origins = false);
/// A flow list of names: "[a, b]".
std::string to_flow(const std::vector<std::string>& names);

Column read_column(const yaml::Reader& r, const yaml::Node& n);
PrimaryKey read_primary_key(const yaml::Reader& r, const yaml::Node& n);
UniqueConstraint read_unique(const yaml::Reader& r, const yaml::Node& n);
ForeignKey read_foreign_key(const yaml::Reader& r, const yaml::Node& n);
CheckConstraint read_check(const yaml::Reader& r, const yaml::Node& n);
/// An index; with `extra_keys`, a map that may also hold those keys (an op's table, schema...).
Index read_index(const yaml::Reader& r, const yaml::Node& n,
                 std::initializer_list<std::string_view> extra_keys = {});
Identity read_identity(const yaml::Reader& r, const yaml::Node& n);

/// A view or a schema object as a block map (its SQL is a block scalar) at `indent`, and back;
/// `extra_keys` as for read_index. The first line has no indent of its own: "name: ...".
std::string to_block(const View& v, int indent, bool origins = false);
/// Without `kind:` when `with_kind` is false (an op's name says it).
std::string to_block(const DbObject& o, int indent, bool origins = false, bool with_kind = true);
/// Without `need_sql`, a missing sql reads as empty (a drop that does not say what it dropped).
View read_view(const yaml::Reader& r, const yaml::Node& n,
               std::initializer_list<std::string_view> extra_keys = {}, bool need_sql = true);
/// With `kind` (an op's name says it), the map has no `kind:` of its own.
DbObject read_object(const yaml::Reader& r, const yaml::Node& n,
                     std::optional<ObjectKind> kind = std::nullopt,
                     std::initializer_list<std::string_view> extra_keys = {},
                     bool need_sql = true);
/// A string as a YAML block scalar ("|-" and its lines at `indent`), or quoted on one line when
/// it has no line break.
std::string block_scalar(std::string_view text, int indent);

} // namespace schemagen::model
