#pragma once
// schemagen's model annotations (tools/schemagen/REFERENCE.md, "Annotations").
//
// Each macro takes a comma-separated list of `key = value` options and bare flags; the first
// bare string, where one is allowed, is the name. Values are string literals, integers, or
// true/false. Under Clang each macro becomes [[clang::annotate("schemagen::<kind>", "<options>")]],
// which the schemagen scanner reads; under any other compiler it expands to nothing, so model
// headers compile everywhere and cost nothing at run time.
//
//   /// People who can sign in.
//   struct SG_TABLE("users", schema = "auth") User {
//     SG_COLUMN(primary_key, identity = "always") std::int64_t id;
//     SG_COLUMN(length = 100, unique) std::string username;
//     std::optional<std::string> email;   // nullable TEXT
//   };
//
//   struct SG_VIEW("active_users", schema = "auth",
//                  sql = "SELECT id, username FROM auth.users WHERE NOT disabled") ActiveUser {
//     std::int64_t id;
//     std::string username;
//   };

#if defined(__clang__)
#define SCHEMAGEN_ANNOTATE_(kind, ...) [[clang::annotate("schemagen::" kind, #__VA_ARGS__)]]
#else
#define SCHEMAGEN_ANNOTATE_(kind, ...)
#endif

/// A struct or class that is a table: SG_TABLE("name", schema = "...", comment = "...",
/// renamed_from = "...").
#define SG_TABLE(...) SCHEMAGEN_ANNOTATE_("table", __VA_ARGS__)
/// A struct or class that is a view, its members the view's columns:
/// SG_VIEW("name", schema = "...", sql = "SELECT ...", materialized, comment = "..."), or
/// file = "views/name.sql" (relative to the header) in place of sql. SG_INDEX goes on a
/// materialized view; SG_COLUMN on its members takes name, type, length, precision, scale,
/// nullable and comment.
#define SG_VIEW(...) SCHEMAGEN_ANNOTATE_("view", __VA_ARGS__)
/// Options for one data member of a table: name, type, length, precision, scale, primary_key,
/// autoincrement, identity, unique, index, nullable, server_default, foreign_key, on_delete,
/// on_update, comment, renamed_from.
#define SG_COLUMN(...) SCHEMAGEN_ANNOTATE_("column", __VA_ARGS__)
/// SG_INDEX("name", columns = "a, b", unique, where = "...", using = "gin") on a table or a
/// materialized view.
#define SG_INDEX(...) SCHEMAGEN_ANNOTATE_("index", __VA_ARGS__)
/// SG_UNIQUE("name", columns = "a, b") on a table.
#define SG_UNIQUE(...) SCHEMAGEN_ANNOTATE_("unique", __VA_ARGS__)
/// SG_CHECK("name", expr = "qty >= 0") on a table.
#define SG_CHECK(...) SCHEMAGEN_ANNOTATE_("check", __VA_ARGS__)
/// SG_FOREIGN_KEY("name", columns = "a, b", references = "other(x, y)", on_delete = "CASCADE").
#define SG_FOREIGN_KEY(...) SCHEMAGEN_ANNOTATE_("foreign_key", __VA_ARGS__)
/// SG_ENUM("type_name", schema = "...") on an enum: its enumerators are the values.
#define SG_ENUM(...) SCHEMAGEN_ANNOTATE_("enum", __VA_ARGS__)
/// After an enumerator of an SG_ENUM enum, the value it stands for where the value is no C++
/// name: `enum class SG_ENUM("state") State { new_ SG_VALUE("new"), in_progress SG_VALUE("in
/// progress") };`.
#define SG_VALUE(...) SCHEMAGEN_ANNOTATE_("value", __VA_ARGS__)
/// A data member that is not a column.
#define SG_IGNORE SCHEMAGEN_ANNOTATE_("ignore", )
