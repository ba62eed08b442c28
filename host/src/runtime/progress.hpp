// Progress of a training run: on a terminal a live line (step, steps/s, ETA, loss, last metric)
// redrawn a few times a second; otherwise plain log lines at a fixed interval.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace idlab::host {

class ProgressFile;

class Progress {
public:
    // first_step: where a resumed run starts, so that rates and ETA count this part only.
    Progress(int64_t total_steps, bool live, int64_t first_step = 0);
    // Cheap when nothing needs drawing; call once per step.
    void step(int64_t steps_done, double loss);
    // Also records the progress in `file` (progress.json); null stops that.
    void attach(ProgressFile* file) { file_ = file; }
    void set_last_metric(const std::string& name, double value);
    // Clears the live line so that a log line can be printed cleanly.
    void clear();
    void finish();

private:
    std::string line(int64_t steps_done, double loss) const;
    using Clock = std::chrono::steady_clock;
    int64_t total_, first_;
    bool live_;
    bool drawn_ = false;
    Clock::time_point start_, last_draw_;
    std::string metric_name_;
    double metric_value_ = 0.0;
    bool has_metric_ = false;
    ProgressFile* file_ = nullptr;
};

}  // namespace idlab::host
