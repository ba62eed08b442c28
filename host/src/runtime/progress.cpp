#include "runtime/progress.hpp"

#include "runtime/progress_file.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

namespace idlab::host {

namespace {
std::string format_duration(double seconds) {
    if (seconds < 0 || seconds > 1e7) return "?";
    long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
    else if (s >= 60) std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(buf, sizeof(buf), "%lds", s);
    return buf;
}
}  // namespace

Progress::Progress(int64_t total_steps, bool live, int64_t first_step)
    : total_(total_steps), first_(first_step), live_(live), start_(Clock::now()), last_draw_(start_) {}

void Progress::set_last_metric(const std::string& name, double value) {
    metric_name_ = name;
    metric_value_ = value;
    has_metric_ = true;
}

std::string Progress::line(int64_t done, double loss) const {
    double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    double rate = elapsed > 0 ? (done - first_) / elapsed : 0.0;
    double eta = rate > 0 ? (total_ - done) / rate : -1;
    char buf[256];
    int n = std::snprintf(buf, sizeof(buf), "step %lld/%lld | %.1f steps/s | ETA %s | loss %.4f",
                          static_cast<long long>(done), static_cast<long long>(total_), rate,
                          format_duration(eta).c_str(), loss);
    std::string s(buf, n > 0 ? static_cast<size_t>(n) : 0);
    if (has_metric_) {
        std::snprintf(buf, sizeof(buf), " | %s %.4f", metric_name_.c_str(), metric_value_);
        s += buf;
    }
    return s;
}

void Progress::step(int64_t done, double loss) {
    if (file_) file_->step(done);
    auto now = Clock::now();
    double since = std::chrono::duration<double>(now - last_draw_).count();
    if (live_) {
        if (since < 0.25 && done != total_) return;
        std::fprintf(stderr, "\r\033[K%s", line(done, loss).c_str());
        std::fflush(stderr);
        drawn_ = true;
    } else {
        if (since < 30.0) return;
        spdlog::info("{}", line(done, loss));
    }
    last_draw_ = now;
}

void Progress::clear() {
    if (live_ && drawn_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

void Progress::finish() { clear(); }

}  // namespace idlab::host
