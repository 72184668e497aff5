#pragma once
// File helpers. Every output file is written to a temporary name beside it and renamed into
// place, so a reader never sees half a file and a failed run leaves the old one untouched.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace schemagen {

/// The whole file; throws UserError naming the path when it cannot be read.
std::string read_file(const std::filesystem::path& path);

/// Writes `content` to `path` atomically (temporary file in the same directory, fsync, rename).
/// Creates missing parent directories. Throws UserError naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

/// write_file_atomic, unless the file holds `content` already: a build step's output keeps its
/// time stamp, so what is compiled from it is not compiled again. Returns whether it wrote.
bool write_file_if_changed(const std::filesystem::path& path, std::string_view content);

/// A Makefile rule "target: deps", spaces escaped, as Ninja's and Make's depfile readers want.
std::string depfile_rule(const std::filesystem::path& target,
                         const std::vector<std::filesystem::path>& deps);

/// `path` relative to the working directory when it lies below it, else as given: the form
/// diagnostics print so that they stay short and clickable.
std::string display_path(const std::filesystem::path& path);

} // namespace schemagen
