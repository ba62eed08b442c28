// The error every reader of this plugin throws for a file it cannot use: it names the file,
// what is wrong with it and the format that was expected, so a user can tell a missing file
// from a truncated download from a file of the wrong kind.
#pragma once

#include <stdexcept>
#include <string>

namespace idlab::images {

// Format names used in the messages.
inline constexpr const char* kNpyFormat = "a NumPy .npy file (format 1.0, 2.0 or 3.0)";
inline constexpr const char* kNpzFormat =
    "a NumPy .npz archive (a ZIP of .npy members, stored or deflate-compressed)";
inline constexpr const char* kMatFormat = "a MATLAB 5.0 MAT-file (MAT v5, little endian)";

class DataFileError : public std::runtime_error {
public:
    DataFileError(const std::string& file, const std::string& problem,
                  const std::string& expected_format)
        : std::runtime_error(file + ": " + problem + " (expected " + expected_format + ")"),
          file_(file),
          problem_(problem),
          expected_format_(expected_format) {}

    const std::string& file() const noexcept { return file_; }
    const std::string& problem() const noexcept { return problem_; }
    const std::string& expected_format() const noexcept { return expected_format_; }

private:
    std::string file_;
    std::string problem_;
    std::string expected_format_;
};

}  // namespace idlab::images
