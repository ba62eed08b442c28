#include "data_cache.hpp"

#include "data_file_error.hpp"

#include <idlab/plugin.hpp>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace idlab::images {

namespace {

constexpr const char* kCacheFormat = "a writable cache folder (cache_dir, $IDLAB_CACHE or ~/.cache/idlab)";

std::string environment(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : std::string();
}

// mkdir -p.
void make_directories(const std::string& path) {
    std::string partial;
    size_t pos = 0;
    while (pos != std::string::npos) {
        pos = path.find('/', pos + 1);
        partial = path.substr(0, pos);
        if (partial.empty()) continue;
        if (::mkdir(partial.c_str(), 0777) != 0 && errno != EEXIST) {
            const int e = errno;
            throw DataFileError(partial, std::string("cannot create the cache folder: ") + std::strerror(e),
                                kCacheFormat);
        }
    }
}

// Writes to a file descriptor, all or an error.
class FileWriter final : public CacheWriter {
public:
    FileWriter(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
    void write(const uint8_t* data, size_t size) override {
        if (written_ + size > size_)
            throw DataFileError(path_, "more data than the " + std::to_string(size_) + " bytes expected", kCacheFormat);
        while (size > 0) {
            const ssize_t n = ::write(fd_, data, size);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int e = errno;
                throw DataFileError(path_, std::string("cannot write the cache file: ") + std::strerror(e),
                                    kCacheFormat);
            }
            data += n;
            size -= static_cast<size_t>(n);
            written_ += static_cast<uint64_t>(n);
        }
    }
    uint64_t written() const { return written_; }

private:
    int fd_;
    std::string path_;
    uint64_t size_;
    uint64_t written_ = 0;
};

}  // namespace

std::string cache_directory(const std::string& configured) {
    std::string dir = configured;
    if (dir.empty()) dir = environment("IDLAB_CACHE");
    if (dir.empty() && !environment("XDG_CACHE_HOME").empty()) dir = environment("XDG_CACHE_HOME") + "/idlab";
    if (dir.empty() && !environment("HOME").empty()) dir = environment("HOME") + "/.cache/idlab";
    if (dir.empty())
        throw DataFileError("(no cache folder)", "neither cache_dir, IDLAB_CACHE, XDG_CACHE_HOME nor HOME is set",
                            kCacheFormat);
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    make_directories(dir);
    return dir;
}

std::string cache_file_name(const std::string& text) {
    std::string s = text;
    for (char& c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) c = '_';
    return s;
}

std::shared_ptr<const MappedFile> cached_file(const std::string& dir, const std::string& name, uint64_t size,
                                              const std::string& what,
                                              const std::function<void(CacheWriter&)>& produce) {
    const std::string path = dir + "/" + name;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == size)
        return MappedFile::open(path, kCacheFormat);

    // Written under a name of its own (process id), renamed once complete.
    const std::string temporary = path + ".partial." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int e = errno;
        throw DataFileError(temporary, std::string("cannot create the cache file: ") + std::strerror(e), kCacheFormat);
    }
    auto fail = [&](const std::string& problem) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw DataFileError(temporary, problem, kCacheFormat);
    };
    if (size > 0) {
        const int rc = ::posix_fallocate(fd, 0, static_cast<off_t>(size));
        if (rc != 0 && rc != EOPNOTSUPP && rc != EINVAL)
            fail("cannot reserve " + std::to_string(size) + " bytes for the cache file: " + std::strerror(rc) +
                 " (free some space, or set cache_dir / IDLAB_CACHE to a larger disk)");
    }
    char gigabytes[32];
    std::snprintf(gigabytes, sizeof gigabytes, "%.2f GB", static_cast<double>(size) / 1e9);
    idlab::log(IDLAB_LOG_INFO, "core-images", "decoding " + what + " once into the cache file " + path + " (" +
                                                  gigabytes + "); later runs map it");
    const auto t0 = std::chrono::steady_clock::now();
    FileWriter writer(fd, temporary, size);
    try {
        produce(writer);
    } catch (const DataFileError&) {
        ::close(fd);
        ::unlink(temporary.c_str());
        throw;
    } catch (const std::exception& e) {
        fail(std::string("decoding failed: ") + e.what());
    }
    if (writer.written() != size)
        fail("wrote " + std::to_string(writer.written()) + " of the " + std::to_string(size) + " bytes expected");
    if (::close(fd) != 0) {
        const int e = errno;
        ::unlink(temporary.c_str());
        throw DataFileError(temporary, std::string("cannot finish the cache file: ") + std::strerror(e), kCacheFormat);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(temporary.c_str());
        throw DataFileError(path, std::string("cannot move the cache file into place: ") + std::strerror(e),
                            kCacheFormat);
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char line[64];
    std::snprintf(line, sizeof line, " in %.1f s", seconds);
    idlab::log(IDLAB_LOG_INFO, "core-images", "cached " + what + line);
    return MappedFile::open(path, kCacheFormat);
}

}  // namespace idlab::images
