#include "runtime/progress_file.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace idlab::host {

ProgressFile::ProgressFile(const std::filesystem::path& file, int64_t total_steps)
    : file_(file.string()), tmp_(file.string() + ".tmp"), total_(total_steps), start_(Clock::now()) {
    char buf[256] = {0};
    host_ = gethostname(buf, sizeof(buf) - 1) == 0 ? buf : "unknown";
    first_at_ = last_write_ = start_;
    write("running");  // at once: the run has its folder (a sweep tells this from a failed start)
}

void ProgressFile::step(int64_t steps_done) {
    const Clock::time_point now = Clock::now();
    if (first_step_ == 0) {
        first_step_ = steps_done;
        first_at_ = now;
    }
    step_ = steps_done;
    if (step_ != first_step_ && std::chrono::duration<double>(now - last_write_).count() < kIntervalSeconds) return;
    last_write_ = now;
    write("running");
}

void ProgressFile::finish(const char* state) { write(state); }

void ProgressFile::write(const char* state) {
    if (failed_) return;
    const Clock::time_point now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double trained = std::chrono::duration<double>(now - first_at_).count();
    // Steps since the first one over the time since it: this attempt's own rate.
    const double rate = step_ > first_step_ && trained > 0 ? (step_ - first_step_) / trained : 0.0;
    char buf[1024];
    const int n = std::snprintf(
        buf, sizeof(buf),
        "{\"state\": \"%s\", \"step\": %lld, \"total\": %lld, \"first_step\": %lld, "
        "\"steps_per_second\": %.6g, \"elapsed\": %.3f, \"pid\": %ld, \"host\": \"%s\", \"updated\": %lld}\n",
        state, static_cast<long long>(step_), static_cast<long long>(total_),
        static_cast<long long>(first_step_), rate, elapsed, static_cast<long>(getpid()), host_.c_str(),
        static_cast<long long>(std::time(nullptr)));
    if (n <= 0 || n >= static_cast<int>(sizeof(buf))) return;
    const int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && ::write(fd, buf, static_cast<size_t>(n)) == n;
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    ok = ok && std::rename(tmp_.c_str(), file_.c_str()) == 0;
    if (!ok) {
        failed_ = true;
        spdlog::warn("cannot write '{}'; progress is not recorded for this run", file_);
    }
}

}  // namespace idlab::host
