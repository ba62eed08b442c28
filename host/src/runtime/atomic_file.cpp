#include "runtime/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace idlab::host {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& what, const fs::path& file, int error) {
    throw std::runtime_error("cannot " + what + " '" + file.string() + "': " + std::strerror(error));
}

// fsync of the folder holding `file`, so that a rename into it is on disk.
void sync_folder_of(const fs::path& file) {
    fs::path folder = file.parent_path();
    if (folder.empty()) folder = ".";
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("open the folder", folder, errno);
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // Some file systems cannot sync a folder (EINVAL); the rename is still atomic there.
    if (rc != 0 && error != EINVAL) fail("sync the folder", folder, error);
}

}  // namespace

fs::path AtomicFile::temporary_for(const fs::path& target) {
    fs::path temp = target;
    temp += ".tmp";
    return temp;
}

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)), temp_(temporary_for(target_)) {
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("create", temp_, errno);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(temp_.c_str());
    }
}

void AtomicFile::write(const void* data, size_t bytes) {
    const char* p = static_cast<const char*>(data);
    while (bytes > 0) {
        const ssize_t n = ::write(fd_, p, bytes);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write", temp_, errno);
        }
        p += n;
        bytes -= static_cast<size_t>(n);
    }
}

void AtomicFile::commit() {
    if (::fsync(fd_) != 0) fail("sync", temp_, errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) {
        const int error = errno;
        ::unlink(temp_.c_str());
        fail("close", temp_, error);
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
        const int error = errno;
        ::unlink(temp_.c_str());
        fail("rename '" + temp_.string() + "' to", target_, error);
    }
    sync_folder_of(target_);
}

void write_file_atomically(const fs::path& file, const std::string& text) {
    AtomicFile out(file);
    out.write(text.data(), text.size());
    out.commit();
}

}  // namespace idlab::host
