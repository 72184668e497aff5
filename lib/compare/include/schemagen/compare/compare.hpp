#pragma once
// compare(models, database) → ops (Alembic's autogenerate/compare): set arithmetic over one model
// type, one comparator per object kind, in a deterministic, dependency-respecting order.

#include "schemagen/ops/ops.hpp"

#include <functional>
#include <set>
#include <string>
#include <vector>

namespace schemagen::compare {

/// The kinds of view and schema object a project manages beyond those its models declare: the
/// kinds its revisions' own ops have made (create_view, create_function, ...). A database's views
/// and objects of a kind that is neither declared nor made by an op are left alone (made by hand
/// or by `execute`); of a managed kind, those the models lack are dropped, so removing the last
/// declaration of a kind drops it too.
struct Managed {
  bool views = false;
  std::set<model::ObjectKind> objects;
  bool database_grants = false; // grants on the database itself (the server's as much as ours)

  /// Counts what `op` makes; an execute's replay: ops do not count (its SQL made them).
  void add(const ops::Op& op);
  bool operator==(const Managed&) const = default;
};

/// Whether `o` grants something on the database itself.
bool grants_on_database(const model::DbObject& o);

struct Options {
  bool compare_type = true;
  bool compare_server_default = true;
  /// Whether a column's type change from → to (both canonical) needs USING (no assignment cast).
  std::function<bool(const std::string& from, const std::string& to)> needs_using;
  /// Whether two canonical types are the same to the database; absent: equal text.
  std::function<bool(const std::string& a, const std::string& b)> same_type;
  /// Online DDL (PostgreSQL): the changes to existing tables written by make_online(), a new
  /// column's default filled in batches of this many rows. Unset: the plain form.
  std::optional<long> online_batch_size;
  /// The models are a whole schema (two schemas a chain replays, compared by a squash): a kind of
  /// view or schema object they have none of is dropped from the database side, not left alone
  /// as a kind the project does not manage.
  bool whole_schema = false;
  /// What the project's revisions have made (see Managed).
  Managed managed;
};

struct Result {
  std::vector<ops::Op> upgrade;
  std::vector<ops::Op> downgrade;    // the exact inverse of upgrade
  std::vector<std::string> warnings; // what could not be expressed as ops
};

/// Rewrites `upgrade` so that its changes to the tables `before` has hold no long lock: indexes
/// built and dropped CONCURRENTLY, unique constraints through a concurrent index, foreign keys
/// and checks added NOT VALID then validated, NOT NULL proved by a validated check, a volatile
/// default filled in batches of `batch_size`. A type change that rewrites the table has no such
/// form: a DiagnosticsError at the model's column spells out the expand/contract steps instead.
void make_online(std::vector<ops::Op>& upgrade, const model::Metadata& models,
                 const model::Metadata& before, long batch_size);
/// What in an online revision's downgrade cannot be online: a type change back that rewrites a
/// table `before` has (a string shortened, say), as warnings.
std::vector<std::string> downgrade_rewrites(const std::vector<ops::Op>& downgrade,
                                            const model::Metadata& before);

/// Compares the models with the database.
///   models    — as written in the headers: the ops carry this spelling (a changed column type
///               excepted: it is spelled as canonical spells it, like its existing_type);
///   canonical — the same models, same shape and order, spelled as the database spells things
///               (reflect::normalize() online, canonical_text() offline);
///   database  — the reflected (or replayed) schema, already canonical.
/// Throws DiagnosticsError for a renamed_from that names nothing (at the model's file:line:col).
Result compare(const model::Metadata& models, const model::Metadata& canonical,
               const model::Metadata& database, const Options& options);

/// A textual canonical form, for comparing without a server: PostgreSQL's own spellings of
/// types (int8 → bigint, VARCHAR(40) → character varying(40), ...), defaults without the
/// literal casts PostgreSQL adds, CURRENT_TIMESTAMP as now(), and so on.
model::Metadata canonical_text(model::Metadata m);
std::string canonical_type(std::string_view type);

/// Whether type `to` holds less than `from`: a shorter string, a smaller number, less precision.
bool narrows(const std::string& from, const std::string& to);
/// Whether changing a column's type from → to makes PostgreSQL rewrite the table and its
/// indexes: anything but a string growing or losing its limit, a numeric gaining precision at
/// the same scale, and the like.
bool rewrites_table(const std::string& from, const std::string& to);
/// Whether a default calls a volatile function (random(), gen_random_uuid(), clock_timestamp(),
/// nextval(), ...): added with a column, it makes PostgreSQL rewrite the table.
bool volatile_default(const std::optional<std::string>& server_default);

/// Without a server: whether a type change needs USING. A change to a string type or between
/// numbers never does; anything else gets one, which is never wrong.
bool textual_needs_using(const std::string& from, const std::string& to);

/// Whether two canonical server defaults mean the same (CURRENT_TIMESTAMP and now(), say).
bool same_default(const std::optional<std::string>& a, const std::optional<std::string>& b);

/// The downgrade of an autogenerated upgrade: reverse() of each op in reverse order, with a USING
/// where the way back needs one, and an enum rebuilt without the values add_enum_value added
/// (PostgreSQL cannot drop an enum value). `before` is the schema the upgrade starts from.
std::vector<ops::Op> downgrade_of(const std::vector<ops::Op>& upgrade,
                                  const model::Metadata& before, const Options& options);

} // namespace schemagen::compare
