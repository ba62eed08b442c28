#include "sweep/lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace idlab::host {

namespace {

struct flock whole_file(short type) {
    struct flock fl;
    std::memset(&fl, 0, sizeof(fl));
    fl.l_type = type;
    fl.l_whence = SEEK_SET;
    fl.l_start = 0;
    fl.l_len = 0;  // to the end, however long the file grows
    fl.l_pid = 0;  // required for open-file-description locks
    return fl;
}

std::string read_all(int fd) {
    std::string text;
    char buf[512];
    ssize_t n;
    off_t at = 0;
    while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
        text.append(buf, static_cast<size_t>(n));
        at += n;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

void write_all(int fd, const std::string& text) {
    if (ftruncate(fd, 0) != 0) return;
    const std::string line = text + "\n";
    size_t done = 0;
    while (done < line.size()) {
        ssize_t n = pwrite(fd, line.data() + done, line.size() - done, static_cast<off_t>(done));
        if (n <= 0) return;
        done += static_cast<size_t>(n);
    }
}

}  // namespace

std::string host_name() {
    char buf[256] = {0};
    if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
    return buf;
}

std::string holder_text(long pid, const std::string& what) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char when[32];
    std::strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
    return "pid " + std::to_string(pid) + " on host " + host_name() + " since " + when +
           (what.empty() ? "" : ", " + what);
}

std::optional<FileLock> FileLock::try_take(const std::filesystem::path& file, const std::string& holder,
                                           std::string& held_by) {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open lock file '" + file.string() + "': " + std::strerror(errno));
    struct flock fl = whole_file(F_WRLCK);
    if (fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        const int err = errno;
        held_by = read_all(fd);
        ::close(fd);
        if (err == EACCES || err == EAGAIN) {
            if (held_by.empty()) held_by = "another process";
            return std::nullopt;
        }
        throw std::runtime_error("cannot lock '" + file.string() + "': " + std::strerror(err));
    }
    FileLock lock(fd);
    lock.describe(holder);
    return lock;
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        release();
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::describe(const std::string& holder) {
    if (fd_ >= 0) write_all(fd_, holder);
}

void FileLock::release() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool lock_is_held(const std::filesystem::path& file, std::string* held_by) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    struct flock fl = whole_file(F_WRLCK);
    bool held = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
    if (held && held_by) *held_by = read_all(fd);
    ::close(fd);
    return held;
}

}  // namespace idlab::host
