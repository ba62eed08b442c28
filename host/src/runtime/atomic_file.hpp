// Writing a file so that a reader, or a crash at any moment, sees either the old contents or
// the new ones, never a mix: a temporary file in the same folder, fsync, rename over the
// target, then fsync of the folder so that the rename itself survives a power cut.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace idlab::host {

class AtomicFile {
public:
    // Creates "<target>.tmp" (replacing a leftover one). Throws std::runtime_error naming it.
    explicit AtomicFile(std::filesystem::path target);
    // Without commit(): closes and removes the temporary file; the target is untouched.
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(const void* data, size_t bytes);
    // fsync, rename over the target, fsync the folder.
    void commit();

    const std::filesystem::path& target() const { return target_; }
    static std::filesystem::path temporary_for(const std::filesystem::path& target);

private:
    std::filesystem::path target_, temp_;
    int fd_ = -1;
};

// The whole text, atomically.
void write_file_atomically(const std::filesystem::path& file, const std::string& text);

}  // namespace idlab::host
