#pragma once
// What the AST visitor hands to the builder: the annotated declarations as written, with C++
// types already classified. Free of Clang, so the builder's rules are tested without a parse.

#include "annotation.hpp"

#include <optional>
#include <string>
#include <vector>

namespace schemagen::scan {

/// A data member's C++ type, as far as the type mapping cares.
struct CxxType {
  enum class Kind {
    boolean,
    integer,
    floating,
    string,
    bytes,
    timestamp,
    date,
    enumeration,
    unmapped
  };
  Kind kind = Kind::unmapped;
  unsigned bits = 0;        // integer and floating
  bool is_unsigned = false; // integer
  std::string enum_key;     // enumeration: the enum's qualified C++ name
  unsigned array_dims = 0;  // std::vector<T> of a mapped scalar
  bool optional = false;    // std::optional<T>
  std::string spelling;     // as written, for messages
  std::string problem;      // unmapped: why, when more can be said than "no mapping"
};

struct RawField {
  std::string cxx_name;
  SourceLoc loc;
  CxxType type;
  std::vector<Annotation> annotations; // SG_COLUMN, SG_IGNORE
  std::optional<std::string> doc;
};

/// A struct that is a table or a view: the two have members the same way.
struct RawTable {
  std::string cxx_name;
  SourceLoc loc;
  std::vector<Annotation> annotations; // SG_TABLE or SG_VIEW first, then SG_INDEX, SG_UNIQUE, ...
  std::vector<RawField> fields;        // base classes' first, in declaration order
  std::optional<std::string> doc;
};

struct RawEnum {
  std::string cxx_name; // qualified: the key CxxType::enum_key refers to
  SourceLoc loc;
  Annotation annotation;
  std::vector<std::string> values;                     // the enumerators' names
  std::vector<std::optional<Annotation>> value_labels; // SG_VALUE on an enumerator, beside each
};

struct RawModels {
  std::vector<RawTable> tables;
  std::vector<RawTable> views;
  std::vector<RawEnum> enums;
};

} // namespace schemagen::scan
