// Advisory locks that keep two processes off one sweep folder (sweep.lock) and off one job
// (job.lock in its run folder). Linux open-file-description locks: like flock(), held by an
// open file and so inherited by a child across fork and exec, released when the last holder
// exits (SIGKILL included), and, unlike flock(), testable without taking them (--status).
// The holder writes who it is into the file, so a refusal can name the pid and host.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace idlab::host {

class FileLock {
public:
    // Takes the lock on `file` (created when missing) without waiting and writes `holder`
    // into it. When someone else holds it returns nullopt and sets `held_by` to what the
    // holder wrote ("pid 123 on host node1 since 2025-01-01 12:00:00, idlab sweep").
    static std::optional<FileLock> try_take(const std::filesystem::path& file,
                                            const std::string& holder, std::string& held_by);
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

    // Replaces the holder text (e.g. with the child's pid once it runs).
    void describe(const std::string& holder);
    // The descriptor; close-on-exec unless inherit() cleared it in a child.
    int fd() const { return fd_; }
    // Releases the lock now.
    void release();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

// "pid <pid> on host <host> since <local time>, <what>": what a holder writes.
std::string holder_text(long pid, const std::string& what);

// Whether anyone holds the lock on `file` (a missing file is not held); `held_by` gets the
// holder's text.
bool lock_is_held(const std::filesystem::path& file, std::string* held_by = nullptr);

// This machine's host name.
std::string host_name();

}  // namespace idlab::host
