#pragma once
// A YAML document as a tree, read with libyaml. The interface is the part of yaml-cpp's Node
// that the readers use (IsMap(), operator[], Scalar(), Mark(), ...), so they read as before;
// yaml-cpp itself took 6 s and 1.2 GB for a 21 MB revision (10,000 tables created), libyaml's
// parser half a second.

#include <cstddef>
#include <deque>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen::yaml {

/// Where a node starts, 0-based as libyaml counts; null for a node that is not in the text.
struct Mark {
  int line = -1;
  int column = -1;
  bool is_null() const { return line < 0; }
};

/// A malformed document: libyaml's problem and where it is.
struct ParseError {
  std::string message;
  Mark mark;
};

class Node;

namespace detail {
enum class Kind : unsigned char { null, scalar, sequence, map };

struct Data {
  std::string scalar;
  std::vector<Data*> children; // a sequence's items; a map's keys and values, alternately
  Mark mark;
  Kind kind = Kind::null;
  bool quoted = false; // a scalar written in quotes or as a block: never null, bool or number
  std::string tag;     // as written ("!!str" resolved); empty when none was
};

/// The nodes of one document, which its Nodes share.
struct Tree {
  std::deque<Data> nodes;
  Data* make() { return &nodes.emplace_back(); }
};
} // namespace detail

/// A node of a document, or an undefined node (a key that is not in its map): that one is
/// false, and is neither map, sequence, scalar nor null.
class Node {
public:
  /// An undefined node.
  Node() = default;

  /// Parses the first document of `text` (an empty text is a null node); throws ParseError.
  static Node parse(std::string_view text);

  bool IsDefined() const { return data_ != nullptr; }
  explicit operator bool() const { return IsDefined(); }
  /// null, ~, an empty value, written plainly.
  bool IsNull() const { return data_ && data_->kind == detail::Kind::null; }
  bool IsScalar() const { return data_ && data_->kind == detail::Kind::scalar; }
  bool IsSequence() const { return data_ && data_->kind == detail::Kind::sequence; }
  bool IsMap() const { return data_ && data_->kind == detail::Kind::map; }

  /// A scalar's text; empty for anything else.
  const std::string& Scalar() const;
  /// As yaml-cpp gives it: the tag written, else "!" for a quoted scalar and "?" for the rest.
  std::string Tag() const;
  yaml::Mark Mark() const { return data_ ? data_->mark : yaml::Mark{}; }

  /// A map's entries or a sequence's items; 0 for anything else.
  std::size_t size() const;

  /// The value of the first entry whose key is the scalar `key`; undefined when none is.
  Node operator[](std::string_view key) const;
  Node operator[](const char* key) const { return (*this)[std::string_view(key)]; }
  Node operator[](const std::string& key) const { return (*this)[std::string_view(key)]; }
  /// A sequence's item; undefined past its end.
  Node operator[](std::size_t index) const;
  Node operator[](int index) const { return (*this)[static_cast<std::size_t>(index)]; }

  /// The scalar as a bool (true/false, yes/no, on/off, y/n, as yaml-cpp reads them) or a long
  /// long; false when it is not one.
  bool decode(bool& out) const;
  bool decode(long long& out) const;
  /// As decode() (long long), throwing ParseError where that fails.
  template <class T> T as() const;

  /// Whether both are the same node of the same document.
  bool same(const Node& other) const { return data_ == other.data_; }

  /// A deep copy, in a document of its own, that set() and remove() may change.
  Node clone() const;
  /// Sets the map entry `key` to `value` (a copy of its tree), adding it when missing.
  void set(std::string_view key, const Node& value);
  void set(std::string_view key, std::string_view scalar);
  /// Removes the map's entries whose key is `key`.
  void remove(std::string_view key);

  /// An item of a sequence (the item itself), or an entry of a map (first, second).
  struct Item;
  class const_iterator;
  const_iterator begin() const;
  const_iterator end() const;

private:
  friend class Builder;
  Node(std::shared_ptr<detail::Tree> tree, detail::Data* data)
      : tree_(std::move(tree)), data_(data) {}

  std::shared_ptr<detail::Tree> tree_;
  detail::Data* data_ = nullptr;
};

struct Node::Item : Node {
  Node first, second;
};

class Node::const_iterator {
public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = Item;
  using difference_type = std::ptrdiff_t;
  using pointer = const Item*;
  using reference = const Item&;

  const_iterator() = default;
  reference operator*() const { return item_; }
  pointer operator->() const { return &item_; }
  const_iterator& operator++() {
    at_ += step_;
    load();
    return *this;
  }
  const_iterator operator++(int) {
    auto copy = *this;
    ++*this;
    return copy;
  }
  friend bool operator==(const const_iterator& a, const const_iterator& b) {
    return a.owner_ == b.owner_ && a.at_ == b.at_;
  }

private:
  friend class Node;
  const_iterator(const Node& owner, std::size_t at);
  void load();

  const Node* owner_ = nullptr;
  std::size_t at_ = 0, step_ = 1;
  Item item_;
};

template <> inline long long Node::as<long long>() const {
  long long out = 0;
  if (!decode(out)) throw ParseError{"not an integer", this->Mark()};
  return out;
}

} // namespace schemagen::yaml
