#include "annotation.hpp"

#include <cctype>
#include <fmt/format.h>

namespace schemagen::scan {

std::string Annotation::macro() const {
  std::string name = "SG_";
  for (char c : kind) name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return name;
}

const Option* Annotation::find(std::string_view key) const {
  for (const auto& o : options)
    if (o.key == key) return &o;
  return nullptr;
}

SourceLoc advance(SourceLoc loc, std::string_view text, std::size_t offset) {
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

std::optional<std::pair<std::string_view, std::size_t>>
macro_arguments(std::string_view invocation) {
  const auto open = invocation.find('(');
  const auto close = invocation.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  return std::pair{invocation.substr(open + 1, close - open - 1), open + 1};
}

namespace {

class Parser {
public:
  Parser(std::string_view text, const SourceLoc& start, DiagnosticList& diags)
      : text_(text), start_(start), diags_(diags) {}

  std::vector<Option> run() {
    std::vector<Option> options;
    skip_space();
    if (at_end()) return options;
    while (true) {
      if (auto option = item())
        options.push_back(std::move(*option));
      else
        return options; // the error is reported; the rest would only cascade
      skip_space();
      if (at_end()) return options;
      if (peek() != ',') {
        error(pos_, fmt::format("expected ',' between options, found '{}'", peek()));
        return options;
      }
      ++pos_;
      skip_space();
      if (at_end()) {
        error(pos_, "expected an option after ','");
        return options;
      }
    }
  }

private:
  std::optional<Option> item() {
    Option option;
    option.loc = loc(pos_);
    if (starts_string()) {
      option.value_loc = option.loc;
      auto s = strings();
      if (!s) return std::nullopt;
      option.value.kind = Value::Kind::string;
      option.value.text = std::move(*s);
      return option;
    }
    if (!ident_start(peek())) {
      error(pos_, at_end() ? "expected an option"
                           : fmt::format("expected an option name, found '{}'", peek()));
      return std::nullopt;
    }
    option.key = identifier();
    skip_space();
    if (at_end() || peek() == ',') return option; // a bare flag
    if (peek() != '=') {
      error(pos_, fmt::format("expected '=' or ',' after '{}', found '{}'", option.key, peek()));
      return std::nullopt;
    }
    ++pos_;
    skip_space();
    option.value_loc = loc(pos_);
    if (!value(option.value)) return std::nullopt;
    return option;
  }

  bool value(Value& v) {
    if (starts_string()) {
      auto s = strings();
      if (!s) return false;
      v.kind = Value::Kind::string;
      v.text = std::move(*s);
      return true;
    }
    const std::size_t begin = pos_;
    if (peek() == '-' || std::isdigit(static_cast<unsigned char>(peek()))) {
      if (peek() == '-') ++pos_;
      const std::size_t digits = pos_;
      while (!at_end() && std::isdigit(static_cast<unsigned char>(peek()))) ++pos_;
      if (pos_ == digits ||
          (!at_end() && (std::isalpha(static_cast<unsigned char>(peek())) || peek() == '.'))) {
        error(begin, "expected an integer, a string literal, true or false");
        return false;
      }
      try {
        v.integer = std::stoll(std::string(text_.substr(begin, pos_ - begin)));
      } catch (const std::out_of_range&) {
        error(begin, "integer out of range");
        return false;
      }
      v.kind = Value::Kind::integer;
      return true;
    }
    if (ident_start(peek())) {
      const auto word = identifier();
      if (word == "true" || word == "false") {
        v.kind = Value::Kind::boolean;
        v.boolean = word == "true";
        return true;
      }
      error(begin,
            fmt::format("'{}' is not a value: write a string literal, an integer, true or false",
                        word));
      return false;
    }
    error(begin, at_end() ? "expected a value after '='"
                          : fmt::format("expected a value, found '{}'", peek()));
    return false;
  }

  bool starts_string() const {
    if (peek() == '"') return true;
    return peek() == 'R' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '"';
  }

  /// One or more adjacent string literals, concatenated.
  std::optional<std::string> strings() {
    std::string out;
    while (starts_string()) {
      if (!string_literal(out)) return std::nullopt;
      skip_space();
    }
    return out;
  }

  bool string_literal(std::string& out) {
    const std::size_t begin = pos_;
    if (peek() == 'R') { // R"delim( ... )delim"
      pos_ += 2;
      const auto paren = text_.find('(', pos_);
      if (paren == std::string_view::npos) {
        error(begin, "malformed raw string literal");
        return false;
      }
      const std::string close = ")" + std::string(text_.substr(pos_, paren - pos_)) + "\"";
      const auto end = text_.find(close, paren + 1);
      if (end == std::string_view::npos) {
        error(begin, "unterminated raw string literal");
        return false;
      }
      out += text_.substr(paren + 1, end - paren - 1);
      pos_ = end + close.size();
      return true;
    }
    ++pos_; // opening quote
    while (!at_end() && peek() != '"') {
      char c = text_[pos_++];
      if (c == '\n') break;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_end()) break;
      char e = text_[pos_++];
      switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case '0': out += '\0'; break;
      case '\\':
      case '"':
      case '\'':
      case '?': out += e; break;
      default: error(pos_ - 2, fmt::format("unsupported escape sequence '\\{}'", e)); return false;
      }
    }
    if (at_end() || peek() != '"') {
      error(begin, "unterminated string literal");
      return false;
    }
    ++pos_;
    return true;
  }

  std::string identifier() {
    const std::size_t begin = pos_;
    while (!at_end() && (ident_start(peek()) || std::isdigit(static_cast<unsigned char>(peek()))))
      ++pos_;
    return std::string(text_.substr(begin, pos_ - begin));
  }

  static bool ident_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
  }
  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  SourceLoc loc(std::size_t offset) const { return advance(start_, text_, offset); }
  void error(std::size_t offset, std::string message) {
    diags_.error(loc(offset), std::move(message));
  }

  std::string_view text_;
  SourceLoc start_;
  DiagnosticList& diags_;
  std::size_t pos_ = 0;
};

} // namespace

std::vector<Option> parse_options(std::string_view text, const SourceLoc& start,
                                  DiagnosticList& diags) {
  return Parser(text, start, diags).run();
}

} // namespace schemagen::scan
