#include "schemagen/model/binary.hpp"

#include <cstdint>
#include <cstring>

namespace schemagen::model {

namespace {

class Out {
public:
  void u32(std::uint32_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void opt(const std::optional<std::string>& s) {
    u32(s ? 1 : 0);
    if (s) str(*s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void loc(const Origin& o) {
    str(o.loc.file);
    u32(o.loc.line);
    u32(o.loc.column);
  }
  std::string take() { return std::move(out_); }

private:
  std::string out_;
};

class In {
public:
  explicit In(std::string_view d) : d_(d) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == d_.size(); }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    if (pos_ + sizeof v > d_.size()) return fail(), 0;
    std::memcpy(&v, d_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  std::string str() {
    const auto n = u32();
    if (!ok_ || pos_ + n > d_.size()) return fail(), std::string();
    std::string s(d_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  std::optional<std::string> opt() {
    if (u32() == 0) return std::nullopt;
    return str();
  }
  std::vector<std::string> strs() {
    const auto n = u32();
    std::vector<std::string> v;
    for (std::uint32_t i = 0; i < n && ok_; ++i) v.push_back(str());
    return v;
  }
  Origin loc() {
    Origin o;
    o.loc.file = str();
    o.loc.line = u32();
    o.loc.column = u32();
    return o;
  }
  /// A count that the remaining bytes could hold (guards against garbage).
  std::uint32_t count() {
    const auto n = u32();
    if (n > d_.size()) fail();
    return ok_ ? n : 0;
  }

private:
  void fail() { ok_ = false; }
  std::string_view d_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

constexpr std::uint32_t magic = 0x53474d33; // "SGM3": with views and schema objects

void write(Out& o, const Column& c) {
  o.str(c.name);
  o.str(c.type);
  o.u32(c.nullable);
  o.opt(c.server_default);
  o.u32(static_cast<std::uint32_t>(c.identity));
  o.u32(c.autoincrement);
  o.opt(c.comment);
  o.opt(c.renamed_from);
  o.loc(c.origin);
}

void write(Out& o, const Index& ix) {
  o.str(ix.name);
  o.strs(ix.columns);
  o.u32(ix.unique);
  o.opt(ix.where);
  o.str(ix.method);
  o.loc(ix.origin);
}

template <class T>
void write(Out& o, const std::vector<T>& items) {
  o.u32(static_cast<std::uint32_t>(items.size()));
  for (const auto& item : items) write(o, item);
}

Column read_column(In& in) {
  Column c;
  c.name = in.str();
  c.type = in.str();
  c.nullable = in.u32() != 0;
  c.server_default = in.opt();
  c.identity = static_cast<Identity>(in.u32());
  c.autoincrement = in.u32() != 0;
  c.comment = in.opt();
  c.renamed_from = in.opt();
  c.origin = in.loc();
  return c;
}

Index read_index(In& in) {
  Index ix;
  ix.name = in.str();
  ix.columns = in.strs();
  ix.unique = in.u32() != 0;
  ix.where = in.opt();
  ix.method = in.str();
  ix.origin = in.loc();
  return ix;
}

template <class Read>
auto read_list(In& in, Read read) {
  std::vector<decltype(read(in))> out;
  for (auto n = in.count(); n-- && in.ok();) out.push_back(read(in));
  return out;
}

} // namespace

std::string to_binary(const Metadata& m) {
  Out o;
  o.u32(magic);
  o.strs(m.schemas);
  o.u32(static_cast<std::uint32_t>(m.enums.size()));
  for (const auto& e : m.enums) {
    o.str(e.schema);
    o.str(e.name);
    o.strs(e.values);
    o.loc(e.origin);
  }
  o.u32(static_cast<std::uint32_t>(m.tables.size()));
  for (const auto& t : m.tables) {
    o.str(t.schema);
    o.str(t.name);
    o.opt(t.comment);
    o.opt(t.renamed_from);
    o.loc(t.origin);
    write(o, t.columns);
    o.u32(t.primary_key ? 1 : 0);
    if (t.primary_key) {
      o.str(t.primary_key->name);
      o.strs(t.primary_key->columns);
    }
    o.u32(static_cast<std::uint32_t>(t.unique_constraints.size()));
    for (const auto& u : t.unique_constraints) {
      o.str(u.name);
      o.strs(u.columns);
      o.loc(u.origin);
    }
    o.u32(static_cast<std::uint32_t>(t.foreign_keys.size()));
    for (const auto& fk : t.foreign_keys) {
      o.str(fk.name);
      o.strs(fk.columns);
      o.str(fk.referred_schema);
      o.str(fk.referred_table);
      o.strs(fk.referred_columns);
      o.str(fk.on_delete);
      o.str(fk.on_update);
      o.loc(fk.origin);
    }
    o.u32(static_cast<std::uint32_t>(t.checks.size()));
    for (const auto& ck : t.checks) {
      o.str(ck.name);
      o.str(ck.expression);
      o.loc(ck.origin);
    }
    write(o, t.indexes);
  }
  o.u32(static_cast<std::uint32_t>(m.views.size()));
  for (const auto& v : m.views) {
    o.str(v.schema);
    o.str(v.name);
    o.str(v.sql);
    o.u32(v.materialized);
    write(o, v.columns);
    write(o, v.indexes);
    o.opt(v.comment);
    o.str(v.definition);
    o.strs(v.depends_on);
    o.loc(v.origin);
  }
  o.u32(static_cast<std::uint32_t>(m.objects.size()));
  for (const auto& x : m.objects) {
    o.u32(static_cast<std::uint32_t>(x.kind));
    o.str(x.schema);
    o.str(x.name);
    o.str(x.target);
    o.str(x.sql);
    o.str(x.definition);
    o.strs(x.depends_on);
    o.loc(x.origin);
  }
  return o.take();
}

std::optional<Metadata> from_binary(std::string_view data) {
  In in(data);
  if (in.u32() != magic) return std::nullopt;
  Metadata m;
  m.schemas = in.strs();
  for (auto n = in.count(); n-- && in.ok();) {
    Enum e;
    e.schema = in.str();
    e.name = in.str();
    e.values = in.strs();
    e.origin = in.loc();
    m.enums.push_back(std::move(e));
  }
  for (auto n = in.count(); n-- && in.ok();) {
    Table t;
    t.schema = in.str();
    t.name = in.str();
    t.comment = in.opt();
    t.renamed_from = in.opt();
    t.origin = in.loc();
    t.columns = read_list(in, read_column);
    if (in.u32()) {
      PrimaryKey pk;
      pk.name = in.str();
      pk.columns = in.strs();
      t.primary_key = std::move(pk);
    }
    for (auto k = in.count(); k-- && in.ok();) {
      UniqueConstraint u;
      u.name = in.str();
      u.columns = in.strs();
      u.origin = in.loc();
      t.unique_constraints.push_back(std::move(u));
    }
    for (auto k = in.count(); k-- && in.ok();) {
      ForeignKey fk;
      fk.name = in.str();
      fk.columns = in.strs();
      fk.referred_schema = in.str();
      fk.referred_table = in.str();
      fk.referred_columns = in.strs();
      fk.on_delete = in.str();
      fk.on_update = in.str();
      fk.origin = in.loc();
      t.foreign_keys.push_back(std::move(fk));
    }
    for (auto k = in.count(); k-- && in.ok();) {
      CheckConstraint ck;
      ck.name = in.str();
      ck.expression = in.str();
      ck.origin = in.loc();
      t.checks.push_back(std::move(ck));
    }
    t.indexes = read_list(in, read_index);
    m.tables.push_back(std::move(t));
  }
  for (auto n = in.count(); n-- && in.ok();) {
    View v;
    v.schema = in.str();
    v.name = in.str();
    v.sql = in.str();
    v.materialized = in.u32() != 0;
    v.columns = read_list(in, read_column);
    v.indexes = read_list(in, read_index);
    v.comment = in.opt();
    v.definition = in.str();
    v.depends_on = in.strs();
    v.origin = in.loc();
    m.views.push_back(std::move(v));
  }
  for (auto n = in.count(); n-- && in.ok();) {
    DbObject x;
    const auto kind = in.u32();
    if (kind > static_cast<std::uint32_t>(ObjectKind::grant)) return std::nullopt;
    x.kind = static_cast<ObjectKind>(kind);
    x.schema = in.str();
    x.name = in.str();
    x.target = in.str();
    x.sql = in.str();
    x.definition = in.str();
    x.depends_on = in.strs();
    x.origin = in.loc();
    m.objects.push_back(std::move(x));
  }
  if (!in.ok() || !in.done()) return std::nullopt;
  return m;
}

} // namespace schemagen::model
