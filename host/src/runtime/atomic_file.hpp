// Writing a file so that a reader, or a crash at any moment, sees either the old contents or
// the new ones, never a mix: a temporary file in the same folder, fsync, then a rename over
// the target.
#pragma once

#include <filesystem>
#include <string>

namespace idlab::host {

// The whole text, atomically. Throws std::runtime_error naming the file.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace idlab::host
