#include "mapped_file.hpp"

#include "data_file_error.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace idlab::images {

std::shared_ptr<const MappedFile> MappedFile::open(const std::string& path,
                                                   const std::string& expected_format) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        const int e = errno;
        throw DataFileError(path, std::string("cannot open: ") + std::strerror(e), expected_format);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int e = errno;
        ::close(fd);
        throw DataFileError(path, std::string("cannot stat: ") + std::strerror(e), expected_format);
    }
    if (S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw DataFileError(path, "is a directory, not a file", expected_format);
    }
    const size_t size = static_cast<size_t>(st.st_size);
    const uint8_t* data = nullptr;
    // mmap refuses a length of 0; an empty file is simply a file with no bytes.
    if (size > 0) {
        void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            const int e = errno;
            ::close(fd);
            throw DataFileError(path, std::string("cannot map into memory: ") + std::strerror(e),
                                expected_format);
        }
        data = static_cast<const uint8_t*>(p);
    }
    ::close(fd);  // the mapping stays valid without the descriptor
    return std::shared_ptr<const MappedFile>(new MappedFile(path, data, size));
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace idlab::images
