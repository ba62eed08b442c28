// A whole file mapped read-only into memory. Readers hand out views into the mapping (the
// pixels of a stored .npz member, the compressed bytes of a MAT element) and keep it alive
// through a shared_ptr, so nothing is copied that the OS can page in on demand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace idlab::images {

class MappedFile {
public:
    // Maps `path`; throws DataFileError (naming `expected_format`) when it cannot be opened.
    static std::shared_ptr<const MappedFile> open(const std::string& path,
                                                  const std::string& expected_format);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    MappedFile(std::string path, const uint8_t* data, size_t size)
        : path_(std::move(path)), data_(data), size_(size) {}
    std::string path_;
    const uint8_t* data_;
    size_t size_;
};

}  // namespace idlab::images
