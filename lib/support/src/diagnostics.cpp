#include "schemagen/support/diagnostics.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace schemagen {

std::string SourceLoc::str() const {
  if (line == 0) return file;
  if (column == 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

static const char* severity_name(Severity s) {
  switch (s) {
  case Severity::error: return "error";
  case Severity::warning: return "warning";
  case Severity::note: return "note";
  }
  return "error";
}

std::string Diagnostic::str() const {
  if (!loc.known()) return fmt::format("{}: {}", severity_name(severity), message);
  return fmt::format("{}: {}: {}", loc.str(), severity_name(severity), message);
}

void DiagnosticList::error(SourceLoc loc, std::string message) {
  items_.push_back({std::move(loc), Severity::error, std::move(message)});
}
void DiagnosticList::warning(SourceLoc loc, std::string message) {
  items_.push_back({std::move(loc), Severity::warning, std::move(message)});
}
void DiagnosticList::note(SourceLoc loc, std::string message) {
  items_.push_back({std::move(loc), Severity::note, std::move(message)});
}

bool DiagnosticList::has_errors() const { return error_count() > 0; }

std::size_t DiagnosticList::error_count() const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; }));
}

std::string DiagnosticList::str() const {
  std::string out;
  for (const auto& d : items_) {
    if (!out.empty()) out += '\n';
    out += d.str();
  }
  return out;
}

} // namespace schemagen
