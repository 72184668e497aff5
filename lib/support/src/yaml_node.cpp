#include "schemagen/support/yaml_node.hpp"

#include "schemagen/support/text.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <yaml.h>

namespace schemagen::yaml {

namespace {
/// As deep as yaml-cpp let a document nest: the readers walk the tree recursively.
constexpr std::size_t max_depth = 2000;

Mark mark_of(const yaml_mark_t& m) {
  return {static_cast<int>(m.line), static_cast<int>(m.column)};
}

std::string text_of(const yaml_char_t* s) {
  return s ? std::string(reinterpret_cast<const char*>(s)) : std::string();
}

/// yaml-cpp's null: a plain, untagged ~, null, Null, NULL or nothing.
bool null_word(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

/// An event of libyaml's, freed with it.
struct Event {
  yaml_event_t e{};
  ~Event() { yaml_event_delete(&e); }
};

/// `text` with each byte that is not part of well-formed UTF-8 read as U+FFFD, as yaml-cpp read
/// it (libyaml refuses such a text); nullopt when it is well-formed, which is the rule.
std::optional<std::string> as_utf8(std::string_view text) {
  if (valid_utf8(text)) return std::nullopt;
  std::string out;
  out.reserve(text.size() + 2);
  for (std::size_t i = 0; i < text.size();) {
    if (const auto n = utf8_at(text, i).length) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

struct Parser {
  yaml_parser_t p{};
  Parser() { yaml_parser_initialize(&p); }
  ~Parser() { yaml_parser_delete(&p); }
};
} // namespace

class Builder {
public:
  static Node parse(std::string_view text) {
    auto tree = std::make_shared<detail::Tree>();
    const auto repaired = as_utf8(text);
    if (repaired) text = *repaired;
    Parser parser;
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
    std::vector<detail::Data*> open; // the collections being read, innermost last
    std::map<std::string, detail::Data*, std::less<>> anchors;
    detail::Data* root = nullptr;
    auto add = [&](detail::Data* d) {
      if (open.empty()) root = d;
      else open.back()->children.push_back(d);
    };
    for (;;) {
      Event ev;
      if (!yaml_parser_parse(&parser.p, &ev.e)) {
        std::string message = parser.p.problem ? parser.p.problem : "cannot be read";
        if (parser.p.context) message = std::string(parser.p.context) + ": " + message;
        throw ParseError{message, mark_of(parser.p.problem_mark)};
      }
      const auto& e = ev.e;
      const Mark at = mark_of(e.start_mark);
      switch (e.type) {
      case YAML_STREAM_END_EVENT: return {tree, root ? root : null_node(*tree, {0, 0})};
      case YAML_DOCUMENT_END_EVENT: // the first document only, as yaml-cpp's Load
        return {tree, root ? root : null_node(*tree, at)};
      case YAML_ALIAS_EVENT: {
        const auto it = anchors.find(text_of(e.data.alias.anchor));
        if (it == anchors.end())
          throw ParseError{"an alias names no anchor defined before it", at};
        add(it->second);
        break;
      }
      case YAML_SCALAR_EVENT: {
        auto* d = tree->make();
        d->mark = at;
        d->tag = text_of(e.data.scalar.tag);
        d->quoted = e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        d->scalar.assign(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
        d->kind = !d->quoted && d->tag.empty() && null_word(d->scalar) ? detail::Kind::null
                                                                        : detail::Kind::scalar;
        if (d->kind == detail::Kind::null) d->scalar.clear();
        if (e.data.scalar.anchor) anchors[text_of(e.data.scalar.anchor)] = d;
        add(d);
        break;
      }
      case YAML_SEQUENCE_START_EVENT:
      case YAML_MAPPING_START_EVENT: {
        if (open.size() >= max_depth)
          throw ParseError{"nested more than " + std::to_string(max_depth) + " levels deep", at};
        const bool seq = e.type == YAML_SEQUENCE_START_EVENT;
        auto* d = tree->make();
        d->mark = at;
        d->kind = seq ? detail::Kind::sequence : detail::Kind::map;
        const auto* anchor = seq ? e.data.sequence_start.anchor : e.data.mapping_start.anchor;
        d->tag = text_of(seq ? e.data.sequence_start.tag : e.data.mapping_start.tag);
        if (anchor) anchors[text_of(anchor)] = d;
        add(d);
        open.push_back(d);
        break;
      }
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: open.pop_back(); break;
      default: break;
      }
    }
  }

private:
  static detail::Data* null_node(detail::Tree& tree, Mark at) {
    auto* d = tree.make();
    d->mark = at;
    return d;
  }
};

Node Node::parse(std::string_view text) { return Builder::parse(text); }

const std::string& Node::Scalar() const {
  static const std::string none;
  return data_ && data_->kind == detail::Kind::scalar ? data_->scalar : none;
}

std::string Node::Tag() const {
  if (!data_) return "";
  if (!data_->tag.empty()) return data_->tag;
  return data_->quoted ? "!" : "?";
}

std::size_t Node::size() const {
  if (IsSequence()) return data_->children.size();
  if (IsMap()) return data_->children.size() / 2;
  return 0;
}

Node Node::operator[](std::string_view key) const {
  if (!IsMap()) return {};
  const auto& c = data_->children;
  for (std::size_t i = 0; i + 1 < c.size(); i += 2)
    if (c[i]->kind == detail::Kind::scalar && c[i]->scalar == key) return {tree_, c[i + 1]};
  return {};
}

Node Node::operator[](std::size_t index) const {
  if (!IsSequence() || index >= data_->children.size()) return {};
  return {tree_, data_->children[index]};
}

bool Node::decode(bool& out) const {
  if (!IsScalar()) return false;
  const auto& s = data_->scalar;
  // yaml-cpp's spellings: all lower case, or a capital and then all lower or all upper
  auto all = [](std::string_view v, int (*is)(int)) {
    return std::all_of(v.begin(), v.end(), [is](char c) { return is(static_cast<unsigned char>(c)); });
  };
  const bool flexible = all(s, ::islower) ||
                        (!s.empty() && std::isupper(static_cast<unsigned char>(s[0])) &&
                         (all(s.substr(1), ::islower) || all(s.substr(1), ::isupper)));
  if (!flexible) return false;
  std::string lower;
  for (char c : s) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [yes, no] : {std::pair{"y", "n"}, {"yes", "no"}, {"true", "false"}, {"on", "off"}}) {
    if (lower == yes) return out = true, true;
    if (lower == no) return out = false, true;
  }
  return false;
}

bool Node::decode(long long& out) const {
  if (!IsScalar()) return false;
  const auto& s = data_->scalar;
  // as yaml-cpp reads it: a base from the prefix (0x, 0), trailing blanks allowed, leading not
  if (s.empty() || std::isspace(static_cast<unsigned char>(s.front()))) return false;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(s.c_str(), &end, 0);
  if (errno == ERANGE || end == s.c_str()) return false;
  for (const char* p = end; *p; ++p)
    if (!std::isspace(static_cast<unsigned char>(*p))) return false;
  out = value;
  return true;
}

namespace {
detail::Data* copy_into(detail::Tree& tree, const detail::Data& from, std::size_t depth = 0) {
  auto* d = tree.make();
  d->scalar = from.scalar;
  d->mark = from.mark;
  d->kind = from.kind;
  d->quoted = from.quoted;
  d->tag = from.tag;
  if (depth < max_depth) // an alias may make a cycle-free graph deep; never deeper than parsed
    for (const auto* c : from.children) d->children.push_back(copy_into(tree, *c, depth + 1));
  return d;
}
} // namespace

Node Node::clone() const {
  if (!data_) return {};
  auto tree = std::make_shared<detail::Tree>();
  auto* d = copy_into(*tree, *data_);
  return {tree, d};
}

void Node::set(std::string_view key, const Node& value) {
  if (!IsMap() || !value.data_) return;
  auto* v = copy_into(*tree_, *value.data_);
  auto& c = data_->children;
  for (std::size_t i = 0; i + 1 < c.size(); i += 2)
    if (c[i]->kind == detail::Kind::scalar && c[i]->scalar == key) {
      c[i + 1] = v;
      return;
    }
  auto* k = tree_->make();
  k->kind = detail::Kind::scalar;
  k->scalar = std::string(key);
  k->mark = data_->mark;
  c.push_back(k);
  c.push_back(v);
}

void Node::set(std::string_view key, std::string_view scalar) {
  if (!IsMap()) return;
  detail::Tree one;
  auto* v = one.make();
  v->kind = detail::Kind::scalar;
  v->quoted = true; // a string, whatever it reads like
  v->scalar = std::string(scalar);
  v->mark = data_->mark;
  set(key, Node(nullptr, v));
}

void Node::remove(std::string_view key) {
  if (!IsMap()) return;
  auto& c = data_->children;
  for (std::size_t i = 0; i + 1 < c.size();)
    if (c[i]->kind == detail::Kind::scalar && c[i]->scalar == key)
      c.erase(c.begin() + static_cast<std::ptrdiff_t>(i), c.begin() + static_cast<std::ptrdiff_t>(i + 2));
    else
      i += 2;
}

Node::const_iterator::const_iterator(const Node& owner, std::size_t at)
    : owner_(&owner), at_(at), step_(owner.IsMap() ? 2 : 1) {
  load();
}

void Node::const_iterator::load() {
  const auto* d = owner_->data_;
  if (!d || at_ >= d->children.size()) {
    item_ = {};
    return;
  }
  if (step_ == 2) {
    item_.first = Node(owner_->tree_, d->children[at_]);
    item_.second = Node(owner_->tree_, d->children[at_ + 1]);
  } else {
    static_cast<Node&>(item_) = Node(owner_->tree_, d->children[at_]);
  }
}

Node::const_iterator Node::begin() const {
  if (!IsMap() && !IsSequence()) return end();
  return const_iterator(*this, 0);
}

Node::const_iterator Node::end() const {
  return const_iterator(*this, data_ && (IsMap() || IsSequence()) ? data_->children.size() : 0);
}

} // namespace schemagen::yaml
