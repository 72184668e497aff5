#pragma once
// Diagnostics that name where a problem is (file:line:col), and the error types each stage
// throws. Every error maps to one of the documented exit codes; main() catches them once.

#include <stdexcept>
#include <string>
#include <vector>

namespace schemagen {

enum class ExitCode : int { ok = 0, user_error = 1, drift = 1, database_error = 2 };

/// A position in an input file; line and column are 1-based, 0 when unknown.
struct SourceLoc {
  std::string file;
  unsigned line = 0;
  unsigned column = 0;

  bool known() const { return !file.empty(); }
  /// "file:line:col", "file:line" or "file", as much as is known.
  std::string str() const;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

enum class Severity { error, warning, note };

struct Diagnostic {
  SourceLoc loc;
  Severity severity = Severity::error;
  std::string message;

  /// "file:line:col: error: message", the form compilers and editors understand.
  std::string str() const;
};

/// Diagnostics gathered over a whole run, so that one run reports every mistake.
class DiagnosticList {
public:
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);
  void note(SourceLoc loc, std::string message);
  void add(Diagnostic d) { items_.push_back(std::move(d)); }

  const std::vector<Diagnostic>& items() const { return items_; }
  bool has_errors() const;
  std::size_t error_count() const;
  /// Every diagnostic, one per line.
  std::string str() const;

private:
  std::vector<Diagnostic> items_;
};

/// Base of every error schemagen reports; carries its exit code.
class Error : public std::runtime_error {
public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

private:
  ExitCode code_;
};

/// A mistake in the user's input: configuration, annotations, arguments. Exit code 1.
class UserError : public Error {
public:
  explicit UserError(const std::string& message) : Error(ExitCode::user_error, message) {}
  UserError(const SourceLoc& loc, const std::string& message)
      : Error(ExitCode::user_error, Diagnostic{loc, Severity::error, message}.str()) {}
};

/// Several user errors found in one pass (a scan reports all of them). Exit code 1.
class DiagnosticsError : public Error {
public:
  explicit DiagnosticsError(DiagnosticList diags)
      : Error(ExitCode::user_error, diags.str()), diags_(std::move(diags)) {}
  const DiagnosticList& diagnostics() const { return diags_; }

private:
  DiagnosticList diags_;
};

/// The database could not be reached or refused an operation. Exit code 2.
class DatabaseError : public Error {
public:
  explicit DatabaseError(const std::string& message) : Error(ExitCode::database_error, message) {}
};

} // namespace schemagen
